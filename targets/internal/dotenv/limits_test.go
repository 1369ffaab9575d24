package dotenv

import (
	"strings"
	"testing"
)

func TestSizeLimit(t *testing.T) {
	if _, err := Parse([]byte("K=" + strings.Repeat("x", MaxSize-3) + "\n")); err != nil {
		t.Errorf("at the limit: %v", err)
	}
	_, err := Parse([]byte("K=" + strings.Repeat("x", MaxSize) + "\n"))
	if err == nil || !strings.Contains(err.Error(), "more than the 1 MiB") {
		t.Errorf("over the limit: err = %v", err)
	}
}
