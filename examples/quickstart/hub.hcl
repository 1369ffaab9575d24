# Quick start: one relay key, written into Claude Code and Codex.
#
# Try it from the repository root; it is harmless, since every target writes
# inside this directory (home/), never into your real ~/.claude or ~/.codex:
#
#   go run ./cmd/hub --chdir examples/quickstart plan
#   go run ./cmd/hub --chdir examples/quickstart apply --auto-approve
#
# For real use, export RELAY_KEY and drop the config_dir lines.

credential "relay" {
  name     = "Example relay"
  api_type = "openai-compatible"
  base_url = "https://relay.example.com/v1" # normalized to https://relay.example.com
  # The key comes from the environment; the placeholder keeps the example
  # runnable with no setup.
  api_key = env("RELAY_KEY", "sk-example-placeholder-key")
  tags    = ["example"]
}

target "claude_code" "default" {
  credential = credential.relay
  model      = "claude-sonnet-4-5"
  config_dir = "home/.claude" # relative to this directory
}

target "codex" "default" {
  credential = credential.relay
  model      = "gpt-5"
  key_mode   = "env" # config.toml names $RELAY_API_KEY instead of holding the key
  key_env    = "RELAY_API_KEY"
  config_dir = "home/.codex"
}
