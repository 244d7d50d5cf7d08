#!/usr/bin/env bash
# Load benchmark (not part of `make test`): `relais serve` driven through
# loadgram, a fake Telegram Bot API that enforces Telegram's flood limits
# (429 past 30 messages/s overall or 1/s per chat, bursts 30 and 3), by N
# simulated mediators each filling whole sheets (loadgram's relais_sheet.json)
# at a chosen think time. Prints loadgram's report: messages per input,
# tap → first answer and tap → answerCallbackQuery percentiles, 429s, forms
# lost (failed), and the CPU time of the relais process (user + system) per
# input.
#
#   make bench-load                         # 100 mediators, 3 s between taps
#   USERS=1 THINK=1s FORMS=3 make bench-load
#   make bench-load USERS=290 THINK=10s RAMP=10s   # arrivals spread over 10 s
#   PROFILE=cpu.pprof make bench-load       # also a CPU profile of relais (go tool pprof -top cpu.pprof)
#   RELAIS_BIN=/tmp/relais-before make bench-load   # a binary built beforehand (compare two builds back to back)
#   make bench-load USERS=100 THINK=3s REMINDERS=2000  # the morning reminders pass during the conversations
#   KEEP_LOG=/tmp/relais.log RELAIS_LOG_LEVEL=info make bench-load   # keep relais's log (no message text is logged)
#
# REMINDERS=n registers n more mediators (the loadgram ids after the USERS
# driven ones, so their chats are loadgram's but no input waits there: a
# reminder is never counted as an answer), each with a request to follow up
# tomorrow. The run starts REMINDERS_AFTER seconds (default 20) before a
# minute: 15 s before that minute the requests become due today, and the
# reminders job, which runs at every minute, sends the n reminders (Bulk)
# while the mediators converse, as the 09:00 pass does. The script reads
# relais_telegram_bulk_sent_total on /metrics and prints when the last
# reminder were delivered, counted from that minute; messages per input
# leave the reminders out. loadgram is also the fake Bot API: the
# conversations must last longer than the pass (FORMS, THINK).
#
# Needs PostgreSQL and Redis (scripts/services.sh) and loadgram's sources
# (LOADGRAM_DIR, default ../shared/tools/loadgram). Each run uses a fresh
# database, dropped at the end.
set -euo pipefail

