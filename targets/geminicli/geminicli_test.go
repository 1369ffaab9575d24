package geminicli_test

import (
	"testing"

	_ "github.com/hubctl/hub/targets/geminicli"
	"github.com/hubctl/hub/targets/targettest"
)

func TestGolden(t *testing.T) { targettest.Golden(t, "gemini_cli") }
