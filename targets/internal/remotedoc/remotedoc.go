// Package remotedoc reads the JSON document a Remote target hands the
// engine for a place that is not a file (a panel's channels, a database's
// rows): a list of records under one key, each named by an id field, so
// the engine plans items per record and field.
package remotedoc

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
)

// Records decodes data's list under key into its records by their idField
// (numbers kept as json.Number). An empty document has none.
func Records(data []byte, key, idField string) (map[string]map[string]any, error) {
	out := map[string]map[string]any{}
	if len(bytes.TrimSpace(data)) == 0 {
		return out, nil
	}
	var d map[string][]map[string]any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&d); err != nil {
		return nil, err
	}
	for _, r := range d[key] {
		id, _ := r[idField].(string)
		if id == "" {
			return nil, fmt.Errorf("a record of %s without its %s", key, idField)
		}
		out[id] = r
	}
	return out, nil
}

// Encode writes v as indented JSON with sorted keys and no HTML escaping:
// the same records always give the same bytes, which the engine's check
// before Push relies on.
func Encode(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// IDs returns the record ids of before and after together, sorted: the
// order Push works through them.
func IDs(before, after map[string]map[string]any) []string {
	ids := make([]string, 0, len(before)+len(after))
	for id := range before {
		ids = append(ids, id)
	}
	for id := range after {
		if _, dup := before[id]; !dup {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids
}
