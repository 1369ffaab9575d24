// Package targets defines the contract between hub's engine and the adapters for
// downstream tools (Claude Code, Codex, ...), and the registry they join.
//
// A target is pure: given its decoded HCL block, the resolved credentials and the
// current bytes of a file, it says which items hub wants in that file and how to
// edit the file to hold them. The engine alone reads, hashes, writes, backs up and
// records ownership, so no adapter can bypass dry-run, stale checks or redaction.
//
// # Lifecycle
//
//  1. Info.New returns a pointer to a zero config struct; its hcl tags are the
//     block's schema (the engine handles `credential` / `credentials` itself).
//  2. The engine decodes the block into it with gohcl.
//  3. If it implements Validator, Validate is called with the resolved input.
//  4. Files names the files it manages; for each, Open parses the current bytes
//     and Desired lists the items hub wants there.
//
// A zero value from Info.New must still Open files: the engine uses it to remove
// items of a target that is no longer in the configuration.
package targets

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/hubctl/hub/credential"
)

// A Target adapts hub's desired configuration to one downstream tool's files.
type Target interface {
	// Files returns the absolute paths this target manages, resolved from env.
	// It must not touch the filesystem.
	Files(env Env) ([]string, error)

	// Open parses the current contents of the file at path (nil if it does not
	// exist) into an editable document. A parse error should name the position.
	Open(path string, data []byte) (Doc, error)

	// Desired returns what hub wants in the file at path. It must be pure and
	// deterministic.
	Desired(path string, in *Input) (*Spec, error)
}

// Validator is implemented by targets that check their decoded block beyond
// what its schema says. Each error becomes a diagnostic on the target block.
type Validator interface {
	Validate(in *Input) []error
}

// Noter is implemented by targets that have something to tell the user whenever
// the target changes, such as "restart the tool" or "export VAR".
type Noter interface {
	Notes(in *Input) []string
}

// StandingNoter is implemented by targets whose tool does something to a
// value hub wrote that the user should know of even when nothing changes
// (a model id the tool sends as another): every plan shows these notes,
// with changes or without, where Notes show only with changes.
type StandingNoter interface {
	StandingNotes(in *Input) []string
}

// InPlace is implemented by targets whose tool watches its file directly and
// stops noticing changes once the file is replaced by rename (CLIProxyAPI):
// such files are rewritten in place instead (see system.WriteFileInPlace).
type InPlace interface {
	WritesInPlace(path string) bool
}

// Reloader is implemented by targets that can make the running tool pick up
// a change (for example by running "ccr restart"). Reload is called once after
// the target's files were written; it is the one place an adapter acts on the
// world, and only when the user asked for it.
type Reloader interface {
	Reload(ctx context.Context, in *Input) error
}

// Chooser is implemented by targets whose tool reads its settings from one of
// several files in a directory, such as opencode.json or opencode.jsonc.
// Files returns every candidate, so that hub can still remove what it owned
// in any of them; Choose, told which of them exist, returns the ones hub
// writes to now. exists looks through the engine's read-only filesystem, so
// the adapter stays pure.
type Chooser interface {
	Choose(files []string, exists func(path string) bool) []string
}

// Remote is implemented by targets that live behind an API rather than in
// files, such as a CLIProxyAPI management endpoint. Files then returns names
// of remote documents (a URL, say); Fetch returns a document's current
// contents in a form Open parses (nil if it does not exist), and Push makes
// the remote match after, given before, what the plan was made from. Planning
// such a target makes network requests; no backup is kept.
type Remote interface {
	Fetch(ctx context.Context, name string) ([]byte, error)
	Push(ctx context.Context, name string, before, after []byte) error
}

// RemoteDocs is implemented by Remote targets that keep only some of their
// documents behind an API: cliproxyapi writes config.yaml, or, given a
// management block, goes through CLIProxyAPI's management API. IsRemote
// reports whether the named document is remote; the others are files, read
// and written by the engine as usual. A zero target (one the configuration
// no longer has, whose items hub removes) must answer too, so decide from
// the name alone.
type RemoteDocs interface {
	IsRemote(name string) bool
}

// SecretHolder is implemented by targets whose block holds secrets of its
// own (a management key), so hub's output redacts them like API keys.
type SecretHolder interface {
	Secrets() []string
}

// A Doc is one parsed file that can be edited while keeping everything hub does
// not own as it was (comments, order, indentation, other keys).
type Doc interface {
	// Get returns the value at key, decoded to JSON-like Go values (string,
	// bool, float64 or int64, []any, map[string]any).
	Get(key Key) (any, bool)
	// Set creates or replaces the value at key, creating parents as needed.
	Set(key Key, value any) error
	// Delete removes the value at key; removing an absent key is not an error.
	// A parent left empty by the removal is removed too.
	Delete(key Key) error
	// Bytes returns the document's current contents.
	Bytes() []byte
}

