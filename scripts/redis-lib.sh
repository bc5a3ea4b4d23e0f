# Shared by scripts/fleet and the Redis drills (sourced, not run): Redis topologies on free
# loopback ports — one server, a Sentinel set (1 master, 1 replica, 3 sentinels) or a Cluster
# (3 masters, 3 replicas) — each node recorded in the fleet's state file by name, with its command
# line in FLEET_DIR/redis-NAME/start so that a drill can kill it and start it again as it was.
# The caller provides FLEET_DIR, state_get, state_set, log, alive and free_port.

REDIS_MASTER_NAME=funnel

# A port P whose cluster bus port P+10000 is free too.
free_port_pair() {
  python3 - <<'PY'
import socket
for _ in range(50):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close()
    if p + 10000 > 65535:
        continue
    b = socket.socket()
    try:
        b.bind(("127.0.0.1", p + 10000))
    except OSError:
        continue
    finally:
        b.close()
    print(p); break
PY
}

# redis_node_start NAME PORT [LEADING...] [-- ARGS...]: redis-server LEADING (a sentinel's conf
# file and --sentinel) then the common flags then ARGS, on PORT; waits (10 s) for PING and records
# REDIS_NODE_PID_NAME and REDIS_NODE_PORT_NAME.
redis_node_start() {
  local name="$1" port="$2" dir="$FLEET_DIR/redis-$1" leading=() args=()
  shift 2
  while (( $# )) && [[ "$1" != -- ]]; do leading+=("$1"); shift; done
  [[ "${1:-}" == -- ]] && shift
  args=("$@")
  mkdir -p "$dir"
  {
    echo '#!/usr/bin/env bash'
    echo '# Written by scripts/fleet: this node as it was started (extra arguments are appended).'
    printf 'exec redis-server'
    printf ' %q' "${leading[@]}" --port "$port" --bind 127.0.0.1 --dir "$dir" --save '' \
      --daemonize no --loglevel notice "${args[@]}"
    printf ' "$@"\n'
  } >"$dir/start"
  chmod +x "$dir/start"
  state_set "REDIS_NODE_PORT_$name" "$port"
  redis_node_launch "$name"
}

# redis_node_launch NAME [EXTRA...]: runs the node's start script (again), records its PID and
# waits for PING.
redis_node_launch() {
  local name="$1" dir="$FLEET_DIR/redis-$1" port pid until
  shift
  port="$(state_get "REDIS_NODE_PORT_$name")"
  "$dir/start" "$@" </dev/null >>"$dir/redis.log" 2>&1 &
  pid=$!
  state_set "REDIS_NODE_PID_$name" "$pid"
  until=$((SECONDS + 10))
  until [[ "$(redis-cli -p "$port" ping 2>/dev/null)" == PONG ]]; do
    if ! alive "$pid" || (( SECONDS >= until )); then
      log "redis node $name did not answer on :$port; its log:"; tail -5 "$dir/redis.log" >&2
      return 1
    fi
    sleep 0.05
  done
}

redis_node_names() { grep -o '^REDIS_NODE_PORT_[A-Za-z0-9]*' "$STATE" | sed 's/^REDIS_NODE_PORT_//'; }

redis_name_of_port() {
  local n
  for n in $(redis_node_names); do
    [[ "$(state_get "REDIS_NODE_PORT_$n")" == "$1" ]] && { echo "$n"; return 0; }
  done
  return 1
}

# Polls "$@" (a command) every 0.1 s until it succeeds; 1 after SECONDS seconds ($1).
redis_wait_for() {
  local until=$((SECONDS + $1))
  shift
  until "$@"; do
    (( SECONDS < until )) || return 1
    sleep 0.1
  done
}

redis_standalone_up() {
  local port
  port="$(free_port)"
  redis_node_start solo "$port" -- --appendonly no
  state_set REDIS_MODE standalone
  state_set REDIS_URL "redis://127.0.0.1:$port"
}

# redis-cli prints a map reply as alternating name and value lines.
sentinel_field() { redis-cli -p "$1" SENTINEL MASTER "$REDIS_MASTER_NAME" | grep -A1 -x "$2" | tail -1; }

sentinel_settled() {
  local m s
  m="$(state_get REDIS_NODE_PORT_d1)"
  redis-cli -p "$m" INFO replication | grep -q '^connected_slaves:1' || return 1
  # synced, not only connected: a replica that never synced cannot be promoted
  redis-cli -p "$(state_get REDIS_NODE_PORT_d2)" INFO replication | grep -q '^master_link_status:up' || return 1
  for s in s1 s2 s3; do
    s="$(state_get "REDIS_NODE_PORT_$s")"
    [[ "$(sentinel_field "$s" num-other-sentinels)" == 2 ]] || return 1
    [[ "$(sentinel_field "$s" num-slaves)" == 1 ]] || return 1
  done
}

# One master (d1), its replica (d2) and three sentinels (s1..s3, quorum 2, master down after 1 s
# without an answer: the settings RedisSentinelFeatureStoreTest uses).
redis_sentinel_up() {
  local m r i p dir endpoints=""
  m="$(free_port)"
  redis_node_start d1 "$m" -- --appendonly no --repl-diskless-sync-delay 0
  r="$(free_port)"
  redis_node_start d2 "$r" -- --appendonly no --repl-diskless-sync-delay 0 --replicaof 127.0.0.1 "$m"
  for i in 1 2 3; do
    p="$(free_port)"; dir="$FLEET_DIR/redis-s$i"
    mkdir -p "$dir"
    cat >"$dir/sentinel.conf" <<CONF
sentinel monitor $REDIS_MASTER_NAME 127.0.0.1 $m 2
sentinel down-after-milliseconds $REDIS_MASTER_NAME 1000
sentinel failover-timeout $REDIS_MASTER_NAME 3000
sentinel parallel-syncs $REDIS_MASTER_NAME 1
CONF
    redis_node_start "s$i" "$p" "$dir/sentinel.conf" --sentinel
    endpoints+="${endpoints:+,}redis://127.0.0.1:$p"
  done
  redis_wait_for 30 sentinel_settled || { log "the sentinel set did not settle in 30 s"; return 1; }
  state_set REDIS_MODE sentinel
  state_set REDIS_ENDPOINTS "$endpoints"
}

# The port of the master the sentinels name now (the first sentinel that answers).
sentinel_master_port() {
  local s reply
  for s in s1 s2 s3; do
    reply="$(redis-cli -p "$(state_get "REDIS_NODE_PORT_$s")" SENTINEL GET-MASTER-ADDR-BY-NAME \
      "$REDIS_MASTER_NAME" 2>/dev/null | tail -1)"
    [[ "$reply" =~ ^[0-9]+$ ]] && { echo "$reply"; return 0; }
  done
  return 1
}

cluster_settled() {
  local n info
  for n in c1 c2 c3 c4 c5 c6; do
    info="$(redis-cli -p "$(state_get "REDIS_NODE_PORT_$n")" CLUSTER INFO 2>/dev/null)"
    grep -q '^cluster_state:ok' <<<"$info" || return 1
    grep -q '^cluster_known_nodes:6' <<<"$info" || return 1
  done
  # every master has its replica, synced (a replica that never synced cannot be promoted)
  local replicas
  replicas="$(cluster_nodes_with slave)"
  [[ "$(wc -l <<<"$replicas")" == 3 ]] || return 1
  while read -r n port; do
    redis-cli -p "$port" INFO replication | grep -q '^master_link_status:up' || return 1
  done <<<"$replicas"
}

# Six nodes (c1..c6), `redis-cli --cluster create … --cluster-replicas 1`: three masters with a
# replica each. A node is declared failed after 2 s (cluster-node-timeout, as in the tests). Data
# nodes sync replicas at once (repl-diskless-sync-delay 0, not 5 s).
redis_cluster_up() {
  local i p addrs=() endpoints=""
  for i in 1 2 3 4 5 6; do
    p="$(free_port_pair)"
    redis_node_start "c$i" "$p" -- --appendonly no --repl-diskless-sync-delay 0 --cluster-enabled yes \
      --cluster-config-file nodes.conf --cluster-node-timeout 2000
    addrs+=("127.0.0.1:$p")
    endpoints+="${endpoints:+,}redis://127.0.0.1:$p"
  done
  if ! redis-cli --cluster create "${addrs[@]}" --cluster-replicas 1 --cluster-yes \
    >"$FLEET_DIR/cluster-create.log" 2>&1; then
    log "redis-cli --cluster create failed:"; tail -5 "$FLEET_DIR/cluster-create.log" >&2
    return 1
  fi
  redis_wait_for 60 cluster_settled || { log "the cluster did not settle in 60 s"; return 1; }
  state_set REDIS_MODE cluster
  state_set REDIS_ENDPOINTS "$endpoints"
}

# cluster_nodes_with master|slave: "NAME PORT" of the live nodes in that role, as the first node
# that answers sees them.
cluster_nodes_with() {
  local n port line
  for n in $(redis_node_names); do
    port="$(state_get "REDIS_NODE_PORT_$n")"
    line="$(redis-cli -p "$port" CLUSTER NODES 2>/dev/null)" || continue
    [[ -n "$line" ]] || continue
    awk -v role="$1" '$3 ~ role && $3 !~ /fail/ { split($2, a, "[:@]"); print a[2] }' <<<"$line" |
      while read -r p; do echo "$(redis_name_of_port "$p") $p"; done
    return 0
  done
}

# The environment a funnel process needs for this topology (NAME=VALUE lines, no spaces).
redis_funnel_env() {
  case "$(state_get REDIS_MODE)" in
    standalone) echo "FUNNEL_REDIS_URL=$(state_get REDIS_URL)" ;;
    sentinel)
      echo "FUNNEL_REDIS_MODE=sentinel"
      echo "FUNNEL_REDIS_ENDPOINTS=$(state_get REDIS_ENDPOINTS)"
      echo "FUNNEL_REDIS_MASTER_NAME=$REDIS_MASTER_NAME"
      echo "FUNNEL_REDIS_WAIT_REPLICAS=1"
      ;;
    cluster)
      echo "FUNNEL_REDIS_MODE=cluster"
      echo "FUNNEL_REDIS_ENDPOINTS=$(state_get REDIS_ENDPOINTS)"
      echo "FUNNEL_REDIS_WAIT_REPLICAS=1"
      ;;
  esac
}
