package dotenv

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"flag"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// compatFile holds inputs and the values dotenv 17.1.0 (the version bundled
// in @google/gemini-cli 0.61.0) parsed from them. TestCompat checks the Go
// parser against it; TestNodeDotenv, run against the real package, rewrites
// the values with -write-compat.
const compatFile = "testdata/dotenv-17.1.0.json"

var writeCompat = flag.Bool("write-compat", false, "rewrite "+compatFile+" from the real dotenv (needs DOTENV_JS)")

type compatCase struct {
	In   string            `json:"in"`
	Want map[string]string `json:"want"`
}

func TestCompat(t *testing.T) {
	b, err := os.ReadFile(compatFile)
	if err != nil {
		t.Fatal(err)
	}
	var cases []compatCase
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		d, _ := Parse([]byte(c.In))
		if diff := cmp.Diff(c.Want, d.Values()); diff != "" {
			t.Errorf("%q (-dotenv +hub):\n%s", c.In, diff)
		}
	}
}

// nodeScript parses base64 inputs, one JSON string a line, as Gemini CLI
// does (Buffer to UTF-8 string, then dotenv.parse).
const nodeScript = `
const dotenv = require(process.env.DOTENV_JS);
const rl = require('readline').createInterface({ input: process.stdin });
rl.on('line', (line) => {
  const src = Buffer.from(JSON.parse(line), 'base64').toString('utf-8');
  process.stdout.write(JSON.stringify(Object.entries(dotenv.parse(src))) + '\n');
});
`

// nodeParse runs the real dotenv over inputs.
func nodeParse(t *testing.T, inputs []string) []map[string]string {
	t.Helper()
	script := filepath.Join(t.TempDir(), "parse.js")
	if err := os.WriteFile(script, []byte(nodeScript), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("node", script)
	var in strings.Builder
	for _, s := range inputs {
		j, _ := json.Marshal(base64.StdEncoding.EncodeToString([]byte(s)))
		in.Write(j)
		in.WriteByte('\n')
	}
	cmd.Stdin = strings.NewReader(in.String())
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v", err)
	}
	var res []map[string]string
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		var pairs [][2]string
		if err := json.Unmarshal(sc.Bytes(), &pairs); err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		for _, p := range pairs {
			m[p[0]] = p[1]
		}
		res = append(res, m)
	}
	if len(res) != len(inputs) {
		t.Fatalf("node gave %d results for %d inputs", len(res), len(inputs))
	}
	return res
}

var fragments = []string{
	"A", "B", "GEMINI_API_KEY", "export", "export ", "=", "= ", ":", ": ", " ", "\t", "\n", "\n", "\n",
	"\r\n", "\r", "'", "'", "\"", "\"", "`", "\\", "\\n", "\\r", "\\'", "\\\"", "#", "# c", "x", "y z",
	"a.b", "-", "\u2028", "\u00a0", "\ufeff", "\v", "é", "sk-test-1", "__proto__",
}

func randomEnv(r *rand.Rand) string {
	var b strings.Builder
	for n := 1 + r.Intn(30); n > 0; n-- {
		b.WriteString(fragments[r.Intn(len(fragments))])
	}
	return b.String()
}

func randomValue(r *rand.Rand) string {
	var b strings.Builder
	for n := r.Intn(8); n > 0; n-- {
		b.WriteString(fragments[r.Intn(len(fragments))])
	}
	return b.String()
}

// TestNodeDotenv compares the parser, and what Set and Delete write, with
// the real dotenv on random inputs. It runs only when DOTENV_JS names
// dotenv's lib/main.js (npm install dotenv@17.1.0), as node is not part of
// the build:
//
//	DOTENV_JS=$PWD/node_modules/dotenv/lib/main.js go test -run NodeDotenv ./targets/internal/dotenv/
func TestNodeDotenv(t *testing.T) {
	if os.Getenv("DOTENV_JS") == "" {
		t.Skip("DOTENV_JS is not set")
	}
	if *writeCompat {
		b, err := os.ReadFile(compatFile)
		if err != nil {
			t.Fatal(err)
		}
		var cases []compatCase
		if err := json.Unmarshal(b, &cases); err != nil {
			t.Fatal(err)
		}
		var ins []string
		for _, c := range cases {
			ins = append(ins, c.In)
		}
		for i, m := range nodeParse(t, ins) {
			cases[i].Want = m
		}
		out, _ := json.MarshalIndent(cases, "", "  ")
		if err := os.WriteFile(compatFile, append(out, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	seed := int64(1)
	if s, err := strconv.ParseInt(os.Getenv("DOTENV_SEED"), 10, 64); err == nil {
		seed = s
	}
	r := rand.New(rand.NewSource(seed))
	var inputs []string
	for i := 0; i < 20000; i++ {
		inputs = append(inputs, randomEnv(r))
	}
	// Edited files: what hub writes must read back as it thinks.
	var edited []string
	var editedWant []map[string]string
	for i := 0; i < 20000; i++ {
		d, _ := Parse([]byte(randomEnv(r)))
		name := []string{"A", "B", "GEMINI_API_KEY", "NEW"}[r.Intn(4)]
		var err error
		if r.Intn(4) == 0 {
			err = d.Delete(k(name))
		} else {
			err = d.Set(k(name), randomValue(r))
		}
		if err == nil {
			edited = append(edited, string(d.Bytes()))
			editedWant = append(editedWant, d.Values())
		}
	}
	got := nodeParse(t, append(inputs, edited...))
	fails := 0
	for i, in := range inputs {
		d, _ := Parse([]byte(in))
		if diff := cmp.Diff(got[i], d.Values()); diff != "" {
			if fails++; fails <= 20 {
				t.Errorf("parse %q (-dotenv +hub):\n%s", in, diff)
			}
		}
	}
	for i, in := range edited {
		if diff := cmp.Diff(got[len(inputs)+i], editedWant[i]); diff != "" {
			if fails++; fails <= 40 {
				t.Errorf("edited %q (-dotenv +hub):\n%s", in, diff)
			}
		}
	}
	t.Logf("%d parsed, %d edited files compared", len(inputs), len(edited))
}
