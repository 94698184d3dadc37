#!/usr/bin/env bash
# Throwaway MariaDB server for fixture generation and round-trip tests.
#
#   scripts/mariadb-sandbox.sh start DIR [extra mariadbd args...]
#   scripts/mariadb-sandbox.sh stop  DIR
#   scripts/mariadb-sandbox.sh status DIR
#
# `start` creates DIR/data (mariadb-install-db --no-defaults), picks a free
# TCP port on 127.0.0.1 (written to DIR/port), and starts mariadbd in the
# background (setsid) with its socket at DIR/sock, pid file DIR/pid, error
# log DIR/error.log and binary logs DIR/binlog.NNNNNN. Extra arguments are
# appended after the defaults, so they override them (e.g.
# --binlog-row-metadata=MINIMAL). It returns once the server answers a ping.
#
# `stop` sends SIGTERM to the pid in DIR/pid (never kills by name) and waits
# for the process to exit, so the last binlog ends with a Stop event.
#
# Works as root, non-interactively, without stdin. Environment knobs:
#   SANDBOX_START_TIMEOUT (seconds, default 60)
#   SANDBOX_STOP_TIMEOUT  (seconds, default 60)
#   MARIADBD              (server binary, default: mariadbd from PATH or /usr/sbin)
set -euo pipefail

die() { echo "mariadb-sandbox: $*" >&2; exit 1; }

usage() {
  echo "usage: $0 start DIR [extra mariadbd args...] | stop DIR | status DIR" >&2
  exit 2
}

find_mariadbd() {
  if [[ -n "${MARIADBD:-}" ]]; then echo "$MARIADBD"; return; fi
  local c
  for c in "$(command -v mariadbd 2>/dev/null || true)" /usr/sbin/mariadbd /usr/local/sbin/mariadbd \
           "$(command -v mysqld 2>/dev/null || true)" /usr/sbin/mysqld; do
    if [[ -n "$c" && -x "$c" ]]; then echo "$c"; return; fi
  done
  die "mariadbd not found (apt-get install -y mariadb-server)"
}

find_tool() {
  local name
  for name in "$@"; do
    if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return; fi
  done
  die "none of $* found (apt-get install -y mariadb-server mariadb-client)"
}

# Is something listening on 127.0.0.1:$1?
port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

