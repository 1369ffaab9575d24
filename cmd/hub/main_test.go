package main

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

var update = flag.Bool("update", false, "update testscript golden files (cmp with a file in the archive)")

// TestMain lets the test binary act as hub inside scripts: "exec hub ..."
// runs run(...) with the process's own streams and environment.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"hub": func() {
			os.Exit(run(os.Args[1:], streams{in: os.Stdin, out: os.Stdout, err: os.Stderr}, os.Environ()))
		},
	})
}

// TestScript runs the end-to-end scripts in testdata/scripts. Each script
// gets HOME=$WORK/home, so the tools' config files live inside its work
// directory, HUB_HOST=testhost, and no CODEX_HOME or CLAUDE_CONFIG_DIR.
// Run with -update to rewrite the files in an archive that a cmp compares
// against.
//
// Commands added to testscript's:
//
//	exitcode N prog args...  run prog; its exit status must be exactly N
//	nokey                    the last command printed no key (sk-test-..., $RELAY_API_KEY)
//	checkmode MODE file      file's permission bits are MODE (octal)
//	islink file [target]     file is a symlink (to target)
//	globcount N pattern      exactly N files match pattern
//	cmpglob pattern file     the one file matching pattern has file's contents
//	grepr STRING dir...      some file under dir contains STRING (! none does)
//	fakerelay FLAVOR NAME KEY...  a fake upstream on 127.0.0.1 at $NAME_URL (see fakerelay_test.go)
//	envfile VAR file [N]     set VAR to file's contents, trimmed (or to its Nth word, from 1)
//	fakepanel start|list|edit NAME ...  a fake New API panel at $NAME_URL (see fakepanel_test.go)
//	reldate VAR DAYS [unix]  set VAR to the local day DAYS from today (YYYY-MM-DD), or its noon in unix seconds
func TestScript(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 filepath.Join("testdata", "scripts"),
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		UpdateScripts:       *update,
		Setup: func(e *testscript.Env) error {
			home := filepath.Join(e.WorkDir, "home")
			if err := os.MkdirAll(home, 0o755); err != nil {
				return err
			}
			vars := e.Vars[:0]
			for _, kv := range e.Vars {
				name, _, _ := strings.Cut(kv, "=")
				switch name {
				case "CODEX_HOME", "CLAUDE_CONFIG_DIR", "HUB_DIR", "NO_COLOR":
					continue
				}
				vars = append(vars, kv)
			}
			e.Vars = vars
			e.Setenv("HOME", home)
			// HUB_REPO is the repository's root, for fixtures other
			// packages' tests keep (an All API Hub backup, say).
			root, err := filepath.Abs(filepath.Join("..", ".."))
			if err != nil {
				return err
			}
			e.Setenv("HUB_REPO", root)
			e.Setenv("HUB_HOST", "testhost")
			e.Setenv("USER", "tester")
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exitcode":  cmdExitcode,
			"checkmode": cmdCheckmode,
			"islink":    cmdIslink,
			"globcount": cmdGlobcount,
			"grepr":     cmdGrepr,
			"cmpglob":   cmdCmpglob,
			"nokey":     cmdNokey,
			"webdavd":   cmdWebdavd,
			"fakerelay": cmdFakerelay,
			"envfile":   cmdEnvfile,
			"fakepanel": cmdFakepanel,
			"reldate":   cmdReldate,
		},
	})
}

// exitcode N prog args...: runs prog like exec and checks that it exits
// with status N exactly; stdout and stderr are kept for the next checks.
func cmdExitcode(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! exitcode")
	}
	if len(args) < 2 {
		ts.Fatalf("usage: exitcode N prog [args...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exitcode: %v", err)
	}
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("exitcode: %v", err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s exited with status %d, want %d", args[1], got, want)
	}
}

// envfile VAR file [N]: sets VAR to the file's contents without the
// surrounding blanks, or to its Nth whitespace-separated word: a public key
// hub printed, given back to hub as an argument (testscript has no $(...)).
func cmdEnvfile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 || len(args) > 3 {
		ts.Fatalf("usage: envfile VAR file [N]")
	}
	v := strings.TrimSpace(ts.ReadFile(args[1]))
	if len(args) == 3 {
		n, err := strconv.Atoi(args[2])
		words := strings.Fields(v)
		if err != nil || n < 1 || n > len(words) {
			ts.Fatalf("envfile: %s has no word %s", args[1], args[2])
		}
		v = words[n-1]
	}
	ts.Setenv(args[0], v)
}

// reldate VAR DAYS [unix]: sets VAR to the local day DAYS days from today
// (negative: before), as YYYY-MM-DD, or with unix as that day's local noon
// in unix seconds (a fake upstream's expires_at): expiry dates around the
// real now, which hub reads without a fake clock. Messages about them
// count calendar days, so a script's expectations hold all day.
func cmdReldate(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 || len(args) > 3 || len(args) == 3 && args[2] != "unix" {
		ts.Fatalf("usage: reldate VAR DAYS [unix]")
	}
	n, err := strconv.Atoi(args[1])
	if err != nil {
		ts.Fatalf("reldate: %v", err)
	}
	y, m, d := time.Now().Date()
	day := time.Date(y, m, d+n, 12, 0, 0, 0, time.Local)
	v := day.Format(time.DateOnly)
	if len(args) == 3 {
		v = strconv.FormatInt(day.Unix(), 10)
	}
	ts.Setenv(args[0], v)
}

