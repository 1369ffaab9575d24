credential "c1" {
  name     = "Company relay"
  api_type = "openai-compatible"
  base_url = "https://relay.example.com"
  api_key  = env("HUB_TEST_KEY_1")
  models   = ["kimi-k2", "glm-4.6"]
}

target "qwen_code" "default" {
  credential = credential.c1
  model      = "glm-4.6"
  key_env    = "RELAY_API_KEY"
}
