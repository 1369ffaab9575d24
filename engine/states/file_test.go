package states_test

import (
	"path/filepath"
	"testing"

	"github.com/hubctl/hub/engine/states"
	"github.com/hubctl/hub/engine/states/statestest"
)

func TestFileStoreConformance(t *testing.T) {
	statestest.Run(t, func(t *testing.T) states.Store {
		return &states.FileStore{Path: filepath.Join(t.TempDir(), ".hub", "state.json")}
	})
}
