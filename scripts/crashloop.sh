#!/usr/bin/env bash
# Crash loop (not part of `make test`): 20 simulated mediators fill sheets
# through the fake Bot API while `relais serve` is killed with SIGKILL 30
# times; prints what reached the users and PostgreSQL. Options:
#   --outage 20s   also stop Redis, then PostgreSQL, 20 s each (mid-run)
#   --kills N      number of SIGKILLs (default 30)
#   --mediators N  simulated mediators (default 20)
#   --replicas 2   two relais serve behind one webhook front (round robin,
#                  the other replica when one is down), killed in turn;
#                  prints each replica's share of the updates; implies --limits
#   --limits       the fake Bot API enforces Telegram's limits (30 messages/s
#                  for the bot, 1/s per chat); prints its 429s
#   --matrix       instead: relais serve on Matrix alone (the test homeserver),
#                  killed once mid-sheet in an encrypted direct chat
#                  (TestMatrixServeSurvivesKill9MidForm)
# Needs PostgreSQL and Redis as for `make test` (scripts/services.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
args=()
run='^TestCrashLoop$' tags=crashloop services=
while [ $# -gt 0 ]; do
  case "$1" in
    --outage) args+=("-crash.outage=$2"); shift 2 ;;
    --kills) args+=("-crash.kills=$2"); shift 2 ;;
    --mediators) args+=("-crash.mediators=$2"); shift 2 ;;
    --replicas) args+=("-crash.replicas=$2"); shift 2 ;;
    --limits) args+=("-crash.limits"); shift ;;
    --matrix) run='^TestMatrixServeSurvivesKill9MidForm$' tags=crashloop,goolm services=matrix; shift ;;
    *) echo "usage: $0 [--outage 20s] [--kills N] [--mediators N] [--replicas N] [--limits] | --matrix" >&2; exit 2 ;;
  esac
done
bash scripts/services.sh $services
exec go test -tags "$tags" -run "$run" -count=1 -timeout 30m -v ./cmd/relais/ -args "${args[@]}"
