# Work sessions use the company relay; the personal Claude Code profile uses
# the official key; Codex runs on the company relay without the key on disk.

target "claude_code" "work" {
  credential  = credential.work
  model       = local.claude_models[0]
  opus_model  = local.claude_models[1]
  haiku_model = local.claude_models[2]
  config_dir  = "${local.home}/.claude"
}

target "claude_code" "personal" {
  credential = credential.anthropic
  key_env    = "ANTHROPIC_API_KEY"              # official keys go in ANTHROPIC_API_KEY
  config_dir = "${local.home}/.claude-personal" # run with CLAUDE_CONFIG_DIR=~/.claude-personal
}

target "codex" "work" {
  credential = credential.work
  model      = "gpt-5-codex"
  key_mode   = "env"
  key_env    = "WORK_RELAY_KEY"
  config_dir = "${local.home}/.codex"
}

target "codex" "cheap" {
  credential = credential.cheap
  model      = "gpt-5-mini"
  config_dir = "${local.home}/.codex-cheap" # CODEX_HOME=~/.codex-cheap codex
}
