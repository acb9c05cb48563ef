# Shared by scripts/demo, scripts/test and scripts/bench: installs what is missing on a Debian
# machine and starts the project's own PostgreSQL and Redis, unless DATABASE_URL / REDIS_URL
# already point at running ones. Everything lives under one state folder per script, so the
# scripts are idempotent and never touch the machine's default clusters.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# apt_install PACKAGE... : installs the Debian packages that are missing.
apt_install() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
}

ensure_toolchain() {
  apt_install ca-certificates gcc pkg-config
  if ! command -v cargo >/dev/null 2>&1; then
    [ -f "$HOME/.cargo/env" ] && . "$HOME/.cargo/env"
  fi
  command -v cargo >/dev/null 2>&1 || { echo "cargo is missing: install Rust with rustup first" >&2; exit 1; }
}

# start_postgres STATE_DIR PORT : a throwaway-fast cluster owned by the postgres user, with a
# database and role "portail"; exports DATABASE_URL.
start_postgres() {
  local state="$1" port="$2"
  if [ -n "${DATABASE_URL:-}" ]; then
    log "using DATABASE_URL from the environment"
    return 0
  fi
  apt_install postgresql postgresql-contrib
  local data="$state/pg"
  mkdir -p "$state"
  # PostgreSQL runs as the postgres user, which may not reach a checkout in a private folder
  # (a CI clone in a mode-700 temporary directory): then the cluster lives under /var/tmp.
  if [ "$(id -u)" -eq 0 ] && ! runuser -u postgres -- test -x "$state" 2>/dev/null; then
    data="/var/tmp/portail-pg-$(printf '%s' "$state" | md5sum | cut -c1-12)"
    log "the postgres user cannot reach $state: cluster in $data"
  fi
  if [ ! -f "$data/PG_VERSION" ]; then
    log "creating PostgreSQL cluster in $data"
    mkdir -p "$data"
    chown postgres:postgres "$data" 2>/dev/null || true
    run_pg "$PG_BIN/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  if ! run_pg "$PG_BIN/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    log "starting PostgreSQL on 127.0.0.1:$port"
    if ! run_pg "$PG_BIN/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 start \
      -o "-p $port -k $data -c listen_addresses=127.0.0.1 -c max_connections=300 -c shared_buffers=256MB ${PG_EXTRA_OPTS:-}" >/dev/null; then
      echo "PostgreSQL did not start (is port $port taken by another server?):" >&2
      tail -n 5 "$data/server.log" >&2
      exit 1
    fi
  fi
  psql_admin "$port" -tc "SELECT 1 FROM pg_roles WHERE rolname = 'portail'" | grep -q 1 ||
    psql_admin "$port" -c "CREATE ROLE portail LOGIN" >/dev/null
  psql_admin "$port" -tc "SELECT 1 FROM pg_database WHERE datname = 'portail'" | grep -q 1 ||
    psql_admin "$port" -c "CREATE DATABASE portail OWNER portail" >/dev/null
  export DATABASE_URL="postgres://portail@127.0.0.1:$port/portail"
  export PG_PORT="$port"
}

stop_postgres() {
  local state="$1" data="$1/pg"
  [ -d "$data" ] || data="/var/tmp/portail-pg-$(printf '%s' "$state" | md5sum | cut -c1-12)"
  [ -f "$data/postmaster.pid" ] && run_pg "$PG_BIN/pg_ctl" -D "$data" -m fast stop >/dev/null 2>&1 || true
}

run_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

psql_admin() {
  local port="$1"; shift
  psql -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 "$@"
}

# start_pgbouncer STATE_DIR PORT PG_HOST PG_PORT : PgBouncer (Debian 12: 1.18) in transaction
# mode in front of that PostgreSQL, two server connections per database; exports
# PGBOUNCER_PORT. As the chart's README asks of a transaction pooler, it discards what a
# session kept (prepared statements, LISTEN) before handing a server connection on.
start_pgbouncer() {
  local state="$1" port="$2" pg_host="$3" pg_port="$4"
  apt_install pgbouncer
  # pgbouncer refuses to run as root: it runs as postgres, in a folder postgres can reach.
  local dir="/var/tmp/portail-pgbouncer-$(printf '%s' "$state" | md5sum | cut -c1-12)"
  mkdir -p "$dir"
  cat >"$dir/pgbouncer.ini" <<INI
[databases]
* = host=$pg_host port=$pg_port

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $port
unix_socket_dir =
auth_type = trust
auth_file = $dir/users.txt
pool_mode = transaction
default_pool_size = 2
max_client_conn = 1000
server_reset_query = DISCARD ALL
server_reset_query_always = 1
ignore_startup_parameters = extra_float_digits,options
logfile = $dir/pgbouncer.log
pidfile = $dir/pgbouncer.pid
INI
  printf '"portail" ""\n"postgres" ""\n' >"$dir/users.txt"
  [ "$(id -u)" -eq 0 ] && chown -R postgres "$dir"
  if ! { [ -f "$dir/pgbouncer.pid" ] && kill -0 "$(cat "$dir/pgbouncer.pid")" 2>/dev/null; }; then
    log "starting PgBouncer (transaction mode) on 127.0.0.1:$port"
    run_pg pgbouncer -d "$dir/pgbouncer.ini"
    for _ in $(seq 50); do
      psql -h 127.0.0.1 -p "$port" -U portail -d portail -tc 'SELECT 1' >/dev/null 2>&1 && break
      sleep 0.1
    done
  fi
  export PGBOUNCER_PORT="$port"
}

stop_pgbouncer() {
  local state="$1"
  local dir="/var/tmp/portail-pgbouncer-$(printf '%s' "$state" | md5sum | cut -c1-12)"
  [ -f "$dir/pgbouncer.pid" ] && kill "$(cat "$dir/pgbouncer.pid")" 2>/dev/null || true
}

# start_redis STATE_DIR PORT : exports REDIS_URL.
start_redis() {
  local state="$1" port="$2"
  if [ -n "${REDIS_URL:-}" ]; then
    log "using REDIS_URL from the environment"
    return 0
  fi
  apt_install redis-server
  mkdir -p "$state/redis"
  if ! redis-cli -p "$port" ping >/dev/null 2>&1; then
    log "starting Redis on 127.0.0.1:$port"
    redis-server --port "$port" --bind 127.0.0.1 --daemonize yes --dir "$state/redis" \
      --save '' --appendonly no --pidfile "$state/redis/redis.pid" --logfile "$state/redis/redis.log"
    for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
  fi
  export REDIS_URL="redis://127.0.0.1:$port"
  export REDIS_PORT="$port"
}

stop_redis() {
  local state="$1"
  [ -f "$state/redis/redis.pid" ] && kill "$(cat "$state/redis/redis.pid")" 2>/dev/null || true
}
