#!/usr/bin/env bash
# Real WebDAV servers for the state store's tests (issue 4): `rclone serve
# webdav` and Apache 2.4 with mod_dav_fs, both on 127.0.0.1 only, with basic
# auth (user hub, a password generated when the servers are first started).
#
#   scripts/webdav-servers.sh start            install what is missing, start both
#   scripts/webdav-servers.sh env              print `export HUB_WEBDAV_...` lines
#   scripts/webdav-servers.sh stop             stop both, remove their files
#   scripts/webdav-servers.sh stop-one NAME    stop rclone or apache, keep its data
#   scripts/webdav-servers.sh start-one NAME   start it again, same port and data
#   scripts/webdav-servers.sh status           say what runs where
#
# Typical use: scripts/webdav-servers.sh start && eval "$(scripts/webdav-servers.sh env)".
# Everything lives in $HUB_WEBDAV_STATE_DIR (default /tmp/hub-webdav-servers-<uid>).
# Quiet on success; on failure it says what failed with the server's log tail.
# Installing needs root (apt-get); CI runs as root on Debian 12.
set -euo pipefail

STATE=${HUB_WEBDAV_STATE_DIR:-${TMPDIR:-/tmp}/hub-webdav-servers-$(id -u)}
USER_NAME=hub
SELF=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")
APACHE_BIN=/usr/sbin/apache2
APACHE_MODS=/usr/lib/apache2/modules

die() {
  echo "webdav-servers: $*" >&2
  exit 1
}

# tail_log FILE: the last lines of a server's log, for a failure message.
tail_log() {
  [ -s "$1" ] || return 0
  echo "--- last lines of $1:" >&2
  tail -n 25 "$1" >&2
  echo "---" >&2
}

is_root() { [ "$(id -u)" = 0 ]; }

# ---------------------------------------------------------------- install

install_missing() {
  local need=()
  command -v rclone >/dev/null || need+=(rclone)
  [ -x "$APACHE_BIN" ] && [ -e "$APACHE_MODS/mod_dav_fs.so" ] || need+=(apache2)
  command -v htpasswd >/dev/null || need+=(apache2-utils)
  [ ${#need[@]} -eq 0 ] && return 0
  is_root || die "missing ${need[*]}; install them (apt-get install ${need[*]}) or run this as root"
  mkdir -p "$STATE"
  local log=$STATE/apt.log
  # apache2's postinst would start the system Apache on *:80; keep it from
  # starting anything while we install (Docker images already do this).
  local policy=/usr/sbin/policy-rc.d made_policy=""
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && made_policy=1
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  local ok=""
  export DEBIAN_FRONTEND=noninteractive
  if apt-get install -y -qq --no-install-recommends "${need[@]}" >"$log" 2>&1; then
    ok=1
  elif apt-get update -qq >>"$log" 2>&1 &&
    apt-get install -y -qq --no-install-recommends "${need[@]}" >>"$log" 2>&1; then
    ok=1
  fi
  if [ -n "$made_policy" ]; then
    rm -f "$policy"
    trap - EXIT
  fi
  if [ -z "$ok" ]; then
    tail_log "$log"
    die "apt-get install ${need[*]} failed"
  fi
  # Nor at the next boot: the only Apache wanted here is ours, on 127.0.0.1.
  if [[ " ${need[*]} " == *" apache2 "* ]] && command -v systemctl >/dev/null; then
    systemctl disable --quiet apache2 apache-htcacheclean >/dev/null 2>&1 || true
  fi
}

# ---------------------------------------------------------------- helpers

# port_in_use PORT: something accepts connections on 127.0.0.1:PORT.
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

free_port() {
  local p i
  for i in $(seq 1 50); do
    p=$((20000 + (RANDOM * 32768 + RANDOM) % 12000)) # below the ephemeral range
    port_in_use "$p" || {
      echo "$p"
      return 0
    }
  done
  die "no free port found on 127.0.0.1"
}

# http_status PORT PATH [AUTH]: the status code of a PROPFIND (Depth 0), or
# nothing if the server does not answer. (Not OPTIONS: rclone answers it
# without asking for the password, for CORS.)
http_status() (
  port=$1 path=$2 auth=${3:-} line=""
  exec 2>/dev/null
  exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 0
  {
    printf 'PROPFIND %s HTTP/1.0\r\nHost: 127.0.0.1:%s\r\nDepth: 0\r\nContent-Length: 0\r\n' "$path" "$port"
    if [ -n "$auth" ]; then printf 'Authorization: Basic %s\r\n' "$auth"; fi
    printf '\r\n'
  } >&3
  IFS= read -r -t 5 line <&3 || true
  line=${line%$'\r'}
  case $line in HTTP/1.?\ [0-9][0-9][0-9]*) echo "${line:9:3}" ;; esac
)

password() { cat "$STATE/password"; }

auth_b64() { printf '%s:%s' "$USER_NAME" "$(password)" | base64 -w0; }

# alive NAME: its recorded process is running and is ours (pid files can
# outlive a process and its number can be reused).
alive() {
  local pid cmd
  pid=$(pid_of "$1") || return 1
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
  cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
  [[ $cmd == *"$STATE/$1"* ]]
}

pid_of() {
  case $1 in
  rclone) cat "$STATE/rclone/pid" 2>/dev/null ;;
  apache) cat "$STATE/apache/run/httpd.pid" 2>/dev/null ;;
  esac
}

