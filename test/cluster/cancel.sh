#!/usr/bin/env bash
# Every long-running persona function stops within one second of a cancel:
# each query below runs for many seconds when left alone; it is cancelled
# after 1.5 s (pg_cancel_backend) and must return SQLSTATE 57014 within 1 s.
# statement_timeout takes the same path (it sends the same interrupt), and
# is checked once at the end.
set -euo pipefail
export PGOPTIONS='-c client_min_messages=warning'
db=persona_cancel
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
psql -X -q -v ON_ERROR_STOP=1 -d $db <<'SQL'
CREATE EXTENSION persona;
-- a ledger of 4 million events and long tier-timeline arrays, built once
CREATE TABLE big_ledger AS
SELECT points_agg(timestamptz '2020-01-01 00:00+00' + g * interval '1 minute',
                  CASE WHEN g % 3 = 0 THEN -40 ELSE 50 END, interval '400 days') AS l
FROM generate_series(1, 4000000) g;
-- stored states whose final step is long on its own: a Markov chain of order 3
-- over 40 channels (tens of thousands of states) and channel sets of 20
CREATE TABLE big_markov AS
SELECT markov_agg(ARRAY['c' || (hashint4(g) & 1023) % 40, 'c' || (hashint4(g + 1) & 1023) % 40,
                        'c' || (hashint4(g + 2) & 1023) % 40, 'c' || (hashint4(g + 3) & 1023) % 40,
                        'c' || (hashint4(g + 4) & 1023) % 40], g % 3 = 0, 1.0, 3) AS m
FROM generate_series(1, 1000000) g;
CREATE TABLE big_sets AS
SELECT shapley_agg(ARRAY(SELECT 'c' || ((g * k) % 23) FROM generate_series(1, 20) k), g % 2 = 0, 1.0) AS s
FROM generate_series(1, 20000) g;
SQL

tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fails=0
# cancel_within NAME SQL
cancel_within() {
	local name=$1 sql=$2 app="persona_cancel_$RANDOM" pid="" t0 t1 ms out
	PGAPPNAME=$app psql -X -q -d $db -c "$sql" > "$tmp/out" 2>&1 &
	local job=$!
	sleep 1.5
	pid=$(psql -X -qAt -d $db -c "SELECT pid FROM pg_stat_activity WHERE application_name = '$app' AND state = 'active'")
	if [ -z "$pid" ]; then
		wait $job || true
		echo "FAIL $name: finished (or failed) before the cancel: $(head -c 200 "$tmp/out")"
		fails=$((fails + 1)); return
	fi
	t0=$(date +%s%N)
	psql -X -qAt -d $db -c "SELECT pg_cancel_backend($pid)" >/dev/null
	wait $job || true
	t1=$(date +%s%N)
	ms=$(( (t1 - t0) / 1000000 ))
	out=$(cat "$tmp/out")
	if ! grep -q 'canceling statement due to user request' <<< "$out"; then
		echo "FAIL $name: no cancel error: $(head -c 200 <<< "$out")"; fails=$((fails + 1))
	elif [ $ms -ge 1000 ]; then
		echo "FAIL $name: stopped ${ms} ms after the cancel"; fails=$((fails + 1))
	else
		echo "ok   $name: stopped ${ms} ms after the cancel"
	fi
}

cancel_within "rb_build_agg + rb_or_agg over 10^9 ids" \
	"SELECT rb_cardinality(rb_or_agg(b)) FROM (SELECT g % 1000 AS k, rb_build_agg(g::int) AS b FROM generate_series(1, 1000000000) g GROUP BY 1) s"
cancel_within "roaringbitmap text output of 2^31 ids" \
	"SET persona.output_format = 'array'; SELECT length(rb_fill('{}', 0, 100000000)::text) FROM generate_series(1, 100)"
cancel_within "identity_resolve, 20 million identifier rows" \
	"SELECT count(*) FROM identity_resolve('SELECT ''r'' || g, ''phone'', (g % 5000000)::text FROM generate_series(1, 20000000) g')"
cancel_within "connected_components, 20 million edges" \
	"SELECT count(*) FROM connected_components('SELECT g, g + 1 FROM generate_series(1, 20000000) g')"
cancel_within "window_funnel_counts, 3 million users" \
	"SELECT window_funnel_counts(g % 3000000, interval '7 days', timestamptz '2026-01-01' + g * interval '1 second', g % 3 = 0, g % 3 = 1, g % 3 = 2) FROM generate_series(1, 60000000) g"
cancel_within "retention_counts, 3 million users" \
	"SELECT retention_counts(g % 3000000, g % 2 = 0, g % 3 = 0, g % 5 = 0) FROM generate_series(1, 60000000) g"
cancel_within "attribution_agg, 3 million users" \
	"SELECT attribution_agg(g % 3000000, timestamptz '2026-01-01' + g * interval '1 second', 'ch' || (g % 7), g % 11 = 0, 1.0, 'linear', '{}') FROM generate_series(1, 60000000) g"
cancel_within "markov_attribution of a stored order-3 chain over 40 channels" \
	"SELECT count(*) FROM big_markov, markov_attribution(m), generate_series(1, 20)"
cancel_within "shapley_attribution of stored sets of 20 channels" \
	"SELECT count(*) FROM big_sets, shapley_attribution(s), generate_series(1, 20)"
cancel_within "window_funnel of one user with 30 million events" \
	"SELECT window_funnel(interval '1 day', timestamptz '2026-01-01' + (g % 1000003) * interval '1 second', g % 3 = 0, g % 3 = 1, g % 3 = 2) FROM generate_series(1, 30000000) g"
cancel_within "points ledger of 4 million events, 200 reads" \
	"SELECT sum(points_balance(l, timestamptz '2027-01-01 00:00+00' + k * interval '1 day')) FROM big_ledger, generate_series(1, 200) k"

# statement_timeout: the same interrupt, raised by the server itself
t0=$(date +%s%N)
out=$(psql -X -q -d $db -c "SET statement_timeout = '1s'" \
	-c "SELECT count(*) FROM identity_resolve('SELECT ''r'' || g, ''phone'', (g % 5000000)::text FROM generate_series(1, 20000000) g')" 2>&1 || true)
t1=$(date +%s%N)
ms=$(( (t1 - t0) / 1000000 ))
if grep -q 'statement timeout' <<< "$out" && [ $ms -lt 2000 ]; then
	echo "ok   statement_timeout = 1s: identity_resolve stopped after ${ms} ms"
else
	echo "FAIL statement_timeout = 1s: ${ms} ms, $(head -c 200 <<< "$out")"; fails=$((fails + 1))
fi

psql -X -q -d postgres -c "DROP DATABASE $db"
[ $fails = 0 ] || exit 1
