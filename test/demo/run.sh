#!/usr/bin/env bash
# make demo: build and install persona, start a throwaway cluster (or use PGHOST/PGPORT),
# load a small synthetic customer-data-platform data set (test/demo/data.sql) and answer
# a few marketing questions with roaring bitmaps (test/demo/questions.sql).
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
cd "$PERSONA_ROOT"

say "== persona demo: customer-data-platform analytics with roaring bitmaps"
say "-- building and installing persona"
persona_deps
persona_install
persona_cluster

DB=persona_demo
PSQL=(psql -X -q -v ON_ERROR_STOP=1)

say "-- creating database $DB"
"${PSQL[@]}" -d postgres -c "SET client_min_messages = warning" \
	-c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
"${PSQL[@]}" -d "$DB" -c "CREATE EXTENSION persona"

say "-- loading 50,000 people: CRM, app and WeChat records, ~200 tags, one bitmap per tag"
t0=$(date +%s%N)
"${PSQL[@]}" -d "$DB" -f test/demo/data.sql
t1=$(date +%s%N)
ms=$(( (t1 - t0) / 1000000 ))
say "   loaded in $((ms / 1000)).$(printf '%03d' $((ms % 1000))) s"

say "-- answering the questions (test/demo/questions.sql)"
"${PSQL[@]}" -d "$DB" -f test/demo/questions.sql

# Each module adds its part of the story as test/demo/NN_<module>.sql.
for f in test/demo/[0-9][0-9]_*.sql; do
	[ -e "$f" ] || continue
	say "-- $(sed -n '1s/^-- *//p' "$f")"
	"${PSQL[@]}" -d "$DB" -f "$f"
done
