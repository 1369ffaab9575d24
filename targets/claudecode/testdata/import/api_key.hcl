credential "c1" {
  api_type = "anthropic"
  base_url = "https://api.anthropic.com"
  api_key  = env("HUB_TEST_KEY_1")
}

target "claude_code" "default" {
  credential   = credential.c1
  key_env      = "ANTHROPIC_API_KEY"
  sonnet_model = "claude-sonnet-4-5"
  opus_model   = "claude-opus-4-1"
}
