credential "c1" {
  api_type = "anthropic"
  base_url = "https://claude-relay.example.com"
  api_key  = env("HUB_TEST_KEY_1")
}

target "aider" "default" {
  credential   = credential.c1
  model        = "claude-opus-4-1"
  editor_model = "claude-sonnet-4-5"
}
