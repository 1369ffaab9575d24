//go:build !windows

package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/pelletier/go-toml/v2"
	"github.com/tailscale/hujson"

	"github.com/hubctl/hub/engine/vault"
)

// Environment variables of the suite.
const (
	// envRun turns the suite on.
	envRun = "HUB_E2E"
	// envCache is where e2e/setup.sh installed the tools.
	envCache = "HUB_E2E_CACHE"
	// envHandwritten, when 1, makes a subtest whose target type hub does not
	// have yet write the tool's configuration by hand (the minimal entry that
	// tool was checked with) instead of skipping. That checks the harness
	// (fake upstream, tool invocation) against the real tool before the
	// target exists; it says nothing about hub.
	envHandwritten = "HUB_E2E_HANDWRITTEN"
	// envHub names a hub binary to use instead of building ../cmd/hub.
	envHub = "HUB_E2E_HUB"
)

// suite is what every subtest shares: the tools and one hub binary.
type suite struct {
	cache string // $HUB_E2E_CACHE
	hub   string // the hub binary built from ../cmd/hub
}

var (
	buildOnce sync.Once
	built     string
	buildErr  error
)

// newSuite skips unless the suite is asked for and the tools are installed,
// and builds hub once per test binary.
func newSuite(t *testing.T) *suite {
	t.Helper()
	if os.Getenv(envRun) != "1" {
		t.Skipf("end-to-end suite against the real tools: set %s=1 (after e2e/setup.sh)", envRun)
	}
	cache := os.Getenv(envCache)
	if cache == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			t.Fatalf("no home directory for the tool cache: %v (set %s)", err, envCache)
		}
		cache = filepath.Join(home, ".cache", "hub-e2e")
	}
	if _, err := os.Stat(filepath.Join(cache, "npm", "node_modules", ".bin")); err != nil {
		t.Skipf("the real tools are not installed in %s: run e2e/setup.sh", cache)
	}
	if bin := os.Getenv(envHub); bin != "" {
		abs, err := filepath.Abs(bin)
		if err != nil {
			t.Fatal(err)
		}
		return &suite{cache: cache, hub: abs}
	}
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "hub-e2e-bin-")
		if err != nil {
			buildErr = err
			return
		}
		built = filepath.Join(dir, "hub")
		out, err := exec.Command(goTool(), "build", "-o", built, "../cmd/hub").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build ../cmd/hub: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return &suite{cache: cache, hub: built}
}

// goTool is the go command that runs this test.
func goTool() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return filepath.Join(os.Getenv("GOROOT"), "bin", "go")
}

func TestMain(m *testing.M) {
	code := m.Run()
	if built != "" {
		os.RemoveAll(filepath.Dir(built))
	}
	os.Exit(code)
}

// world is one tool's throwaway machine: a HOME with its XDG directories, a
// directory holding hub.hcl (like ~/creds), a project directory to run the
// tool in, a fake upstream and an egress guard.
type world struct {
	t     *testing.T
	s     *suite
	root  string
	home  string
	hubd  string // hub's configuration directory
	work  string // where the tool runs
	up    *upstream
	guard *guard
	key   string // the credential's key, distinct per tool
	procs []*proc
	// recipient is the age public key secretKey made, if it was called.
	recipient string
}

