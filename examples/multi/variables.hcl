# Values that differ between machines or people; set them with --var,
# --var-file, or HUB_VAR_<name> in the environment.

variable "work_relay_url" {
  description = "Base URL of the company relay (New API)"
  default     = "https://relay.corp.example.com/v1"
}

variable "work_relay_key" {
  description = "Key for the company relay"
  sensitive   = true
}

locals {
  claude_models = ["claude-sonnet-4-5", "claude-opus-4-1", "claude-haiku-4-5"]
  home          = "home" # everything this example writes stays under ./home
}
