#!/usr/bin/env bash
# dict_encode under concurrency: two psql sessions race to encode the same new
# keys (in many small transactions, some rolled back, in three namespaces).
# Every key must end with one id, both sessions must have been told that id,
# and every namespace's ids must be exactly 1..n (dense: rolled-back ids are
# handed out again, nothing skipped, nothing duplicated).
set -euo pipefail
db=persona_dict_race
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
psql -X -q -d $db -c "CREATE EXTENSION persona" \
  -c "CREATE TABLE got (session text, ns text, k text, id int)"
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT

gen() {	# gen SESSION SEED
	echo "SELECT setseed($2);"
	for i in $(seq 1 150); do
		ns=$(( i % 3 ))
		if [ $(( i % 10 )) = 0 ]; then
			# a transaction that rolls back its new keys
			echo "BEGIN; SELECT dict_encode('race$ns', 'rb' || (random() * 300)::int) FROM generate_series(1, 20); ROLLBACK;"
		else
			echo "INSERT INTO got SELECT '$1', 'race$ns', k, dict_encode('race$ns', k)"
			echo "  FROM (SELECT 'key' || (random() * 1500)::int AS k FROM generate_series(1, 40)) s;"
		fi
	done
}
gen A 0.11 > "$dir/a.sql"
gen B 0.22 > "$dir/b.sql"
psql -X -q -v ON_ERROR_STOP=1 -d $db -f "$dir/a.sql" > "$dir/a.out" 2>&1 &
pa=$!
psql -X -q -v ON_ERROR_STOP=1 -d $db -f "$dir/b.sql" > "$dir/b.out" 2>&1 &
pb=$!
rc=0
wait $pa || { echo "session A failed:"; cat "$dir/a.out"; rc=1; }
wait $pb || { echo "session B failed:"; cat "$dir/b.out"; rc=1; }
[ $rc = 0 ] || exit 1

out=$(psql -X -qAt -d $db <<'SQL'
SELECT 'shared keys ' || count(*) FROM (SELECT ns, k FROM got GROUP BY ns, k HAVING count(DISTINCT session) = 2) s;
SELECT 'keys told two ids ' || count(*) FROM (SELECT ns, k FROM got GROUP BY ns, k HAVING count(DISTINCT id) > 1) s;
SELECT 'answers unlike the table ' || count(*) FROM got g JOIN persona_dict d ON d.namespace = g.ns AND d.key = g.k WHERE d.id <> g.id;
SELECT 'answers missing from the table ' || count(*) FROM got g LEFT JOIN persona_dict d ON d.namespace = g.ns AND d.key = g.k WHERE d.id IS NULL;
SELECT 'namespaces not dense ' || count(*) FROM (SELECT namespace FROM persona_dict GROUP BY namespace
                                                 HAVING min(id) <> 1 OR max(id) <> count(*) OR count(DISTINCT id) <> count(*)) s;
SELECT 'rolled-back keys kept ' || count(*) FROM persona_dict WHERE key LIKE 'rb%';
SELECT 'keys ' || count(*) FROM persona_dict;
SQL
)
echo "$out"
psql -X -q -d postgres -c "DROP DATABASE $db"
shared=$(echo "$out" | sed -n 's/^shared keys //p')
[ "$shared" -gt 100 ] || { echo "the sessions shared too few keys ($shared) to test the race"; exit 1; }
for check in "keys told two ids" "answers unlike the table" "answers missing from the table" "namespaces not dense" "rolled-back keys kept"; do
	n=$(echo "$out" | sed -n "s/^$check //p")
	[ "$n" = 0 ] || { echo "FAILED: $check: $n"; exit 1; }
done
echo "ok: concurrent dict_encode gave one dense id per key"
