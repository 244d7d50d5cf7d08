#!/usr/bin/env bash
# Makes sure PostgreSQL and Redis answer on loopback, for `make run`, `make test`
# and CI: use running ones, start installed-but-stopped ones, install them with
# apt-get on Debian/Ubuntu when absent; otherwise say exactly what is missing.
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

ensure_postgres
ensure_redis
ensure_relais_db
say "PostgreSQL on $PGHOST:$PGPORT and Redis on 127.0.0.1:$REDIS_PORT are ready"