// A Key addresses an item inside a file, as a path of names from the root.
// A segment may also select an element of an array of objects: made by
// Select (the element whose field has a value) or Marked (the element marked
// by a "# hub:NAME" comment, for YAML), so hub can own fields of list entries
// such as Claude Code Router's Providers[name=relay].
type Key []string

// Select returns a key segment that selects, in an array of objects, the
// element whose field equals value. Editors create the element (holding just
// that field) when it is missing, and remove it when hub's last item in it is
// deleted and only the field is left.
func Select(field, value string) string {
	return "[" + field + "=" + quoteIfNeeded(value, "]=.\"") + "]"
}

// Marked returns a key segment that selects the array element marked with a
// "# hub:marker" comment (YAML only), for lists whose entries have no name.
func Marked(marker string) string { return "[#hub:" + marker + "]" }

// SelectSecret returns a key segment that selects the array element whose
// field holds secret, for lists whose entries are known only by their key
// (CLIProxyAPI's claude-api-key over its management API). The segment holds
// only a digest salted with salt (use the credential id), never the secret:
// [api-key~relay:3fa8c2d1e0b9]. Editors match it with SecretDigest.
func SelectSecret(field, secret, salt string) string {
	return "[" + field + "~" + salt + ":" + SecretDigest(secret, salt) + "]"
}

// SecretDigest is the digest SelectSecret puts in a key: 12 hex digits of
// sha256(salt ":" secret), enough to tell a list's entries apart and useless
// for recovering a high-entropy key.
func SecretDigest(secret, salt string) string {
	sum := sha256.Sum256([]byte(salt + ":" + secret))
	return hex.EncodeToString(sum[:6])
}

// ParseSelector reports whether seg is a selector, and what it selects: a
// field and value, or (marker != "") a comment marker. For a SelectSecret
// segment, value is "salt:digest" and secret is true.
func ParseSelector(seg string) (field, value, marker string, ok bool) {
	field, value, marker, _, ok = parseSelector(seg)
	return
}

// ParseSecretSelector reports whether seg was made by SelectSecret, and its
// field, salt and digest.
func ParseSecretSelector(seg string) (field, salt, digest string, ok bool) {
	field, value, _, secret, ok := parseSelector(seg)
	if !ok || !secret {
		return "", "", "", false
	}
	salt, digest, _ = strings.Cut(value, ":")
	return field, salt, digest, true
}

func parseSelector(seg string) (field, value, marker string, secret, ok bool) {
	if len(seg) < 3 || seg[0] != '[' || seg[len(seg)-1] != ']' {
		return "", "", "", false, false
	}
	body := seg[1 : len(seg)-1]
	if m, isMarker := strings.CutPrefix(body, "#hub:"); isMarker {
		return "", "", m, false, true
	}
	if f, v, found := strings.Cut(body, "~"); found && f != "" && !strings.ContainsAny(f, "=\"") && strings.Contains(v, ":") {
		return f, v, "", true, true
	}
	field, value, found := strings.Cut(body, "=")
	if !found || field == "" {
		return "", "", "", false, false
	}
	if strings.HasPrefix(value, "\"") {
		v, err := strconv.Unquote(value)
		if err != nil {
			return "", "", "", false, false
		}
		value = v
	}
	return field, value, "", false, true
}

func quoteIfNeeded(s, special string) string {
	if s == "" || strings.ContainsAny(s, special+" \t'[") {
		return strconv.Quote(s)
	}
	return s
}

// String renders the key with dots, quoting names that contain a dot,
// whitespace, a quote or a bracket; selectors attach to the name before them:
// env.ANTHROPIC_BASE_URL, model_providers."a.b".name, Providers[name=relay].models.
func (k Key) String() string {
	var b strings.Builder
	for i, seg := range k {
		if _, _, _, sel := ParseSelector(seg); sel {
			b.WriteString(seg)
			continue
		}
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(quoteIfNeeded(seg, ".\"]"))
	}
	return b.String()
}

