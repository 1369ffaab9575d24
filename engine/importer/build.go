package importer

import (
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/hubctl/hub/credential"
	"github.com/hubctl/hub/targets"
)

// Filter keeps the credentials a user asked for (hub import --tag, --type,
// --search); the zero Filter keeps all.
type Filter struct {
	Tag, Type, Search string
}

func (f Filter) keeps(c *credential.Credential) bool {
	if f.Tag != "" && !slices.Contains(c.Tags, f.Tag) {
		return false
	}
	if f.Type != "" && c.APIType != f.Type {
		return false
	}
	if s := strings.ToLower(f.Search); s != "" &&
		!strings.Contains(strings.ToLower(c.Name), s) && !strings.Contains(strings.ToLower(c.BaseURL), s) {
		return false
	}
	return true
}

// Existing is what the configuration already has: its credentials (with
// their keys, to recognise a duplicate) and its targets' addresses and
// files (to leave a tool it already manages alone).
type Existing struct {
	Credentials map[string]*credential.Credential // by id
	// Targets maps each address to the files it manages.
	Targets map[string][]string
}

// A Summary is what became of one source's findings.
type Summary struct {
	Source   string   `json:"source"`
	Found    int      `json:"found"`
	Imported int      `json:"imported"`
	Merged   int      `json:"merged"`
	Skipped  int      `json:"skipped"`
	Targets  int      `json:"targets"`
	Notes    []string `json:"notes,omitempty"`
	Warnings []string `json:"warnings,omitempty"`
}

// An Outcome is what an import will write.
type Outcome struct {
	Creds     []Cred  // new credentials
	Blocks    []Block // new target blocks
	Summaries []Summary
	// Used are the existing credentials the new blocks use (by id), so
	// Verify can plan them.
	Used map[string]*credential.Credential
}

// identity is All API Hub's rule for "the same credential": API type,
// normalized base URL and key.
func identity(c *credential.Credential) string {
	return c.APIType + "\x00" + c.BaseURL + "\x00" + c.Key.Reveal()
}

