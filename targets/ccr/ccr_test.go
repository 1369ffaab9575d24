package ccr_test

import (
	"testing"

	_ "github.com/hubctl/hub/targets/ccr"
	"github.com/hubctl/hub/targets/targettest"
)

func TestGolden(t *testing.T) { targettest.Golden(t, "claude_code_router") }

func TestImport(t *testing.T) { targettest.ImportGolden(t, "claude_code_router") }
