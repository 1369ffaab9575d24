credential "c1" {
  api_type = "google"
  base_url = "https://generativelanguage.googleapis.com"
  api_key  = env("HUB_TEST_KEY_1")
}

target "aider" "default" {
  credential = credential.c1
  model      = "gemini-2.5-pro"
}
