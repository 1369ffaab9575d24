package remotedoc

import (
	"encoding/json"
	"testing"
)

func TestRecords(t *testing.T) {
	got, err := Records([]byte(`{"rows":[{"id":"a","n":1},{"id":"b","n":2.5}]}`), "rows", "id")
	if err != nil || len(got) != 2 || got["b"]["n"] != json.Number("2.5") {
		t.Fatalf("%v %v", got, err)
	}
	if got, err := Records([]byte("  \n"), "rows", "id"); err != nil || len(got) != 0 {
		t.Fatalf("empty: %v %v", got, err)
	}
	if _, err := Records([]byte(`{"rows":[{"n":1}]}`), "rows", "id"); err == nil || err.Error() != "a record of rows without its id" {
		t.Fatalf("no id: %v", err)
	}
	if _, err := Records([]byte(`{"rows":`), "rows", "id"); err == nil {
		t.Fatal("truncated document accepted")
	}
}

func TestIDsAndEncode(t *testing.T) {
	before := map[string]map[string]any{"b": {}, "a": {}}
	after := map[string]map[string]any{"c": {}, "a": {}}
	if got := IDs(before, after); len(got) != 3 || got[0] != "a" || got[1] != "b" || got[2] != "c" {
		t.Fatalf("IDs = %v", got)
	}
	one, _ := Encode(map[string]any{"rows": []any{map[string]any{"z": "<&>", "a": 1}}})
	two, _ := Encode(map[string]any{"rows": []any{map[string]any{"a": 1, "z": "<&>"}}})
	if string(one) != string(two) || string(one) != "{\n  \"rows\": [\n    {\n      \"a\": 1,\n      \"z\": \"<&>\"\n    }\n  ]\n}\n" {
		t.Fatalf("Encode = %q", one)
	}
}
