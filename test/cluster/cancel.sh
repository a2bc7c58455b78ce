#!/usr/bin/env bash
# Every long-running persona function honours a cancel: each query below runs
# for many seconds when left alone; it is cancelled (pg_cancel_backend) while
# inside persona's code and must fail with SQLSTATE 57014.  What is asserted
# is that behaviour, not a latency: the time from the cancel to the error is
# printed for information, and only a query still running 10 s after its
# cancel fails (a hang, or a loop that never checks).  How fast a cancel lands
# is a benchmark's business.
#
# Most queries are cancelled 1.5 s in, while they read their rows or work on
# a stored value.  The window_funnel_counts case is cancelled at a chosen
# point instead: its input ends with a row that renames the session
# (set_config('application_name')), so the cancel is sent once every row has
# been read, while the final function sorts and scans the users.
# statement_timeout takes the same path (it raises the same interrupt), and
# is checked once at the end.
set -euo pipefail
export PGOPTIONS='-c client_min_messages=warning'
db=persona_cancel
ceiling=10
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
-- 134 million ids in a few kilobytes (run containers): the largest bitmap an
-- int4[] can take
CREATE TABLE big_bitmap AS SELECT rb_fill('{}', 0, 134000000) AS b;
SQL

tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fails=0

# the pid of the active query of session $1, or nothing
active_pid() {
	psql -X -qAt -d $db -c "SELECT pid FROM pg_stat_activity WHERE application_name = '$1' AND state = 'active'"
}

# cancel_case NAME WHEN SQL
#   WHEN is a number of seconds to wait before the cancel, or "phase": wait
#   until the query renames its session to <its name>_phase (the cancel is
#   then sent from the server, within about 10 ms).
cancel_case() {
	local name=$1 when=$2 sql=$3 app="persona_cancel_$RANDOM" pid="" t0 t1 ms out job waited
	PGAPPNAME=$app psql -X -q -v VERBOSITY=verbose -d $db -c "$sql" > "$tmp/out" 2>&1 &
	job=$!
	if [ "$when" = phase ]; then
		# poll from the server: a fresh look at pg_stat_activity every 10 ms
		pid=$(psql -X -qAt -d $db 2>&1 <<SQL | sed -n 's/.*WARNING:  cancelled //p'
DO \$\$
DECLARE p int;
BEGIN
  FOR i IN 1 .. 30000 LOOP
    PERFORM pg_stat_clear_snapshot();
    SELECT pid INTO p FROM pg_stat_activity WHERE application_name = '${app}_phase' AND state = 'active';
    IF p IS NOT NULL THEN
      PERFORM pg_cancel_backend(p);
      RAISE WARNING 'cancelled %', p;
      RETURN;
    END IF;
    -- the query ended (or never started) without reaching the phase
    IF i > 100 AND NOT EXISTS (SELECT FROM pg_stat_activity WHERE application_name = '$app') THEN
      RETURN;
    END IF;
    PERFORM pg_sleep(0.01);
  END LOOP;
END
\$\$;
SQL
		)
		t0=$(date +%s%N)
		if [ -z "$pid" ]; then
			wait $job || true
			echo "FAIL $name: never reached the point of the cancel: $(head -c 300 "$tmp/out")"
			fails=$((fails + 1)); return
		fi
	else
		sleep "$when"
		pid=$(active_pid $app)
		if [ -z "$pid" ]; then
			wait $job || true
			echo "FAIL $name: finished (or failed) before the cancel: $(head -c 300 "$tmp/out")"
			fails=$((fails + 1)); return
		fi
		t0=$(date +%s%N)
		psql -X -qAt -d $db -c "SELECT pg_cancel_backend($pid)" >/dev/null
	fi
	# wait for the query to end, up to the ceiling
	waited=0
	while kill -0 $job 2>/dev/null && [ $waited -lt $((ceiling * 10)) ]; do
		sleep 0.1
		waited=$((waited + 1))
	done
	if kill -0 $job 2>/dev/null; then
		echo "FAIL $name: still running ${ceiling} s after the cancel"
		fails=$((fails + 1))
		psql -X -qAt -d $db -c "SELECT pg_terminate_backend($pid)" >/dev/null || true
		wait $job || true
		return
	fi
	wait $job || true
	t1=$(date +%s%N)
	ms=$(( (t1 - t0) / 1000000 ))
	out=$(cat "$tmp/out")
	if grep -q '57014: canceling statement due to user request' <<< "$out"; then
		echo "ok   $name: SQLSTATE 57014 (${ms} ms after the cancel)"
	else
		echo "FAIL $name: no SQLSTATE 57014: $(head -c 300 <<< "$out")"; fails=$((fails + 1))
	fi
}

# Eight calls in one expression: nothing between them checks for a cancel, so
# a rb_to_array that did not check itself would run all eight (well past the
# ceiling) before the error.
cancel_case "rb_to_array of 134 million elements, eight calls in one expression" 1.5 \
	"SELECT $(for i in 1 2 3 4 5 6 7 8; do printf '%scardinality(rb_to_array(b))' "${sep:-}"; sep=' + '; done) FROM big_bitmap"
