#!/usr/bin/env bash
# Makes sure PostgreSQL and Redis answer on loopback, for `make run`, `make test`
# and CI: use running ones, start installed-but-stopped ones, install them with
# apt-get on Debian/Ubuntu when absent; otherwise say exactly what is missing.
# With `matrix` as argument (`make test` passes it), it also makes sure a
# Dendrite homeserver for the Matrix transport's tests answers on loopback.
set -euo pipefail

PGHOST=127.0.0.1
PGPORT=5432
REDIS_PORT=6379

say() { echo "services: $*" >&2; }

pg_up() { pg_isready -h "$PGHOST" -p "$PGPORT" -q 2>/dev/null || (exec 3<>/dev/tcp/$PGHOST/$PGPORT) 2>/dev/null; }
pg_trust() { psql -h "$PGHOST" -p "$PGPORT" -U postgres -d postgres -Atc 'select 1' >/dev/null 2>&1; }
redis_up() {
	if command -v redis-cli >/dev/null; then
		[ "$(redis-cli -h 127.0.0.1 -p $REDIS_PORT ping 2>/dev/null)" = PONG ]
	else
		(exec 3<>/dev/tcp/127.0.0.1/$REDIS_PORT) 2>/dev/null
	fi
}

apt_install() {
	if ! command -v apt-get >/dev/null; then
		say "missing: $* — install them (PostgreSQL ≥ 14 on 127.0.0.1:5432 with user postgres, Redis on 127.0.0.1:6379), or run 'docker compose up postgres redis'"
		exit 1
	fi
	local sudo=""
	[ "$(id -u)" = 0 ] || sudo="sudo"
	say "installing $* with apt-get"
	$sudo apt-get update -qq >/dev/null
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null
}

wait_for() { # name check
	for _ in $(seq 1 60); do
		if "$2"; then return 0; fi
		sleep 0.5
	done
	say "$1 did not start"
	exit 1
}

start_postgres() {
	local sudo=""
	[ "$(id -u)" = 0 ] || sudo="sudo"
	if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
		local ver
		ver=$(ls /etc/postgresql | sort -V | tail -1)
		if [ -z "$ver" ] || [ ! -d "/etc/postgresql/$ver/main" ]; then
			$sudo pg_createcluster "${ver:-15}" main >/dev/null
			ver=$(ls /etc/postgresql | sort -V | tail -1)
		fi
		# Tests connect as postgres over TCP without a password (loopback only).
		local hba="/etc/postgresql/$ver/main/pg_hba.conf"
		if [ -f "$hba" ] && ! grep -q '^host all all 127.0.0.1/32 trust' "$hba"; then
			$sudo sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$hba"
		fi
		$sudo pg_ctlcluster --skip-systemctl-redirect "$ver" main start 2>/dev/null || $sudo pg_ctlcluster --skip-systemctl-redirect "$ver" main reload 2>/dev/null || true
	else
		say "PostgreSQL is installed but no Debian cluster tools were found: start it on $PGHOST:$PGPORT"
		exit 1
	fi
}

ensure_postgres() {
	if pg_up && pg_trust; then return; fi
	if ! command -v pg_ctlcluster >/dev/null; then
		apt_install postgresql postgresql-client
	fi
	start_postgres
	wait_for PostgreSQL pg_up
	wait_for "PostgreSQL (trust auth for postgres on 127.0.0.1)" pg_trust
}

ensure_redis() {
	if redis_up; then return; fi
	if ! command -v redis-server >/dev/null; then
		apt_install redis-server
	fi
	mkdir -p /tmp/relais-redis
	redis-server --daemonize yes --bind 127.0.0.1 --port $REDIS_PORT --save "" --appendonly no \
		--dir /tmp/relais-redis --logfile /tmp/relais-redis/redis.log >/dev/null
	wait_for Redis redis_up
}

# The default DATABASE_URL names a database "relais": create it for `make run`.
ensure_relais_db() {
	[ -z "${DATABASE_URL:-}" ] || return 0
	if ! psql -h "$PGHOST" -p "$PGPORT" -U postgres -d postgres -Atc "SELECT 1 FROM pg_database WHERE datname = 'relais'" | grep -q 1; then
		psql -h "$PGHOST" -p "$PGPORT" -U postgres -d postgres -qc 'CREATE DATABASE relais' >/dev/null
	fi
}

