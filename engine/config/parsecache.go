package config

import (
	"bytes"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// A ParseCache keeps parsed HCL between loads of the same configuration, for
// hub watch, which loads it again after every save: a top-level block whose
// text and position did not change is not parsed again. Set Options.Cache to
// use one; it is safe for concurrent use. For each file it keeps the pieces
// of its latest parse that had no errors, and a Load forgets the files it no
// longer loads, so its size follows the configuration's.
//
// A file is cut into pieces after each line that is a lone "}" (how hub fmt
// ends a top-level block), and each piece is parsed on its own from its place
// in the file. The result is the whole-file parse only if every piece parses
// without any diagnostic: a cut inside a heredoc, a comment or a multi-line
// expression leaves a piece unterminated, which is an error. Otherwise, and
// for any file with diagnostics, the file is parsed whole, as without a
// cache, so diagnostics are always the uncached ones.
type ParseCache struct {
	mu    sync.Mutex
	files map[string]map[pieceKey]*hclsyntax.Body // by file name
}

type pieceKey struct {
	start hcl.Pos
	text  string
}

// NewParseCache returns an empty cache.
func NewParseCache() *ParseCache {
	return &ParseCache{files: map[string]map[pieceKey]*hclsyntax.Body{}}
}

// parse parses src as the HCL file filename.
func (c *ParseCache) parse(src []byte, filename string) (*hcl.File, hcl.Diagnostics) {
	c.mu.Lock()
	prev := c.files[filename]
	c.mu.Unlock()
	next := map[pieceKey]*hclsyntax.Body{}
	blocks := hclsyntax.Blocks{}
	var first, last *hclsyntax.Body
	ok := true
	for _, p := range pieces(src) {
		k := pieceKey{start: p.start, text: string(p.text)}
		body := prev[k]
		if body == nil {
			// A copy, so what the AST keeps of the source is this piece
			// alone, not the whole file of this round.
			f, diags := hclsyntax.ParseConfig(bytes.Clone(p.text), filename, p.start)
			body, _ = f.Body.(*hclsyntax.Body)
			if len(diags) > 0 || body == nil || len(body.Attributes) > 0 {
				ok = false
				break
			}
		}
		next[k] = body
		blocks = append(blocks, body.Blocks...)
		if first == nil {
			first = body
		}
		last = body
	}
	if !ok || last == nil {
		// Keep the pieces of the last good parse: the fix usually brings
		// them back.
		return hclsyntax.ParseConfig(src, filename, hcl.InitialPos)
	}
	c.mu.Lock()
	c.files[filename] = next
	c.mu.Unlock()
	// An empty file's parse carries hclsyntax's navigation (Nav, which
	// diagnostics use to name the enclosing block) over its body: filling
	// that body in makes the file the whole-file parse.
	f, _ := hclsyntax.ParseConfig(nil, filename, hcl.InitialPos)
	body := f.Body.(*hclsyntax.Body)
	*body = hclsyntax.Body{
		Attributes: hclsyntax.Attributes{},
		Blocks:     blocks,
		SrcRange:   hcl.Range{Filename: filename, Start: first.SrcRange.Start, End: last.SrcRange.End},
		EndRange:   last.EndRange,
	}
	f.Bytes = src
	return f, nil
}

// retain forgets the files not in names (removed from the configuration).
func (c *ParseCache) retain(names map[string]bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for n := range c.files {
		if !names[n] {
			delete(c.files, n)
		}
	}
}

type piece struct {
	start hcl.Pos
	text  []byte
}

// pieces cuts src after every line that is a lone "}" (trailing spaces and
// a carriage return allowed).
func pieces(src []byte) []piece {
	var out []piece
	start := hcl.InitialPos
	line, from := 1, 0
	for i := 0; i < len(src); {
		end := bytes.IndexByte(src[i:], '\n')
		if end < 0 {
			break
		}
		end += i + 1 // just after the newline
		line++
		if bytes.Equal(bytes.TrimRight(src[i:end], " \t\r\n"), []byte("}")) {
			out = append(out, piece{start: start, text: src[from:end]})
			start = hcl.Pos{Line: line, Column: 1, Byte: end}
			from = end
		}
		i = end
	}
	if from < len(src) || len(out) == 0 {
		out = append(out, piece{start: start, text: src[from:]})
	}
	return out
}
