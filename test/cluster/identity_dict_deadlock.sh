#!/usr/bin/env bash
# Two transactions add new keys to two namespaces in opposite orders: A adds
# to ns_a, then B adds to ns_b, then A to ns_b and B to ns_a.  With a lock per
# namespace this deadlocked (40P01).  The interleaving is forced, not timed:
# A waits, after its first key, until B either waits for a lock or has added
# its first key, and only then adds its second.  Both must commit, and each
# namespace's ids must be 1, 2.
set -euo pipefail
db=persona_dict_deadlock
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
psql -X -q -d $db -c "CREATE EXTENSION persona"
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT

# A: first key, then a marker (advisory lock 1), then wait for B (at most 60 s: only to catch a hang)
cat > "$dir/a.sql" <<'SQL'
BEGIN;
SELECT 'A ns_a ' || dict_encode('ns_a', 'from A');
SELECT pg_advisory_xact_lock(1);
DO $$
BEGIN
  FOR i IN 1 .. 6000 LOOP
    -- B is blocked on a lock, or B got past its first key (advisory lock 2)
    EXIT WHEN EXISTS (SELECT FROM pg_locks l JOIN pg_stat_activity a USING (pid)
                      WHERE a.application_name = 'dict_deadlock_B' AND NOT l.granted)
           OR EXISTS (SELECT FROM pg_locks WHERE locktype = 'advisory' AND objid = 2 AND granted);
    IF i = 6000 THEN RAISE EXCEPTION 'session B never reached its first key'; END IF;
    PERFORM pg_sleep(0.01);
    PERFORM pg_stat_clear_snapshot();
  END LOOP;
END $$;
SELECT 'A ns_b ' || dict_encode('ns_b', 'from A');
COMMIT;
SQL
# B: starts once A holds the marker; first key, its own marker, second key
cat > "$dir/b.sql" <<'SQL'
BEGIN;
SELECT 'B ns_b ' || dict_encode('ns_b', 'from B');
SELECT pg_advisory_xact_lock(2);
SELECT 'B ns_a ' || dict_encode('ns_a', 'from B');
COMMIT;
SQL

PGAPPNAME=dict_deadlock_A psql -X -qAt -v ON_ERROR_STOP=1 -d $db -f "$dir/a.sql" > "$dir/a.out" 2>&1 &
pa=$!
for i in $(seq 1 600); do
	[ "$(psql -X -qAt -d $db -c "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = 1 AND granted")" = 1 ] && break
	kill -0 $pa 2>/dev/null || break
	[ $i = 600 ] && { echo "session A never took its marker"; cat "$dir/a.out"; exit 1; }
	sleep 0.1
done
PGAPPNAME=dict_deadlock_B psql -X -qAt -v ON_ERROR_STOP=1 -d $db -f "$dir/b.sql" > "$dir/b.out" 2>&1 &
pb=$!
rc=0
wait $pa || rc=1
wait $pb || rc=1
cat "$dir/a.out" "$dir/b.out"
[ $rc = 0 ] || { echo "FAILED: a session failed (deadlock?)"; exit 1; }
got=$(psql -X -qAt -d $db -c "SELECT string_agg(namespace || ':' || id || ':' || key, ',' ORDER BY namespace, id) FROM persona_dict")
psql -X -q -d postgres -c "DROP DATABASE $db"
want="ns_a:1:from A,ns_a:2:from B,ns_b:1:from A,ns_b:2:from B"
[ "$got" = "$want" ] || { echo "FAILED: persona_dict holds '$got', want '$want'"; exit 1; }
echo "ok: new keys in two namespaces in opposite orders, no deadlock, ids dense"
