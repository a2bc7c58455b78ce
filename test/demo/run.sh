#!/usr/bin/env bash
# make demo: build and install persona, start a throwaway cluster (or use PGHOST/PGPORT),
# load a small synthetic customer-data-platform data set keyed by source records
# (test/demo/data.sql) and tell the story one numbered section per file
# (test/demo/NN_*.sql): records -> persons -> tags -> audiences -> funnels -> attribution
# -> loyalty -> 64-bit bitmaps.
#
# Unattended: psql never starts a pager and reads no ~/.psqlrc, and this script reads
# nothing from the terminal. Everything, headers included, goes to stdout, so that it
# stays in order when piped.
#
#   KEEP=1   (make demo KEEP=1) leave the throwaway cluster running at the end and print
#            how to connect to it and how to stop it.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
cd "$PERSONA_ROOT"
exec 2>&1
# lib.sh's messages too, folded at spaces to 80 columns (a temporary path can be long)
say() { printf '%s\n' "$*" | fold -s -w 80 | sed 's/ *$//'; }

say "== persona demo: customer-data-platform analytics in PostgreSQL"
say "-- building and installing persona"
persona_deps
persona_install
persona_cluster

DB=persona_demo
PSQL=(psql -X -q -P pager=off -v ON_ERROR_STOP=1)

# KEEP: replace the cluster's removal at exit by the instructions to use and remove it
# (on a failure too: that is when one wants to look inside).
if [ -n "${KEEP:-}" ] && [ "${KEEP}" != 0 ] && [ -n "${PERSONA_PGDATA:-}" ]; then
	keep_line() { printf '%s\n' "$*"; }
	demo_keep() {
		keep_line ""
		keep_line "-- KEEP: the cluster is still running. Connect with:"
		keep_line "   psql -h $PGHOST -p $PGPORT -U $PGUSER -d $DB"
		keep_line "-- stop it and remove its directory with:"
		# one argument a line: the paths can be long, the lines stay within 80 columns
		if [ "$(id -u)" = 0 ]; then
			keep_line "   runuser -u postgres -- \\"
			keep_line "     $PG_BIN/pg_ctl \\"
		else
			keep_line "   $PG_BIN/pg_ctl \\"
		fi
		keep_line "     -D $PERSONA_PGDATA stop"
		keep_line "   rm -rf $PERSONA_TMP"
	}
	trap demo_keep EXIT
	say "   (KEEP: it stays running after the demo)"
fi

say "-- creating database $DB"
"${PSQL[@]}" -d postgres -c "SET client_min_messages = warning" \
	-c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
"${PSQL[@]}" -d "$DB" -c "CREATE EXTENSION persona"

say "-- generating the records of 50,000 people (test/demo/data.sql)"
t0=$(date +%s%N)
"${PSQL[@]}" -d "$DB" -f test/demo/data.sql
t1=$(date +%s%N)
ms=$(( (t1 - t0) / 1000000 ))
say "   generated in $((ms / 1000)).$(printf '%03d' $((ms % 1000))) s"

# Each file is one numbered section of the story and prints its own header.
for f in test/demo/[0-9][0-9]_*.sql; do
	"${PSQL[@]}" -d "$DB" -f "$f"
done
say ""
say "== end of the demo"
