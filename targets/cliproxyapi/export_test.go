package cliproxyapi

import "time"

// SetRequestTimeout sets the timeout of each management request, for a
// test, and returns a function that restores it.
func SetRequestTimeout(d time.Duration) (restore func()) {
	old := requestTimeout
	requestTimeout = d
	return func() { requestTimeout = old }
}
