package system

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// exchange puts tmp in place of target. On Linux it atomically swaps the
// two (swapped true: tmp then names the file taken out, for a check after
// the fact); where the filesystem cannot swap, it renames.
func exchange(tmp, target string) (swapped bool, err error) {
	err = unix.Renameat2(unix.AT_FDCWD, tmp, unix.AT_FDCWD, target, unix.RENAME_EXCHANGE)
	if err == nil {
		return true, nil
	}
	if errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.EOPNOTSUPP) {
		return false, os.Rename(tmp, target)
	}
	return false, &os.LinkError{Op: "renameat2", Old: tmp, New: target, Err: err}
}
