#!/usr/bin/env bash
# need.sh CMD:PACKAGE...: installs, with apt-get, the Debian package of each
# command that is not on the PATH (the tests run git and ssh-keygen). As root
# (as CI runs) it installs; otherwise it says what to install and fails.
set -euo pipefail
missing=()
for pair in "$@"; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "make: the tests need ${missing[*]}; install them: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 ||
  { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}"; }
