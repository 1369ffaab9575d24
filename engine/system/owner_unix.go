//go:build unix

package system

import (
	"io/fs"
	"os"
	"syscall"
)

// ownership keeps a file's owner across replacement, for hub run as root (or
// with sudo) on a user's file.
type ownership struct{ uid, gid int }

func ownerOf(fi fs.FileInfo) *ownership {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok || (int(st.Uid) == os.Geteuid() && int(st.Gid) == os.Getegid()) {
		return nil
	}
	return &ownership{uid: int(st.Uid), gid: int(st.Gid)}
}

func (o *ownership) apply(f *os.File) { _ = f.Chown(o.uid, o.gid) }
