credential "c1" {
  api_type = "google"
  base_url = "https://gemini.relay.example.com"
  api_key  = env("HUB_TEST_KEY_1")
}

target "gemini_cli" "default" {
  credential = credential.c1
  model      = "gemini-2.5-flash"
}
