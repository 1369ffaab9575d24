package claudecode_test

import (
	"testing"

	_ "github.com/hubctl/hub/targets/claudecode"
	"github.com/hubctl/hub/targets/targettest"
)

func TestGolden(t *testing.T) { targettest.Golden(t, "claude_code") }
