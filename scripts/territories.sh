#!/bin/sh
# Refreshes the French administrative reference vendored in
# internal/territory/data from @etalab/decoupage-administratif on npm (the
# Code officiel géographique as JSON): regions, départements, the package's
# licence and the version taken. Usage: scripts/territories.sh [version]
# (default: the latest published). Review the diff, then run
# go test ./internal/territory/.
set -eu
version=${1:-$(npm view @etalab/decoupage-administratif version)}
dest=$(cd "$(dirname "$0")/.." && pwd)/internal/territory/data
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "@etalab/decoupage-administratif@$version" >/dev/null && tar xzf ./*.tgz)
for f in regions.json departements.json; do
	cp "$tmp/package/data/$f" "$dest/$f"
done
cp "$tmp/package/LICENSE" "$dest/LICENSE"
cat >"$dest/SOURCE" <<SRC
@etalab/decoupage-administratif $version (npm), data/regions.json and data/departements.json.
Code: MIT (LICENSE). Data: Licence Ouverte / Open Licence (Etalab), from the Code officiel géographique (INSEE).
Refresh with scripts/territories.sh [version].
SRC
echo "internal/territory/data: @etalab/decoupage-administratif $version"