url_of() {
  local port
  port=$(cat "$STATE/$1/port")
  case $1 in
  rclone) echo "http://127.0.0.1:$port/" ;;
  apache) echo "http://127.0.0.1:$port/dav/" ;;
  esac
}

path_of() {
  case $1 in
  rclone) echo / ;;
  apache) echo /dav/ ;;
  esac
}

log_of() {
  case $1 in
  rclone) echo "$STATE/rclone/rclone.log" ;;
  apache) echo "$STATE/apache/error.log" ;;
  esac
}

# ---------------------------------------------------------------- setup

# init_state: the state dir, the per-run password and the htpasswd file.
init_state() {
  if [ -s "$STATE/password" ] && [ -s "$STATE/htpasswd" ]; then
    return 0
  fi
  # 0711: Apache's workers (www-data when we are root) must pass through.
  mkdir -p "$STATE"
  chmod 711 "$STATE"
  (
    umask 077
    head -c 30 /dev/urandom | base64 -w0 | tr -dc 'A-Za-z0-9' >"$STATE/password"
  )
  # -i reads the password from stdin, so it never shows in ps.
  htpasswd -ci "$STATE/htpasswd" "$USER_NAME" <"$STATE/password" >"$STATE/htpasswd.log" 2>&1 ||
    {
      tail_log "$STATE/htpasswd.log"
      die "htpasswd failed"
    }
  chmod 640 "$STATE/htpasswd"
  is_root && chgrp www-data "$STATE/htpasswd"
  echo "$USER_NAME" >"$STATE/user"
}

write_apache_conf() {
  local d=$STATE/apache port=$1
  mkdir -p "$d/run" "$d/dav" "$d/lock"
  chmod 711 "$d"
  local user_lines=""
  if is_root; then
    # Apache will not run its workers as root: they run as www-data, which
    # owns the served directory and the DAV lock database.
    user_lines=$'User www-data\nGroup www-data'
    chown www-data:www-data "$d/dav" "$d/lock"
  fi
  cat >"$d/httpd.conf" <<EOF
# Generated by scripts/webdav-servers.sh; not the system Apache.
ServerRoot "$d"
ServerName 127.0.0.1
Listen 127.0.0.1:$port
PidFile "$d/run/httpd.pid"
DefaultRuntimeDir "$d/run"
ErrorLog "$d/error.log"
LogLevel warn
$user_lines
LoadModule mpm_event_module $APACHE_MODS/mod_mpm_event.so
LoadModule authn_core_module $APACHE_MODS/mod_authn_core.so
LoadModule authn_file_module $APACHE_MODS/mod_authn_file.so
LoadModule authz_core_module $APACHE_MODS/mod_authz_core.so
LoadModule authz_user_module $APACHE_MODS/mod_authz_user.so
LoadModule auth_basic_module $APACHE_MODS/mod_auth_basic.so
LoadModule alias_module $APACHE_MODS/mod_alias.so
LoadModule dav_module $APACHE_MODS/mod_dav.so
LoadModule dav_fs_module $APACHE_MODS/mod_dav_fs.so
LogFormat "%h %u \"%r\" %>s %b" common
CustomLog "$d/access.log" common
StartServers 1
ServerLimit 4
ThreadsPerChild 25
MaxRequestWorkers 100
Timeout 30
KeepAliveTimeout 5
DavLockDB "$d/lock/DavLock"
<Directory />
  AllowOverride None
  Require all denied
</Directory>
Alias /dav "$d/dav"
<Directory "$d/dav">
  Require all denied
</Directory>
<Location /dav>
  Dav On
  AuthType Basic
  AuthName "hub webdav test"
  AuthBasicProvider file
  AuthUserFile "$STATE/htpasswd"
  Require valid-user
</Location>
EOF
}

# wait_up NAME PORT: the server answers PROPFIND with 207 given the password
# and 401 without it; fails loudly with its log tail otherwise.
wait_up() {
  local name=$1 port=$2 path i code="" noauth=""
  path=$(path_of "$name")
  for i in $(seq 1 100); do
    code=$(http_status "$port" "$path" "$(auth_b64)")
    [ "$code" = 207 ] && break
    alive "$name" || break
    sleep 0.1
  done
  if [ "$code" != 207 ]; then
    tail_log "$(log_of "$name")"
    die "$name did not come up on 127.0.0.1:$port (PROPFIND $path: ${code:-no answer})"
  fi
  noauth=$(http_status "$port" "$path")
  if [ "$noauth" != 401 ]; then
    stop_one "$name"
    die "$name on 127.0.0.1:$port answers $noauth without a password; refusing to run it"
  fi
}