// Build de-duplicates what the sources found, against each other and the
// existing configuration, names the new credentials and blocks, and says
// per source what happened. keyExpr gives a new credential's api_key
// expression from its id (secret("id") or env("VAR")).
func Build(results []Result, ex Existing, f Filter, keyExpr func(id string) string) *Outcome {
	out := &Outcome{Used: map[string]*credential.Credential{}}
	byIdentity := map[string]string{} // identity → id
	ids := map[string]bool{}
	for id, c := range ex.Credentials {
		byIdentity[identity(c)] = id
		ids[id] = true
	}
	newIdx := map[string]int{} // id → index in out.Creds
	addrs := map[string]bool{}
	claimed := map[string]string{} // file → address managing it
	for addr, files := range ex.Targets {
		addrs[addr] = true
		for _, fl := range files {
			claimed[fl] = addr
		}
	}
	// use returns the id for c (new or existing) and whether it was merged.
	// A credential whose tool's file is keyed by its id (c.ID set) merges
	// only with one of that id: under another id the file would change.
	use := func(c *credential.Credential, source, expires string, s *Summary) (string, bool) {
		key := identity(c)
		if id, ok := byIdentity[key]; ok && c.ID != "" && id != c.ID {
			s.Notes = append(s.Notes, fmt.Sprintf("%s: the same key as credential.%s, kept apart: the tool's file names it %s", source, id, c.ID))
			key += "\x00" + c.ID
		}
		if id, ok := byIdentity[key]; ok {
			if i, isNew := newIdx[id]; isNew {
				out.Creds[i].Sources = append(out.Creds[i].Sources, source)
				for _, t := range c.Tags {
					if !slices.Contains(out.Creds[i].C.Tags, t) {
						out.Creds[i].C.Tags = append(out.Creds[i].C.Tags, t)
					}
				}
				s.Notes = append(s.Notes, fmt.Sprintf("%s: the same key as credential.%s, merged", source, id))
			} else {
				out.Used[id] = ex.Credentials[id]
				s.Notes = append(s.Notes, fmt.Sprintf("%s: already in the configuration as credential.%s", source, id))
			}
			s.Merged++
			return id, true
		}
		base := c.ID
		if base == "" {
			base = Slug(c)
		}
		id := uniqueID(base, ids)
		ids[id] = true
		byIdentity[key] = id
		cc := *c
		cc.ID = id
		newIdx[id] = len(out.Creds)
		out.Creds = append(out.Creds, Cred{ID: id, C: &cc, Expires: expires, KeyExpr: keyExpr(id), Sources: []string{source}})
		s.Imported++
		return id, false
	}
	for _, r := range results {
		s := Summary{Source: r.Source, Found: len(r.Found), Skipped: len(r.Skipped), Warnings: r.Warnings}
		for _, sk := range r.Skipped {
			s.Notes = append(s.Notes, fmt.Sprintf("%s: skipped: %s", sk.Source, sk.Why))
		}
		for _, fd := range r.Found {
			if !f.keeps(fd.Credential) {
				s.Skipped++
				s.Notes = append(s.Notes, fmt.Sprintf("%s: left out by the filter", fd.Source))
				continue
			}
			use(fd.Credential, fd.Source, fd.Expires, &s)
		}
	blocks:
		for _, t := range r.Targets {
			s.Found += len(t.Credentials)
			src := t.Type + " " + strings.Join(t.Files, ", ")
			for _, fl := range t.Files {
				if addr, ok := claimed[fl]; ok {
					s.Skipped += len(t.Credentials)
					s.Notes = append(s.Notes, fmt.Sprintf("%s: %s already manages %s", src, addr, fl))
					continue blocks
				}
			}
			if len(t.Credentials) == 0 {
				// Only warnings: nothing the target could hold.
				s.Warnings = append(s.Warnings, t.Warnings...)
				continue
			}
			for _, c := range t.Credentials {
				if !f.keeps(c) {
					s.Skipped += len(t.Credentials)
					s.Notes = append(s.Notes, fmt.Sprintf("%s: left out by the filter", src))
					continue blocks
				}
			}
			info, _ := targets.Lookup(t.Type)
			b := Block{Type: t.Type, Name: uniqueName(t.Type, t.Name, addrs), Multi: info.Multi, Attrs: t.Attrs, Sources: []string{src}, summary: len(out.Summaries)}
			addrs[t.Type+"."+b.Name] = true
			for _, fl := range t.Files {
				claimed[fl] = t.Type + "." + b.Name
			}
			for _, c := range t.Credentials {
				id, _ := use(c, src, "", &s)
				b.Creds = append(b.Creds, id)
			}
			s.Warnings = append(s.Warnings, t.Warnings...)
			out.Blocks = append(out.Blocks, b)
			s.Targets++
		}
		out.Summaries = append(out.Summaries, s)
	}
	return out
}

// Slug makes a credential id from its name (or, without one, its base
// URL's host): lower case, words joined by "-", starting with a letter, at
// most 40 characters.
func Slug(c *credential.Credential) string {
	src := c.Name
	if strings.TrimSpace(src) == "" {
		src = c.BaseURL
	}
	src = strings.TrimPrefix(strings.TrimPrefix(src, "https://"), "http://")
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(src) {
		switch {
		case r < 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		default:
			dash = true
		}
	}
	s := b.String()
	if len(s) > 40 {
		s = strings.TrimRight(s[:40], "-")
	}
	if s == "" || !unicode.IsLetter(rune(s[0])) {
		s = "key-" + s
		s = strings.TrimRight(s, "-")
	}
	return s
}

func uniqueID(base string, taken map[string]bool) string {
	id := base
	for n := 2; taken[id]; n++ {
		id = fmt.Sprintf("%s-%d", base, n)
	}
	return id
}

func uniqueName(typ, name string, taken map[string]bool) string {
	if name == "" {
		name = "default"
	}
	n := name
	for i := 2; taken[typ+"."+n]; i++ {
		n = fmt.Sprintf("%s_%d", name, i)
	}
	return n
}
