# Four credentials: two official keys, the company relay and a cheap personal
# relay. Keys come from the environment or variables, never from this file.

credential "anthropic" {
  name     = "Anthropic (official)"
  api_type = "anthropic"
  base_url = "https://api.anthropic.com"
  api_key  = env("ANTHROPIC_OFFICIAL_KEY")
  tags     = ["official", "personal"]
}

credential "openai" {
  name     = "OpenAI (official)"
  api_type = "openai"
  base_url = "https://api.openai.com/v1"
  api_key  = env("OPENAI_OFFICIAL_KEY")
  tags     = ["official"]
  # Official OpenAI keys cannot read their balance (the billing endpoints want
  # a browser session), so hub refresh reads only models and health.
  usage { method = "disabled" }
}

credential "work" {
  name     = "Company relay"
  api_type = "openai-compatible"
  base_url = var.work_relay_url
  api_key  = var.work_relay_key
  tags     = ["work"]
  notes    = "Read-only key; ask #platform for a new one"
  models   = concat(local.claude_models, ["gpt-5", "gpt-5-codex"])
  usage { method = "newapi" }
}

credential "cheap" {
  name     = "Personal relay"
  api_type = "openai-compatible"
  base_url = "relay.cheap.example.net/api/v1/chat/completions" # pasted from a dashboard
  api_key  = file("keys/cheap.key")                            # kept out of git
  tags     = ["personal"]
  # This relay shows the balance on its own read-only endpoint.
  usage {
    method     = "custom"
    endpoint   = "/api/user/balance"
    balance    = "data.balance_usd"
    today_cost = "data.today.cost_usd"
  }
}
