package ccswitch

import (
	"strings"
	"testing"

	"github.com/hubctl/hub/targets"
	"github.com/hubctl/hub/targets/targettest"
)

// TestBlock: the block's attributes decode through hub's loader, config_dir
// moves both files, and Validate names what is wrong.
func TestBlock(t *testing.T) {
	creds := []targettest.Cred{{ID: "relay", APIType: "anthropic", BaseURL: "https://relay.example.com", Key: "sk-test-ccs-block-0000000001"}}
	_, tg, invalid := targettest.Load(t, Type, []byte("apps = [\"claude\"]\ncurrent = true\nconfig_dir = \"~/ccs\"\n"), creds, map[string]string{"HOME": "/home/u"})
	if len(invalid) > 0 {
		t.Fatal(invalid)
	}
	impl := tg.Impl.(*Target)
	if !impl.Current || len(impl.Apps) != 1 {
		t.Errorf("decoded %+v", impl)
	}
	files, err := impl.Files(targets.Env{Vars: map[string]string{"HOME": "/home/u"}, Dir: "/home/u"})
	if err != nil || strings.Join(files, " ") != "/home/u/ccs/cc-switch.db /home/u/ccs/settings.json" {
		t.Errorf("Files = %v, %v", files, err)
	}
	if !impl.IsRemote(files[0]) || impl.IsRemote(files[1]) {
		t.Error("IsRemote: the database is remote, settings.json a file")
	}
	_, _, invalid = targettest.Load(t, Type, []byte("apps = [\"opencode\", \"codex\"]\n"), creds, map[string]string{"HOME": "/home/u"})
	got := ""
	for _, e := range invalid {
		got += e.Error() + "\n"
	}
	for _, want := range []string{`"opencode" is not an app hub writes`, `credential "relay" (api_type "anthropic") fits none of the apps opencode, codex`} {
		if !strings.Contains(got, want) {
			t.Errorf("Validate lacks %q:\n%s", want, got)
		}
	}
}
