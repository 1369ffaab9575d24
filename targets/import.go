package targets

import "github.com/hubctl/hub/credential"

// Importer is implemented by targets that can read back, from their tool's
// files as they are now, the blocks that reproduce them (hub import): the
// credentials the tool holds and the block's attributes, chosen so that a
// plan of the block changes nothing in the files. hub import checks that by
// planning the block; a block that would change something is not imported.
type Importer interface {
	// Import reads the tool's files through read (which returns an error
	// wrapping fs.ErrNotExist for a missing file) and returns one block
	// per configuration found (usually one: the default files). No files:
	// nil, nil. A file that cannot be parsed is an error naming the file and
	// the position; what the other files hold is still returned.
	Import(env Env, read func(path string) ([]byte, error)) ([]Imported, error)
}

// Imported is one target block read back from a tool's files.
type Imported struct {
	// Name is the block's name ("default").
	Name string
	// Files are the files it was read from (for messages, and to skip a
	// tool a configuration already manages).
	Files []string
	// Credentials are what the block uses, in order (one for a target that
	// is not Multi). Their ID is empty, and hub import names them, unless
	// the tool's file is keyed by the credential id (opencode's
	// provider.<id>, CCR's Providers[name=<id>], a "# hub:<id>" marker):
	// then ID is that name, and hub import must keep it, or the plan would
	// not adopt. Name is the tool's own name for the provider, if it has
	// one. Key is the key.
	Credentials []*credential.Credential
	// Attrs are the block's other attributes, in order. A Value is a
	// string, bool, int, []string, map[string]string or []any/map[string]any
	// of those.
	Attrs []Attr
	// Warnings say what was found but cannot be expressed (a second
	// provider the target does not manage, say). An Imported without
	// Credentials carries only Warnings: no block is written for it.
	Warnings []string
	// NoBlock is set when no block reproduces the files exactly (the
	// first apply would change them; Warnings say why): the Credentials,
	// if any, are worth importing alone, and no target block is written.
	NoBlock bool
}

// PerCredential is an Attr value keyed by credential id (key_env of a
// Multi target, say), which the adapter cannot write because hub import
// names the credentials: entry i is for Credentials[i] ("" or nil: none).
// hub import writes it as a map from the ids it gave them.
type PerCredential []any

// Attr is one attribute of an imported block.
type Attr struct {
	Name  string
	Value any
}
