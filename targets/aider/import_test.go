package aider_test

import (
	"strings"
	"testing"

	"github.com/hubctl/hub/targets/targettest"
)

// aider's sample file (testdata/realistic_config.txtar) filled in for a
// relay's OpenAI endpoint, with an Anthropic key beside it.
const realConf = `##########################################################
# Sample .aider.conf.yml
# Place in your home dir, or at the root of your git repo.
##########################################################

## Specify the model to use for the main chat
model: openai/deepseek/deepseek-chat   # default

## Specify the model to use for commit messages and chat history summarization (default depends on --model)
weak-model: openai/glm-4.6

## Specify the OpenAI API key
openai-api-key: sk-test-aider-import-0001

## Specify the api base url
openai-api-base: https://relay.example.com/v1

## Specify the Anthropic API key
anthropic-api-key: sk-ant-test-aider-import-0002

## Add a model alias (can be used multiple times)
alias:
  - "fast:gpt-4o-mini"

dark-mode: true
auto-commits: false
`

func TestImportRelay(t *testing.T) {
	home := t.TempDir()
	targettest.WriteFiles(t, home, map[string]string{".aider.conf.yml": realConf})
	src, found := targettest.Import(t, "aider", home, nil)
	if len(found) != 2 || found[0].NoBlock || !found[1].NoBlock {
		t.Fatalf("found %+v", found)
	}
	targettest.CheckCreds(t, found[0].Credentials, targettest.WantCred{APIType: "openai-compatible", BaseURL: "https://relay.example.com", Key: "sk-test-aider-import-0001"})
	targettest.CheckCreds(t, found[1].Credentials, targettest.WantCred{APIType: "anthropic", BaseURL: "https://api.anthropic.com", Key: "sk-ant-test-aider-import-0002"})
	targettest.Warned(t, found[1].Warnings, "the anthropic key is not the one aider's model uses")
	targettest.GoldenFile(t, "testdata/import/relay.hcl", src)
}

func TestImportAnthropicRelay(t *testing.T) {
	home := t.TempDir()
	targettest.WriteFiles(t, home, map[string]string{"conf/.aider.conf.yml": `# mine
auto-commits: false
set-env:
  - ANTHROPIC_API_BASE=https://claude-relay.example.com

model: anthropic/claude-opus-4-1
weak-model: claude-haiku-4-5
editor-model: anthropic/claude-sonnet-4-5
anthropic-api-key: sk-ant-test-aider-import-0003
`})
	// HOME is conf here.
	src, found := targettest.Import(t, "aider", home+"/conf", nil)
	if len(found) != 1 || found[0].NoBlock {
		t.Fatalf("found %+v", found)
	}
	targettest.CheckCreds(t, found[0].Credentials, targettest.WantCred{APIType: "anthropic", BaseURL: "https://claude-relay.example.com", Key: "sk-ant-test-aider-import-0003"})
	// weak-model without its prefix: hub would add it, so it is left out.
	targettest.Warned(t, found[0].Warnings, `weak-model is "claude-haiku-4-5"`)
	targettest.GoldenFile(t, "testdata/import/anthropic_relay.hcl", src)
}

func TestImportGemini(t *testing.T) {
	home := t.TempDir()
	targettest.WriteFiles(t, home, map[string]string{".aider.conf.yml": "model: gemini/gemini-2.5-pro\napi-key:\n  - gemini=sk-test-aider-import-0004\n"})
	src, found := targettest.Import(t, "aider", home, nil)
	if len(found) != 1 || found[0].NoBlock {
		t.Fatalf("found %+v", found)
	}
	targettest.CheckCreds(t, found[0].Credentials, targettest.WantCred{APIType: "google", BaseURL: "https://generativelanguage.googleapis.com", Key: "sk-test-aider-import-0004"})
	targettest.GoldenFile(t, "testdata/import/gemini.hcl", src)
}

func TestImportNothing(t *testing.T) {
	for name, files := range map[string]map[string]string{
		"no file": nil,
		"no key":  {".aider.conf.yml": "model: gpt-4o\ndark-mode: true\n"},
	} {
		home := t.TempDir()
		targettest.WriteFiles(t, home, files)
		found, err := targettest.ImportOnly(t, "aider", home, nil)
		if err != nil || len(found) != 0 {
			t.Errorf("%s: %+v, %v; want nothing", name, found, err)
		}
	}
}

func TestImportInexact(t *testing.T) {
	for name, c := range map[string]struct{ conf, warn string }{
		"no base":              {"openai-api-key: sk-test-aider-import-0005\n", "has no openai-api-base"},
		"base without v1":      {"openai-api-key: sk-test-aider-import-0005\nopenai-api-base: https://relay.example.com/openai\n", "which hub would write as https://relay.example.com/openai/v1"},
		"gemini beside others": {"model: gemini/gemini-2.5-pro\napi-key:\n  - gemini=sk-test-aider-import-0005\n  - deepseek=sk-test-aider-other-0006\n", "api-key holds other entries"},
	} {
		home := t.TempDir()
		targettest.WriteFiles(t, home, map[string]string{".aider.conf.yml": c.conf})
		found, err := targettest.ImportOnly(t, "aider", home, nil)
		if err != nil || len(found) != 1 || !found[0].NoBlock || len(found[0].Credentials) != 1 || len(found[0].Attrs) > 0 {
			t.Fatalf("%s: found %+v, %v; want the credential alone", name, found, err)
		}
		if found[0].Credentials[0].Key.Reveal() != "sk-test-aider-import-0005" {
			t.Errorf("%s: wrong key", name)
		}
		targettest.Warned(t, found[0].Warnings, c.warn)
	}
}

func TestImportBroken(t *testing.T) {
	home := t.TempDir()
	targettest.WriteFiles(t, home, map[string]string{".aider.conf.yml": "model: gpt-4o\nopenai-api-key: [unclosed\n"})
	_, err := targettest.ImportOnly(t, "aider", home, nil)
	if err == nil || !strings.Contains(err.Error(), ".aider.conf.yml: ") || !strings.Contains(err.Error(), "line") {
		t.Fatalf("error %v; want one naming .aider.conf.yml and the line", err)
	}
}
