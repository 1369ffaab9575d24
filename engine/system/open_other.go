//go:build !unix

package system

// openNonblock is not needed where opening a file cannot block on a pipe.
const openNonblock = 0
