#!/usr/bin/env bash
# identity_resolve on 10 million identifier rows must stop within a second of
# pg_cancel_backend, whatever phase it is in (reading the query, sorting,
# joining, writing the answer).  The rows come from generate_series, so no
# table is needed.  This is a correctness property (a resolve that ignores
# cancels holds its memory and locks), not a performance figure.
set -euo pipefail
db=persona_cancel
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
psql -X -q -d $db -c "CREATE EXTENSION persona"
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
q="SELECT count(*) FROM identity_resolve(\$\$SELECT 'r' || (g % 4000000), CASE WHEN g % 3 = 0 THEN 'phone' ELSE 'email' END, 'v' || (g % 3000000) FROM generate_series(1, 10000000) g\$\$, '{\"types\": [{\"name\": \"phone\", \"limit\": 2}]}')"
now_ms() { date +%s%3N; }
fails=0
cancelled=0
for delay in ${DELAYS:-2 8 14}; do
	PGAPPNAME=identity_cancel psql -X -q -d $db -c "$q" > "$dir/out" 2>&1 &
	p=$!
	sleep "$delay"
	pid=$(psql -X -qAt -d $db -c "SELECT pid FROM pg_stat_activity WHERE application_name = 'identity_cancel' AND state = 'active'")
	if [ -z "$pid" ]; then
		wait $p || true
		echo "delay ${delay}s: the resolve had already finished"
		continue
	fi
	t0=$(now_ms)
	psql -X -qAt -d $db -c "SELECT pg_cancel_backend($pid)" >/dev/null
	rc=0
	wait $p || rc=$?
	t1=$(now_ms)
	# the backend must also be idle again (not just the client gone)
	while [ -n "$(psql -X -qAt -d $db -c "SELECT 1 FROM pg_stat_activity WHERE pid = $pid AND state = 'active'")" ]; do
		sleep 0.05
	done
	t2=$(now_ms)
	if [ $rc != 0 ] && grep -q 'canceling statement due to user request' "$dir/out"; then
		cancelled=$((cancelled + 1))
		echo "delay ${delay}s: cancelled; error after $((t1 - t0)) ms, backend idle after $((t2 - t0)) ms"
		if [ $((t1 - t0)) -ge 1000 ]; then
			echo "FAILED: the cancel took $((t1 - t0)) ms"
			fails=$((fails + 1))
		fi
	else
		echo "delay ${delay}s: finished before the cancel arrived (rc $rc)"
		cat "$dir/out"
	fi
done
psql -X -q -d postgres -c "DROP DATABASE $db"
[ $cancelled -gt 0 ] || { echo "FAILED: no run was cancelled"; exit 1; }
[ $fails = 0 ]
echo "ok: $cancelled cancels, each within a second"
