#!/usr/bin/env bash
# Concurrency: 8 pgbench clients for DURATION seconds (default 60) mixing audience
# counts, dictionary encodes of overlapping keys, identity resolves, funnels,
# attribution and ledger reads.  Every read checks its answer against a serial
# run (a wrong answer raises an error in cc_check, which pgbench reports);
# afterwards no dictionary id may be duplicated or skipped.
#   bash test/concurrency/run.sh            (throwaway cluster, or PGHOST/PGPORT)
#   DURATION=10 CLIENTS=4 bash test/concurrency/run.sh
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
here=$PERSONA_ROOT/test/concurrency
DURATION=${DURATION:-60}
CLIENTS=${CLIENTS:-8}
if [ -z "${PERSONA_SKIP_INSTALL:-}" ]; then
	persona_deps
	persona_install
fi
persona_cluster
db=persona_concurrency
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" 2>/dev/null
psql -X -q -v ON_ERROR_STOP=1 -d $db -c "CREATE EXTENSION persona" -f "$here/setup.sql"
pgbench=$PG_BIN/pgbench
[ -x "$pgbench" ] || pgbench=pgbench
log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
"$pgbench" -n -d $db -c "$CLIENTS" -j 2 -T "$DURATION" \
	-f "$here/audience.sql@4" -f "$here/dictionary.sql@10" -f "$here/identity.sql@1" \
	-f "$here/funnel.sql@2" -f "$here/attribution.sql@2" -f "$here/ledger.sql@2" > "$log" 2>&1
rc=$?
set -e
grep -E '^(number of (transactions|failed)|latency average|tps|SQL script|  - (weight|number of transactions))' "$log" || true
# deadlocks and serialization failures are not errors to pgbench: it counts
# them as failed transactions
failed=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$log")
if [ $rc != 0 ] || grep -qiE 'error|aborted' "$log" || [ "${failed:-0}" != 0 ]; then
	grep -iE 'error|aborted' "$log" | head -20 || true
	echo "FAIL: pgbench reported errors or ${failed:-0} failed transactions (exit $rc)"
	exit 1
fi
# the dictionary: per namespace, ids 1..n, each once, each decoding to its key
bad=$(psql -X -qAt -d $db <<'SQL'
WITH ids AS (
  SELECT ns, k, dict_encode(ns, k) AS id
  FROM unnest(ARRAY['cc_ns_1', 'cc_ns_2', 'cc_ns_3']) ns, (SELECT 'key_' || g AS k FROM generate_series(1, 2000) g) keys)
SELECT count(*) FILTER (WHERE n_ids <> n OR max_id <> n OR NOT decoded)
FROM (SELECT ns, count(*) AS n, count(DISTINCT id) AS n_ids, max(id) AS max_id,
             bool_and(dict_decode(ns, id) = k) AS decoded
      FROM ids GROUP BY ns) s;
SQL
)
[ "$bad" = 0 ] || { echo "FAIL: dictionary ids duplicated, skipped or not decoding in $bad namespaces"; exit 1; }
psql -X -q -d postgres -c "DROP DATABASE $db"
echo "concurrency: $CLIENTS clients x ${DURATION}s, no errors, answers equal the serial run, dictionary ids dense and unique"