// ParseKey is the inverse of Key.String.
func ParseKey(s string) (Key, error) {
	orig := s
	var k Key
	expectName := true
	for len(s) > 0 {
		switch {
		case s[0] == '[':
			end, inQuote := 1, false
			for ; end < len(s); end++ {
				if s[end] == '\\' && inQuote {
					end++
					continue
				}
				if s[end] == '"' {
					inQuote = !inQuote
				}
				if s[end] == ']' && !inQuote {
					break
				}
			}
			if end >= len(s) {
				return nil, fmt.Errorf("key %q: unterminated selector", orig)
			}
			seg := s[:end+1]
			if _, _, _, ok := ParseSelector(seg); !ok {
				return nil, fmt.Errorf("key %q: bad selector %s", orig, seg)
			}
			k = append(k, seg)
			s = s[end+1:]
			expectName = false
			continue
		case s[0] == '.' && !expectName:
			s = s[1:]
			expectName = true
			continue
		case !expectName:
			return nil, fmt.Errorf("key %q: expected '.' or '[' at %q", orig, s)
		case s[0] == '"':
			end := 1
			for end < len(s) && s[end] != '"' {
				if s[end] == '\\' {
					end++
				}
				end++
			}
			if end >= len(s) {
				return nil, fmt.Errorf("key %q: unterminated quote", orig)
			}
			seg, err := strconv.Unquote(s[:end+1])
			if err != nil {
				return nil, fmt.Errorf("key %q: %w", orig, err)
			}
			k = append(k, seg)
			s = s[end+1:]
		default:
			i := strings.IndexAny(s, ".[")
			if i < 0 {
				i = len(s)
			}
			k = append(k, s[:i])
			s = s[i:]
		}
		expectName = false
	}
	if expectName && len(k) > 0 {
		return nil, fmt.Errorf("key %q: ends with '.'", orig)
	}
	return k, nil
}

// An Item is one value hub owns inside a file.
type Item struct {
	Key   Key
	Value any // JSON-like: string, bool, int64, float64, []any, map[string]any
	// Sensitive marks a value that must never be shown or stored (a key).
	Sensitive bool
	// Origin says where a value came from when the configuration did not
	// name it ("first claude model of credential.relay, found by hub
	// refresh on ..."); the plan shows it.
	Origin string
}

// A Conflict is a key that must not be present in the file unless hub owns it,
// because the tool would misbehave with both (for example two kinds of API key).
type Conflict struct {
	Key    Key
	Reason string // full sentence telling the user what to do; never a value
}

// A Spec is what a target wants in one file.
type Spec struct {
	Items     []Item
	Conflicts []Conflict
}

// ModelItem is the item for a target's model setting: the model the block
// names, else the credential's first model of the family (with its origin),
// else none (ok is false) and the tool keeps its own default.
func ModelItem(key Key, configured string, c *credential.Credential, family string) (it Item, ok bool) {
	if configured != "" {
		return Item{Key: key, Value: configured}, true
	}
	if m, origin := c.PickModel(family); m != "" {
		return Item{Key: key, Value: m, Origin: origin}, true
	}
	return Item{}, false
}

// Input is what a target block resolves to besides its own attributes.
type Input struct {
	Address     string // "claude_code.default"
	Credentials []*credential.Credential
}

// Credential returns the single credential of a one-credential target.
func (in *Input) Credential() *credential.Credential {
	if len(in.Credentials) == 0 {
		return nil
	}
	return in.Credentials[0]
}

// Info describes a target type to the registry.
type Info struct {
	Type string        // HCL label: "claude_code"
	Doc  string        // one line for help and docs
	New  func() Target // returns a pointer to a zero config struct with hcl tags
	// Multi is true for targets that take `credentials = [...]` rather than
	// a single `credential`.
	Multi bool
}

var (
	mu       sync.RWMutex
	registry = map[string]Info{}
)

// Register adds a target type. It panics on an empty type, a nil New or a
// duplicate, since those are programming errors found at start-up.
func Register(info Info) {
	mu.Lock()
	defer mu.Unlock()
	if info.Type == "" || info.New == nil {
		panic("targets: Register with empty Type or nil New")
	}
	if _, dup := registry[info.Type]; dup {
		panic("targets: Register called twice for " + info.Type)
	}
	registry[info.Type] = info
}

// ErrUnknownType is wrapped by Lookup's error for an unregistered type.
var ErrUnknownType = errors.New("unknown target type")

// Lookup returns the registered target type.
func Lookup(typ string) (Info, error) {
	mu.RLock()
	defer mu.RUnlock()
	info, ok := registry[typ]
	if !ok {
		return Info{}, fmt.Errorf("%w %q (forgotten import?)", ErrUnknownType, typ)
	}
	return info, nil
}

// Types returns the registered type names, sorted.
func Types() []string {
	mu.RLock()
	defer mu.RUnlock()
	return slices.Sorted(maps.Keys(registry))
}

// Tester is implemented by targets that keep credentials where the place
// itself can test them (a New API panel's channel test): hub verify
// --channels asks it, for the credentials of in.
type Tester interface {
	Test(ctx context.Context, in *Input) ([]TestResult, error)
}

// A TestResult is one credential tested where a target keeps it.
type TestResult struct {
	Credential string
	// Where names the place: "channel 12 on https://panel.example.com".
	Where string
	OK    bool
	// Message says why it failed, in the place's words (printable, no key).
	Message string
	// Seconds is how long the place says the test took, if it says.
	Seconds float64
}
