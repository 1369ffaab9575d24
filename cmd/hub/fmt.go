package main

import (
	"bytes"
	"fmt"
	"path/filepath"
	"sort"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/spf13/cobra"

	"github.com/hubctl/hub/engine/system"
	"github.com/hubctl/hub/views"
)

func (a *app) fmtCommand() *cobra.Command {
	var check, diff bool
	c := &cobra.Command{
		Use:   "fmt [FILE...]",
		Short: "Rewrite configuration files in canonical format",
		Long: `Rewrite *.hcl files in the canonical HCL style (aligned =, two-space
indent), as terraform fmt does. Without FILE, every *.hcl file of the
configuration directory.

With --check nothing is written: files that need formatting are listed and
hub exits 3. With --diff the changes are shown as a unified diff.`,
		Example: "  hub fmt\n  hub fmt --check --diff",
		RunE: func(c *cobra.Command, args []string) error {
			names := args
			if len(names) == 0 {
				var err error
				names, err = filepath.Glob(filepath.Join(a.dir(), "*.hcl"))
				if err != nil {
					return err
				}
				sort.Strings(names)
			}
			view := views.NewFmt(a.view())
			parser := hclparse.NewParser()
			var diags hcl.Diagnostics
			var unformatted []string
			for _, name := range names {
				src, err := system.ReadFile(a.ctx, name)
				if err != nil {
					return fmt.Errorf("read %s: %w", name, err)
				}
				if _, d := parser.ParseHCL(src, name); d.HasErrors() {
					diags = append(diags, d...)
					continue
				}
				out := hclwrite.Format(src)
				if bytes.Equal(out, src) {
					continue
				}
				unformatted = append(unformatted, name)
				if diff {
					view.Diff(name, string(src), string(out))
				}
				if check {
					continue
				}
				if err := (system.OS{}).WriteFile(name, out, 0o644); err != nil {
					return err
				}
				if !diff {
					view.File(name)
				}
			}
			if len(diags) > 0 {
				view.Diagnostics(diags, parser.Files())
				a.hint("fix the syntax errors above; hub fmt formats only files that parse")
				return reported(1)
			}
			if check && len(unformatted) > 0 {
				if !diff {
					for _, n := range unformatted {
						view.File(n)
					}
				}
				return reported(3)
			}
			return nil
		},
	}
	c.Flags().BoolVar(&check, "check", false, "write nothing; list files that need formatting and exit 3 if any")
	c.Flags().BoolVar(&diff, "diff", false, "show the formatting changes as a unified diff")
	return c
}
