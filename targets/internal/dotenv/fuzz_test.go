package dotenv

import (
	"bytes"
	"maps"
	"testing"
	"unicode/utf8"
)

var seeds = []string{
	"",
	userEnv,
	"A=1\r\nexport B='x'\r\n",
	"A=\"multi\nline\"\n# c\nB: 2",
	"A='open\nB=\"x\" # c\n",
	"\ufeffA=1\u2028B=2\n",
}

// FuzzRoundTrip checks that any file comes back byte for byte and that
// parsing never panics.
//
//	go test -run '^$' -fuzz FuzzRoundTrip -fuzztime 30s ./targets/internal/dotenv/
func FuzzRoundTrip(f *testing.F) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := Parse(data)
		if err != nil {
			t.Fatal(err)
		}
		if got := d.Bytes(); !bytes.Equal(got, data) {
			t.Fatalf("round trip of %q gave %q", data, got)
		}
	})
}

// FuzzSetDelete checks on any file and value that Set either refuses or
// leaves a file where the variable reads back as the value and every other
// variable as before; that setting it again changes nothing; that deleting a
// variable Set added gives back the original bytes; and that on an empty
// file only values no quoting can carry are refused.
//
//	go test -run '^$' -fuzz FuzzSetDelete -fuzztime 30s ./targets/internal/dotenv/
func FuzzSetDelete(f *testing.F) {
	for _, s := range seeds {
		f.Add([]byte(s), "GEMINI_API_KEY", "sk-test-0001")
		f.Add([]byte(s), "A", "two words # and \"quotes\"")
		f.Add([]byte(s), "B", "line\nbreak's")
	}
	f.Fuzz(func(t *testing.T, data []byte, name, value string) {
		if !validName.MatchString(name) || name == "__proto__" || !utf8.ValidString(value) {
			return
		}
		d, _ := Parse(data)
		before := d.Values()
		_, existed := before[name]
		err := d.Set(k(name), value)
		if err != nil {
			if !bytes.Equal(d.Bytes(), data) {
				t.Fatalf("a refused Set changed the file")
			}
			if e, _ := Parse(nil); representable(value) && e.Set(k(name), value) != nil {
				t.Fatalf("Set(%q) on an empty file refused: %v", value, err)
			}
			return
		}
		after := d.Values()
		if after[name] != value {
			t.Fatalf("Set(%s, %q) on %q reads back %q", name, value, data, after[name])
		}
		delete(after, name)
		delete(before, name)
		if !maps.Equal(before, after) {
			t.Fatalf("Set(%s) on %q changed other variables", name, data)
		}
		// Parsing the written bytes afresh agrees.
		re, _ := Parse(d.Bytes())
		if v, _ := re.Get(k(name)); v != value {
			t.Fatalf("reparse of %q reads %q", d.Bytes(), v)
		}
		once := d.Bytes()
		if err := d.Set(k(name), value); err != nil || !bytes.Equal(d.Bytes(), once) {
			t.Fatalf("setting the same value again changed the file or failed: %v", err)
		}
		if err := d.Delete(k(name)); err != nil {
			// A line the user wrote may hold the file together ("0\nB=\r=":
			// without B's line, dotenv reads "0" and "=" as a variable 0):
			// refusing, and leaving the file as it is, is right then. A
			// variable hub added must always come out again.
			if existed && bytes.Equal(d.Bytes(), once) {
				return
			}
			t.Fatalf("Delete after Set: %v", err)
		}
		if _, ok := d.Get(k(name)); ok {
			t.Fatalf("Delete left %s in %q", name, d.Bytes())
		}
		if !existed && !bytes.Equal(d.Bytes(), data) {
			t.Fatalf("Set then Delete of a new variable on %q gave %q", data, d.Bytes())
		}
	})
}

// representable is what some quoting can carry, independent of the file.
func representable(s string) bool {
	for _, q := range []byte{0, '"', '\'', '`'} {
		if _, ok := encode(s, q); ok {
			return true
		}
	}
	return false
}
