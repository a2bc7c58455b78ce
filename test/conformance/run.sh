#!/usr/bin/env bash
# Conformance against ClickHouse 26 (chDB: ClickHouse in-process, from npm).
# Needs node and the npm package chdb, kept in a cache outside the repository
# (PERSONA_NODE_CACHE, default ~/.cache/persona/node).  Run as root, it installs
# what is missing (nodejs and npm from Debian, then chdb); otherwise, or when
# neither can be had, it prints "skipped: <reason>" and exits 77, which
# `make test` reports as a skip, never as a pass.
# Uses the server in PGHOST/PGPORT, in a database of its own (persona_conformance).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${PERSONA_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/persona/node}
CHDB_VERSION=3.4.0		# ships ClickHouse 26.7

skip() { echo "skipped: $*"; exit 77; }

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
	[ "$(id -u)" = 0 ] || skip "node and npm are not installed (run as root to install them, or: apt-get install nodejs npm)"
	echo "installing nodejs and npm (Debian)" >&2
	export DEBIAN_FRONTEND=noninteractive
	{ apt-get update -qq && apt-get install -y -qq --no-install-recommends nodejs npm; } >/dev/null 2>&1 \
		|| skip "apt-get could not install nodejs and npm"
fi
if [ ! -f "$cache/node_modules/chdb/package.json" ] \
	|| [ "$(node -p "require('$cache/node_modules/chdb/package.json').version" 2>/dev/null)" != "$CHDB_VERSION" ]; then
	mkdir -p "$cache" 2>/dev/null || skip "cannot create the cache $cache"
	[ -f "$cache/package.json" ] || echo '{"name": "persona-test-peers", "private": true}' > "$cache/package.json"
	echo "installing chdb@$CHDB_VERSION into $cache (about 550 MB)" >&2
	(cd "$cache" && npm install --no-audit --no-fund --loglevel=error "chdb@$CHDB_VERSION" >/dev/null 2>&1) \
		|| skip "npm could not install chdb@$CHDB_VERSION into $cache"
fi
NODE_PATH="$cache/node_modules" node -e 'require("chdb").query("SELECT 1", "CSV")' >/dev/null 2>&1 \
	|| skip "chdb is installed in $cache but does not load on this machine"

# a database of its own, with persona, dropped afterwards
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"
db=persona_conformance
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" \
	&& psql -X -q -v ON_ERROR_STOP=1 -d $db -c "CREATE EXTENSION persona" || { echo "could not create $db with persona"; exit 1; }
rc=0
PGDATABASE=$db NODE_PATH="$cache/node_modules" node "$here/conformance.js" || rc=$?
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db"
exit $rc
