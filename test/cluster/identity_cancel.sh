#!/usr/bin/env bash
# identity_resolve on 10 million identifier rows must stop with 57014 after
# pg_cancel_backend, whatever phase it is in (reading the query, sorting,
# joining, writing the answer), with its helper process (the default for so
# many rows) and without, and the helper must be gone afterwards.  The times
# are printed, not asserted (a loaded machine must pass; latency belongs in a
# benchmark): 10 s is only the ceiling that tells a hang.  And
# a helper terminated by a DBA must end its resolve with a clean error.  The
# rows come from generate_series, so no table is needed.  This is a
# correctness property (a resolve that ignores cancels holds its memory and
# locks), not a performance figure.
set -euo pipefail
db=persona_cancel
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
psql -X -q -d $db -c "CREATE EXTENSION persona"
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
q="SELECT count(*) FROM identity_resolve(\$\$SELECT 'r' || (g % 4000000), CASE WHEN g % 3 = 0 THEN 'phone' ELSE 'email' END, 'v' || (g % 3000000) FROM generate_series(1, 10000000) g\$\$, '{\"types\": [{\"name\": \"phone\", \"limit\": 2}]}')"
now_ms() { date +%s%3N; }
fails=0
cancelled=0
helpers() { psql -X -qAt -d $db -c "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'persona identity helper'"; }
for run in ${RUNS:-auto:1 auto:3 auto:4.5 off:2 off:6}; do
	mode=${run%%:*}
	delay=${run#*:}
	PGAPPNAME=identity_cancel PGOPTIONS="-c persona.identity_helper=$mode" psql -X -q -d $db -c "$q" > "$dir/out" 2>&1 &
	p=$!
	sleep "$delay"
	pid=$(psql -X -qAt -d $db -c "SELECT pid FROM pg_stat_activity WHERE application_name = 'identity_cancel' AND state = 'active'")
	if [ -z "$pid" ]; then
		wait $p || true
		echo "$mode, delay ${delay}s: the resolve had already finished"
		continue
	fi
	t0=$(now_ms)
	psql -X -qAt -d $db -c "SELECT pg_cancel_backend($pid)" >/dev/null
	rc=0
	wait $p || rc=$?
	t1=$(now_ms)
	# the backend must also be idle again (not just the client gone)
	while [ -n "$(psql -X -qAt -d $db -c "SELECT 1 FROM pg_stat_activity WHERE pid = $pid AND state = 'active'")" ] \
		&& [ $(($(now_ms) - t0)) -lt 10000 ]; do
		sleep 0.05
	done
	t2=$(now_ms)
	while [ "$(helpers)" != 0 ] && [ $(($(now_ms) - t0)) -lt 10000 ]; do
		sleep 0.05
	done
	t3=$(now_ms)
	if [ $rc != 0 ] && grep -q 'canceling statement due to user request' "$dir/out"; then
		cancelled=$((cancelled + 1))
		echo "$mode, delay ${delay}s: cancelled; error after $((t1 - t0)) ms, backend idle after $((t2 - t0)) ms, no helper after $((t3 - t0)) ms"
		if [ $((t1 - t0)) -ge 10000 ] || [ $((t2 - t0)) -ge 10000 ] || [ "$(helpers)" != 0 ]; then
			echo "FAILED: a hang: the error came after $((t1 - t0)) ms, the backend was busy after $((t2 - t0)) ms, helpers left: $(helpers)"
			fails=$((fails + 1))
		fi
	else
		echo "$mode, delay ${delay}s: finished before the cancel arrived (rc $rc)"
		cat "$dir/out"
	fi
done

# a DBA terminates the helper: its backend ends the resolve with an error
# that says so, and is idle again
PGAPPNAME=identity_cancel psql -X -q -d $db -c "$q" > "$dir/out" 2>&1 &
p=$!
sleep 3
hpid=$(psql -X -qAt -d $db -c "SELECT pid FROM pg_stat_activity WHERE backend_type = 'persona identity helper'")
if [ -z "$hpid" ]; then
	echo "FAILED: no helper process to terminate"
	fails=$((fails + 1))
	wait $p || true
else
	psql -X -qAt -d $db -c "SELECT pg_terminate_backend($hpid)" >/dev/null
	rc=0
	wait $p || rc=$?
	if [ $rc != 0 ] && grep -q "identity_resolve's helper process exited before it finished" "$dir/out"; then
		echo "helper terminated: the resolve ended with: $(grep ERROR "$dir/out")"
	else
		echo "FAILED: after the helper was terminated (rc $rc):"
		cat "$dir/out"
		fails=$((fails + 1))
	fi
fi
psql -X -q -d postgres -c "DROP DATABASE $db"
[ $cancelled -gt 0 ] || { echo "FAILED: no run was cancelled"; exit 1; }
[ $fails = 0 ]
echo "ok: $cancelled cancels, each ended with 57014 and no helper left"
