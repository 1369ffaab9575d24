credential "c1" {
  name     = "Relay"
  api_type = "openai-compatible"
  base_url = "https://relay.example.com"
  api_key  = env("HUB_TEST_KEY_1")
  models   = ["deepseek-chat"]
}

credential "c2" {
  name     = "Gemini"
  api_type = "google"
  base_url = "https://generativelanguage.googleapis.com"
  api_key  = env("HUB_TEST_KEY_2")
  models   = ["gemini-2.5-pro"]
}

target "continue" "default" {
  credentials = [credential.c1, credential.c2]
  key_mode    = "env"
  key_env = {
    c1 = "RELAY_KEY"
    c2 = "GEMINI_API_KEY"
  }
}
