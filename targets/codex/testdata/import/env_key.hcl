credential "c1" {
  name     = "my-relay"
  api_type = "openai-compatible"
  base_url = "https://relay.example.com/api/coding/v3"
  api_key  = env("HUB_TEST_KEY_1")
}

target "codex" "default" {
  credential = credential.c1
  provider   = "my-relay"
  key_mode   = "env"
  key_env    = "MY_RELAY_API_KEY"
}