func newWorld(t *testing.T, s *suite, tool string) *world {
	t.Helper()
	root := t.TempDir()
	w := &world{
		t: t, s: s, root: root,
		home: filepath.Join(root, "home"),
		hubd: filepath.Join(root, "creds"),
		up:   newUpstream(t), guard: newGuard(t),
		key: "sk-test-e2e-" + tool + "-7Hq2xV9bLm4KpR8s",
	}
	w.work = filepath.Join(w.home, "project")
	if err := os.WriteFile(filepath.Join(root, "node-guard.cjs"), []byte(nodeGuard), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{w.home, w.hubd, w.work, filepath.Join(root, "tmp"),
		filepath.Join(w.home, ".config"), filepath.Join(w.home, ".cache"),
		filepath.Join(w.home, ".local", "share"), filepath.Join(w.home, ".local", "state")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// Runs before t.TempDir's removal: nothing we started may outlive the test.
	t.Cleanup(func() {
		for _, p := range w.procs {
			p.stop()
		}
		if hosts := w.guard.refused(); len(hosts) > 0 {
			t.Logf("the egress guard refused (telemetry, update checks): %s", strings.Join(hosts, ", "))
		}
		if b, err := os.ReadFile(filepath.Join(root, "node-refused.log")); err == nil && len(b) > 0 {
			t.Logf("the Node guard refused: %s", strings.Join(uniq(strings.Fields(string(b))), ", "))
		}
	})
	return w
}

// env is the whole environment hub and the tools run with. It is built from
// scratch, not inherited, so a developer's ANTHROPIC_*, CODEX_HOME,
// CLAUDE_CONFIG_DIR or proxy settings cannot leak into a run.
func (w *world) env() []string {
	proxy := w.guard.URL()
	noProxy := "127.0.0.1,localhost,::1"
	return []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + w.home,
		"USER=e2e", "LOGNAME=e2e",
		"SHELL=/bin/sh",
		"LANG=C.UTF-8",
		"TERM=dumb",
		"NO_COLOR=1",
		"TMPDIR=" + filepath.Join(w.root, "tmp"),
		"XDG_CONFIG_HOME=" + filepath.Join(w.home, ".config"),
		"XDG_CACHE_HOME=" + filepath.Join(w.home, ".cache"),
		"XDG_DATA_HOME=" + filepath.Join(w.home, ".local", "share"),
		"XDG_STATE_HOME=" + filepath.Join(w.home, ".local", "state"),
		"HUB_HOST=e2e",

		"NODE_OPTIONS=--require " + strconv.Quote(filepath.Join(w.root, "node-guard.cjs")),
		"HUB_E2E_NODE_GUARD_LOG=" + filepath.Join(w.root, "node-refused.log"),
		"HTTP_PROXY=" + proxy, "HTTPS_PROXY=" + proxy, "http_proxy=" + proxy, "https_proxy=" + proxy,
		"NO_PROXY=" + noProxy, "no_proxy=" + noProxy,

		// Claude Code (https://docs.anthropic.com/en/docs/claude-code/settings#environment-variables).
		"DISABLE_AUTOUPDATER=1", "DISABLE_TELEMETRY=1", "DISABLE_ERROR_REPORTING=1",
		"DISABLE_BUG_COMMAND=1", "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1",
		// opencode (its flag list, packages/opencode/src/flag/flag.ts).
		"OPENCODE_DISABLE_AUTOUPDATE=1", "OPENCODE_DISABLE_MODELS_FETCH=1",
		"OPENCODE_DISABLE_LSP_DOWNLOAD=1", "OPENCODE_DISABLE_SHARE=1",
		// Kilo, an opencode fork: the same flags renamed, what its own test
		// harness sets, and no background daemon (it would outlive the run).
		"KILO_DISABLE_AUTOUPDATE=1", "KILO_DISABLE_MODELS_FETCH=1",
		"KILO_DISABLE_LSP_DOWNLOAD=1", "KILO_DISABLE_SHARE=1", "KILO_NO_DAEMON=1",
		"KILO_TELEMETRY_LEVEL=off", "KILO_DISABLE_PRESENCE=1", "KILO_DISABLE_SESSION_INGEST=1",
		"KILO_DISABLE_CODEBASE_INDEXING=1", // else it indexes the project for 20s first
		// npm and Node tools.
		"NO_UPDATE_NOTIFIER=1", "npm_config_update_notifier=false",
	}
}

// path is a path under the world's HOME.
func (w *world) path(rel string) string { return filepath.Join(w.home, filepath.FromSlash(rel)) }

// write writes a file under HOME: the user's settings, before hub runs.
func (w *world) write(rel, content string) {
	w.t.Helper()
	p := w.path(rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		w.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) read(rel string) string {
	w.t.Helper()
	b, err := os.ReadFile(w.path(rel))
	if err != nil {
		w.t.Fatal(err)
	}
	return string(b)
}

// runHub runs hub in the configuration directory.
func (w *world) runHub(args ...string) (string, error) {
	cmd := exec.Command(w.s.hub, append(args, "--no-color", "--chdir", w.hubd)...)
	cmd.Dir = w.hubd
	cmd.Env = w.env()
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// apply writes hub.hcl and runs `hub apply --auto-approve`. When hub does
// not know targetType yet it skips the subtest, or with HUB_E2E_HANDWRITTEN=1
// returns false so that the caller writes the tool's configuration by hand.
func (w *world) apply(targetType, hcl string) bool {
	w.t.Helper()
	if err := os.WriteFile(filepath.Join(w.hubd, "hub.hcl"), []byte(hcl), 0o644); err != nil {
		w.t.Fatal(err)
	}
	out, err := w.runHub("validate", "--json")
	if err != nil {
		// The diagnostic, as JSON: ..."detail":"There is no target type \"TYPE\". ...
		if strings.Contains(out, `"summary":"Unknown target type"`) &&
			strings.Contains(out, `no target type \"`+targetType+`\"`) {
			if os.Getenv(envHandwritten) == "1" {
				w.t.Logf("hub has no %q target yet: writing the tool's configuration by hand (%s=1)", targetType, envHandwritten)
				return false
			}
			w.t.Skipf("hub has no %q target yet (hub validate: unknown target type); this subtest runs once it lands", targetType)
		}
		w.t.Fatalf("hub validate failed: %v\n%s\nhub.hcl:\n%s", err, out, hcl)
	}
	out, err = w.runHub("apply", "--auto-approve")
	if err != nil {
		w.t.Fatalf("hub apply failed: %v\n%s", err, out)
	}
	if strings.Contains(out, w.key) {
		w.t.Errorf("hub apply printed the key:\n%s", out)
	}
	w.t.Logf("hub apply:\n%s", out)
	return true
}

// planNotes writes hub.hcl and returns the notes of `hub plan --json`
// (its target_note messages' "note"), which say what the tools will do
// with what hub writes. A plan shows notes only for targets it changes.
func (w *world) planNotes(hcl string) []string {
	w.t.Helper()
	if err := os.WriteFile(filepath.Join(w.hubd, "hub.hcl"), []byte(hcl), 0o644); err != nil {
		w.t.Fatal(err)
	}
	out, err := w.runHub("plan", "--json")
	if err != nil {
		w.t.Fatalf("hub plan --json failed: %v\n%s", err, out)
	}
	var notes []string
	for _, line := range strings.Split(out, "\n") {
		var msg struct {
			Type string `json:"type"`
			Note string `json:"note"`
		}
		if json.Unmarshal([]byte(line), &msg) == nil && msg.Type == "target_note" {
			notes = append(notes, msg.Note)
		}
	}
	return notes
}

// secretKey keeps w.key as hub's age-encrypted secret NAME: an identity
// in the default place (~/.config/hub/identity.txt), the recipients file
// and secrets/NAME.age in the configuration directory. It returns the
// expression that reads it, secret("NAME").
func (w *world) secretKey(name string) string {
	w.t.Helper()
	id, err := age.GenerateX25519Identity()
	if err != nil {
		w.t.Fatal(err)
	}
	idFile := filepath.Join(w.home, ".config", "hub", "identity.txt")
	if err := os.MkdirAll(filepath.Dir(idFile), 0o700); err != nil {
		w.t.Fatal(err)
	}
	if err := os.WriteFile(idFile, []byte(id.String()+"\n"), 0o600); err != nil {
		w.t.Fatal(err)
	}
	w.recipient = id.Recipient().String()
	repo := vault.Repo{Root: w.hubd}
	rs, err := repo.AddRecipients([]string{w.recipient}, "e2e")
	if err != nil {
		w.t.Fatal(err)
	}
	if err := repo.Write(name, w.key, rs); err != nil {
		w.t.Fatal(err)
	}
	if b, _ := os.ReadFile(repo.Path(name)); strings.Contains(string(b), w.key) {
		w.t.Fatalf("%s holds the key in the clear", repo.Path(name))
	}
	return fmt.Sprintf("secret(%q)", name)
}

// importsBack runs hub import in a fresh configuration directory, after
// the real tool ran on what hub wrote: the tool's files, as the tool left
// them, are read back into a target block of targetType, and that
// configuration's first plan changes nothing. Needs secretKey first (the
// imported keys become secrets for its identity).
func (w *world) importsBack(targetType string) {
	w.t.Helper()
	dir := filepath.Join(w.root, "reimport")
	if _, err := (vault.Repo{Root: dir}).AddRecipients([]string{w.recipient}, "e2e"); err != nil {
		w.t.Fatal(err)
	}
	hub := func(args ...string) (string, error) {
		cmd := exec.Command(w.s.hub, append([]string{"--no-color", "--chdir", dir}, args...)...)
		cmd.Dir, cmd.Env = dir, w.env()
		out, err := cmd.CombinedOutput()
		if strings.Contains(string(out), w.key) {
			w.t.Errorf("hub %v printed the key", args)
		}
		return string(out), err
	}
	out, err := hub("import")
	if err != nil {
		w.t.Fatalf("hub import after the real tool ran: %v\n%s", err, out)
	}
	src, _ := os.ReadFile(filepath.Join(dir, "imported.hcl"))
	if !strings.Contains(string(src), `target "`+targetType+`" "default"`) || strings.Contains(string(src), w.key) {
		w.t.Fatalf("hub import did not read %s back as a block (or wrote the key):\n%s\n%s", targetType, out, src)
	}
	if out, err := hub("plan", "--detailed-exitcode"); err != nil {
		w.t.Fatalf("the first plan after hub import is not empty: %v\n%s", err, out)
	}
}

// result is one tool run.
type result struct {
	stdout, stderr string
	code           int // -1 when killed by a signal
	elapsed        time.Duration
}

func (r result) String() string {
	return fmt.Sprintf("exit %d after %s\n--- stdout\n%s\n--- stderr\n%s", r.code, r.elapsed.Round(time.Millisecond),
		tail(r.stdout, 4000), tail(r.stderr, 8000))
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "[...]" + s[len(s)-n:]
}

// bin is the path of an installed tool's binary.
func (w *world) bin(name string) string {
	return filepath.Join(w.s.cache, "npm", "node_modules", ".bin", name)
}

// proc is a tool process this test started, in its own process group so
// that everything it starts can be ended with it.
type proc struct {
	cmd     *exec.Cmd
	done    chan struct{} // closed when it has exited and its group was ended
	err     error         // from Wait
	collect func() result
}

// start starts a tool in the project directory. Output goes to files, not
// pipes: a child left running (a daemon, an MCP server) then cannot keep
// Wait waiting. When ctx ends, the whole group is killed.
func (w *world) start(ctx context.Context, tag, name string, args ...string) *proc {
	w.t.Helper()
	cmd := exec.CommandContext(ctx, w.bin(name), args...)
	cmd.Dir = w.work
	cmd.Env = w.env()
	cmd.Stdin = nil // /dev/null: never wait for a terminal
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { killGroup(cmd); return nil }
	cmd.WaitDelay = 10 * time.Second
	outPath := filepath.Join(w.root, tag+".stdout")
	errPath := filepath.Join(w.root, tag+".stderr")
	stdout, err := os.Create(outPath)
	if err != nil {
		w.t.Fatal(err)
	}
	stderr, err := os.Create(errPath)
	if err != nil {
		w.t.Fatal(err)
	}
	defer stdout.Close()
	defer stderr.Close()
	cmd.Stdout, cmd.Stderr = stdout, stderr
	began := time.Now()
	if err := cmd.Start(); err != nil {
		w.t.Fatalf("%s: %v", name, err)
	}
	p := &proc{cmd: cmd, done: make(chan struct{})}
	var elapsed time.Duration
	go func() {
		p.err = cmd.Wait()
		elapsed = time.Since(began)
		// Whatever it left behind, while the group id is surely still ours.
		killGroup(cmd)
		close(p.done)
	}()
	p.collect = func() result {
		<-p.done
		o, _ := os.ReadFile(outPath)
		e, _ := os.ReadFile(errPath)
		return result{stdout: string(o), stderr: string(e), code: cmd.ProcessState.ExitCode(), elapsed: elapsed}
	}
	w.procs = append(w.procs, p)
	return p
}

// stop kills the process group unless the process has exited, and waits.
func (p *proc) stop() {
	select {
	case <-p.done:
	default:
		killGroup(p.cmd)
		<-p.done
	}
}

// run runs a tool to the end, or kills it after timeout.
func (w *world) run(timeout time.Duration, name string, args ...string) result {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	p := w.start(ctx, name, name, args...)
	r := p.collect()
	if ctx.Err() != nil {
		w.t.Errorf("%s %s: killed after %s", name, strings.Join(args, " "), timeout)
	} else if p.err != nil && !errors.As(p.err, new(*exec.ExitError)) {
		w.t.Errorf("%s: %v", name, p.err)
	}
	w.t.Logf("%s %s: %s", name, strings.Join(args, " "), r)
	w.logRequests()
	return r
}

// killGroup ends the process group of a command this test started.
func killGroup(cmd *exec.Cmd) {
	if cmd.Process != nil && cmd.Process.Pid > 0 {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}

func (w *world) logRequests() {
	var b strings.Builder
	for _, r := range w.up.requests() {
		b.WriteString("\n  " + r.String())
	}
	w.t.Logf("the fake upstream saw:%s", b.String())
}

// expectCalls checks that the upstream saw at least one method+path
// request, that every such request carried the key as authOK says, and that
// one of them asked for model. It returns the matching requests.
func (w *world) expectCalls(method, path, model string, authOK func(seen) bool) []seen {
	w.t.Helper()
	var got []seen
	for _, r := range w.up.requests() {
		if r.Method == method && r.Path == path {
			got = append(got, r)
		}
	}
	if len(got) == 0 {
		w.t.Errorf("the upstream saw no %s %s", method, path)
		return nil
	}
	sawModel := false
	for _, r := range got {
		if !authOK(r) {
			w.t.Errorf("%s %s without the credential's key: %s", method, path, r)
		}
		if r.Model == model {
			sawModel = true
		}
	}
	if !sawModel {
		w.t.Errorf("no %s %s asked for model %q", method, path, model)
	}
	return got
}

// bearer checks Authorization: Bearer KEY.
func (w *world) bearer(r seen) bool { return r.Authorization == "Bearer "+w.key }

// keepsJSON checks that every value of the user's original file (JSON or
// JSONC) is still in the file: hub adds and owns items, it never loses the
// user's. Arrays keep each original element (hub may append). Comments must
// survive as written.
func (w *world) keepsJSON(rel, original string) {
	w.t.Helper()
	var orig, now any
	if err := unmarshalJSONC(original, &orig); err != nil {
		w.t.Fatalf("test bug: original %s: %v", rel, err)
	}
	text := w.read(rel)
	if err := unmarshalJSONC(text, &now); err != nil {
		w.t.Errorf("%s is no longer valid JSON: %v\n%s", rel, err, text)
		return
	}
	for _, line := range strings.Split(original, "\n") {
		if _, comment, ok := strings.Cut(line, "// "); ok && !strings.Contains(text, "// "+comment) {
			w.t.Errorf("the user's comment %q is gone from %s:\n%s", comment, rel, text)
		}
	}
	if p := missing(orig, now, rel); p != "" {
		w.t.Errorf("the user's setting %s is gone or changed in %s:\n%s", p, rel, text)
	}
}

// watch remembers files under HOME and returns a function that logs which
// of them changed since: tools rewrite their own files (Gemini CLI migrates
// settings.json), which hub then reports as drift, so it is worth knowing.
func (w *world) watch(rels ...string) func() {
	before := map[string]string{}
	for _, rel := range rels {
		b, _ := os.ReadFile(w.path(rel))
		before[rel] = string(b)
	}
	return func() {
		for _, rel := range rels {
			b, _ := os.ReadFile(w.path(rel))
			if string(b) != before[rel] {
				w.t.Logf("the tool rewrote %s:\n%s", rel, b)
			}
		}
	}
}

// unmarshalJSONC decodes JSON with comments and trailing commas.
func unmarshalJSONC(text string, v any) error {
	std, err := hujson.Standardize([]byte(text))
	if err != nil {
		return err
	}
	return json.Unmarshal(std, v)
}

// keepsTOML is keepsJSON for TOML, plus the comments, which must survive
// as written.
func (w *world) keepsTOML(rel, original string, comments ...string) {
	w.t.Helper()
	var orig, now map[string]any
	if err := toml.Unmarshal([]byte(original), &orig); err != nil {
		w.t.Fatalf("test bug: original %s: %v", rel, err)
	}
	text := w.read(rel)
	if err := toml.Unmarshal([]byte(text), &now); err != nil {
		w.t.Errorf("%s is no longer valid TOML: %v\n%s", rel, err, text)
		return
	}
	if p := missing(any(orig), any(now), rel); p != "" {
		w.t.Errorf("the user's setting %s is gone or changed in %s:\n%s", p, rel, text)
	}
	for _, c := range comments {
		if !strings.Contains(text, c) {
			w.t.Errorf("the user's comment %q is gone from %s:\n%s", c, rel, text)
		}
	}
}

// missing returns the path of the first value of want not in got, or "".
func missing(want, got any, path string) string {
	switch wv := want.(type) {
	case map[string]any:
		gv, ok := got.(map[string]any)
		if !ok {
			return path
		}
		for k, v := range wv {
			g, ok := gv[k]
			if !ok {
				return path + "." + k
			}
			if p := missing(v, g, path+"."+k); p != "" {
				return p
			}
		}
		return ""
	case []any:
		gv, ok := got.([]any)
		if !ok {
			return path
		}
	elems:
		for i, v := range wv {
			for _, g := range gv {
				if missing(v, g, "") == "" {
					continue elems
				}
			}
			return fmt.Sprintf("%s[%d]", path, i)
		}
		return ""
	default:
		if !reflect.DeepEqual(normalizeNumber(want), normalizeNumber(got)) {
			return path
		}
		return ""
	}
}

// normalizeNumber makes TOML's int64 and JSON's float64 comparable.
func normalizeNumber(v any) any {
	switch n := v.(type) {
	case int64:
		return float64(n)
	case int:
		return float64(n)
	}
	return v
}

// mergeJSON is for the hand-written fallback only: it merges patch into
// the JSON object file rel (creating it), as a user editing by hand would.
func (w *world) mergeJSON(rel string, patch map[string]any) {
	w.t.Helper()
	doc := map[string]any{}
	if b, err := os.ReadFile(w.path(rel)); err == nil {
		if err := json.Unmarshal(b, &doc); err != nil {
			w.t.Fatalf("%s: %v", rel, err)
		}
	}
	var merge func(dst, src map[string]any)
	merge = func(dst, src map[string]any) {
		for k, v := range src {
			if sm, ok := v.(map[string]any); ok {
				if dm, ok := dst[k].(map[string]any); ok {
					merge(dm, sm)
					continue
				}
			}
			dst[k] = v
		}
	}
	merge(doc, patch)
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		w.t.Fatal(err)
	}
	w.write(rel, string(b)+"\n")
}

// freePort returns a loopback port nothing listens on right now.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// copyTree copies a directory tree (the warmed opencode cache into a HOME).
func copyTree(src, dst string) error {
	return filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		switch {
		case info.IsDir():
			return os.MkdirAll(target, info.Mode().Perm()|0o700)
		case info.Mode()&os.ModeSymlink != 0:
			link, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return os.Symlink(link, target)
		default:
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			return os.WriteFile(target, b, info.Mode().Perm())
		}
	})
}

// contains reports whether s holds sub, ignoring line breaks the tool may
// have wrapped the reply with.
func contains(s, sub string) bool {
	return strings.Contains(strings.Join(strings.Fields(s), " "), sub)
}

// uniq returns ss without repeats, in first-seen order, with counts.
func uniq(ss []string) []string {
	n := map[string]int{}
	var order []string
	for _, s := range ss {
		if n[s] == 0 {
			order = append(order, s)
		}
		n[s]++
	}
	for i, s := range order {
		if n[s] > 1 {
			order[i] = fmt.Sprintf("%s (%dx)", s, n[s])
		}
	}
	return order
}
