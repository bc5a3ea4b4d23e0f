# Sourced, not run (scripts/drill-kafka, later scripts/fleet): a single-node Kafka (KRaft, one
# process is broker and controller) from the Maven Central jars of org.apache.kafka:kafka_2.13,
# the test-scoped dependency in pom.xml, so nothing is downloaded but what Maven resolves.
#
#   kafka_start DIR        formats DIR (first time), starts on free loopback ports, waits until the
#                          broker answers; sets KAFKA_PID, KAFKA_PORT, KAFKA_BOOTSTRAP
#   kafka_kill             SIGKILL (a crash); kafka_restart starts it again on the same ports/data
#   kafka_stop             SIGTERM, waits for the exit (SIGKILL after 20 s)
#
# Needs: java 17+ (FUNNEL_JAVA or PATH), mvn (once, to write target/kafka.classpath), python3.
# KAFKA_HEAP (default -Xmx512m) sizes the broker.

KAFKA_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# kafka_classpath: prints the class path (cached in target/kafka.classpath, rebuilt when pom.xml
# changes). Offline first: the jars are usually in ~/.m2 already after a build or a test run.
kafka_classpath() {
  local cp="$KAFKA_ROOT/target/kafka.classpath"
  if [[ ! -s "$cp" || "$KAFKA_ROOT/pom.xml" -nt "$cp" ]]; then
    mkdir -p "$KAFKA_ROOT/target"
    (cd "$KAFKA_ROOT" && { mvn -B -q -o dependency:build-classpath -Dmdep.includeScope=test \
        -Dmdep.outputFile="$cp" >/dev/null 2>&1 ||
      mvn -B -q dependency:build-classpath -Dmdep.includeScope=test \
        -Dmdep.outputFile="$cp" >&2; })
  fi
  cat "$cp"
}

_kafka_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

_kafka_java() {
  "${FUNNEL_JAVA:-java}" ${KAFKA_HEAP:--Xmx512m} -XX:+UseSerialGC -cp "$(kafka_classpath)" "$@"
}

kafka_start() {
  KAFKA_DIR="$1"
  mkdir -p "$KAFKA_DIR"
  if [[ ! -f "$KAFKA_DIR/server.properties" ]]; then
    KAFKA_PORT="$(_kafka_free_port)"
    local controller
    controller="$(_kafka_free_port)"
    cat >"$KAFKA_DIR/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$controller
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$KAFKA_DIR/data
num.partitions=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=3
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
PROPS
    local id
    id="$(python3 -c 'import uuid,base64; print(base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("="))')"
    _kafka_java kafka.tools.StorageTool format --cluster-id "$id" \
      --config "$KAFKA_DIR/server.properties" >>"$KAFKA_DIR/format.log" 2>&1 || {
      echo "kafka-lib: storage format failed, see $KAFKA_DIR/format.log" >&2; return 1; }
  fi
  KAFKA_PORT="$(sed -n 's|^advertised.listeners=PLAINTEXT://127.0.0.1:||p' "$KAFKA_DIR/server.properties")"
  KAFKA_BOOTSTRAP="127.0.0.1:$KAFKA_PORT"
  KAFKA_LOG_FROM="$(stat -c %s "$KAFKA_DIR/kafka.log" 2>/dev/null || echo 0)"
  local cp
  cp="$(kafka_classpath)"
  # the java command itself in the background (not a function): $! is then the broker's PID
  "${FUNNEL_JAVA:-java}" ${KAFKA_HEAP:--Xmx512m} -XX:+UseSerialGC -cp "$cp" kafka.Kafka \
    "$KAFKA_DIR/server.properties" >>"$KAFKA_DIR/kafka.log" 2>&1 &
  KAFKA_PID=$!
  echo "$KAFKA_PID" >"$KAFKA_DIR/pid"
  _kafka_wait_ready 120
}

# Ready = the broker has registered with the controller and opened its listener; the log line
# says the first, the port the second.
_kafka_wait_ready() {
  local deadline=$((SECONDS + $1))
  while ((SECONDS < deadline)); do
    if ! kill -0 "$KAFKA_PID" 2>/dev/null; then
      echo "kafka-lib: the broker exited; see $KAFKA_DIR/kafka.log" >&2
      return 1
    fi
    if tail -c +$((KAFKA_LOG_FROM + 1)) "$KAFKA_DIR/kafka.log" 2>/dev/null |
      grep -q "Kafka Server started" &&
      (exec 3<>"/dev/tcp/127.0.0.1/$KAFKA_PORT") 2>/dev/null; then
      return 0
    fi
    sleep 0.2
  done
  echo "kafka-lib: the broker did not start within $1 s; see $KAFKA_DIR/kafka.log" >&2
  return 1
}

kafka_kill() {
  kill -9 "$KAFKA_PID" 2>/dev/null || true
  wait "$KAFKA_PID" 2>/dev/null || true
}

kafka_restart() {
  kafka_start "$KAFKA_DIR"
}

kafka_stop() {
  [[ -n "${KAFKA_PID:-}" ]] || return 0
  kill "$KAFKA_PID" 2>/dev/null || return 0
  local i
  for i in $(seq 100); do
    kill -0 "$KAFKA_PID" 2>/dev/null || break
    sleep 0.2
  done
  kill -9 "$KAFKA_PID" 2>/dev/null || true
  wait "$KAFKA_PID" 2>/dev/null || true
}
