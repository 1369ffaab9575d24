package webdav

import "time"

// Short pauses keep the tests fast.
func init() {
	retryBackoff = 20 * time.Millisecond
	pollBase = 20 * time.Millisecond
}
