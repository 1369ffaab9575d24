package yamledit

import (
	"fmt"

	"gopkg.in/yaml.v3"
)

// MaxDepth is how deeply mappings and sequences may nest, and MaxKeys how
// many keys one mapping may hold, in a file hub edits. No tool's settings
// come near either. They bound what a hostile file costs: yaml.v3 checks a
// mapping's keys for duplicates pairwise, so a mapping of n keys costs n²
// (300,000 keys took minutes); with MaxKeys the whole check is linear.
// MaxSize is the largest file: the node tree and yaml.v3's passes cost up
// to 180 times the file's size (a long sequence), and tools' YAML settings
// are a few KiB.
const (
	MaxDepth = 1000
	MaxKeys  = 1000
	MaxSize  = 1 << 20
)

// checkShape returns an error naming the line and column of the first
// mapping of more than MaxKeys keys or the first node nested deeper than
// MaxDepth under root. It visits each node once.
func checkShape(root *yaml.Node) error {
	type item struct {
		n     *yaml.Node
		depth int
	}
	stack := []item{{root, 1}}
	for len(stack) > 0 {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		n := it.n
		if n.Kind != yaml.MappingNode && n.Kind != yaml.SequenceNode {
			continue
		}
		if it.depth > MaxDepth {
			return fmt.Errorf("line %d, column %d: nested deeper than %d levels", n.Line, n.Column, MaxDepth)
		}
		if n.Kind == yaml.MappingNode && len(n.Content)/2 > MaxKeys {
			return fmt.Errorf("line %d, column %d: a mapping of %d keys, more than the %d hub edits", n.Line, n.Column, len(n.Content)/2, MaxKeys)
		}
		for _, c := range n.Content {
			stack = append(stack, item{c, it.depth + 1})
		}
	}
	return nil
}