USERS=${USERS:-100}
THINK=${THINK:-3s}
FORMS=${FORMS:-1}
RAMP=${RAMP:-0s}
PROFILE=${PROFILE:-}
RELAIS_BIN=${RELAIS_BIN:-}
REMINDERS=${REMINDERS:-0}
REMINDERS_AFTER=${REMINDERS_AFTER:-20}
PORT=${PORT:-8099}
HTTP_PORT=${HTTP_PORT:-8098}
METRICS_PORT=${METRICS_PORT:-8097}
LOADGRAM_DIR=${LOADGRAM_DIR:-../shared/tools/loadgram}
PGURL=${PGURL:-postgres://postgres@127.0.0.1:5432}
UID_BASE=100000001

root=$(cd "$(dirname "$0")/.." && pwd)
LOADGRAM_DIR=$(cd "$root" && cd "$LOADGRAM_DIR" && pwd)
work=$(mktemp -d)
db="relais_bench_$$"
relais_pid=""
cleanup() {
	if [ -n "$relais_pid" ]; then kill "$relais_pid" 2>/dev/null || true; wait "$relais_pid" 2>/dev/null || true; fi
	if [ -n "${KEEP_LOG:-}" ] && [ -e "$work/relais.err" ]; then cp "$work/relais.err" "$KEEP_LOG"; fi
	psql "$PGURL/postgres" -qc "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

if [ -n "$RELAIS_BIN" ]; then
	cp "$RELAIS_BIN" "$work/relais"
	if [ -n "$PROFILE" ]; then
		case "$PROFILE" in /*) ;; *) PROFILE="$PWD/$PROFILE" ;; esac
		export RELAIS_CPUPROFILE="$PROFILE" # written only if RELAIS_BIN was built with -tags cpuprofile
	fi
elif [ -n "$PROFILE" ]; then
	case "$PROFILE" in /*) ;; *) PROFILE="$PWD/$PROFILE" ;; esac
	(cd "$root" && go build -tags goolm,cpuprofile -o "$work/relais" ./cmd/relais)
	export RELAIS_CPUPROFILE="$PROFILE"
else
	(cd "$root" && go build -tags goolm -o "$work/relais" ./cmd/relais)
fi
(cd "$LOADGRAM_DIR" && go build -o "$work/loadgram" .)

psql "$PGURL/postgres" -qc "CREATE DATABASE $db" >/dev/null
export DATABASE_URL="$PGURL/$db" REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0}
export RELAIS_REDIS_PREFIX="bench$$:" TELEGRAM_TOKEN=bench TELEGRAM_API_ENDPOINT="http://127.0.0.1:$PORT/bot%s/%s"
export RELAIS_HTTP_ADDR="127.0.0.1:$HTTP_PORT" RELAIS_METRICS_ADDR="127.0.0.1:$METRICS_PORT" RELAIS_LOG_LEVEL=${RELAIS_LOG_LEVEL:-warn}
"$work/relais" migrate >/dev/null
# N mediators, already registered (users + mediators rows), ids as loadgram numbers them.
psql "$DATABASE_URL" -q -v ON_ERROR_STOP=1 <<SQL >/dev/null
INSERT INTO users (telegram_id, role, display_name, chat_id)
  SELECT $UID_BASE + i, 'mediator', 'Bench ' || i, $UID_BASE + i FROM generate_series(0, $USERS - 1) i;
INSERT INTO mediators (identifier, user_id, departement, structure)
  SELECT 'bench-' || i, $UID_BASE + i, (ARRAY['02','59','60','62','80'])[1 + i % 5], 'Banc d''essai'
  FROM generate_series(0, $USERS - 1) i;
SQL
if [ "$REMINDERS" -gt 0 ]; then
	# Conversations go first: at USERS / THINK inputs a second near
	# Telegram's 30 the pass gets only what they leave.
	python3 - "$USERS" "$THINK" <<'PY' >&2
import re, sys
users, think = int(sys.argv[1]), sys.argv[2]
m = re.fullmatch(r"([0-9.]+)(ms|s|m)", think)
if m:
    secs = float(m.group(1)) * {"ms": 0.001, "s": 1, "m": 60}[m.group(2)]
    asked = users / secs if secs else float("inf")
    if asked > 30 - 22.2:
        print(f"note: the conversations ask about {asked:.1f} inputs/s; Telegram gives the bot 30 messages/s, "
              f"so the reminders get about {max(0, 30 - asked):.1f}/s: 2 000 within 90 s need 22.2/s (THINK=15s at 100 mediators)")
PY
	# n more mediators (reminder hour 0: the pass is due whatever the time
	# of day), each with one request « en cours » to follow up tomorrow.
	psql "$DATABASE_URL" -q -v ON_ERROR_STOP=1 <<SQL >/dev/null
INSERT INTO users (telegram_id, role, display_name, chat_id, reminder_hour)
  SELECT $UID_BASE + $USERS + i, 'mediator', 'Rappel ' || i, $UID_BASE + $USERS + i, 0 FROM generate_series(0, $REMINDERS - 1) i;
INSERT INTO mediators (identifier, user_id, departement, structure)
  SELECT 'rem-' || i, $UID_BASE + $USERS + i, (ARRAY['02','59','60','62','80'])[1 + i % 5], 'Banc d''essai'
  FROM generate_series(0, $REMINDERS - 1) i;
INSERT INTO beneficiaries (code, mediator_id)
  SELECT 'R' || lpad(i::text, 5, '0'), m.id FROM generate_series(0, $REMINDERS - 1) i JOIN mediators m ON m.identifier = 'rem-' || i;
INSERT INTO sheets (id, mediator_id, beneficiary_id, date, sex, age, qpv, resources, contact_mode, level, social_protection, obstacles, source)
  SELECT 'rem-' || i, m.id, b.id, (now() AT TIME ZONE 'Europe/Paris')::date - 7, 'F', 40, 'oui', 'rsa', 'aller_vers', 'accompagne', 'oui', '{}'::text[], 'import'
  FROM generate_series(0, $REMINDERS - 1) i JOIN mediators m ON m.identifier = 'rem-' || i JOIN beneficiaries b ON b.mediator_id = m.id;
INSERT INTO requests (sheet_id, position, kind, type, status, follow_up)
  SELECT 'rem-' || i, 1, 'droits', 'css', 'en_cours', (now() AT TIME ZONE 'Europe/Paris')::date + 1 FROM generate_series(0, $REMINDERS - 1) i;
SQL
	# Start REMINDERS_AFTER seconds before a minute (the job's tick).
	now_s=$(date +%s.%N)
	start_at=$(python3 -c "import math; n=$now_s; b=math.ceil(n/60)*60; s=b-$REMINDERS_AFTER-0.5; print(s if s>n else s+60)")
	sleep "$(python3 -c "print(max(0, $start_at - $(date +%s.%N)))")"
fi

"$work/loadgram" -addr "127.0.0.1:$PORT" -script "$LOADGRAM_DIR/relais_sheet.json" -users "$USERS" -forms "$FORMS" \
	-uid-base "$UID_BASE" -think "$THINK" -ramp "$RAMP" -ratelimit -grace 10s -step-timeout 30s -json >"$work/report.json" 2>"$work/loadgram.err" &
lg=$!
sleep 0.5
"$work/relais" serve 2>"$work/relais.err" >/dev/null &
relais_pid=$!
bulk_sent() { curl -s "http://127.0.0.1:$METRICS_PORT/metrics" | awk '$1 == "relais_telegram_bulk_sent_total" {print int($2)}'; }
watcher=""
if [ "$REMINDERS" -gt 0 ]; then
	(
		tick=$(python3 -c "import math; print(math.ceil($(date +%s.%N)/60)*60)")
		# Due 15 s before the tick: marking 2 000 requests runs the rollup
		# triggers, seconds on a loaded machine.
		sleep "$(python3 -c "print(max(0, $tick - 15 - $(date +%s.%N)))")"
		psql "$DATABASE_URL" -qc "UPDATE requests SET follow_up = (now() AT TIME ZONE 'Europe/Paris')::date WHERE sheet_id LIKE 'rem-%'" >/dev/null
		due=$(date +%s.%N)
		first="" last="" n=0
		while :; do
			now=$(date +%s.%N)
			n=$(bulk_sent || true)
			n=${n:-0}
			if [ -z "$first" ] && [ "$n" -gt 0 ]; then first=$now; fi
			if [ "$n" -ge "$REMINDERS" ]; then last=$now; break; fi
			# loadgram is the fake Bot API too: once its mediators are done,
			# nothing more can be delivered.
			if ! kill -0 "$lg" 2>/dev/null; then break; fi
			sleep 0.25
		done
		python3 - "$REMINDERS" "$n" "$tick" "${first:-0}" "${last:-0}" "$due" >"$work/reminders.txt" <<'PY'
import sys
want, n, tick, first, last, due = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5]), float(sys.argv[6])
print(f"reminders: requests due {due - tick:+.1f} s from the job's minute")
if not first:
    print(f"reminders: none of {want} delivered before the conversations ended")
    sys.exit()
when = f"the last {last - tick:.1f} s ({last - first:.1f} s after the first)" if last else "not all before the conversations ended"
print(f"reminders: {n} of {want} delivered; after the job's minute: the first {first - tick:.1f} s, {when}")
PY
	) &
	watcher=$!
fi
status=0
wait "$lg" || status=$?
if [ -n "$watcher" ]; then wait "$watcher" || true; fi
bulk=$(bulk_sent || true)
# CPU of relais over the run (fields 14 and 15 of /proc/PID/stat: user and
# system clock ticks), read before it stops.
if [ ! -e "/proc/$relais_pid/stat" ]; then
	echo "relais stopped before the end of the run:" >&2
	tail -n 20 "$work/relais.err" >&2
	exit 1
fi
read -r -a stat <"/proc/$relais_pid/stat"
ticks=$(getconf CLK_TCK)
cpu_s=$(python3 -c "print(($((stat[13] + stat[14]))) / $ticks)")
kill -INT "$relais_pid" 2>/dev/null || true
wait "$relais_pid" 2>/dev/null || true
relais_pid=""
cat "$work/loadgram.err" >&2
if [ -e "$work/reminders.txt" ]; then cat "$work/reminders.txt"; fi
python3 - "$work/report.json" "$USERS" "$THINK" "$RAMP" "$cpu_s" "${bulk:-0}" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
m = r.get("methods", {})
bulk = int(sys.argv[6] or 0)  # scheduled messages (the reminders), not answers to inputs
msgs = sum(m.get(k, 0) for k in ("sendMessage", "editMessageText", "editMessageReplyMarkup", "sendPhoto", "sendDocument", "deleteMessage")) - bulk
steps = r.get("steps_completed", 0) or 1
lat, cb = r.get("latency_ms", {}), r.get("answer_callback_latency_ms", {})
print(f"mediators {sys.argv[2]}, think {sys.argv[3]}, ramp {sys.argv[4]}, forms completed {r.get('forms_completed')} failed {r.get('forms_failed')}, mismatches {r.get('mismatches')}")
print(f"messages per input  {msgs/steps:.3f} ({msgs} calls for {steps} inputs)")
print(f"tap -> first answer p50 {lat.get('p50', 0):.0f}  p90 {lat.get('p90', 0):.0f}  p99 {lat.get('p99', 0):.0f}  max {lat.get('max', 0):.0f} ms")
print(f"tap -> callback     p50 {cb.get('p50', 0):.0f}  p90 {cb.get('p90', 0):.0f}  p99 {cb.get('p99', 0):.0f}  max {cb.get('max', 0):.0f} ms")
print(f"429s {r.get('status_429')}   callbacks answered {r.get('callbacks_answered')} of {r.get('callbacks_sent')}   api errors {r.get('api_errors')}")
print(f"methods {m}   wall {r.get('wall_s', 0):.1f} s")
cpu = float(sys.argv[5])
note = f" (and {bulk} scheduled messages)" if bulk else ""
print(f"relais CPU {cpu:.2f} s (user+sys) for {steps} inputs{note}: {1000*cpu/steps:.2f} ms per input")
PY
exit "$status"
