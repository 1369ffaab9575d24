package codex_test

import (
	"testing"

	_ "github.com/hubctl/hub/targets/codex"
	"github.com/hubctl/hub/targets/targettest"
)

func TestGolden(t *testing.T) { targettest.Golden(t, "codex") }
