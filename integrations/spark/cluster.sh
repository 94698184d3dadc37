#!/usr/bin/env bash
# A Spark standalone cluster on loopback for tests and demos: one master and two workers started
# from the PyPI pyspark wheel (which has bin/spark-class but no sbin/start-master.sh).
#
#   integrations/spark/cluster.sh start  DIR [WORKERS] [CORES_PER_WORKER]   (default 2 workers, 1 core each)
#   integrations/spark/cluster.sh submit DIR [spark-submit args...]          (spark-submit against it)
#   integrations/spark/cluster.sh status DIR
#   integrations/spark/cluster.sh stop   DIR
#
# Everything binds to 127.0.0.1 (SPARK_LOCAL_IP; the driver gets spark.driver.host and
# spark.driver.bindAddress, otherwise it binds to the machine's external address). Ports are
# picked free. DIR holds the pid files, logs, the workers' directories and `master` (the
# spark:// URL). `stop` sends SIGTERM to the recorded pids (never by name), then SIGKILL after a
# timeout. Memory is kept small: daemons 256 MiB, each worker offers 640 MiB, executors and the
# driver get 512 MiB (CLUSTER_EXECUTOR_MEMORY, CLUSTER_DRIVER_MEMORY override). The JVMs run with
# CLUSTER_JAVA_OPTS (default: C1 JIT only and the serial GC, for start-up on a loaded 2-core box).
set -euo pipefail

die() { echo "cluster: $*" >&2; exit 1; }

spark_home() {
  if [[ -n "${SPARK_HOME:-}" && -x "$SPARK_HOME/bin/spark-class" ]]; then echo "$SPARK_HOME"; return; fi
  local d
  d=$(python3 -c 'import os, pyspark; print(os.path.dirname(pyspark.__file__))' 2>/dev/null) \
    || die "pyspark is not installed (pip install pyspark)"
  [[ -x "$d/bin/spark-class" ]] || chmod +x "$d"/bin/* 2>/dev/null || true
  echo "$d"
}

free_port() {
  python3 -c 'import socket
s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

common_env() {
  export SPARK_HOME; SPARK_HOME=$(spark_home)
  export SPARK_LOCAL_IP=127.0.0.1
  export SPARK_DAEMON_MEMORY=${SPARK_DAEMON_MEMORY:-256m}
  # Short-lived JVMs on a small machine: C1 only (most of a JVM's start-up CPU is C2 compiling code
  # it runs a few times) and the serial collector (no GC threads per core).
  JAVA_OPTS_SMALL=${CLUSTER_JAVA_OPTS-"-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"}
  export SPARK_DAEMON_JAVA_OPTS="${SPARK_DAEMON_JAVA_OPTS:-} $JAVA_OPTS_SMALL"
  export SPARK_LOG_DIR="$DIR/logs"
  export SPARK_LOCAL_DIRS="$DIR/local"
  export PYSPARK_PYTHON=${PYSPARK_PYTHON:-$(command -v python3)}
  mkdir -p "$SPARK_LOG_DIR" "$SPARK_LOCAL_DIRS"
}

alive() { [[ -s "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

# Number of ALIVE workers the master's JSON status page lists.
alive_workers() {
  python3 - "$1" <<'EOF'
import json, sys, urllib.request
try:
    with urllib.request.urlopen("http://127.0.0.1:%s/json/" % sys.argv[1], timeout=2) as r:
        print(json.load(r).get("aliveworkers", 0))
except Exception:
    print(0)
EOF
}

cmd_start() {
  local workers=${1:-2} cores=${2:-1}
  mkdir -p "$DIR"
  alive "$DIR/master.pid" && die "a master already runs from $DIR (pid $(cat "$DIR/master.pid"))"
  common_env
  local port ui
  port=$(free_port); ui=$(free_port)
  setsid "$SPARK_HOME/bin/spark-class" org.apache.spark.deploy.master.Master \
    --host 127.0.0.1 --port "$port" --webui-port "$ui" >"$DIR/logs/master.log" 2>&1 </dev/null &
  echo $! >"$DIR/master.pid"
  echo "spark://127.0.0.1:$port" >"$DIR/master"
  echo "$ui" >"$DIR/master-ui-port"
  local i
  for ((i = 1; i <= workers; i++)); do
    mkdir -p "$DIR/worker$i"
    setsid "$SPARK_HOME/bin/spark-class" org.apache.spark.deploy.worker.Worker \
      --host 127.0.0.1 --webui-port "$(free_port)" --cores "$cores" --memory "${CLUSTER_WORKER_MEMORY:-640m}" \
      --work-dir "$DIR/worker$i" "spark://127.0.0.1:$port" >"$DIR/logs/worker$i.log" 2>&1 </dev/null &
    echo $! >"$DIR/worker$i.pid"
  done
  local deadline=$((SECONDS + ${CLUSTER_START_TIMEOUT:-120}))
  while (( $(alive_workers "$ui") < workers )); do
    if (( SECONDS > deadline )); then
      tail -5 "$DIR"/logs/*.log >&2 || true
      cmd_stop
      die "the workers did not register within ${CLUSTER_START_TIMEOUT:-120} s"
    fi
    alive "$DIR/master.pid" || { tail -20 "$DIR/logs/master.log" >&2; die "the master exited"; }
    sleep 0.5
  done
  echo "cluster: $(cat "$DIR/master") with $workers workers of $cores core(s) (UI http://127.0.0.1:$ui)" >&2
}

cmd_submit() {
  [[ -s "$DIR/master" ]] || die "no cluster in $DIR (start it first)"
  common_env
  exec "$SPARK_HOME/bin/spark-submit" --master "$(cat "$DIR/master")" \
    --driver-memory "${CLUSTER_DRIVER_MEMORY:-512m}" \
    --conf spark.executor.memory="${CLUSTER_EXECUTOR_MEMORY:-512m}" \
    --conf spark.driver.host=127.0.0.1 --conf spark.driver.bindAddress=127.0.0.1 \
    --conf spark.ui.enabled=false \
    --conf "spark.driver.extraJavaOptions=$JAVA_OPTS_SMALL" \
    --conf "spark.executor.extraJavaOptions=$JAVA_OPTS_SMALL" \
    --conf spark.executorEnv.PYSPARK_PYTHON="$PYSPARK_PYTHON" \
    --conf spark.pyspark.python="$PYSPARK_PYTHON" \
    "$@"
}

cmd_status() {
  local f
  for f in "$DIR"/*.pid; do
    [[ -e "$f" ]] || continue
    if alive "$f"; then echo "$(basename "$f" .pid): running (pid $(cat "$f"))"; else echo "$(basename "$f" .pid): stopped"; fi
  done
  [[ -s "$DIR/master-ui-port" ]] && echo "alive workers: $(alive_workers "$(cat "$DIR/master-ui-port")")"
  return 0
}

cmd_stop() {
  local f pid
  # Workers first (they kill their executors), then the master.
  for f in "$DIR"/worker*.pid "$DIR/master.pid"; do
    [[ -s "$f" ]] || continue
    pid=$(cat "$f")
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      local i
      for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$f"
  done
}

[[ $# -ge 2 ]] || { sed -n '2,16p' "$0" >&2; exit 2; }
action=$1; DIR=$(mkdir -p "$2" && cd "$2" && pwd); shift 2
case "$action" in
  start) cmd_start "$@" ;;
  submit) cmd_submit "$@" ;;
  status) cmd_status ;;
  stop) cmd_stop ;;
  *) die "unknown action $action" ;;
esac
