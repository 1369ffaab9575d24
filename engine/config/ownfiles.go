package config

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/hubctl/hub/targets"
)

// ownFiles refuses a target whose files are hub's own: anything inside the
// configuration's .hub directory (the state, its lock, the local copy of a
// remote state, the journal), and the backups, temporary files and
// recovery copies hub writes beside the files it manages. A target writing
// there would put a key in clear into the state, or break every later run.
// A target whose files cannot be computed yet (no HOME) is left to the plan.
func (l *loader) ownFiles(t *Target) []error {
	dir, err := filepath.Abs(l.opts.Dir)
	if err != nil {
		return nil
	}
	paths, err := t.Impl.Files(targets.Env{Vars: l.opts.Env, Dir: dir})
	if err != nil {
		return nil
	}
	hubDir := filepath.Join(dir, ".hub")
	var errs []error
	for _, p := range paths {
		if why := ownFile(hubDir, p); why != "" {
			errs = append(errs, fmt.Errorf("%s is %s, which hub manages itself; give the target another path", p, why))
		}
	}
	return errs
}

// ownFile says why path is one of hub's own files, or "".
func ownFile(hubDir, path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		return ""
	}
	if inside(hubDir, abs) {
		return "inside " + hubDir
	}
	if real, err := filepath.EvalSymlinks(filepath.Dir(abs)); err == nil {
		if realHub, err := filepath.EvalSymlinks(hubDir); err == nil && inside(realHub, filepath.Join(real, filepath.Base(abs))) {
			return "inside " + hubDir
		}
	}
	base := filepath.Base(abs)
	switch {
	case strings.Contains(base, ".hub-backup-"):
		return "a backup"
	case strings.Contains(base, ".hub-tmp-"):
		return "a temporary file"
	case strings.HasSuffix(base, ".hub-new"):
		return "a recovery copy"
	}
	return ""
}

func inside(dir, path string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}