pick_port() {
  local p
  if command -v python3 >/dev/null 2>&1; then
    p=$(python3 -c 'import socket
s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()' 2>/dev/null || true)
    if [[ -n "$p" ]] && ! port_in_use "$p"; then echo "$p"; return; fi
  fi
  local i
  for i in $(seq 1 200); do
    p=$(( 20000 + (RANDOM * 32768 + RANDOM) % 40000 ))
    if ! port_in_use "$p"; then echo "$p"; return; fi
  done
  die "could not find a free TCP port"
}

pid_alive() {
  [[ -n "$1" ]] && kill -0 "$1" 2>/dev/null
}

read_pid() {
  local f="$1/pid"
  [[ -s "$f" ]] && tr -dc '0-9' <"$f" || true
}

cmd_start() {
  local dir="$1"; shift
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd -P)
  local mariadbd; mariadbd=$(find_mariadbd)
  local installdb; installdb=$(find_tool mariadb-install-db mysql_install_db)
  local admin; admin=$(find_tool mariadb-admin mysqladmin)

  local old; old=$(read_pid "$dir")
  if pid_alive "$old"; then die "a server is already running in $dir (pid $old)"; fi
  rm -f "$dir/pid" "$dir/sock" "$dir/sock.lock"

  # Unix socket paths are limited to ~107 bytes.
  if (( ${#dir} > 95 )); then die "directory path too long for a unix socket: $dir"; fi

  if [[ ! -d "$dir/data/mysql" ]]; then
    mkdir -p "$dir/data"
    if ! "$installdb" --no-defaults --datadir="$dir/data" --user="$(id -un)" \
          --auth-root-authentication-method=normal --skip-test-db \
          --skip-name-resolve >"$dir/install.log" 2>&1 </dev/null; then
      cat "$dir/install.log" >&2 || true
      die "mariadb-install-db failed (log: $dir/install.log)"
    fi
  fi

  local timeout=${SANDBOX_START_TIMEOUT:-60}
  local attempt
  for attempt in 1 2 3; do
    local port; port=$(pick_port)
    echo "$port" >"$dir/port"
    : >"$dir/error.log"
    setsid "$mariadbd" --no-defaults --user="$(id -un)" \
      --datadir="$dir/data" --socket="$dir/sock" --pid-file="$dir/pid" \
      --port="$port" --bind-address=127.0.0.1 \
      --log-error="$dir/error.log" \
      --log-bin="$dir/binlog" --server-id=1 \
      --binlog-format=ROW --binlog-row-image=FULL --binlog-row-metadata=FULL \
      --binlog-checksum=CRC32 --default-time-zone=+00:00 \
      --character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci \
      --innodb-buffer-pool-size=64M --innodb-log-file-size=48M \
      --skip-name-resolve --max-allowed-packet=64M --innodb-flush-log-at-trx-commit=2 \
      "$@" </dev/null >"$dir/stdout.log" 2>&1 &
    local launched=$!
    echo "$launched" >"$dir/launcher.pid"

    local deadline=$(( SECONDS + timeout ))
    local ok=0
    while (( SECONDS < deadline )); do
      if ! pid_alive "$launched"; then break; fi
      if [[ -S "$dir/sock" ]] && "$admin" --no-defaults -uroot --socket="$dir/sock" \
            --connect-timeout=2 ping >/dev/null 2>&1 </dev/null; then
        ok=1; break
      fi
      sleep 0.1
    done
    if (( ok )); then
      # The pid file is written before the socket accepts connections.
      local pid; pid=$(read_pid "$dir")
      [[ -n "$pid" ]] || { echo "$launched" >"$dir/pid"; }
      echo "mariadb-sandbox: started pid $(read_pid "$dir") port $port socket $dir/sock" >&2
      return 0
    fi
    if pid_alive "$launched"; then
      kill -TERM "$launched" 2>/dev/null || true
      local d2=$(( SECONDS + 20 ))
      while pid_alive "$launched" && (( SECONDS < d2 )); do sleep 0.2; done
      pid_alive "$launched" && kill -KILL "$launched" 2>/dev/null || true
      echo "--- $dir/error.log ---" >&2; tail -n 40 "$dir/error.log" >&2 || true
      die "server did not become ready within ${timeout}s"
    fi
    if grep -qiE "Address already in use|bind on TCP/IP port" "$dir/error.log" 2>/dev/null; then
      echo "mariadb-sandbox: port $port taken, retrying" >&2
      continue
    fi
    echo "--- $dir/error.log ---" >&2; tail -n 40 "$dir/error.log" >&2 || true
    cat "$dir/stdout.log" >&2 2>/dev/null || true
    die "mariadbd exited during startup (see $dir/error.log)"
  done
  die "could not start mariadbd after 3 attempts"
}

cmd_stop() {
  local dir="$1"
  [[ -d "$dir" ]] || die "no such directory: $dir"
  dir=$(cd "$dir" && pwd -P)
  local pid; pid=$(read_pid "$dir")
  if [[ -z "$pid" ]]; then
    # Fall back to the launcher pid (setsid'd mariadbd itself).
    pid=$( [[ -s "$dir/launcher.pid" ]] && tr -dc '0-9' <"$dir/launcher.pid" || true )
  fi
  if ! pid_alive "$pid"; then
    echo "mariadb-sandbox: no running server in $dir" >&2
    rm -f "$dir/pid"
    return 0
  fi
  kill -TERM "$pid"
  local timeout=${SANDBOX_STOP_TIMEOUT:-60}
  local deadline=$(( SECONDS + timeout ))
  while pid_alive "$pid"; do
    if (( SECONDS >= deadline )); then
      die "server pid $pid did not exit within ${timeout}s after SIGTERM"
    fi
    sleep 0.1
  done
  rm -f "$dir/launcher.pid"
  echo "mariadb-sandbox: stopped pid $pid" >&2
}

cmd_status() {
  local dir="$1"
  local pid; pid=$(read_pid "$dir")
  if pid_alive "$pid"; then echo "running pid $pid port $(cat "$dir/port" 2>/dev/null)"; else echo "stopped"; return 1; fi
}

[[ $# -ge 2 ]] || usage
action="$1"; dir="$2"; shift 2
case "$action" in
  start) cmd_start "$dir" "$@" ;;
  stop) [[ $# -eq 0 ]] || usage; cmd_stop "$dir" ;;
  status) cmd_status "$dir" ;;
  *) usage ;;
esac
