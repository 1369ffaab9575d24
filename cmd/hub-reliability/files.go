package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"github.com/pelletier/go-toml/v2"
	"github.com/tailscale/hujson"
	"gopkg.in/yaml.v3"
)

// A format is one kind of tool file the harness gives hub to edit: how the
// target block reads, what the user had in the file before hub came, and
// where hub puts the key. Every target file starts with the user's own
// content, so a kill that tears or drops it is seen.
type format struct {
	name string
	typ  string // the hub target type
	file string // the file hub edits, under the target's config_dir
	// block is the target block's body for credential k.
	block func(k int) string
	// seed is the file the user had for target i.
	seed func(i int) string
	// fragments are parts of the seed that must stay byte for byte.
	fragments func(i int) []string
	// userPaths are the user's own keys, compared by value with the seed's.
	userPaths [][]string
	// keyPath is where hub puts credential k's key.
	keyPath func(k int) []string
	parse   func([]byte) (map[string]any, error)
}

var formats = []format{
	{
		name: "JSON", typ: "claude_code", file: "settings.json",
		block: func(k int) string {
			return fmt.Sprintf("  credential = credential.c%d\n  model      = \"claude-sonnet-4-5\"\n", k)
		},
		seed: func(i int) string {
			return fmt.Sprintf(`{
  "hooks": {"PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": "echo user-hook-%d"}]}]},
  "permissions": {"allow": ["Bash(ls:*)"], "deny": []},
  "env": {
    "USER_OWN": "mine-%d"
  },
  "theme": "dark"
}
`, i, i)
		},
		fragments: func(i int) []string {
			return []string{
				fmt.Sprintf(`"hooks": {"PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": "echo user-hook-%d"}]}]}`, i),
				`"permissions": {"allow": ["Bash(ls:*)"], "deny": []}`,
				fmt.Sprintf(`"USER_OWN": "mine-%d"`, i),
			}
		},
		userPaths: [][]string{{"hooks"}, {"permissions"}, {"env", "USER_OWN"}, {"theme"}},
		keyPath:   func(int) []string { return []string{"env", "ANTHROPIC_AUTH_TOKEN"} },
		parse:     parseJSON,
	},
	{
		name: "TOML", typ: "codex", file: "config.toml",
		block: func(k int) string {
			return fmt.Sprintf("  credential = credential.c%d\n  model      = \"gpt-5\"\n", k)
		},
		seed: func(i int) string {
			return fmt.Sprintf(`# user's comment %d: keep me
approval_policy = "on-request" # inline %d

[profiles.mine]
model = "o3"
sandbox_mode = "read-only"
`, i, i)
		},
		fragments: func(i int) []string {
			return []string{
				fmt.Sprintf("# user's comment %d: keep me\n", i),
				fmt.Sprintf("approval_policy = \"on-request\" # inline %d\n", i),
				"[profiles.mine]\nmodel = \"o3\"\nsandbox_mode = \"read-only\"\n",
			}
		},
		userPaths: [][]string{{"approval_policy"}, {"profiles", "mine"}},
		keyPath: func(k int) []string {
			return []string{"model_providers", "c" + strconv.Itoa(k), "experimental_bearer_token"}
		},
		parse: parseTOML,
	},
	{
		name: "JSONC", typ: "opencode", file: "opencode.jsonc",
		block: func(k int) string { return fmt.Sprintf("  credentials = [credential.c%d]\n", k) },
		seed: func(i int) string {
			return fmt.Sprintf(`{
  // user's comment %d: keep me
  "theme": "tokyonight",
  /* block %d */ "autoshare": false,
  "provider": {
    "mine": {"name": "Mine %d", "options": {"baseURL": "http://localhost:11434/v1"}}
  }
}
`, i, i, i)
		},
		fragments: func(i int) []string {
			return []string{
				fmt.Sprintf("  // user's comment %d: keep me\n", i),
				fmt.Sprintf(`/* block %d */ "autoshare": false`, i),
				fmt.Sprintf(`"mine": {"name": "Mine %d", "options": {"baseURL": "http://localhost:11434/v1"}}`, i),
			}
		},
		userPaths: [][]string{{"theme"}, {"autoshare"}, {"provider", "mine"}},
		keyPath: func(k int) []string {
			return []string{"provider", "c" + strconv.Itoa(k), "options", "apiKey"}
		},
		parse: parseJSONC,
	},
	{
		name: "YAML", typ: "aider", file: ".aider.conf.yml",
		block: func(k int) string { return fmt.Sprintf("  credential = credential.c%d\n", k) },
		seed: func(i int) string {
			return fmt.Sprintf("# user's comment %d: keep me\ndark-mode: true # inline %d\nauto-commits: false\nread:\n  - CONVENTIONS.md\n", i, i)
		},
		fragments: func(i int) []string {
			return []string{
				fmt.Sprintf("# user's comment %d: keep me\n", i),
				fmt.Sprintf("dark-mode: true # inline %d\n", i),
				"read:\n  - CONVENTIONS.md\n",
			}
		},
		userPaths: [][]string{{"dark-mode"}, {"auto-commits"}, {"read"}},
		keyPath:   func(int) []string { return []string{"openai-api-key"} },
		parse:     parseYAML,
	},
}

func parseJSON(b []byte) (map[string]any, error) {
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	return m, nil
}

func parseJSONC(b []byte) (map[string]any, error) {
	std, err := hujson.Standardize(bytes.Clone(b))
	if err != nil {
		return nil, err
	}
	return parseJSON(std)
}

func parseTOML(b []byte) (map[string]any, error) {
	var m map[string]any
	if err := toml.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	return m, nil
}

