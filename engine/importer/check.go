package importer

import (
	"fmt"
	"slices"

	"github.com/hubctl/hub/engine/plans"
)

// Inexact returns, for each of addrs whose plan would do more than adopt
// what the files already hold (create, update or delete an item, or fail),
// why, naming the first such item. An imported block must plan to adopts
// only: that is what "the first plan after an import changes nothing"
// means.
func Inexact(p *plans.Plan, addrs []string) map[string]string {
	out := map[string]string{}
	for _, t := range p.Targets {
		if !slices.Contains(addrs, t.Address) {
			continue
		}
		if t.Error != "" {
			out[t.Address] = t.Error
			continue
		}
	files:
		for _, f := range t.Files {
			if f.Error != "" {
				out[t.Address] = f.Path + ": " + f.Error
				break
			}
			for _, c := range f.Changes {
				if c.Action != plans.Adopt {
					out[t.Address] = fmt.Sprintf("%s: %s %s", f.Path, c.Action, c.Key)
					break files
				}
			}
		}
	}
	return out
}
