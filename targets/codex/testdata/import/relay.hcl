credential "c1" {
  name     = "Company relay"
  api_type = "openai-compatible"
  base_url = "https://relay.example.com"
  api_key  = env("HUB_TEST_KEY_1")
}

credential "c2" {
  name     = "Azure"
  api_type = "openai-compatible"
  base_url = "https://example.openai.azure.com/openai"
  api_key  = env("HUB_TEST_KEY_2")
}

target "codex" "default" {
  credential = credential.c1
  provider   = "relay"
  model      = "gpt-5-codex"
}