func parseYAML(b []byte) (map[string]any, error) {
	var m map[string]any
	if err := yaml.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	if m == nil {
		return nil, fmt.Errorf("not a YAML mapping")
	}
	return m, nil
}

func lookup(m map[string]any, path []string) (any, bool) {
	var cur any = m
	for _, p := range path {
		mm, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = mm[p]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// A workload is the configuration and the users' files of one run.
type workload struct {
	dir      string
	targets  int
	creds    int
	expected []map[string]any // the seed's parsed values per target, by path key
}

func (w *workload) format(i int) format { return formats[i%len(formats)] }
func (w *workload) cred(i int) int      { return i % w.creds }
func (w *workload) targetDir(i int) string {
	return filepath.Join(w.dir, "home", fmt.Sprintf("t%d", i))
}
func (w *workload) path(i int) string { return filepath.Join(w.targetDir(i), w.format(i).file) }

// generate writes hub.hcl (keys are "sk-test-rel-c<k>-g<gen>-...", the
// generation from HUB_VAR_gen, so a run rotates every key by changing the
// environment) and each target's file with the user's own content.
func generate(dir string, nTargets, nCreds int) (*workload, error) {
	w := &workload{dir: dir, targets: nTargets, creds: nCreds}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var b strings.Builder
	b.WriteString("variable \"gen\" {\n  default = \"0\"\n}\n\n")
	for k := 0; k < nCreds; k++ {
		fmt.Fprintf(&b, "credential \"c%d\" {\n  api_type = \"openai-compatible\"\n  base_url = \"https://relay%d.example.com/v1\"\n  api_key  = \"sk-test-rel-c%d-g${var.gen}-0123456789abcdef\"\n}\n\n", k, k, k)
	}
	for i := 0; i < nTargets; i++ {
		f := w.format(i)
		fmt.Fprintf(&b, "target %q \"t%d\" {\n%s  config_dir = \"home/t%d\"\n}\n\n", f.typ, i, f.block(w.cred(i)), i)
		if err := os.MkdirAll(w.targetDir(i), 0o755); err != nil {
			return nil, err
		}
		seed := f.seed(i)
		if err := os.WriteFile(w.path(i), []byte(seed), 0o644); err != nil {
			return nil, err
		}
		m, err := f.parse([]byte(seed))
		if err != nil {
			return nil, fmt.Errorf("harness seed %s does not parse: %w", f.name, err)
		}
		exp := map[string]any{}
		for _, p := range f.userPaths {
			v, ok := lookup(m, p)
			if !ok {
				return nil, fmt.Errorf("harness seed %s lacks %v", f.name, p)
			}
			exp[strings.Join(p, ".")] = v
		}
		w.expected = append(w.expected, exp)
	}
	return w, os.WriteFile(filepath.Join(dir, "hub.hcl"), []byte(b.String()), 0o644)
}

// keyPattern matches credential k's key of any generation.
func keyPattern(k int) *regexp.Regexp {
	return regexp.MustCompile(fmt.Sprintf(`^sk-test-rel-c%d-g([0-9]+)-0123456789abcdef$`, k))
}

// fileCheck is what one target file showed.
type fileCheck struct {
	torn bool // missing, unparsable, or a key that is no whole key of its credential
	lost bool // some of the user's own content is gone or changed
	gen  int  // the key generation in the file, -1 when there is no key
	why  string
}

// check reads target i's file and judges it.
func (w *workload) check(i int) fileCheck {
	f := w.format(i)
	b, err := os.ReadFile(w.path(i))
	if err != nil {
		return fileCheck{torn: true, lost: true, gen: -1, why: err.Error()}
	}
	m, err := f.parse(b)
	if err != nil {
		return fileCheck{torn: true, lost: true, gen: -1, why: fmt.Sprintf("%s: unparsable: %v", w.path(i), err)}
	}
	c := fileCheck{gen: -1}
	for _, frag := range f.fragments(i) {
		if !bytes.Contains(b, []byte(frag)) {
			c.lost, c.why = true, fmt.Sprintf("%s: lost %q", w.path(i), frag)
		}
	}
	for _, p := range f.userPaths {
		v, ok := lookup(m, p)
		if key := strings.Join(p, "."); !ok || !reflect.DeepEqual(v, w.expected[i][key]) {
			c.lost, c.why = true, fmt.Sprintf("%s: user's %s changed or gone", w.path(i), key)
		}
	}
	if v, ok := lookup(m, f.keyPath(w.cred(i))); ok {
		s, _ := v.(string)
		sub := keyPattern(w.cred(i)).FindStringSubmatch(s)
		if sub == nil {
			c.torn, c.why = true, fmt.Sprintf("%s: key is no whole key of credential c%d", w.path(i), w.cred(i))
		} else {
			c.gen, _ = strconv.Atoi(sub[1])
		}
	}
	return c
}

// A tempFile is one of hub's temp files (".<name>.hub-tmp-*").
type tempFile struct {
	path string
	// readable: others than the owner may read it while they may not read
	// the file it replaces (a complete temp file takes the target's mode
	// just before the rename, which exposes nothing new).
	readable bool
}

// tempFiles lists hub's temp files under dir.
func tempFiles(dir string) []tempFile {
	var out []tempFile
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.Contains(d.Name(), ".hub-tmp-") {
			return nil
		}
		t := tempFile{path: p}
		if fi, err := d.Info(); err == nil && fi.Mode().Perm()&0o077 != 0 {
			name, _, _ := strings.Cut(strings.TrimPrefix(d.Name(), "."), ".hub-tmp-")
			target, err := os.Stat(filepath.Join(filepath.Dir(p), name))
			t.readable = err != nil || target.Mode().Perm()&0o077 == 0
		}
		out = append(out, t)
		return nil
	})
	return out
}
