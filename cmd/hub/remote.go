package main

import (
	"github.com/hubctl/hub/engine/config"
	"github.com/hubctl/hub/engine/states"
	"github.com/hubctl/hub/engine/states/backend"
	_ "github.com/hubctl/hub/engine/states/backend/all" // the state backends
	"github.com/hubctl/hub/engine/system"
)

// store opens the state store the configuration names: the local file by
// default, or a remote backend's with a local copy beside the configuration.
func (a *app) store(be *config.Backend) (states.Store, error) {
	return backend.Open(be, backend.Env{State: a.statePath(), Cache: a.cachePath(), Sys: system.OS{}})
}
