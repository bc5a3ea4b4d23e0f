# Shared by scripts/drill-sentinel and scripts/drill-cluster (sourced, not run): a fleet on a
# Redis topology, ./funnel drill-load through HAProxy, time marks for the faults, the read-back of
# accepted events, and the verdict (a one-line JSON summary; exit 1 on any failed criterion).
# The caller sets ROOT, TOPOLOGY, QUICK ("--quick" or ""), RATE, DURATION, EVENT_SHARE, GRACE_S;
# WARMUP (seconds of load before the measured ones) defaults to 30.
WARMUP="${WARMUP:-30}"

WORK="$(mktemp -d "/tmp/funnel-drill-$TOPOLOGY-XXXXXX")"
export FLEET_DIR="$WORK/fleet"
# Generous store and request deadlines, so that degraded answers measure Redis being away rather
# than a starved CPU (docs/scale-out.md: the 20 ms default degrades under load on 2 shared cores).
export FLEET_REPLICA_ENV="${FLEET_REPLICA_ENV:-FUNNEL_REDIS_TIMEOUT_MS=1000 FUNNEL_SERVING_DEADLINE_MS=2000}"
DRILL_BG=()
drill_cleanup() {
  for p in "${DRILL_BG[@]}"; do kill "$p" 2>/dev/null || true; done
  "$ROOT/scripts/fleet" down >>"$WORK/fleet.log" 2>&1 || true
}
trap drill_cleanup EXIT
now_ms() { date +%s%3N; }
# mark NAME [EPOCH_MS]: a moment of the drill (now by default), for the verdict
mark() { echo "$1 ${2:-$(now_ms)}" >>"$WORK/marks"; echo "drill $TOPOLOGY: $1" >&2; }
fleet() { "$ROOT/scripts/fleet" "$@" 2>>"$WORK/fleet.log"; }
# shellcheck disable=SC2046
funnel_redis() { env $(fleet redis-env) "$ROOT/funnel" "$@"; }

drill_start_fleet() {
  echo "drill $TOPOLOGY: starting the fleet ($WORK/fleet.log)" >&2
  URL="$(fleet up "--$TOPOLOGY" $QUICK)" || { tail -20 "$WORK/fleet.log" >&2; exit 1; }
  USERS="$(($(wc -l <"$(sed -n 's/^DATA=//p' "$FLEET_DIR/state")/users.tsv") - 1))"
  echo "drill $TOPOLOGY: machine $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), $(uptime)" >&2
}

# Starts the load in the background and returns once its measured phase begins (after WARMUP s of
# the same load: freshly started JVMs on a loaded machine are slow for their first seconds).
drill_start_load() {
  "$ROOT/funnel" drill-load --url "$URL" --rate "$RATE" --duration "$DURATION" \
    --event-share "$EVENT_SHARE" --users "$USERS" --connections 64 --warmup "$WARMUP" --timeout-ms "${CLIENT_TIMEOUT_MS:-10000}" \
    --out "$WORK/load" \
    >"$WORK/load.out" 2>"$WORK/load.log" &
  LOAD_PID=$!; DRILL_BG+=("$LOAD_PID")
  until grep -q 'measuring from' "$WORK/load.log" 2>/dev/null; do
    kill -0 "$LOAD_PID" 2>/dev/null || { cat "$WORK/load.log" >&2; exit 1; }
    sleep 0.1
  done
  LOAD_START_S=$SECONDS
}

# sleep_until_load_s S: sleeps until S seconds into the load.
sleep_until_load_s() {
  local left=$(($1 - (SECONDS - LOAD_START_S)))
  (( left > 0 )) && sleep "$left"
  return 0
}

# wait_for SECONDS COMMAND...: polls every 0.1 s; 1 on timeout.
wait_for() {
  local until=$((SECONDS + $1))
  shift
  until "$@" >/dev/null 2>&1; do
    (( SECONDS < until )) || return 1
    sleep 0.1
  done
}

drill_finish_load() {
  LOAD_RC=0; wait "$LOAD_PID" || LOAD_RC=$?
  DRILL_BG=()
  LOAD_AT_END="$(cut -d' ' -f1-3 /proc/loadavg)"
  mark load_done
  echo "drill $TOPOLOGY: reading back the events answered 202" >&2
  funnel_redis check-events --accepted "$WORK/load/accepted.tsv" >"$WORK/check.json" \
    2>"$WORK/check.log" || true
}