// onePath returns the path of file; if file is a glob pattern, exactly one
// file must match it.
func onePath(ts *testscript.TestScript, file string) string {
	p := ts.MkAbs(file)
	if !strings.ContainsAny(file, "*?[") {
		return p
	}
	matches, err := filepath.Glob(p)
	ts.Check(err)
	if len(matches) != 1 {
		ts.Fatalf("%d files match %s, want 1: %q", len(matches), file, matches)
	}
	return matches[0]
}

// checkmode MODE file: the file's permission bits are MODE (octal, e.g. 0600).
// It does not follow a symlink at file. file may be a glob matching one file.
func cmdCheckmode(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: checkmode MODE file")
	}
	want, err := strconv.ParseUint(args[0], 8, 32)
	if err != nil {
		ts.Fatalf("checkmode: %v", err)
	}
	fi, err := os.Lstat(onePath(ts, args[1]))
	ts.Check(err)
	got := fi.Mode().Perm()
	if (got == fs.FileMode(want)) == neg {
		ts.Fatalf("%s has mode %#o; want %s%#o", args[1], got, map[bool]string{true: "not ", false: ""}[neg], want)
	}
}

// islink file [target]: file is a symbolic link (to target, if given). file
// may be a glob matching one file.
func cmdIslink(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 1 || len(args) > 2 {
		ts.Fatalf("usage: islink file [target]")
	}
	path := onePath(ts, args[0])
	fi, err := os.Lstat(path)
	ts.Check(err)
	ok := fi.Mode()&fs.ModeSymlink != 0
	if ok && len(args) == 2 {
		dest, err := os.Readlink(path)
		ts.Check(err)
		ok = dest == args[1]
	}
	if ok == neg {
		ts.Fatalf("%s: islink %v, want %v", args[0], ok, !neg)
	}
}

// globcount N pattern: exactly N files match the glob pattern (relative to
// the current directory); ls-like output of the matches goes to stdout.
func cmdGlobcount(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: globcount N pattern")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("globcount: %v", err)
	}
	matches, err := filepath.Glob(ts.MkAbs(args[1]))
	ts.Check(err)
	sort.Strings(matches)
	for _, m := range matches {
		fmt.Fprintln(ts.Stdout(), m)
	}
	if len(matches) != want {
		ts.Fatalf("%d files match %s, want %d: %q", len(matches), args[1], want, matches)
	}
}

// grepr STRING dir...: some file under the directories contains STRING
// (literally). With !, no file does; each file that does is named.
func cmdGrepr(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 {
		ts.Fatalf("usage: grepr STRING dir...")
	}
	var found []string
	for _, dir := range args[1:] {
		err := filepath.WalkDir(ts.MkAbs(dir), func(path string, d fs.DirEntry, err error) error {
			if err != nil || !d.Type().IsRegular() {
				return err
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			if strings.Contains(string(b), args[0]) {
				found = append(found, path)
			}
			return nil
		})
		ts.Check(err)
	}
	if neg && len(found) > 0 {
		ts.Fatalf("%q found in %q", args[0], found)
	}
	if !neg && len(found) == 0 {
		ts.Fatalf("%q not found under %q", args[0], args[1:])
	}
}

// cmpglob pattern file: exactly one file matches pattern, and its contents
// are those of file.
func cmdCmpglob(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: cmpglob pattern file")
	}
	path := onePath(ts, args[0])
	if got, want := ts.ReadFile(path), ts.ReadFile(args[1]); got != want {
		ts.Fatalf("%s differs from %s:\n--- got\n%s--- want\n%s", path, args[1], got, want)
	}
}

// nokey: the last command printed no key: neither its stdout nor its stderr
// holds "sk-test-" (the prefix of every key in the scripts), the value of
// $RELAY_API_KEY, or a fake panel's access token ($NAME_ROOT_TOKEN,
// $NAME_ADMIN_TOKEN of every panel started).
func cmdNokey(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: nokey")
	}
	keys := []string{"sk-test-"}
	if k := ts.Getenv("RELAY_API_KEY"); k != "" {
		keys = append(keys, k)
	}
	for _, name := range panelNames(ts) {
		up := strings.ToUpper(name)
		keys = append(keys, ts.Getenv(up+"_ROOT_TOKEN"), ts.Getenv(up+"_ADMIN_TOKEN"))
	}
	for _, stream := range []string{"stdout", "stderr"} {
		out := ts.ReadFile(stream)
		for _, k := range keys {
			if strings.Contains(out, k) {
				ts.Fatalf("LEAK: %q in %s", k, stream)
			}
		}
	}
}
