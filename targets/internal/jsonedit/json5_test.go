package jsonedit

import (
	"strings"
	"testing"
)

func TestParseJSON5(t *testing.T) {
	tests := []struct{ in, want string }{
		{"{\n  PORT: 3456\n}", `line 2, column 3: the unquoted key PORT is JSON5-only syntax, which hub cannot edit without rewriting the whole file: put it in double quotes ("PORT" means the same in JSON5)`},
		{"// mine\n{\n  \"a\": 1,\n  $b_1: 2,\n}", `line 4, column 3: the unquoted key $b_1 is JSON5-only syntax`},
		{"{\"a\": 'x'}", `line 1, column 7: a single-quoted string is JSON5-only syntax, which hub cannot edit without rewriting the whole file: write it in double quotes (with \" for a double quote inside)`},
		{"{'a': 1}", `line 1, column 2: a single-quoted string`},
		{"{\"a\": 0x1F}", `line 1, column 7: the hexadecimal number 0x1F is JSON5-only syntax, which hub cannot edit without rewriting the whole file: write it in decimal, 31`},
		{"{\"a\": -0XfF}", `the hexadecimal number -0XfF is JSON5-only syntax, which hub cannot edit without rewriting the whole file: write it in decimal, -255`},
		{"{\"a\": .5}", `line 1, column 7: the number .5 is JSON5-only syntax, which hub cannot edit without rewriting the whole file: write a 0 before the decimal point`},
		{"{\"a\": 5.}", `the number 5. is JSON5-only syntax, which hub cannot edit without rewriting the whole file: write a digit after the decimal point, or drop the point`},
		{"{\"a\": +1}", `the number +1 is JSON5-only syntax`},
		{"{\"a\": [Infinity, -Infinity, NaN]}", `line 1, column 8: the number Infinity is JSON5-only syntax, which hub cannot edit without rewriting the whole file: JSON has no such number`},
		{"{\"a\": \"x\\\ny\"}", `line 1, column 9: a backslash continuing a string on the next line`},
		{"{\"a\": \"\\x41\"}", `line 1, column 8: the escape \x41 is JSON5-only syntax`},
		{"{\"a\": \"\\'\"}", `the escape \' is JSON5-only syntax, which hub cannot edit without rewriting the whole file: write ' without the backslash`},
		{"{\"a\": \"\\0\"}", `the escape \0`},
		{"{\"a\": \"\\q\"}", `the escape \q`},
		{"{\"a\": \"a\tb\"}", `line 1, column 9: the control character U+0009 in a string is JSON5-only syntax, which hub cannot edit without rewriting the whole file: write it as \u0009`},
		{"\ufeff{\"a\": 1}", `line 1, column 1: a byte order mark is JSON5-only syntax`},
		{"{\"a\":\u00a01}", `line 1, column 6: the white space character U+00A0 is JSON5-only syntax, which hub cannot edit without rewriting the whole file: replace it with a space`},
		{"{\n  \"Providers\": [{name: 'relay'}]\n}", `line 2, column 18: the unquoted key name`},
		{"{h\u00e9llo_\u0661: 1}", "the unquoted key h\u00e9llo_\u0661"},
		// Not JSON5 either: the JSON error.
		{"{\n  PORT 3456\n}", `line 2, column 3: invalid literal: PORT`},
		{"{\"a\": 01}", `line 1, column 7: invalid literal: 01`},
		{"{'a: 1}", `line 1, column 2: invalid character '\'' at start of value`},
		{"{a: 1} x", `line 1, column 2: invalid literal: a`},
		{"{\"a\": 1 /* x}", `line 1, column 9: parsing comment: unexpected EOF`},
	}
	for _, tc := range tests {
		_, err := ParseJSON5([]byte(tc.in))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseJSON5(%q): error %v, want %q", tc.in, err, tc.want)
		}
	}
	for _, in := range roundTrip {
		d, err := ParseJSON5([]byte(in))
		if err != nil {
			t.Fatalf("ParseJSON5(%q): %v", in, err)
		}
		check(t, d, in)
	}
}

// FuzzJSON5 checks that ParseJSON5 never fails where Parse succeeds, and that
// it names a place inside the input.
//
//	go test -run '^$' -fuzz FuzzJSON5 -fuzztime 30s ./targets/internal/jsonedit/
func FuzzJSON5(f *testing.F) {
	for _, s := range roundTrip {
		f.Add([]byte(s))
	}
	f.Add([]byte("{\n  PORT: 3456, 'a': [0x1F, .5, +1, Infinity, \"\\x41\\\n\"],\n}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := Parse(data)
		_, err5 := ParseJSON5(data)
		if err == nil && err5 != nil {
			t.Fatalf("ParseJSON5(%q) failed where Parse succeeds: %v", data, err5)
		}
		if ft, ok := json5Feature(data); ok && (ft.pos < 0 || ft.pos >= len(data)) {
			t.Fatalf("json5Feature(%q) at %d", data, ft.pos)
		}
	})
}
