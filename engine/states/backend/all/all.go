// Package all registers every state backend besides the built-in local
// one; the hub binary imports it.
package all

import (
	_ "github.com/hubctl/hub/engine/states/webdav" // webdav
)
