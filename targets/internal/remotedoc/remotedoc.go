// Package remotedoc reads the JSON document a Remote target hands the
// engine for a place that is not a file (a panel's channels, a database's
// rows): a list of records under one key, each named by an id field, so
// the engine plans items per record and field.
package remotedoc

import (
	"bytes"
	"encoding/json"
	"fmt"
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
