package main

import (
	"errors"

	"github.com/hubctl/hub/engine/config"
	"github.com/hubctl/hub/engine/states"
)

// remoteStore opens the remote store a backend names.
func (a *app) remoteStore(be *config.Backend) (states.Store, error) {
	return nil, errors.New("the webdav state backend is not available in this build")
}
