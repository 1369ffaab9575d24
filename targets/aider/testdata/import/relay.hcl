credential "c1" {
  api_type = "openai-compatible"
  base_url = "https://relay.example.com"
  api_key  = env("HUB_TEST_KEY_1")
}

credential "c2" {
  api_type = "anthropic"
  base_url = "https://api.anthropic.com"
  api_key  = env("HUB_TEST_KEY_2")
}

target "aider" "default" {
  credential = credential.c1
  model      = "deepseek/deepseek-chat"
  weak_model = "glm-4.6"
}
