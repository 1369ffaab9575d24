package main

import "github.com/hubctl/hub/views"

// newProgress is a progress bar on stderr, drawn only on a terminal and not
// for JSON output.
func (a *app) newProgress(verb string, total int, jsonOut bool) *views.Progress {
	return views.NewProgress(a.errw, verb, total, a.progress && !jsonOut)
}
