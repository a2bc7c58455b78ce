#!/usr/bin/env bash
# CRoaring mallocs outside PostgreSQL's memory contexts.  Thousands of bitmap
# queries that fail (ERROR) or are cancelled (statement_timeout) while
# CRoaring objects are alive must not grow the backend's private memory:
# each object is owned by a memory-context callback that frees it.
set -euo pipefail
db=persona_mem
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
psql -X -q -d $db -c "CREATE EXTENSION persona" \
  -c "CREATE TABLE t AS SELECT i, rb_fill('{}', i * 1000, i * 1000 + 70000) AS bm FROM generate_series(1, 300) i"
pid_file=$(mktemp); trap 'rm -f "$pid_file"' EXIT

rounds=${ROUNDS:-300}
{
	echo "SELECT pg_backend_pid() AS pid \\gset"
	echo "\\! echo :pid > $pid_file"
	echo "\\setenv BPID :pid"
	script() {
		for _ in $(seq 1 "$1"); do
			# an ERROR in the middle of an aggregate whose state holds ~100k elements
			echo "SELECT rb_cardinality(rb_build_agg(CASE WHEN i < 100000 THEN (i * 37) % 9000000 ELSE 1 / (i - i) END)) FROM generate_series(1, 100001) i;"
			# an ERROR while a function holds deserialized operands
			echo "SELECT rb_or_cardinality(bm, rb_fill(bm, 0, 65536)) / (i - i) FROM t WHERE i = 7;"
			# a cancel in the middle of a union aggregate
			echo "SET statement_timeout = '15ms';"
			echo "SELECT rb_cardinality(rb_or_agg(bm)) FROM t, generate_series(1, 1000) g;"
			echo "RESET statement_timeout;"
		done
	}
	script 100
	echo "\\! grep RssAnon /proc/\$BPID/status | awk '{print \$2}' > $pid_file.before"
	script "$rounds"
	echo "\\! grep RssAnon /proc/\$BPID/status | awk '{print \$2}' > $pid_file.after"
} | psql -X -q -d $db >/dev/null 2>&1 || true
before=$(cat "$pid_file.before" 2>/dev/null || echo 0)
after=$(cat "$pid_file.after" 2>/dev/null || echo 0)
rm -f "$pid_file.before" "$pid_file.after"
psql -X -q -d postgres -c "DROP DATABASE $db"
if [ "$before" = 0 ] || [ "$after" = 0 ]; then
	echo "could not read the backend's memory (server not on this machine?)"; exit 1
fi
growth=$(( after - before ))
echo "backend RssAnon before ${before} kB, after $((rounds * 3)) more failing queries ${after} kB (growth ${growth} kB)"
# one leaked aggregate state alone would be ~200 kB; 300 of them ~60 MB
[ "$growth" -lt 20000 ]
