package config_test

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/hubctl/hub/engine/config"
)

// TestLoadWithCache: loads through a ParseCache give the same configuration
// and the same diagnostics as loads without, as the files change.
func TestLoadWithCache(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	env := map[string]string{"HOME": dir, "RELAY_KEY": "sk-test-cache-load-1"}
	cache := config.NewParseCache()
	check := func(step string) {
		t.Helper()
		plain, pd := config.Load(config.Options{Dir: dir, Env: env})
		cached, cd := config.Load(config.Options{Dir: dir, Env: env, Cache: cache})
		if fmt.Sprint(pd) != fmt.Sprint(cd) {
			t.Errorf("%s: diagnostics\n got %v\nwant %v", step, cd, pd)
		}
		// Info.New is a func, which DeepEqual never finds equal: compare
		// without it.
		for _, c := range []*config.Config{plain, cached} {
			for _, t := range c.Targets {
				t.Info.New = nil
			}
		}
		if !reflect.DeepEqual(cached, plain) {
			pv, cv := reflect.ValueOf(plain).Elem(), reflect.ValueOf(cached).Elem()
			for i := 0; i < pv.NumField(); i++ {
				if !reflect.DeepEqual(pv.Field(i).Interface(), cv.Field(i).Interface()) {
					t.Errorf("%s: the configurations differ in %s", step, pv.Type().Field(i).Name)
				}
			}
		}
	}
	write("a.hcl", good)
	write("b.hcl", "credential \"other\" {\n  api_type = \"anthropic\"\n  base_url = \"https://api.anthropic.com\"\n  api_key  = env(\"RELAY_KEY\")\n}\n")
	check("first")
	check("unchanged")
	write("a.hcl", strings.Replace(good, `upper(var.model)`, `lower(var.model)`, 1))
	check("edited")
	write("a.hcl", good+"\ntarget \"codex\" \"x\" {\n  credential = credential.nope\n}\n")
	check("bad reference")
	write("a.hcl", good+"\ntarget \"codex\" {\n")
	check("syntax error")
	os.Remove(filepath.Join(dir, "b.hcl"))
	check("file removed")
}
