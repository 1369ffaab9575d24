//go:build !linux

package system

import "os"

// exchange puts tmp in place of target: a rename (swapped false), the
// check before it being the last one this platform allows.
func exchange(tmp, target string) (swapped bool, err error) {
	return false, os.Rename(tmp, target)
}
