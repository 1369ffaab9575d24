package system

// SetBeforeRename installs the hook that runs between a conditional
// write's temporary file and its rename, until the test ends.
func SetBeforeRename(f func(target string)) (restore func()) {
	beforeRename = f
	return func() { beforeRename = nil }
}
