credential "c1" {
  api_type = "anthropic"
  base_url = "https://relay.example.com"
  api_key  = env("HUB_TEST_KEY_1")
}

target "claude_code" "default" {
  credential         = credential.c1
  model              = "claude-opus-4-1"
  keep_legacy_models = true
}
