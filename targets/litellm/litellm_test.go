package litellm_test

import (
	"testing"

	_ "github.com/hubctl/hub/targets/litellm"
	"github.com/hubctl/hub/targets/targettest"
)

func TestGolden(t *testing.T) { targettest.Golden(t, "litellm") }

func TestImport(t *testing.T) { targettest.ImportGolden(t, "litellm") }
