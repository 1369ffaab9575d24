// Package system is hub's only door to the user's files. The engine reads
// through a System and writes through it, so a plan can run against a
// read-only System and tests can inject failures at the exact write that fails.
package system

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// A System reads and writes files by absolute path.
type System interface {
	// ReadFile returns a file's contents; an error wrapping fs.ErrNotExist if absent.
	ReadFile(name string) ([]byte, error)
	// WriteFile replaces a file's contents atomically: readers see the old or
	// the new contents, never a mix. An existing file keeps its mode and a
	// symlink stays a symlink (the file it points to is replaced); a new file
	// gets perm, and missing parent directories are created with 0700.
	WriteFile(name string, data []byte, perm fs.FileMode) error
	// WriteFileInPlace replaces a file's contents keeping the file itself
	// (its inode), for tools that watch the file and lose the watch when it is
	// replaced by rename. It is not atomic, so it first leaves a complete copy
	// of the new contents beside the file, removed once the write is done.
	WriteFileInPlace(name string, data []byte, perm fs.FileMode) error
	// WriteFileIf is WriteFile (or WriteFileInPlace, with c.InPlace)
	// conditioned on the file's current contents: it writes only while the
	// file is exactly as c expects, checked again just before the file is
	// replaced (and after, where the platform allows), so that a user's save
	// during the write is kept rather than overwritten. A mismatch writes
	// nothing and returns an error wrapping ErrChanged. A file its owner may
	// not write is refused with a *ReadOnlyFileError unless c.ReplaceReadOnly.
	WriteFileIf(name string, data []byte, perm fs.FileMode, c Cond) error
	// Remove removes a file hub wrote for itself (its journal); an absent
	// file is no error.
	Remove(name string) error
	// CleanTemps removes the temporary files an interrupted write of name
	// left beside it (they may hold keys).
	CleanTemps(name string) error
}

// ErrReadOnly is returned by a read-only System on any write.
var ErrReadOnly = errors.New("read-only: no file may be written in this mode")

// ReadOnly wraps a System so that every write fails with ErrReadOnly. The plan
// runs against it, so computing a plan cannot write by construction.
type ReadOnly struct{ System }

// WriteFile implements System.
func (ReadOnly) WriteFile(name string, _ []byte, _ fs.FileMode) error {
	return fmt.Errorf("write %s: %w", name, ErrReadOnly)
}

// WriteFileInPlace implements System.
func (ReadOnly) WriteFileInPlace(name string, _ []byte, _ fs.FileMode) error {
	return fmt.Errorf("write %s: %w", name, ErrReadOnly)
}

// WriteFileIf implements System.
func (ReadOnly) WriteFileIf(name string, _ []byte, _ fs.FileMode, _ Cond) error {
	return fmt.Errorf("write %s: %w", name, ErrReadOnly)
}

// Remove implements System.
func (ReadOnly) Remove(name string) error { return fmt.Errorf("remove %s: %w", name, ErrReadOnly) }

// CleanTemps implements System.
func (ReadOnly) CleanTemps(name string) error {
	return fmt.Errorf("clean beside %s: %w", name, ErrReadOnly)
}

// OS is the real filesystem.
type OS struct{}

var _ System = OS{}

// ReadFile implements System: a regular file of at most MaxFileSize (ReadFile).
func (OS) ReadFile(name string) ([]byte, error) { return ReadFile(context.Background(), name) }

// WriteFile implements System: a temporary file in the same directory,
// created 0600 and given the file's mode only once complete, fsync, then
// rename over the target.
func (OS) WriteFile(name string, data []byte, perm fs.FileMode) error {
	target, err := resolve(name)
	if err != nil {
		return err
	}
	mode := perm
	var owner *ownership
	if fi, err := os.Stat(target); err == nil {
		if !fi.Mode().IsRegular() {
			return fmt.Errorf("write %s: not a regular file", name)
		}
		mode = fi.Mode().Perm()
		owner = ownerOf(fi)
	} else if errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(filepath.Dir(target), 0o700); err != nil {
			return fmt.Errorf("write %s: %w", name, err)
		}
	} else {
		return fmt.Errorf("write %s: %w", name, err)
	}
	tmpName, err := writeTemp(name, target, data, mode, owner)
	if err != nil {
		return err
	}
	if err := os.Rename(tmpName, target); err != nil {
		os.Remove(tmpName)
		return fmt.Errorf("write %s: %w", name, err)
	}
	syncDir(filepath.Dir(target))
	return nil
}

