#!/usr/bin/env bash
# Throwaway Redis + PostgreSQL on loopback for the tests (issue 8). Source it, then call
# `services_start` and `services_stop` (in a trap). Exports ENDCUE_TEST_REDIS_URL and
# ENDCUE_TEST_DATABASE_URL, not REDIS_URL/DATABASE_URL: those would switch every
# `endcue serve` that tests spawn into production mode.
# Idempotent: installs the Debian packages only when missing; state lives in a temp dir,
# ports are free ones picked at start, nothing listens beyond 127.0.0.1.

services_install() {
  local missing=()
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
  if [ ${#missing[@]} -gt 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
}

# A free loopback TCP port (asks the kernel).
services_free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

services_start() {
  services_install
  SERVICES_DIR="$(mktemp -d /tmp/endcue-services.XXXXXX)"
  chmod 755 "$SERVICES_DIR"
  local redis_port pg_port pg_bin
  redis_port="$(services_free_port)"
  pg_port="$(services_free_port)"
  pg_bin="$(dirname "$(ls -d /usr/lib/postgresql/*/bin/initdb | sort -V | tail -1)")"

  redis-server --bind 127.0.0.1 --port "$redis_port" --save '' --appendonly no \
    --dir "$SERVICES_DIR" --daemonize yes --pidfile "$SERVICES_DIR/redis.pid" \
    --logfile "$SERVICES_DIR/redis.log"

  # initdb refuses root: the cluster belongs to the postgres user (created by the package).
  local pg_user=postgres
  [ "$(id -u)" -ne 0 ] && pg_user="$(id -un)"
  mkdir -p "$SERVICES_DIR/pg"
  chown "$pg_user" "$SERVICES_DIR/pg"
  local as_pg=()
  [ "$(id -u)" -eq 0 ] && as_pg=(runuser -u postgres --)
  SERVICES_PG_BIN="$pg_bin"
  SERVICES_AS_PG=("${as_pg[@]}")
  "${as_pg[@]}" "$pg_bin/initdb" -D "$SERVICES_DIR/pg/data" -U postgres -A trust -E UTF8 >/dev/null
  "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$SERVICES_DIR/pg/data" -l "$SERVICES_DIR/pg/log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $pg_port -k $SERVICES_DIR/pg -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null

  for _ in $(seq 50); do
    redis-cli -h 127.0.0.1 -p "$redis_port" ping >/dev/null 2>&1 && break
    sleep 0.1
  done
  export ENDCUE_TEST_REDIS_URL="redis://127.0.0.1:$redis_port"
  export ENDCUE_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$pg_port/postgres"
  echo "services: redis $ENDCUE_TEST_REDIS_URL, postgres $ENDCUE_TEST_DATABASE_URL"
}

services_stop() {
  [ -n "${SERVICES_DIR:-}" ] || return 0
  if [ -f "$SERVICES_DIR/redis.pid" ]; then
    kill "$(cat "$SERVICES_DIR/redis.pid")" 2>/dev/null || true
  fi
  if [ -d "$SERVICES_DIR/pg/data" ]; then
    "${SERVICES_AS_PG[@]}" "$SERVICES_PG_BIN/pg_ctl" -D "$SERVICES_DIR/pg/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$SERVICES_DIR"
  SERVICES_DIR=
}