# start_one NAME: start it on its recorded port (start-one after stop-one) or
# on a free one.
start_one() {
  local name=$1 port try
  alive "$name" && return 0
  for try in 1 2 3; do
    if [ -s "$STATE/$name/port" ]; then
      port=$(cat "$STATE/$name/port")
    else
      port=$(free_port)
    fi
    mkdir -p "$STATE/$name"
    launch "$name" "$port"
    # Lost a race for the port: pick another unless the port was published.
    if ! alive "$name" && grep -qiE 'address already in use|could not bind' "$(log_of "$name")" 2>/dev/null &&
      [ ! -e "$STATE/$name/published" ]; then
      rm -f "$STATE/$name/port"
      : >"$(log_of "$name")"
      continue
    fi
    break
  done
  wait_up "$name" "$port"
}

launch() {
  local name=$1 port=$2
  echo "$port" >"$STATE/$name/port"
  case $name in
  rclone)
    mkdir -p "$STATE/rclone/data"
    : >"$STATE/rclone/rclone.conf"
    # --etag-hash MD5: the ETag follows the content, not modtime+size.
    # Detached (setsid) so it outlives the shell that started it.
    setsid rclone serve webdav "$STATE/rclone/data" \
      --config "$STATE/rclone/rclone.conf" \
      --addr "127.0.0.1:$port" \
      --htpasswd "$STATE/htpasswd" \
      --etag-hash MD5 \
      --log-file "$STATE/rclone/rclone.log" \
      </dev/null >>"$STATE/rclone/rclone.out" 2>&1 &
    echo $! >"$STATE/rclone/pid"
    sleep 0.2
    ;;
  apache)
    write_apache_conf "$port"
    rm -f "$STATE/apache/run/httpd.pid"
    if ! "$APACHE_BIN" -f "$STATE/apache/httpd.conf" -k start >>"$STATE/apache/error.log" 2>&1; then
      tail_log "$STATE/apache/error.log"
      die "apache did not start"
    fi
    local i
    for i in $(seq 1 50); do
      [ -s "$STATE/apache/run/httpd.pid" ] && break
      sleep 0.1
    done
    ;;
  *) die "unknown server $name (rclone or apache)" ;;
  esac
}

stop_one() {
  local name=$1 pid port i
  case $name in rclone | apache) ;; *) die "unknown server $name (rclone or apache)" ;; esac
  alive "$name" || return 0
  pid=$(pid_of "$name")
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
  if [ "$name" = rclone ]; then rm -f "$STATE/rclone/pid"; else rm -f "$STATE/apache/run/httpd.pid"; fi
  # Apache's workers go with their parent; wait until the port is free so a
  # start-one right after can bind it again.
  port=$(cat "$STATE/$name/port")
  for i in $(seq 1 100); do
    port_in_use "$port" || return 0
    sleep 0.05
  done
  die "$name still answers on 127.0.0.1:$port after being stopped"
}

versions() {
  rclone version 2>/dev/null | head -n1 | sed 's/^rclone //' >"$STATE/rclone/version" || true
  "$APACHE_BIN" -v 2>/dev/null | sed -n 's/^Server version: *//p' >"$STATE/apache/version" || true
}

# ---------------------------------------------------------------- commands

cmd=${1:-}
case $cmd in
start)
  install_missing
  init_state
  start_one rclone
  start_one apache
  touch "$STATE/rclone/published" "$STATE/apache/published"
  versions
  ;;
start-one)
  [ -s "$STATE/password" ] || die "not started; run $0 start first"
  start_one "${2:?start-one needs rclone or apache}"
  ;;
stop-one)
  [ -d "$STATE" ] || exit 0
  stop_one "${2:?stop-one needs rclone or apache}"
  ;;
stop)
  [ -d "$STATE" ] || exit 0
  stop_one rclone
  stop_one apache
  rm -rf "$STATE"
  ;;
env)
  for n in rclone apache; do
    alive "$n" || die "$n is not running; run $0 start first"
  done
  q() { printf "'%s'" "${1//\'/\'\\\'\'}"; }
  echo "export HUB_WEBDAV_RCLONE_URL=$(q "$(url_of rclone)")"
  echo "export HUB_WEBDAV_APACHE_URL=$(q "$(url_of apache)")"
  echo "export HUB_WEBDAV_USER=$(q "$USER_NAME")"
  echo "export HUB_WEBDAV_PASSWORD=$(q "$(password)")"
  echo "export HUB_WEBDAV_CTL=$(q "$SELF")"
  echo "export HUB_WEBDAV_STATE_DIR=$(q "$STATE")"
  echo "export HUB_WEBDAV_RCLONE_VERSION=$(q "$(cat "$STATE/rclone/version" 2>/dev/null)")"
  echo "export HUB_WEBDAV_APACHE_VERSION=$(q "$(cat "$STATE/apache/version" 2>/dev/null)")"
  ;;
status)
  for n in rclone apache; do
    if alive "$n"; then
      echo "$n: running, pid $(pid_of "$n"), $(url_of "$n"), $(cat "$STATE/$n/version" 2>/dev/null)"
    else
      echo "$n: not running"
    fi
  done
  ;;
*)
  echo "usage: $0 start|stop|env|status|start-one NAME|stop-one NAME (NAME: rclone or apache)" >&2
  exit 2
  ;;
esac
