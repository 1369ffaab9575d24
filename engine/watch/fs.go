package watch

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/fsnotify/fsnotify"
)

// FS is a Source backed by fsnotify. It watches directories, never files:
// editors and hub itself replace a file by renaming another over it, which
// a watch on the file would lose. A wanted directory that does not exist
// (or disappears) is waited for by watching its nearest existing ancestor;
// when it appears it is watched again and reported as an event of its own.
type FS struct {
	w      *fsnotify.Watcher
	events chan string
	errs   chan error
	done   chan struct{}
	wg     sync.WaitGroup

	mu      sync.Mutex
	wanted  map[string]bool // directories asked for
	watched map[string]bool // directories fsnotify watches now
}

// NewFS starts an fsnotify watcher.
func NewFS() (*FS, error) {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, fmt.Errorf("watch: %w", err)
	}
	f := &FS{w: w, events: make(chan string, 256), errs: make(chan error, 16), done: make(chan struct{}),
		wanted: map[string]bool{}, watched: map[string]bool{}}
	f.wg.Add(1)
	go f.pump()
	return f, nil
}

// Events delivers the absolute paths of created, written, removed or renamed
// entries of the watched directories.
func (f *FS) Events() <-chan string { return f.events }

// Errors delivers fsnotify's errors.
func (f *FS) Errors() <-chan error { return f.errs }

// Add wants dir watched, now or once it exists.
func (f *FS) Add(dir string) error {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.wanted[filepath.Clean(dir)] = true
	_, err = f.syncLocked()
	return err
}

// Want replaces the set of wanted directories, dropping watches no longer
// needed.
func (f *FS) Want(dirs []string) error {
	m := map[string]bool{}
	for _, d := range dirs {
		a, err := filepath.Abs(d)
		if err != nil {
			return err
		}
		m[filepath.Clean(a)] = true
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.wanted = m
	_, err := f.syncLocked()
	return err
}

// Sync retries the wanted directories that are not watched yet, and returns
// those it could watch now. Call it on each cycle as a safety net; events on
// ancestors call it too.
func (f *FS) Sync() ([]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.syncLocked()
}

// Watched returns the directories watched now, sorted (for tests).
func (f *FS) Watched() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for d := range f.watched {
		out = append(out, d)
	}
	sort.Strings(out)
	return out
}

// syncLocked makes the watched set: every wanted directory that exists, and
// the nearest existing ancestor of every one that does not.
func (f *FS) syncLocked() (appeared []string, err error) {
	// A directory may be created between the stat that finds it missing and
	// the watch on its parent: after watching a new ancestor, look again.
	for range 32 {
		a, added, err := f.syncOnce()
		appeared = append(appeared, a...)
		if err != nil || !added {
			sort.Strings(appeared)
			return appeared, err
		}
	}
	sort.Strings(appeared)
	return appeared, nil
}

func (f *FS) syncOnce() (appeared []string, added bool, err error) {
	need := map[string]bool{}
	var errs []error
	for d := range f.wanted {
		at := d
		for {
			if fi, err := os.Stat(at); err == nil && fi.IsDir() {
				break
			}
			parent := filepath.Dir(at)
			if parent == at {
				break
			}
			at = parent
		}
		need[at] = true
		if at == d && !f.watched[d] {
			if err := f.w.Add(d); err != nil {
				need[d] = false
				errs = append(errs, fmt.Errorf("watch %s: %w", d, err))
				continue
			}
			f.watched[d] = true
			appeared = append(appeared, d)
		}
	}
	for d := range need {
		if need[d] && !f.watched[d] {
			if err := f.w.Add(d); err != nil {
				errs = append(errs, fmt.Errorf("watch %s: %w", d, err))
				continue
			}
			f.watched[d] = true
			added = true
		}
	}
	for d := range f.watched {
		if !need[d] {
			_ = f.w.Remove(d) // fails harmlessly if the directory is gone
			delete(f.watched, d)
		}
	}
	return appeared, added, errors.Join(errs...)
}

// Close stops the watcher.
func (f *FS) Close() error {
	select {
	case <-f.done:
		return nil
	default:
	}
	close(f.done)
	err := f.w.Close()
	f.wg.Wait()
	return err
}

func (f *FS) pump() {
	defer f.wg.Done()
	for {
		select {
		case <-f.done:
			return
		case ev, ok := <-f.w.Events:
			if !ok {
				return
			}
			f.handle(ev)
		case err, ok := <-f.w.Errors:
			if !ok {
				return
			}
			f.sendErr(err)
		}
	}
}

func (f *FS) handle(ev fsnotify.Event) {
	name := filepath.Clean(ev.Name)
	f.mu.Lock()
	var appeared []string
	resync := false
	if f.watched[name] && ev.Has(fsnotify.Remove|fsnotify.Rename) {
		// A watched directory went away; fsnotify dropped its watch.
		delete(f.watched, name)
		resync = true
	}
	if !resync {
		for d := range f.wanted {
			if !f.watched[d] && (d == name || strings.HasPrefix(d, name+string(filepath.Separator))) {
				resync = true
				break
			}
		}
	}
	if resync {
		var err error
		appeared, err = f.syncLocked()
		if err != nil {
			f.mu.Unlock()
			f.sendErr(err)
			f.mu.Lock()
		}
	}
	f.mu.Unlock()
	f.send(name)
	for _, d := range appeared {
		if d != name {
			f.send(d)
		}
	}
}

func (f *FS) send(p string) {
	select {
	case f.events <- p:
	case <-f.done:
	}
}

func (f *FS) sendErr(err error) {
	select {
	case f.errs <- err:
	case <-f.done:
	default: // nobody is reading errors fast enough: drop
	}
}
