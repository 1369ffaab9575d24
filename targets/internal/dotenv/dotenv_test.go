package dotenv

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hubctl/hub/targets"
)

func parse(t *testing.T, s string) *Doc {
	t.Helper()
	d, err := Parse([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	if got := string(d.Bytes()); got != s {
		t.Fatalf("round trip of %q gave %q", s, got)
	}
	return d
}

func k(name string) targets.Key { return targets.Key{name} }

func TestGet(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		want map[string]string
	}{
		{"plain", "A=1\nB=two words\n", map[string]string{"A": "1", "B": "two words"}},
		{"comments and blanks", "# c\n\nA=1 # note\n  # B=2\n", map[string]string{"A": "1"}},
		{"export", "export A=1\nexport  B = 2\n", map[string]string{"A": "1", "B": "2"}},
		{"colon", "A: 1\n", map[string]string{"A": "1"}},
		{"quotes", "A='x # y'\nB=\"q\\nr\"\nC=`z`\n", map[string]string{"A": "x # y", "B": "q\nr", "C": "z"}},
		{"single keeps escapes", `A='q\nr'`, map[string]string{"A": `q\nr`}},
		{"double has no \\\" escape", `A="a\"b"`, map[string]string{"A": `a\"b`}},
		{"multiline", "A=\"one\ntwo\"\nB=3\n", map[string]string{"A": "one\ntwo", "B": "3"}},
		{"duplicates: last wins", "A=1\nA=2\n", map[string]string{"A": "2"}},
		{"crlf", "A=1\r\nB=\"x\r\ny\"\r\n", map[string]string{"A": "1", "B": "x\ny"}},
		{"empty", "A=\nB=# c\nC=''\n", map[string]string{"A": "", "B": "", "C": ""}},
		{"garbage kept, ignored", "not a line\n[section]\nA=1\n", map[string]string{"A": "1"}},
		{"unterminated quote", "A=\"abc\nB=2\n", map[string]string{"A": `"abc`, "B": "2"}},
		{"dots and dashes", "a.b-c=1\n", map[string]string{"a.b-c": "1"}},
		{"bom", "\ufeffA=1\n", map[string]string{"A": "1"}},
		{"proto ignored", "__proto__=1\n", map[string]string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := parse(t, tc.in)
			if diff := cmp.Diff(tc.want, d.Values()); diff != "" {
				t.Errorf("values (-want +got):\n%s", diff)
			}
		})
	}
}

func TestGetKeys(t *testing.T) {
	d := parse(t, "A=1\n")
	if v, ok := d.Get(k("A")); !ok || v != "1" {
		t.Errorf("Get(A) = %v, %v", v, ok)
	}
	if _, ok := d.Get(k("B")); ok {
		t.Error("Get(B) found")
	}
	if _, ok := d.Get(targets.Key{"A", "x"}); ok {
		t.Error("Get(A.x) found")
	}
}

const userEnv = `# My environment for Gemini CLI
# (do not commit)

export GOOGLE_CLOUD_PROJECT=my-project   # billing
DEBUG=false

GEMINI_API_KEY="sk-test-old-0001"
PROXY='http://127.0.0.1:3128'
`

func set(t *testing.T, d *Doc, name, v string) {
	t.Helper()
	if err := d.Set(k(name), v); err != nil {
		t.Fatalf("Set(%s): %v", name, err)
	}
	if got, ok := d.Get(k(name)); !ok || got != v {
		t.Fatalf("after Set(%s, %q): Get = %q, %v", name, v, got, ok)
	}
}

func del(t *testing.T, d *Doc, name string) {
	t.Helper()
	if err := d.Delete(k(name)); err != nil {
		t.Fatalf("Delete(%s): %v", name, err)
	}
	if _, ok := d.Get(k(name)); ok {
		t.Fatalf("after Delete(%s): still set", name)
	}
}

func check(t *testing.T, d *Doc, want string) {
	t.Helper()
	if got := string(d.Bytes()); got != want {
		t.Errorf("got:\n%s\nwant:\n%s\n(diff -want +got:\n%s)", got, want, cmp.Diff(want, got))
	}
}

func TestSetRealistic(t *testing.T) {
	d := parse(t, userEnv)
	set(t, d, "GEMINI_API_KEY", "sk-test-new-0002")
	set(t, d, "GOOGLE_GEMINI_BASE_URL", "https://relay.example.com")
	set(t, d, "GOOGLE_CLOUD_PROJECT", "other")
	check(t, d, `# My environment for Gemini CLI
# (do not commit)

export GOOGLE_CLOUD_PROJECT=other   # billing
DEBUG=false

GEMINI_API_KEY="sk-test-new-0002"
PROXY='http://127.0.0.1:3128'
GOOGLE_GEMINI_BASE_URL=https://relay.example.com
`)
	del(t, d, "GOOGLE_GEMINI_BASE_URL")
	del(t, d, "GEMINI_API_KEY")
	check(t, d, `# My environment for Gemini CLI
# (do not commit)

export GOOGLE_CLOUD_PROJECT=other   # billing
DEBUG=false

PROXY='http://127.0.0.1:3128'
`)
}

func TestSetSameValueKeepsBytes(t *testing.T) {
	d := parse(t, "A = 'x'  # keep\n")
	set(t, d, "A", "x")
	check(t, d, "A = 'x'  # keep\n")
}

