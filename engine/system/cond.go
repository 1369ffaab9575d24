package system

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Cond is what a conditional write (WriteFileIf) expects to find, and how
// it may write.
type Cond struct {
	// Exists says the file exists; false: it must still be absent.
	Exists bool
	// Data is what the file must hold, when Exists.
	Data []byte
	// InPlace writes through the file's inode, as WriteFileInPlace does.
	InPlace bool
	// ReplaceReadOnly replaces a file its owner may not write (no u+w);
	// without it such a file is refused with a *ReadOnlyFileError.
	ReplaceReadOnly bool
	// Before, if set, is given the current contents once they are known to
	// be as expected and the file may be replaced, before anything is
	// written; an error stops the write. The engine makes its backup there,
	// so that a write refused at once leaves no backup behind.
	Before func(cur []byte) error
}

// ErrChanged is wrapped by a conditional write that found the file other
// than expected: nothing was written and the file's bytes are as found.
var ErrChanged = errors.New("the file changed while hub was writing it")

// ReadOnlyFileError is a conditional write refused because the file's owner
// may not write it: replacing it would only need the directory's permission,
// but a read-only file says "leave me alone".
type ReadOnlyFileError struct {
	Path string
	Mode fs.FileMode
}

func (e *ReadOnlyFileError) Error() string {
	return fmt.Sprintf("%s is read-only (mode %04o), so hub leaves it alone; make it writable (chmod u+w %s) to let hub change it", e.Path, uint32(e.Mode.Perm()), e.Path)
}

// beforeRename, set by tests only, runs between the temporary file's write
// and the rename that replaces the file: where a user's save would be lost.
var beforeRename func(target string)

// WriteFileIf implements System. The file is checked when the write starts,
// again (identity, size, mtime, contents) just before the temporary file
// replaces it, and on Linux once more after: the replacement is an atomic
// exchange, and contents found changed in the file it took out are swapped
// back. A new file is linked into place, which fails if one appeared.
func (o OS) WriteFileIf(name string, data []byte, perm fs.FileMode, c Cond) error {
	target, err := resolve(name)
	if err != nil {
		return err
	}
	changed := func() error { return fmt.Errorf("write %s: %w", name, ErrChanged) }
	fi, err := os.Stat(target)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if c.Exists {
			return changed()
		}
		if c.Before != nil {
			if err := c.Before(nil); err != nil {
				return err
			}
		}
		return o.create(name, target, data, perm)
	case err != nil:
		return fmt.Errorf("write %s: %w", name, err)
	case !c.Exists:
		return changed()
	case !fi.Mode().IsRegular():
		return fmt.Errorf("write %s: not a regular file", name)
	case fi.Mode().Perm()&0o200 == 0 && !c.ReplaceReadOnly:
		return &ReadOnlyFileError{Path: name, Mode: fi.Mode()}
	}
	snap, err := snapshot(target)
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if !snap.holds(c.Data) {
		return changed()
	}
	if c.Before != nil {
		if err := c.Before(c.Data); err != nil {
			return err
		}
	}
	if c.InPlace {
		return o.inPlaceIf(name, target, data, snap, c.Data)
	}
	tmpName, err := writeTemp(name, target, data, snap.fi.Mode().Perm(), ownerOf(snap.fi))
	if err != nil {
		return err
	}
	if beforeRename != nil {
		beforeRename(target)
	}
	if !snap.still(target, c.Data) {
		os.Remove(tmpName)
		return changed()
	}
	ours, err := os.Stat(tmpName)
	if err != nil {
		os.Remove(tmpName)
		return fmt.Errorf("write %s: %w", name, err)
	}
	swapped, err := exchange(tmpName, target)
	if err != nil {
		os.Remove(tmpName)
		return fmt.Errorf("write %s: %w", name, err)
	}
	if swapped {
		// tmpName now holds the file taken out: it must be the one checked.
		// If not, a save came in the instant before the exchange: swap it
		// back, unless a newer save already replaced the file again.
		if !snap.still(tmpName, c.Data) {
			if now, err := os.Stat(target); err == nil && os.SameFile(now, ours) {
				if _, err := exchange(tmpName, target); err != nil {
					return fmt.Errorf("write %s: %w; the file's contents before hub's write are in %s", name, ErrChanged, tmpName)
				}
			}
			os.Remove(tmpName)
			syncDir(filepath.Dir(target))
			return changed()
		}
		os.Remove(tmpName)
	}
	syncDir(filepath.Dir(target))
	return nil
}