cancel_case "rb_build_agg + rb_or_agg over 10^9 ids" 1.5 \
	"SELECT rb_cardinality(rb_or_agg(b)) FROM (SELECT g % 1000 AS k, rb_build_agg(g::int) AS b FROM generate_series(1, 1000000000) g GROUP BY 1) s"
cancel_case "roaringbitmap text output of 2^31 ids" 1.5 \
	"SET persona.output_format = 'array'; SELECT length(rb_fill('{}', 0, 100000000)::text) FROM generate_series(1, 100)"
cancel_case "identity_resolve, 20 million identifier rows" 1.5 \
	"SELECT count(*) FROM identity_resolve('SELECT ''r'' || g, ''phone'', (g % 5000000)::text FROM generate_series(1, 20000000) g')"
cancel_case "connected_components, 20 million edges" 1.5 \
	"SELECT count(*) FROM connected_components('SELECT g, g + 1 FROM generate_series(1, 20000000) g')"
cancel_case "window_funnel_counts, 3 million users" 1.5 \
	"SELECT window_funnel_counts(g % 3000000, interval '7 days', timestamptz '2026-01-01' + g * interval '1 second', g % 3 = 0, g % 3 = 1, g % 3 = 2) FROM generate_series(1, 60000000) g"
# 6 million runs of 3 million users whose ids differ in all 8 bytes (8 radix
# passes), in no order: the final function sorts them.  The last input row
# renames the session, and the cancel follows once every row is read.
cancel_case "window_funnel_counts, cancelled after its scan (final sort of 6 million runs)" phase \
	"SET max_parallel_workers_per_gather = 0;
	 SELECT window_funnel_counts(u, interval '7 days', ts, c1, c2, c3) FROM (
	   SELECT (hashint4((g % 3000000)::int)::bigint << 32) | (g % 3000000) AS u,
	          timestamptz '2026-01-01' + g * interval '1 second' AS ts, g % 3 = 0 AS c1, g % 3 = 1 AS c2, g % 3 = 2 AS c3
	   FROM generate_series(1, 6000000) g
	   UNION ALL
	   SELECT NULL, NULL, NULL, NULL, NULL
	   FROM (SELECT set_config('application_name', current_setting('application_name') || '_phase', false)) s) t"
cancel_case "retention_counts, 3 million users" 1.5 \
	"SELECT retention_counts(g % 3000000, g % 2 = 0, g % 3 = 0, g % 5 = 0) FROM generate_series(1, 60000000) g"
cancel_case "attribution_agg, 3 million users" 1.5 \
	"SELECT attribution_agg(g % 3000000, timestamptz '2026-01-01' + g * interval '1 second', 'ch' || (g % 7), g % 11 = 0, 1.0, 'linear', '{}') FROM generate_series(1, 60000000) g"
cancel_case "markov_attribution of a stored order-3 chain over 40 channels" 1.5 \
	"SELECT count(*) FROM big_markov, markov_attribution(m), generate_series(1, 20)"
cancel_case "shapley_attribution of stored sets of 20 channels" 1.5 \
	"SELECT count(*) FROM big_sets, shapley_attribution(s), generate_series(1, 20)"
cancel_case "window_funnel of one user with 30 million events" 1.5 \
	"SELECT window_funnel(interval '1 day', timestamptz '2026-01-01' + (g % 1000003) * interval '1 second', g % 3 = 0, g % 3 = 1, g % 3 = 2) FROM generate_series(1, 30000000) g"
cancel_case "points ledger of 4 million events, 200 reads" 1.5 \
	"SELECT sum(points_balance(l, timestamptz '2027-01-01 00:00+00' + k * interval '1 day')) FROM big_ledger, generate_series(1, 200) k"

# statement_timeout: the same interrupt, raised by the server itself
t0=$(date +%s%N)
out=$(timeout $((ceiling + 1)) psql -X -q -v VERBOSITY=verbose -d $db -c "SET statement_timeout = '1s'" \
	-c "SELECT count(*) FROM identity_resolve('SELECT ''r'' || g, ''phone'', (g % 5000000)::text FROM generate_series(1, 20000000) g')" 2>&1 || true)
t1=$(date +%s%N)
ms=$(( (t1 - t0) / 1000000 ))
if grep -q '57014: canceling statement due to statement timeout' <<< "$out"; then
	echo "ok   statement_timeout = 1s: identity_resolve stopped with SQLSTATE 57014 (${ms} ms in all)"
else
	echo "FAIL statement_timeout = 1s: no SQLSTATE 57014 within the ceiling: $(head -c 300 <<< "$out")"; fails=$((fails + 1))
fi

psql -X -q -d postgres -c "DROP DATABASE $db WITH (FORCE)"
[ $fails = 0 ] || exit 1
