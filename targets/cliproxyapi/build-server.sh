#!/usr/bin/env bash
# build-server.sh builds the real CLIProxyAPI server that realserver_test.go
# runs, once, into a cache directory, and prints the binary's path.
#
#   HUB_E2E_CACHE        cache directory (default $HOME/.cache/hub-e2e)
#   CLIPROXYAPI_VERSION  module version (default v6.10.0, the one checked)
#
# `go install ...@v6.10.0` is refused for this module, so it is fetched into
# a scratch module with `go get` and built from there. It needs the Go module
# proxy and takes a minute or two; an existing binary is reused. Neither the
# code nor the binary belongs in this repository.
set -euo pipefail

version=${CLIPROXYAPI_VERSION:-v6.10.0}
cache=${HUB_E2E_CACHE:-$HOME/.cache/hub-e2e}
bin=$cache/cliproxyapi-$version/cli-proxy-api

if [ -x "$bin" ]; then
	echo "$bin"
	exit 0
fi

mkdir -p "$(dirname "$bin")"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cd "$scratch"
go mod init hub-e2e/cliproxyapi >/dev/null 2>&1
go get "github.com/router-for-me/CLIProxyAPI/v6@$version" >&2
GOFLAGS="-mod=mod -buildvcs=false" go build -o "$bin.tmp" github.com/router-for-me/CLIProxyAPI/v6/cmd/server >&2
mv "$bin.tmp" "$bin"
echo "$bin"
