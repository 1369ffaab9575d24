credential "c1" {
  api_type = "anthropic"
  base_url = "https://relay.example.com/api"
  api_key  = env("HUB_TEST_KEY_1")
}

target "claude_code" "default" {
  credential  = credential.c1
  model       = "claude-sonnet-4-5"
  haiku_model = "claude-haiku-4-5"
}
