#!/usr/bin/env bash
# Start a throwaway PostgreSQL server for the shared-study tests and print its URL.
#
#   export NEURAL_TEST_POSTGRES_URL="$(bash scripts/postgres.sh)"
#   bash scripts/postgres.sh stop        # stop it and delete its folder
#
# Installs Debian's postgresql when it is missing (apt-get, as root), then runs
# a private cluster in a temporary folder, listening on 127.0.0.1 only, on a
# free port, as a non-root user (the `postgres` system user when run as root),
# with one database `neural_test` and trust authentication for loopback.
# Idempotent: when its server is already up it only prints the URL again.
# Only the URL goes to stdout; progress goes to stderr.
set -euo pipefail

folder="${NEURAL_POSTGRES_DIR:-${TMPDIR:-/tmp}/neural-postgres-$(id -u)}"
database="neural_test"
role="neural"

say() { echo "postgres.sh: $*" >&2; }

as_owner() {
  # Run a command as the cluster's owner: `postgres` when we are root, else ourselves.
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

find_bin() {
  local found
  found="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  [ -n "$found" ] && [ -x "$found/initdb" ] && echo "$found"
}

install_postgres() {
  if [ -n "$(find_bin)" ]; then return; fi
  if [ "$(id -u)" -ne 0 ]; then
    say "PostgreSQL is not installed; run this script as root once, or: sudo apt-get install -y postgresql"
    exit 1
  fi
  say "installing Debian's postgresql"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
}

is_up() {
  [ -f "$folder/url" ] && [ -f "$folder/port" ] || return 1
  "$bin/pg_isready" -q -h 127.0.0.1 -p "$(cat "$folder/port")"
}

stop_server() {
  if [ -d "$folder/data" ] && [ -n "$bin" ]; then
    as_owner "$bin/pg_ctl" -D "$folder/data" -m fast stop >&2 || true
  fi
  rm -rf "$folder"
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

bin="$(find_bin || true)"
if [ "${1:-start}" = "stop" ]; then
  stop_server
  say "stopped"
  exit 0
fi

install_postgres
bin="$(find_bin)"

if is_up; then
  cat "$folder/url"
  exit 0
fi
stop_server  # a folder left by a server that is gone (reboot, crash): start afresh

mkdir -p "$folder"
if [ "$(id -u)" -eq 0 ]; then chown postgres: "$folder"; fi
port="$(free_port)"
as_owner "$bin/initdb" -D "$folder/data" -U "$role" --auth=trust -E UTF8 >"$folder/initdb.log" 2>&1 || {
  cat "$folder/initdb.log" >&2
  exit 1
}
as_owner "$bin/pg_ctl" -D "$folder/data" -l "$folder/server.log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $folder" start >&2
as_owner "$bin/createdb" -h 127.0.0.1 -p "$port" -U "$role" "$database"
echo "$port" >"$folder/port"
url="postgresql://$role@127.0.0.1:$port/$database"
echo "$url" >"$folder/url"
say "PostgreSQL is up at $url (folder $folder; stop with: bash scripts/postgres.sh stop)"
echo "$url"
