# Shared by scripts/bench-rw1m and scripts/bench-ab (sourced, not run): a private redis-server,
# free ports, waiting for /ready. The caller keeps the PIDs it starts and stops them.

# Both scripts measure the SIMD index search: the newest JDK installed, unless FUNNEL_JAVA says.
export FUNNEL_JAVA="${FUNNEL_JAVA:-newest}"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# start_redis PORT LOG: no persistence; sets REDIS_PID.
start_redis() {
  redis-server --port "$1" --bind 127.0.0.1 --save '' --appendonly no >"$2" 2>&1 &
  REDIS_PID=$!
  sleep 0.5
}

# wait_ready PORT PID: 0 once /ready answers, 1 if the process PID died first.
wait_ready() {
  until curl -sf "http://127.0.0.1:$1/ready" >/dev/null; do
    kill -0 "$2" 2>/dev/null || return 1
    sleep 0.2
  done
}

# The java process under ./funnel's PID (the launcher execs, so usually the same PID).
java_pid() { pgrep -P "$1" java || echo "$1"; }

# load_store DATA MODELS REDIS_PORT: ./funnel load of DATA's profiles into that redis-server
# (loader heap LOAD_JAVA_OPTS, default -Xmx8g). Needs ROOT.
load_store() {
  FUNNEL_JAVA_OPTS="${LOAD_JAVA_OPTS:--Xmx8g}" "$ROOT/funnel" load --data "$1" --models "$2" \
    --redis "redis://127.0.0.1:$3"
}
