package engine

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/hubctl/hub/engine/states"
)

// The journal makes apply crash-consistent. Files are written before the
// state is saved (the state must record only what was written), so a run
// killed in between, or whose save fails, leaves files holding hub's values
// that the state does not know: the next plan would call them changes
// "outside hub", and hub watch would leave them alone for good. So apply
// first records, in a local file beside the state (.hub/journal.json), what
// it is about to write: per file, the sum of the new bytes and the state
// entry that records them (hashes only, never a key), with the backup it
// will make. Recover folds an entry into the loaded state when the file
// holds exactly those bytes: the write happened, and it was hub's.
//
// A journal rather than pending hashes saved in the state first: the state
// may live on a WebDAV server, and a save before every write would double
// an apply's round trips and its conflicts with other hosts, while the
// files written are this machine's own, as the journal is.
type journal struct {
	Lineage string `json:"lineage"`
	// Salt is the state's: an interrupted first apply saved no state, so
	// the next run starts a new one with the journal's lineage and salt
	// (the entries' hashes are salted with it).
	Salt  string         `json:"salt"`
	Host  string         `json:"host"`
	Files []journalEntry `json:"files"`
}

type journalEntry struct {
	Target string `json:"target"`
	Type   string `json:"type"`
	Path   string `json:"path"`
	// Sum is the sha256 of the bytes about to be written.
	Sum string `json:"sum"`
	// File is the state entry for them; nil when hub is to own nothing
	// there any more.
	File *states.File `json:"file"`
}

// readJournal returns the journal, nil if there is none.
func (e *Engine) readJournal() (*journal, error) {
	if e.Journal == "" {
		return nil, nil
	}
	b, err := e.Sys.ReadFile(e.Journal)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the journal %s: %w", e.Journal, err)
	}
	var j journal
	if err := json.Unmarshal(b, &j); err != nil {
		return nil, fmt.Errorf("read the journal %s: %w (remove it if hub plan shows what you expect)", e.Journal, err)
	}
	return &j, nil
}

// backup returns the backup the journal recorded for path, if any.
func (j *journal) backup(path string) string {
	if j == nil {
		return ""
	}
	for _, en := range j.Files {
		if en.Path == path && en.File != nil {
			return en.File.Backup
		}
	}
	return ""
}

// journalIntents picks the backups apply will make and, with a journal,
// records every file write it is about to do before any is done. It
// returns the backup names by path.
func (e *Engine) journalIntents(pl *Planned, st *states.State, host *states.Host, now time.Time) (map[string]string, error) {
	prev, err := e.readJournal()
	if err != nil {
		prev = nil // an unreadable journal only loses backups to reuse
	}
	backups := map[string]string{}
	salt := st.SaltBytes()
	j := &journal{Lineage: st.Lineage, Salt: st.Salt, Host: e.Host}
	for _, tp := range pl.Plan.Targets {
		for _, fc := range tp.Files {
			pend := pl.files[fc.Path]
			if pend == nil || bytes.Equal(pend.data, pend.before) {
				continue
			}
			owned := ownedFile(host.Targets[tp.Address], fc.Path)
			if pend.existed && pend.store.backups() && needsBackup(owned) {
				name, err := e.backupName(fc.Path, pend.before, prev.backup(fc.Path))
				if err != nil {
					return nil, err
				}
				backups[fc.Path] = name
			}
			if _, local := pend.store.(fileDocs); local {
				j.Files = append(j.Files, journalEntry{Target: tp.Address, Type: tp.Type, Path: fc.Path,
					Sum: Sum(pend.data), File: fileRecord(pend, owned, backups[fc.Path], salt, now)})
			}
		}
	}
	if e.Journal == "" || len(j.Files) == 0 {
		return backups, nil
	}
	b, err := json.MarshalIndent(j, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("write the journal %s: %w", e.Journal, err)
	}
	_ = e.Sys.CleanTemps(e.Journal) // a killed run's; apply holds the lock
	if err := e.Sys.WriteFile(e.Journal, append(b, '\n'), 0o600); err != nil {
		return nil, fmt.Errorf("write the journal (nothing was written): %w", err)
	}
	return backups, nil
}

// Recover returns st with the writes of an apply that was interrupted
// before it saved the state: each journalled file that holds exactly the
// bytes hub was writing is recorded as hub's, as that apply would have
// recorded it. Without any, it returns st itself and false; else a changed
// copy and true, which the caller saves with its next save. A journal of
// another state or host is ignored.
func (e *Engine) Recover(loaded *states.State) (*states.State, bool, error) {
	j, err := e.readJournal()
	if err != nil || j == nil || j.Host != e.Host {
		return loaded, false, err
	}
	st := loaded.Clone()
	if j.Lineage != st.Lineage {
		if st.Serial != 0 || len(st.Hosts) != 0 {
			return loaded, false, nil // another state
		}
		st.Lineage, st.Salt = j.Lineage, j.Salt // the first apply's, never saved
	}
	host := st.Host(e.Host)
	changed := false
	for _, en := range j.Files {
		owned := ownedFile(host.Targets[en.Target], en.Path)
		if owned != nil && owned.Sum == en.Sum || owned == nil && en.File == nil {
			continue // recorded already
		}
		data, err := e.Sys.ReadFile(en.Path)
		if err != nil || Sum(data) != en.Sum {
			continue // not written, or changed since
		}
		f := en.File
		if f != nil && f.Items == nil {
			f.Items = map[string]*states.Item{}
		}
		put(host, en.Target, en.Type, en.Path, f)
		changed = true
	}
	if !changed {
		return loaded, false, nil
	}
	if len(host.Targets) == 0 {
		delete(st.Hosts, e.Host)
	}
	return st, true, nil
}

// clearJournal removes the journal once the state records what it held.
func (e *Engine) clearJournal() {
	if e.Journal != "" {
		_ = e.Sys.Remove(e.Journal) // a stale journal is harmless: Recover skips what is recorded
	}
}