// create writes a new file that must not exist: the temporary file is
// hard-linked into place, which fails if a file appeared meanwhile.
func (OS) create(name, target string, data []byte, perm fs.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(target), 0o700); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	tmpName, err := writeTemp(name, target, data, perm, nil)
	if err != nil {
		return err
	}
	defer os.Remove(tmpName)
	if beforeRename != nil {
		beforeRename(target)
	}
	if err := os.Link(tmpName, target); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("write %s: %w", name, ErrChanged)
		}
		// No hard links here (some filesystems): check, then rename.
		if _, serr := os.Lstat(target); serr == nil {
			return fmt.Errorf("write %s: %w", name, ErrChanged)
		}
		if err := os.Rename(tmpName, target); err != nil {
			return fmt.Errorf("write %s: %w", name, err)
		}
	}
	syncDir(filepath.Dir(target))
	return nil
}

// inPlaceIf is WriteFileInPlace once the file was found as expected: the
// recovery copy first, then a last check through the very descriptor that
// truncates and writes.
func (o OS) inPlaceIf(name, target string, data []byte, snap *fileSnap, want []byte) error {
	recovery := target + ".hub-new"
	if err := o.WriteFile(recovery, data, 0o600); err != nil {
		return err
	}
	f, _, err := openRegular(target, os.O_RDWR)
	if err != nil {
		os.Remove(recovery)
		return fmt.Errorf("write %s: %w", name, err)
	}
	if beforeRename != nil {
		beforeRename(target)
	}
	if !snap.stillFile(f, want) {
		f.Close()
		os.Remove(recovery)
		return fmt.Errorf("write %s: %w", name, ErrChanged)
	}
	err = f.Truncate(0)
	if err == nil {
		_, err = f.WriteAt(data, 0)
	}
	return finishInPlace(f, err, name, recovery)
}

// fileSnap is a file as a conditional write first found it.
type fileSnap struct {
	fi  fs.FileInfo
	sum [32]byte
}

func snapshot(path string) (*fileSnap, error) {
	f, fi, err := openRegular(path, os.O_RDONLY)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return nil, err
	}
	s := &fileSnap{fi: fi}
	h.Sum(s.sum[:0])
	return s, nil
}

func (s *fileSnap) holds(want []byte) bool { return s.sum == sha256.Sum256(want) }

// still reports whether path is the same file as snapshotted, with the same
// size and mtime, and holds want.
func (s *fileSnap) still(path string, want []byte) bool {
	f, _, err := openRegular(path, os.O_RDONLY)
	if err != nil {
		return false
	}
	defer f.Close()
	return s.stillFile(f, want)
}

func (s *fileSnap) stillFile(f *os.File, want []byte) bool {
	fi, err := f.Stat()
	if err != nil || !os.SameFile(fi, s.fi) || fi.Size() != s.fi.Size() || !fi.ModTime().Equal(s.fi.ModTime()) {
		return false
	}
	got, err := io.ReadAll(io.NewSectionReader(f, 0, fi.Size()+1))
	return err == nil && bytes.Equal(got, want)
}

// Remove implements System.
func (OS) Remove(name string) error {
	if err := os.Remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// CleanTemps implements System: it removes .<file>.hub-tmp-* beside the
// file (beside the file a symlink points to).
func (OS) CleanTemps(name string) error {
	target, err := resolve(name)
	if err != nil {
		return err
	}
	dir := filepath.Dir(target)
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("clean beside %s: %w", name, err)
	}
	prefix := tempPrefix(target)
	var errs []error
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), prefix) && e.Type().IsRegular() {
			if err := os.Remove(filepath.Join(dir, e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
				errs = append(errs, err)
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("clean beside %s: %w", name, err)
	}
	return nil
}
