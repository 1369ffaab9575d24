package lint

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/hubctl/hub/engine/system"
)

// checkFileRefs flags each file() that reads a key from a file git would
// commit: inside the work tree that holds the configuration, and not
// ignored, or tracked already. Without git, or outside a repository, it
// says nothing.
func checkFileRefs(ctx context.Context, opts Options, refs []fileRef) hcl.Diagnostics {
	if len(refs) == 0 {
		return nil
	}
	g := gitRunner{ctx: ctx, bin: opts.Git}
	if g.bin == "" {
		p, err := exec.LookPath("git")
		if err != nil {
			return nil
		}
		g.bin = p
	}
	out, err := g.run(opts.Dir, "rev-parse", "--show-toplevel")
	if err != nil {
		return nil // not in a work tree (or git failed): nothing to say
	}
	top := realPath(strings.TrimSpace(out))
	var diags hcl.Diagnostics
	for _, ref := range refs {
		p := ref.path
		switch {
		case p == "~" || strings.HasPrefix(p, "~/"):
			if opts.Home == "" {
				continue
			}
			p = filepath.Join(opts.Home, p[1:])
		case !filepath.IsAbs(p):
			p = filepath.Join(opts.Dir, p)
		}
		shown := display(p)
		abs, err := filepath.Abs(p)
		if err != nil {
			continue
		}
		abs = realPath(abs)
		rel, err := filepath.Rel(top, abs)
		if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
			continue // outside the work tree: git never commits it
		}
		rel = filepath.ToSlash(rel)
		if _, err := g.run(top, "ls-files", "--error-unmatch", "--", rel); err == nil {
			if placeholderFile(ctx, abs) {
				continue
			}
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Key file committed to git",
				Detail: fmt.Sprintf("file(%q) in %s reads a key from %s, which git tracks: the key is in the repository's history. Rotate the key, stop tracking the file (git rm --cached %s), add it to .gitignore, or move the key into an encrypted secret (hub secret set %s --from-file %s).",
					ref.path, ref.at.where(), shown, shown, ref.at.secretName(), shown),
				Subject: ref.rng.Ptr(),
			})
			continue
		}
		_, err = g.run(top, "check-ignore", "-q", "--", rel)
		var ee *exec.ExitError
		if err == nil || !errors.As(err, &ee) || ee.ExitCode() != 1 {
			continue // ignored; or git could not tell (exit 128): say nothing
		}
		if placeholderFile(ctx, abs) {
			continue
		}
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Key file git would commit",
			Detail: fmt.Sprintf("file(%q) in %s reads a key from %s, which git would commit: add it to .gitignore, or move the key into an encrypted secret (hub secret set %s --from-file %s).",
				ref.path, ref.at.where(), shown, ref.at.secretName(), shown),
			Subject: ref.rng.Ptr(),
		})
	}
	return diags
}

// placeholderFile reports a key file that holds a placeholder (an example's
// "sk-example-..."), which is meant to be committed. The value goes no
// further than this check.
func placeholderFile(ctx context.Context, path string) bool {
	data, err := system.ReadFile(ctx, path)
	if err != nil || len(data) > 4096 {
		return false
	}
	return placeholder(strings.TrimSpace(string(data)))
}

// realPath resolves symbolic links in p, or in its directory when p does
// not exist, so that it compares with git's top level (which git resolves).
func realPath(p string) string {
	if r, err := filepath.EvalSymlinks(p); err == nil {
		return r
	}
	if r, err := filepath.EvalSymlinks(filepath.Dir(p)); err == nil {
		return filepath.Join(r, filepath.Base(p))
	}
	return p
}

// gitRunner runs local git commands: never a prompt or a network access
// (none of the commands used reaches a remote), bounded by ctx.
type gitRunner struct {
	ctx context.Context
	bin string
}

func (g gitRunner) run(dir string, args ...string) (string, error) {
	cmd := exec.CommandContext(g.ctx, g.bin, args...)
	cmd.Dir = dir
	cmd.Env = gitEnv(os.Environ())
	var out bytes.Buffer
	cmd.Stdout = &out
	err := cmd.Run()
	return out.String(), err
}

// gitEnv is the environment for git: without the variables a git hook is
// given that point at the repository (GIT_DIR and the like, which may be
// relative to the hook's directory, not the configuration's), so git finds
// the repository from the directory it runs in; a temporary index of a
// commit in progress is kept when its path is absolute.
func gitEnv(environ []string) []string {
	out := make([]string, 0, len(environ)+2)
	for _, kv := range environ {
		name, value, _ := strings.Cut(kv, "=")
		switch name {
		case "GIT_DIR", "GIT_WORK_TREE", "GIT_COMMON_DIR", "GIT_PREFIX", "GIT_NAMESPACE":
			continue
		case "GIT_INDEX_FILE":
			if !filepath.IsAbs(value) {
				continue
			}
		}
		out = append(out, kv)
	}
	return append(out, "GIT_TERMINAL_PROMPT=0", "GIT_OPTIONAL_LOCKS=0")
}