func TestSetQuoting(t *testing.T) {
	for _, tc := range []struct{ value, line string }{
		{"sk-test-plain-0001", "A=sk-test-plain-0001"},
		{"", "A="},
		{"two words", `A="two words"`},
		{"sk-test#hash", `A="sk-test#hash"`},
		{" lead", `A=" lead"`},
		{"line1\nline2", `A="line1\nline2"`},
		{"cr\rhere", `A="cr\rhere"`},
		{`say "hi"`, `A='say "hi"'`},
		{`C:\new\dir`, `A=C:\new\dir`},
		{`C:\new dir`, `A='C:\new dir'`},
		{`it's "x"`, "A=`it's \"x\"`"},
		{"it's\nmulti", `A="it's\nmulti"`},
		{`back\`, `A=back\`},
		{`back\ slash\`, ``}, // nothing can carry a trailing backslash with a blank
		{`'quoted'`, `A="'quoted'"`},
		{"tab\there", "A=\"tab\there\""},
		{"$HOME", "A=$HOME"},
		{"\"'`#", ""},
	} {
		d := parse(t, "")
		err := d.Set(k("A"), tc.value)
		if tc.line == "" {
			if err == nil {
				t.Errorf("Set(%q) wrote %q, want an error", tc.value, d.Bytes())
			}
			continue
		}
		if err != nil {
			t.Errorf("Set(%q): %v", tc.value, err)
			continue
		}
		if got := string(d.Bytes()); got != tc.line+"\n" {
			t.Errorf("Set(%q) wrote %q, want %q", tc.value, got, tc.line+"\n")
		}
		if v, _ := d.Get(k("A")); v != tc.value {
			t.Errorf("Set(%q) reads back %q", tc.value, v)
		}
	}
}

func TestSetKeepsStyle(t *testing.T) {
	for _, tc := range []struct{ in, value, want string }{
		{"export A=old\n", "new", "export A=new\n"},
		{"A='old'\n", "new", "A='new'\n"},
		{"A=\"old\" # c\n", "new", "A=\"new\" # c\n"},
		{"A=`old`\n", "new", "A=`new`\n"},
		{"A: old\n", "new", "A: new\n"},
		{"A=old\n", "has space", "A=\"has space\"\n"},
		{"A='old'\n", "it's", "A=\"it's\"\n"},
		{"A=\n", "new", "A=new\n"},
		{"A=   # c\n", "new", "A=new   # c\n"},
		{"A=# c\n", "new", "A=new # c\n"},
		{"  A = old  \n", "new", "  A = new  \n"},
		{"A=\"multi\nline\"\nB=1\n", "one", "A=\"one\"\nB=1\n"},
	} {
		d := parse(t, tc.in)
		set(t, d, "A", tc.value)
		if got := string(d.Bytes()); got != tc.want {
			t.Errorf("%q: Set(%q) gave %q, want %q", tc.in, tc.value, got, tc.want)
		}
	}
}

func TestAppendLineEndings(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", "A=1\n"},
		{"B=2\n", "B=2\nA=1\n"},
		{"B=2", "B=2\nA=1"},
		{"B=2\r\n", "B=2\r\nA=1\r\n"},
		{"B=2\r\nC=3", "B=2\r\nC=3\r\nA=1"},
		{"# only a comment", "# only a comment\nA=1"},
		{"\n\n", "\n\nA=1\n"},
	} {
		d := parse(t, tc.in)
		set(t, d, "A", "1")
		if got := string(d.Bytes()); got != tc.want {
			t.Errorf("%q: append gave %q, want %q", tc.in, got, tc.want)
		}
		del(t, d, "A")
		if got := string(d.Bytes()); got != tc.in {
			t.Errorf("%q: append then delete gave %q", tc.in, got)
		}
	}
}

func TestDuplicates(t *testing.T) {
	d := parse(t, "A=1\nB=x\nA=2 # second\n")
	set(t, d, "A", "3")
	check(t, d, "A=1\nB=x\nA=3 # second\n")
	del(t, d, "A")
	check(t, d, "B=x\n")
}

func TestDelete(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"A=1\n", ""},
		{"# keep\nA=1 # gone too\nB=2\n", "# keep\nB=2\n"},
		{"export A='x'\r\nB=2\r\n", "B=2\r\n"},
		{"A=\"multi\nline\"\nB=2\n", "B=2\n"},
		{"B=2\nA=1", "B=2"},
		{"B=2\r\nA=1", "B=2"},
		{"A=1\n\n# section\nB=2\n", "\n# section\nB=2\n"},
		{"B=2\n", "B=2\n"},
	} {
		d := parse(t, tc.in)
		del(t, d, "A")
		if got := string(d.Bytes()); got != tc.want {
			t.Errorf("%q: delete gave %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestSetErrors(t *testing.T) {
	d := parse(t, "A=1\n")
	for _, key := range []targets.Key{{"1A"}, {"A-B"}, {"a.b"}, {""}, {"A", "B"}, {"__proto__"}, {"A B"}} {
		if err := d.Set(key, "x"); err == nil {
			t.Errorf("Set(%v) accepted", key)
		}
	}
	if err := d.Set(k("A"), 5); err == nil || !strings.Contains(err.Error(), "string") {
		t.Errorf("Set(A, 5) = %v", err)
	}
	check(t, d, "A=1\n")
}

func TestAppendRefused(t *testing.T) {
	// dotenv reads "B:" followed by a line break as B taking the next line
	// as its value: an appended line would vanish into B.
	d := parse(t, "B:\n")
	if err := d.Set(k("A"), "1"); err == nil {
		t.Fatalf("Set wrote %q", d.Bytes())
	}
	check(t, d, "B:\n")
	// An unterminated quote is read as plain text, and lines appended
	// after it do not close it.
	d = parse(t, "B=\"abc\n")
	set(t, d, "A", `x"`)
	set(t, d, "C", "sk test")
	check(t, d, "B=\"abc\nA='x\"'\nC=\"sk test\"\n")
}