// tempPrefix names the temporary files of a write of target; CleanTemps
// removes what a crash left of them.
func tempPrefix(target string) string { return "." + filepath.Base(target) + ".hub-tmp-" }

// writeTemp writes data to a new temporary file beside target and returns
// its name. The file is created 0600 and only given mode (and owner) once
// its contents are complete and synced, so a crash leaves no copy of a key
// readable by others.
func writeTemp(name, target string, data []byte, mode fs.FileMode, owner *ownership) (string, error) {
	tmp, err := os.CreateTemp(filepath.Dir(target), tempPrefix(target)+"*")
	if err != nil {
		return "", fmt.Errorf("write %s: %w", name, err)
	}
	tmpName := tmp.Name()
	fail := func(err error) (string, error) {
		tmp.Close()
		os.Remove(tmpName)
		return "", fmt.Errorf("write %s: %w", name, err)
	}
	if _, err := tmp.Write(data); err != nil {
		return fail(err)
	}
	if err := tmp.Sync(); err != nil {
		return fail(err)
	}
	if err := tmp.Chmod(mode); err != nil {
		return fail(err)
	}
	if owner != nil {
		owner.apply(tmp)
	}
	if err := tmp.Close(); err != nil {
		return fail(err)
	}
	return tmpName, nil
}

// WriteFileInPlace implements System: the new contents go first to a
// recovery copy (<name>.hub-new, fsynced), then the file is truncated and
// rewritten through the same inode and fsynced, then the copy is removed. A
// crash in between leaves the complete new contents in the copy.
func (o OS) WriteFileInPlace(name string, data []byte, perm fs.FileMode) error {
	target, err := resolve(name)
	if err != nil {
		return err
	}
	if _, err := os.Stat(target); errors.Is(err, fs.ErrNotExist) {
		return o.WriteFile(name, data, perm)
	}
	recovery := target + ".hub-new"
	if err := o.WriteFile(recovery, data, 0o600); err != nil {
		return err
	}
	f, err := os.OpenFile(target, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		return fmt.Errorf("write %s: %w (the new contents are in %s)", name, err, recovery)
	}
	_, err = f.Write(data)
	return finishInPlace(f, err, name, recovery)
}

// finishInPlace ends an in-place write into f (err is the write's): it
// syncs and closes f, and removes the recovery copy made before, which an
// error names instead.
func finishInPlace(f *os.File, err error, name, recovery string) error {
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %s: %w (the new contents are in %s)", name, err, recovery)
	}
	return os.Remove(recovery)
}

// resolve follows symlinks at name, so the file they point to is replaced
// rather than the link. Links in the directories above are followed too, and a
// relative link is read against the directory it really is in. A dangling
// link resolves to where it points.
func resolve(name string) (string, error) {
	for i := 0; i < 40; i++ {
		dir, err := filepath.EvalSymlinks(filepath.Dir(name))
		if errors.Is(err, fs.ErrNotExist) {
			return name, nil // parents are created as plain directories
		}
		if err != nil {
			return "", fmt.Errorf("write %s: %w", name, err)
		}
		name = filepath.Join(dir, filepath.Base(name))
		fi, err := os.Lstat(name)
		if errors.Is(err, fs.ErrNotExist) {
			return name, nil
		}
		if err != nil {
			return "", fmt.Errorf("write %s: %w", name, err)
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			return name, nil
		}
		link, err := os.Readlink(name)
		if err != nil {
			return "", fmt.Errorf("write %s: %w", name, err)
		}
		if !filepath.IsAbs(link) {
			link = filepath.Join(dir, link)
		}
		name = link
	}
	return "", fmt.Errorf("write %s: too many levels of symbolic links", name)
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
