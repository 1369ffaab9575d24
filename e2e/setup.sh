#!/usr/bin/env bash
# Installs the real AI tools that hub's end-to-end suite (e2e/e2e_test.go)
# drives, at pinned versions, into a cache directory kept between runs:
#
#   $HUB_E2E_CACHE (default $HOME/.cache/hub-e2e)
#     npm/              npm install --prefix of the pinned packages below
#     opencode-config/  what opencode installs into ~/.config/opencode on
#                       its first run; the suite copies it into each HOME
#     versions.txt      what each tool printed for its version
#
# opencode 1.18.33 bundles @ai-sdk/openai-compatible (it is not fetched on
# first use, whatever older notes say). What it does fetch, on every start
# until it is there, is @opencode-ai/plugin at its own version, with npm,
# into its config directory (package.json, package-lock.json, node_modules).
# Offline that fails and the run goes on, but the run first waits for the
# attempt; with the package in place there is no attempt at all.
#
# The versions are the ones each target's package doc names as checked;
# change them in pins below (and in those docs) and rerun. There is no lock
# file: every pin is exact, and each tool pins its own platform binary
# exactly, so only a few native helpers of gemini-cli (node-pty, keytar)
# float. (A lock file was tried: npm cannot write one that `npm ci` accepts,
# because opencode-ai names platform packages the registry lacks at 1.18.33.)
#
# Usage: e2e/setup.sh
#
# Needs node and npm, and the npm registry. Quiet when all is well; on a
# failure it prints npm's own error and exits non-zero. A second run with
# nothing to do takes about a second.
set -euo pipefail

cache=${HUB_E2E_CACHE:-$HOME/.cache/hub-e2e}
npmdir=$cache/npm

# The pins, also checked after installing: package, binary, version, and the
# argument that makes the binary print its version.
pins=(
  "@anthropic-ai/claude-code claude 2.1.328 --version"
  "@openai/codex codex 0.169.0 --version"
  "@google/gemini-cli gemini 0.61.0 --version"
  "opencode-ai opencode 1.18.33 --version"
  "@musistudio/claude-code-router ccr 2.0.0 version"
  "@kilocode/cli kilo 7.7.7 --version"
  "@qwen-code/qwen-code qwen 0.24.4 --version"
)
ocdir=$cache/opencode-config
oc_version=1.18.33 # @opencode-ai/plugin goes with opencode-ai's version

die() { echo "e2e/setup.sh: $*" >&2; exit 1; }

command -v node >/dev/null || die "node is not installed (the tools need node 20 or later)"
command -v npm >/dev/null || die "npm is not installed"

[ $# = 0 ] || die "no arguments expected (usage: e2e/setup.sh)"

log=$(mktemp)
scratch=$(mktemp -d)
trap 'rm -rf "$log" "$scratch"' EXIT

# run DESCRIPTION CMD...: runs quietly, shows the command's output on failure.
run() {
  local what=$1; shift
  if ! "$@" >"$log" 2>&1; then
    echo "e2e/setup.sh: $what failed: $*" >&2
    cat "$log" >&2
    exit 1
  fi
}

# Tools must not touch the real HOME while we check them.
tool_env=(env HOME="$scratch/home" XDG_CONFIG_HOME="$scratch/home/.config"
  XDG_CACHE_HOME="$scratch/home/.cache" XDG_DATA_HOME="$scratch/home/.local/share"
  XDG_STATE_HOME="$scratch/home/.local/state"
  DISABLE_AUTOUPDATER=1 DISABLE_TELEMETRY=1 CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1
  OPENCODE_DISABLE_AUTOUPDATE=1 NO_UPDATE_NOTIFIER=1 npm_config_update_notifier=false)
mkdir -p "$scratch/home"
limit=()
command -v timeout >/dev/null && limit=(timeout 120) # not on stock macOS

installed_version() { # package [prefix] → version in node_modules, or empty
  local pj=${2:-$npmdir}/node_modules/$1/package.json
  [ -f "$pj" ] && node -p "require(process.argv[1]).version" "$pj" 2>/dev/null || true
}

tools_ok() { # installed at the pinned versions, and checked (versions.txt)
  local p
  for p in "${pins[@]}"; do
    set -- $p
    [ "$(installed_version "$1")" = "$3" ] || return 1
    [ -x "$npmdir/node_modules/.bin/$2" ] || return 1
  done
  [ -f "$cache/versions.txt" ]
}

if ! tools_ok; then
  rm -f "$cache/versions.txt"
  mkdir -p "$npmdir"
  specs=()
  for p in "${pins[@]}"; do
    set -- $p
    specs+=("$1@$3")
  done
  run "npm install" npm install --prefix "$npmdir" --save-exact --no-audit --no-fund \
    --loglevel=error "${specs[@]}"

  : >"$cache/versions.txt.new"
  for p in "${pins[@]}"; do
    set -- $p
    got=$(installed_version "$1")
    [ "$got" = "$3" ] || die "$1: installed ${got:-nothing}, want $3"
    bin=$npmdir/node_modules/.bin/$2
    [ -x "$bin" ] || die "$1: no binary $bin after npm install"
    if ! out=$(cd "$scratch" && ${limit[@]+"${limit[@]}"} "${tool_env[@]}" "$bin" "$4" 2>&1); then
      echo "e2e/setup.sh: $2 $4 failed:" >&2
      echo "$out" >&2
      exit 1
    fi
    printf '%s@%s\t%s\n' "$1" "$3" "$(echo "$out" | tail -n1)" >>"$cache/versions.txt.new"
  done
  mv "$cache/versions.txt.new" "$cache/versions.txt"
fi

# opencode's first-run install, done the way it does it (see above).
if [ "$(installed_version @opencode-ai/plugin "$ocdir")" != "$oc_version" ]; then
  rm -rf "$ocdir"
  mkdir -p "$ocdir"
  printf '{\n  "dependencies": {\n    "@opencode-ai/plugin": "%s"\n  }\n}\n' "$oc_version" >"$ocdir/package.json"
  run "npm install @opencode-ai/plugin" npm install --prefix "$ocdir" --no-audit --no-fund --loglevel=error
fi
