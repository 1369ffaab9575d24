package qwencode_test

import (
	"testing"

	_ "github.com/hubctl/hub/targets/qwencode"
	"github.com/hubctl/hub/targets/targettest"
)

func TestGolden(t *testing.T) { targettest.Golden(t, "qwen_code") }
