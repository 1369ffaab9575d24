# Every tool hub writes, from three credentials. Everything lands under ./home,
# ./cliproxy and ./litellm, so this is safe to apply:
#
#   go run ./cmd/hub --chdir examples/all-tools plan

credential "relay" {
  name     = "Team relay (New API)"
  api_type = "openai-compatible"
  base_url = "https://relay.example.com"
  api_key  = env("RELAY_KEY", "sk-example-relay-key")
  models   = ["claude-sonnet-4-5", "gpt-5", "gpt-5-mini"]
}

credential "claude" {
  name     = "Anthropic"
  api_type = "anthropic"
  base_url = "https://api.anthropic.com"
  api_key  = env("ANTHROPIC_KEY", "sk-example-anthropic-key")
  models   = ["claude-sonnet-4-5"]
}

credential "gemini" {
  name     = "Google AI Studio"
  api_type = "google"
  base_url = "https://generativelanguage.googleapis.com/v1beta"
  api_key  = env("GEMINI_KEY", "sk-example-gemini-key")
  models   = ["gemini-2.5-pro"]
}

target "claude_code" "default" {
  credential = credential.relay
  model      = "claude-sonnet-4-5"
  config_dir = "home/.claude"
}

target "codex" "default" {
  credential = credential.relay
  model      = "gpt-5"
  key_mode   = "env"
  config_dir = "home/.codex"
}

target "gemini_cli" "default" {
  credential      = credential.gemini
  model           = "gemini-2.5-pro"
  trusted_folders = ["home/src"]
  config_dir      = "home/.gemini"
}

target "opencode" "default" {
  credentials = [credential.relay, credential.claude]
  model       = "relay/gpt-5"
  small_model = "relay/gpt-5-mini"
  config_dir  = "home/.config/opencode"
}

target "kilo" "default" {
  credentials = [credential.relay]
  model       = "relay/claude-sonnet-4-5"
  config_dir  = "home/.config/kilo"
}

target "claude_code_router" "default" {
  credentials = [credential.relay, credential.claude]
  key_mode    = "env"
  config_dir  = "home/.claude-code-router"

  router {
    default    = "relay,gpt-5"
    background = "relay,gpt-5-mini"
    think      = "claude,claude-sonnet-4-5"
  }
}

target "cliproxyapi" "local" {
  credentials = [credential.relay, credential.claude, credential.gemini]
  config_file = "cliproxy/config.yaml"
}

target "qwen_code" "default" {
  credential = credential.relay
  model      = "gpt-5"
  config_dir = "home/.qwen"
}

target "litellm" "proxy" {
  credentials   = [credential.relay, credential.claude, credential.gemini]
  prefix_models = true
  key_mode      = "env"
  config_file   = "litellm/config.yaml"
}

target "continue" "default" {
  credentials = [credential.relay, credential.claude]
  key_mode    = "env"
  config_dir  = "home/.continue"
}

target "aider" "default" {
  credential = credential.relay
  model      = "gpt-5"
  config_dir = "home"
}
