#!/usr/bin/env bash
# Import benchmark (not part of `make test`): `relais import --file` itself,
# timed by /usr/bin/time -v (wall time, CPU, peak resident memory), on the
# two 1 000 000-line files of BenchmarkImport1M (internal/trackingcsv): the
# generated one and the one shaped as the 2024 report. Each import goes into
# a fresh database, dropped at the end; the files are written once into
# BENCH_DIR and kept.
#
#   make bench-import                      # both files, RUNS=2 each
#   FILES=2024 RUNS=3 make bench-import
#   LINES=100000 BENCH_DIR=/tmp/small make bench-import
#   RELAIS_BIN=/tmp/relais-old FILES=2024 make bench-import   # another build (before/after)
#
# Needs PostgreSQL (scripts/services.sh).
set -euo pipefail

RUNS=${RUNS:-2}
FILES=${FILES:-"generated 2024"}
LINES=${LINES:-1000000}
BENCH_DIR=${BENCH_DIR:-/tmp/relais-bench-import-$LINES}
PGURL=${PGURL:-postgres://postgres@127.0.0.1:5432}

root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
db="relais_import_$$"
cleanup() {
	psql "$PGURL/postgres" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

if [ -n "${RELAIS_BIN:-}" ]; then
	cp "$RELAIS_BIN" "$work/relais"
else
	(cd "$root" && go build -tags goolm -o "$work/relais" ./cmd/relais)
fi
mkdir -p "$BENCH_DIR"
if [ ! -s "$BENCH_DIR/generated.csv" ] || [ ! -s "$BENCH_DIR/2024.csv" ]; then
	(cd "$root" && RELAIS_BENCH_DIR="$BENCH_DIR" RELAIS_BENCH_LINES="$LINES" \
		go test -count=1 -tags goolm,benchfiles -run TestWriteBenchFiles ./internal/trackingcsv/ >/dev/null)
fi

# pg_cpu_watch writes, until killed, the CPU ticks (user + system, 1/100 s)
# of the PostgreSQL backends serving $db, summed per process at its last
# sighting: on a machine shared with other work the wall time says little,
# and the import's CPU in both processes bounds what it takes on idle cores.
pg_cpu_watch() {
	declare -A ticks
	while :; do
		for d in /proc/[0-9]*; do
			# A process may end between the listing and the read: its
			# files are gone, silently (the braces take the redirection's error).
			cmd=$({ tr '\0' ' ' <"$d/cmdline"; } 2>/dev/null) || continue
			case "$cmd" in "postgres: "*" $db "*)
				{ read -r -a st <"$d/stat"; } 2>/dev/null || continue
				ticks[${d#/proc/}]=$((st[13] + st[14])) ;;
			esac
		done
		total=0
		for k in "${!ticks[@]}"; do total=$((total + ticks[$k])); done
		echo "$total" >"$work/pgcpu"
		sleep 0.2
	done
}

export DATABASE_URL="$PGURL/$db" RELAIS_LOG_LEVEL=${RELAIS_LOG_LEVEL:-warn}
for file in $FILES; do
	for run in $(seq "$RUNS"); do
		psql "$PGURL/postgres" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1
		psql "$PGURL/postgres" -qc "CREATE DATABASE $db" >/dev/null
		"$work/relais" migrate >/dev/null
		psql "$DATABASE_URL" -qc "CHECKPOINT" >/dev/null
		load=$(cut -d' ' -f1-3 /proc/loadavg)
		echo 0 >"$work/pgcpu"
		pg_cpu_watch &
		watch_pid=$!
		/usr/bin/time -v -o "$work/time" "$work/relais" import --file "$BENCH_DIR/$file.csv" >"$work/out"
		sleep 0.5
		kill "$watch_pid"
		wait "$watch_pid" 2>/dev/null || true
		pgcpu=$(cat "$work/pgcpu")
		wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$work/time")
		user=$(sed -n 's/.*User time (seconds): //p' "$work/time")
		sys=$(sed -n 's/.*System time (seconds): //p' "$work/time")
		rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/time")
		printf '%s run %d: wall %s, relais CPU %s s user + %s s sys, PostgreSQL backend CPU %d.%02d s, peak RSS %d MB (load before: %s) — %s\n' \
			"$file" "$run" "$wall" "$user" "$sys" $((pgcpu / 100)) $((pgcpu % 100)) $((rss / 1024)) "$load" "$(head -c 300 "$work/out" | tr "\n" " ")"
	done
done
