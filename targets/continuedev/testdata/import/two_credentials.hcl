credential "c1" {
  name     = "Relay"
  api_type = "openai-compatible"
  base_url = "https://relay.example.com"
  api_key  = env("HUB_TEST_KEY_1")
  models   = ["deepseek-chat", "qwen3-coder"]
}

credential "c2" {
  name     = "Claude"
  api_type = "anthropic"
  base_url = "https://api.anthropic.com"
  api_key  = env("HUB_TEST_KEY_2")
  models   = ["claude-sonnet-4-5"]
}

credential "c3" {
  api_type = "anthropic"
  base_url = "https://api.anthropic.com"
  api_key  = env("HUB_TEST_KEY_3")
}

target "continue" "default" {
  credentials = [credential.c1, credential.c2]
  roles       = ["chat", "edit", "apply"]
}