# The Matrix transport's tests talk to a real homeserver: Dendrite v0.13.8
# (Apache-2.0; its later element-hq versions are AGPL), built once with cgo for
# SQLite into a cache kept across clones (about 3½ minutes on an empty Go
# cache), started once and reused by every test run. Federation is off,
# rate limits too, open registration too (tests register their own users with
# the shared secret, which internal/testenv reads from the data dir, a temp dir).
DENDRITE_VERSION=v0.13.8
DENDRITE_BIN="${RELAIS_DENDRITE_BIN:-$HOME/.cache/relais/dendrite-$DENDRITE_VERSION/bin}"
MATRIX_PORT="${RELAIS_TEST_MATRIX_PORT:-8008}"
MATRIX_DIR="${RELAIS_TEST_MATRIX_DIR:-/tmp/relais-dendrite}"

matrix_up() { curl -fsS "http://127.0.0.1:$MATRIX_PORT/_matrix/client/versions" >/dev/null 2>&1; }

build_dendrite() {
	local missing=""
	for cmd in dendrite generate-keys generate-config; do
		[ -x "$DENDRITE_BIN/$cmd" ] || missing="$missing $cmd"
	done
	[ -n "$missing" ] || return 0
	if ! command -v go >/dev/null || ! command -v gcc >/dev/null; then
		say "missing: Go and gcc to build Dendrite $DENDRITE_VERSION (the Matrix tests need it)"
		exit 1
	fi
	say "building Dendrite $DENDRITE_VERSION into $DENDRITE_BIN (once; about 3½ minutes on an empty Go cache)"
	mkdir -p "$DENDRITE_BIN"
	local pkgs=()
	for cmd in dendrite generate-keys generate-config create-account; do
		pkgs+=("github.com/matrix-org/dendrite/cmd/$cmd@$DENDRITE_VERSION")
	done
	(cd / && CGO_ENABLED=1 GOBIN="$DENDRITE_BIN" GOFLAGS= go install "${pkgs[@]}")
}

configure_dendrite() {
	mkdir -p "$MATRIX_DIR"
	chmod 700 "$MATRIX_DIR"
	[ -f "$MATRIX_DIR/dendrite.yaml" ] && return 0
	(cd "$MATRIX_DIR" && "$DENDRITE_BIN/generate-keys" --private-key matrix_key.pem >/dev/null)
	local secret
	secret=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
	"$DENDRITE_BIN/generate-config" -ci -server localhost -dir "$MATRIX_DIR" |
		sed -e 's/^\(  *disable_federation:\).*/\1 true/' \
			-e "s/^\(  *registration_shared_secret:\).*/\1 \"$secret\"/" \
			-e 's/^\(  *registration_disabled:\).*/\1 true/' \
			-e 's/^\(  *guests_disabled:\).*/\1 true/' \
			-e 's/^\(  *level:\) trace/\1 warn/' \
			-e 's/^\(  *enable_inbound:\).*/\1 false/' \
			-e 's/^\(  *enable_outbound:\).*/\1 false/' >"$MATRIX_DIR/dendrite.yaml.new"
	for want in 'disable_federation: true' 'registration_disabled: true' 'enabled: false'; do
		grep -q "$want" "$MATRIX_DIR/dendrite.yaml.new" || { say "Dendrite's configuration did not take « $want »"; exit 1; }
	done
	printf '%s' "$secret" >"$MATRIX_DIR/registration_secret"
	mv "$MATRIX_DIR/dendrite.yaml.new" "$MATRIX_DIR/dendrite.yaml"
}

ensure_matrix() {
	if matrix_up; then return; fi
	build_dendrite
	configure_dendrite
	# In its own session, holding none of this script's descriptors, so it
	# outlives the script and a pipe reading make's output still ends;
	# dendrite.pid is its pid (written by the shell that becomes it).
	(cd "$MATRIX_DIR" && exec setsid sh -c 'echo $$ >dendrite.pid; exec "$0" -config dendrite.yaml -http-bind-address "$1"' \
		"$DENDRITE_BIN/dendrite" "127.0.0.1:$MATRIX_PORT" >"$MATRIX_DIR/dendrite.log" 2>&1 </dev/null) &
	wait_for "Dendrite on 127.0.0.1:$MATRIX_PORT (log: $MATRIX_DIR/dendrite.log)" matrix_up
}

ensure_postgres
ensure_redis
ensure_relais_db
say "PostgreSQL on $PGHOST:$PGPORT and Redis on 127.0.0.1:$REDIS_PORT are ready"
if [ "${1:-}" = matrix ]; then
	ensure_matrix
	say "Dendrite on 127.0.0.1:$MATRIX_PORT is ready (data in $MATRIX_DIR)"
fi
