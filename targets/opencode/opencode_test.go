package opencode_test

import (
	"testing"

	_ "github.com/hubctl/hub/targets/opencode"
	"github.com/hubctl/hub/targets/targettest"
)

func TestGolden(t *testing.T) { targettest.Golden(t, "opencode") }

func TestImport(t *testing.T) { targettest.ImportGolden(t, "opencode") }