# drill_verdict WINDOWS_JSON: WINDOWS_JSON lists [start_mark, end_mark] pairs; a degraded
# recommendation is allowed only when it came in a second that overlaps [start, end + GRACE_S].
drill_verdict() {
  python3 - "$WORK" "$TOPOLOGY" "$1" "$GRACE_S" "$LOAD_RC" "$LOAD_AT_KILL" "$LOAD_AT_END" <<'PY'
import json, sys
work, topology, windows, grace, load_rc, load_kill, load_end = sys.argv[1:]
grace = float(grace)
def load(name):
    try:
        return json.load(open(f"{work}/{name}"))
    except Exception:
        return {}
s, check, reads = load("load/summary.json"), load("check.json"), load("reads.json")
marks = {}
for line in open(f"{work}/marks"):
    k, v = line.split()
    marks[k] = int(v)
t0 = s.get("start_epoch_ms", 0)
rel = lambda k: round((marks[k] - t0) / 1000, 1) if k in marks else None
allowed = []
for a, b in json.loads(windows):
    if a in marks:
        allowed.append((marks[a], marks.get(b, marks[a]) + grace * 1000))
cols = s.get("timeline_columns", [])
tot = s.get("totals", {})
outside, in_window, deg_seconds = 0, 0, []
for row in s.get("timeline", []):
    r = dict(zip(cols, row))
    if r["rec_degraded"] == 0:
        continue
    lo, hi = t0 + r["second"] * 1000, t0 + (r["second"] + 1) * 1000
    deg_seconds.append(r["second"])
    if any(lo < b and hi > a for a, b in allowed):
        in_window += r["rec_degraded"]
    else:
        outside += r["rec_degraded"]
problems = []
if not s: problems.append("no drill-load summary")
if tot.get("rec_bad", 1): problems.append(f"{tot.get('rec_bad')} recommendations not 200")
if tot.get("event_bad", 1): problems.append(f"{tot.get('event_bad')} events neither 202 nor 503+Retry-After")
warm = s.get("warmup_totals", {})
if warm.get("rec_bad", 0) or warm.get("event_bad", 0):
    problems.append(f"in the warm-up: {warm.get('rec_bad')} recommendations not 200, {warm.get('event_bad')} bad events")
if s.get("unanswered", 1): problems.append(f"{s.get('unanswered')} requests unanswered")
if outside: problems.append(f"{outside} degraded recommendations outside the failure windows")
if check.get("missing", 1) != 0 or "accepted" not in check:
    problems.append(f"events answered 202 missing from the store: {check.get('missing')} {check.get('missing_sample')}")
recovered = sum(1 for row in s.get("timeline", [])
                if "recovered" in marks and t0 + row[0] * 1000 >= marks["recovered"] + 2000
                and dict(zip(cols, row))["event_202"] > 0)
if "master_killed" in marks and "promoted" not in marks:
    problems.append("no replica was promoted within 60 s of the kill")
if "promoted" in marks and "recovered" not in marks:
    problems.append("the killed node did not rejoin as a replica within 60 s")
if "replica_killed" in marks and "replica_back" not in marks:
    problems.append("the killed replica did not come back within 60 s")
if "recovered" in marks and recovered == 0:
    problems.append("no event answered 202 after the topology recovered")
if reads:
    if not reads.get("finished") or reads.get("errors", 1) or reads.get("seconds", 99) >= 10:
        problems.append(f"store-reads: {reads}")
elif topology == "cluster":
    problems.append("no store-reads result")
kill = marks.get("master_killed")
summary = {
    "drill": topology, "ok": not problems, "problems": problems,
    "rate": s.get("rate"), "duration_s": s.get("duration_s"), "sent": s.get("sent"),
    "totals": tot, "rec_latency_ms": s.get("rec_latency_ms"), "warmup_s": s.get("warmup_s"),
    "failover_s": round((marks["promoted"] - kill) / 1000, 1) if kill and "promoted" in marks else None,
    "marks_s": {k: rel(k) for k in marks},
    "degraded_seconds": [deg_seconds[0], deg_seconds[-1]] if deg_seconds else [],
    # from the kill to the start / end of the first / last second with a degraded answer
    "degraded_window_after_kill_s": [round((t0 + deg_seconds[0] * 1000 - kill) / 1000, 1),
                                     round((t0 + (deg_seconds[-1] + 1) * 1000 - kill) / 1000, 1)]
                                    if deg_seconds and kill else [],
    "degraded_in_windows": in_window,
    "event_503_seconds": s.get("event_503_seconds"),
    "events_checked": {k: check.get(k) for k in ("accepted", "present", "missing")},
    "store_reads": reads or None,
    "load_avg_at_kill": load_kill, "load_avg_end": load_end, "logs": work,
}
print(json.dumps(summary, separators=(",", ":")))
sys.exit(0 if not problems else 1)
PY
}
