package views

import (
	"fmt"
	"math/rand"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

var hunkHeader = regexp.MustCompile(`^@@ -(\d+),(\d+) \+(\d+),(\d+) @@$`)

// applyUnified applies a diff made by unifiedDiff to the lines of a,
// checking every context and removed line and every hunk header's counts.
func applyUnified(t *testing.T, a []string, diff string) []string {
	t.Helper()
	lines := splitLines(diff)
	if len(lines) < 2 || !strings.HasPrefix(lines[0], "--- ") || !strings.HasPrefix(lines[1], "+++ ") {
		t.Fatalf("no header:\n%s", diff)
	}
	var out []string
	next := 0 // index into a of the first line not yet copied
	for i := 2; i < len(lines); {
		m := hunkHeader.FindStringSubmatch(lines[i])
		if m == nil {
			t.Fatalf("line %d: want a hunk header, got %q:\n%s", i+1, lines[i], diff)
		}
		aStart, _ := strconv.Atoi(m[1])
		aLen, _ := strconv.Atoi(m[2])
		bStart, _ := strconv.Atoi(m[3])
		bLen, _ := strconv.Atoi(m[4])
		from := aStart - 1
		if from < next || from > len(a) {
			t.Fatalf("hunk %q overlaps the previous one:\n%s", lines[i], diff)
		}
		out = append(out, a[next:from]...)
		if wantB := len(out) + 1; bStart != wantB {
			t.Errorf("hunk %q: new start %d, want %d:\n%s", lines[i], bStart, wantB, diff)
		}
		next = from
		i++
		var gotA, gotB int
		for ; i < len(lines) && !strings.HasPrefix(lines[i], "@@ "); i++ {
			l := lines[i]
			if l == "" {
				t.Fatalf("empty diff line %d:\n%s", i+1, diff)
			}
			switch l[0] {
			case ' ', '-':
				if next >= len(a) || a[next] != l[1:] {
					t.Fatalf("line %d %q does not match the original line %d:\n%s", i+1, l, next+1, diff)
				}
				next++
				gotA++
				if l[0] == ' ' {
					out = append(out, l[1:])
					gotB++
				}
			case '+':
				out = append(out, l[1:])
				gotB++
			default:
				t.Fatalf("bad diff line %d %q:\n%s", i+1, l, diff)
			}
		}
		if gotA != aLen || gotB != bLen {
			t.Errorf("hunk %q has %d old and %d new lines:\n%s", m[0], gotA, gotB, diff)
		}
	}
	return append(out, a[next:]...)
}

// TestUnifiedDiffApplies: hub fmt --diff output applies to the original and
// gives the formatted file, with correct hunk headers. (Files hub fmt diffs
// are never empty before or after, so an empty side, whose zero-length range
// diff -u numbers differently, is left out.)
func TestUnifiedDiffApplies(t *testing.T) {
	cases := [][2]string{
		{"a\nb\nc\n", "a\nB\nc\n"},
		{"a\n", "b\n"},
		{"a\nb\n", "a\nb\nc\n"},
		{"x\na\nb\n", "a\nb\n"},
		{"1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n", "1\nX\n3\n4\n5\n6\n7\n8\n9\n10\nY\n12\n"},
		{"1\n2\n3\n4\n5\n6\n7\n8\n", "0\n1\n2\n3\n4\n5\n6\n7\n8\n9\n"},
	}
	r := rand.New(rand.NewSource(1))
	for n := 0; n < 500; n++ {
		var a, b []string
		for i, size := 0, 1+r.Intn(30); i < size; i++ {
			a = append(a, fmt.Sprint("l", r.Intn(8)))
		}
		for _, l := range a {
			switch r.Intn(6) {
			case 0: // dropped
			case 1:
				b = append(b, l, fmt.Sprint("n", r.Intn(8)))
			case 2:
				b = append(b, fmt.Sprint("c", r.Intn(8)))
			default:
				b = append(b, l)
			}
		}
		if len(b) == 0 {
			b = append(b, "z")
		}
		cases = append(cases, [2]string{join(a), join(b)})
	}
	for _, c := range cases {
		d := unifiedDiff("f.hcl", c[0], c[1])
		got := strings.Join(applyUnified(t, splitLines(c[0]), d), "\n")
		if want := strings.Join(splitLines(c[1]), "\n"); got != want {
			t.Fatalf("diff of %q -> %q does not apply:\n%s\ngot %q", c[0], c[1], d, got)
		}
		if c[0] != c[1] && !strings.Contains(d, "@@") {
			t.Errorf("no hunk for a change %q -> %q", c[0], c[1])
		}
		if t.Failed() {
			return
		}
	}
}

func join(ls []string) string {
	if len(ls) == 0 {
		return ""
	}
	return strings.Join(ls, "\n") + "\n"
}
