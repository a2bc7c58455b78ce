#!/usr/bin/env bash
# Identity benchmark.
#   1. identity_resolve on all identifier rows (10 million at SCALE=1) with
#      realistic rules, and without rules; time (median of 3) and peak memory
#      (the backend's and its helper process's, and in one process).
#   2. persona against the best plain-SQL way, iterative label propagation
#      (star edges per value, min-label propagation with pointer jumping until
#      no label changes), on the rows of the first PLAIN_FRACTION of persons
#      (default 1 = everything): the same partition, both times, the ratio;
#      interleaved runs, median of RUNS (default 3).
#      In the same loop, the floors every resolver inside PostgreSQL pays
#      (reading the rows; storing an answer of the same shape), persona
#      with its answer counted instead of stored, and persona in one process
#      (persona.identity_helper = off; the default, auto, resolves 10 million
#      rows in a helper process while the backend reads on).
#   3. the dictionary: dict_encode of new keys per second, against a plain
#      INSERT ... SELECT row_number() (which is not safe under concurrency).
#   SCALE=1 (default) or SCALE=0.01 for a quick run.
set -euo pipefail
. "$(dirname "$0")/../common.sh"
bench_setup test/bench/identity/data.sql
PLAIN_FRACTION=${PLAIN_FRACTION:-1}
RUNS=${RUNS:-3}
DICT_KEYS=${DICT_KEYS:-1000000}
RULES='{"types": [{"name": "crm_id", "limit": 1}, {"name": "unionid", "limit": 1}, {"name": "openid"},
                  {"name": "app_user"}, {"name": "phone", "limit": 2, "max_records": 50},
                  {"name": "email", "limit": 3, "max_records": 50}, {"name": "device", "max_records": 5}],
        "blocked_values": ["+8613800000000", "test@test.com"]}'

psql -X -q -v ON_ERROR_STOP=1 <<'SQL'
-- the plain-SQL way: records to ints, each record linked to the smallest
-- record of each of its values, then min-label propagation with pointer
-- jumping until no label changes
CREATE OR REPLACE FUNCTION plain_components(src text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  changed bigint;
  iters int := 0;
BEGIN
  DROP TABLE IF EXISTS lp_rec, lp_edge, lp_l, lp_n;
  EXECUTE format('CREATE UNLOGGED TABLE lp_rec AS SELECT record_id, (row_number() OVER ())::int AS id
                  FROM (SELECT DISTINCT record_id FROM %s) s', src);
  EXECUTE format($q$CREATE UNLOGGED TABLE lp_edge AS
    WITH rv AS (SELECT DISTINCT r.id, i.id_type, i.id_value FROM %s i JOIN lp_rec r USING (record_id)
                WHERE i.id_value IS NOT NULL AND btrim(i.id_value) <> ''),
         s AS (SELECT id, min(id) OVER (PARTITION BY id_type, id_value) AS root FROM rv)
    SELECT id AS a, root AS b FROM s WHERE id <> root
    UNION ALL SELECT root, id FROM s WHERE id <> root$q$, src);
  CREATE UNLOGGED TABLE lp_l AS SELECT id AS node, id AS label FROM lp_rec;
  ANALYZE lp_edge;
  ANALYZE lp_l;
  LOOP
    iters := iters + 1;
    -- the smallest label among a node and its neighbours, then the label's label
    CREATE UNLOGGED TABLE lp_n AS
      WITH m AS (SELECT l.node, least(l.label, min(n.label)) AS label
                 FROM lp_l l LEFT JOIN lp_edge e ON e.a = l.node LEFT JOIN lp_l n ON n.node = e.b
                 GROUP BY l.node, l.label)
      SELECT m.node, least(m.label, j.label) AS label FROM m JOIN m j ON j.node = m.label;
    SELECT count(*) INTO changed FROM lp_n n JOIN lp_l l USING (node) WHERE n.label <> l.label;
    DROP TABLE lp_l;
    ALTER TABLE lp_n RENAME TO lp_l;
    ANALYZE lp_l;
    EXIT WHEN changed = 0;
  END LOOP;
  RAISE NOTICE 'plain SQL: % iterations', iters;
  RETURN (SELECT count(DISTINCT label) FROM lp_l);
END $$;
SQL

say "== data"
psql -X -q -v fraction="$PLAIN_FRACTION" <<'SQL'
\pset footer off
SELECT count(*) AS identifier_rows, count(DISTINCT record_id) AS records, count(DISTINCT person) AS persons_truth FROM id_rows;
DROP TABLE IF EXISTS id_rows_cmp;
CREATE UNLOGGED TABLE id_rows_cmp AS SELECT record_id, id_type, id_value FROM id_rows
WHERE person <= (SELECT max(p) * :fraction FROM id_person);
ANALYZE id_rows_cmp;
SELECT count(*) AS comparison_rows, :fraction AS fraction_of_persons FROM id_rows_cmp;
SQL

# peak private memory of one resolve: the backend's VmHWM after the resolve,
# less the shared and file pages it has mapped by then (shared_buffers pages
# a scan touched count in VmHWM too: a scan of freshly loaded rows, whose
# pages it dirties, can touch all of shared_buffers), less its anonymous
# memory before.  Shared and file pages only grow over the resolve, so this
# is at most the private peak, and equal when they were mapped before it.
# With the helper process, the helper measures itself the same way and the
# backend reports it (DEBUG1); the figure is the sum of the two.
peak_mb() {	# peak_mb RULES HELPER
	psql -X -q -v rules="$1" -v helper="$2" <<'SQL' 2>/tmp/identity_bench_err >/dev/null
SET persona.identity_helper = :'helper';
SELECT pg_backend_pid() AS pid \gset
SELECT count(*) FROM (SELECT record_id, id_type, id_value FROM id_rows) s \g /dev/null
\setenv BPID :pid
\! awk '/RssAnon/ {print $2}' /proc/$BPID/status > /tmp/identity_bench_anon0
SET client_min_messages = debug1;
SELECT count(*) FROM identity_resolve('SELECT record_id, id_type, id_value FROM id_rows', :'rules') \g /dev/null
RESET client_min_messages;
\! awk '/VmHWM/ {h = $2} /RssShmem/ {s = $2} /RssFile/ {f = $2} END {print h - s - f}' /proc/$BPID/status > /tmp/identity_bench_hwm1
SQL
	local backend=$(( ($(cat /tmp/identity_bench_hwm1) - $(cat /tmp/identity_bench_anon0)) / 1024 ))
	local helper=$(sed -n "s/.*the helper process's peak private memory was \([0-9]*\) kB.*/\1/p" /tmp/identity_bench_err)
	if [ -n "$helper" ]; then
		echo "$((backend + helper / 1024)) MB (backend $backend + helper $((helper / 1024)))"
	else
		echo "$backend MB (one process)"
	fi
}
say "== peak memory"
say "identity_resolve peak private memory, with rules: $(peak_mb "$RULES" auto); one process: $(peak_mb "$RULES" off)"
say "identity_resolve peak private memory, no rules: $(peak_mb '{}' auto); one process: $(peak_mb '{}' off)"

say "== timings (interleaved, median of $RUNS)"
psql -X -q -v ON_ERROR_STOP=1 -v rules="$RULES" -v runs="$RUNS" <<'SQL'
\pset footer off
SET client_min_messages = warning;
SELECT set_config('bench.rules', :'rules', false), set_config('bench.runs', :'runs', false) \g /dev/null
SET work_mem = '256MB';
CREATE TEMP TABLE timings (workload text, way text, ms float8);
CREATE TEMP TABLE answers (way text, persons bigint);
CREATE FUNCTION pg_temp.ms(q text) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE t timestamptz := clock_timestamp();
BEGIN
  EXECUTE q;
  RETURN extract(epoch FROM clock_timestamp() - t) * 1000;
END $$;
DO $$
DECLARE
  rules text := current_setting('bench.rules');
BEGIN
  FOR i IN 1 .. current_setting('bench.runs')::int LOOP
    INSERT INTO timings VALUES
      ('resolve, all rows, rules', 'persona identity_resolve',
       pg_temp.ms(format($q$CREATE TEMP TABLE r_rules AS SELECT * FROM identity_resolve('SELECT record_id, id_type, id_value FROM id_rows', %L)$q$, rules)));
    IF i < current_setting('bench.runs')::int THEN DROP TABLE r_rules; END IF;
    INSERT INTO timings VALUES
      ('resolve, all rows, no rules', 'persona identity_resolve',
       pg_temp.ms($q$CREATE TEMP TABLE r_none AS SELECT * FROM identity_resolve('SELECT record_id, id_type, id_value FROM id_rows')$q$));
    DROP TABLE r_none;
    INSERT INTO timings VALUES
      ('components, comparison rows', 'persona identity_resolve',
       pg_temp.ms($q$CREATE TEMP TABLE r_cmp AS SELECT * FROM identity_resolve('SELECT record_id, id_type, id_value FROM id_rows_cmp')$q$));
    -- the same in one process: persona.identity_helper = off
    PERFORM set_config('persona.identity_helper', 'off', false);
    INSERT INTO timings VALUES
      ('components, comparison rows, one process', 'persona identity_resolve',
       pg_temp.ms($q$CREATE TEMP TABLE r_one AS SELECT * FROM identity_resolve('SELECT record_id, id_type, id_value FROM id_rows_cmp')$q$));
    PERFORM set_config('persona.identity_helper', 'auto', false);
    DROP TABLE r_one;
    INSERT INTO timings VALUES
      ('components, comparison rows', 'plain SQL label propagation',
       pg_temp.ms($q$SELECT plain_components('id_rows_cmp')$q$));
    -- what any resolver inside PostgreSQL pays before and after its own work:
    -- the same rows read with their three columns taken apart, and an answer
    -- of the same shape written to a temp table (from a stored copy of
    -- persona's, with no function and no tuplestore in between); and persona
    -- with its answer counted instead of stored
    INSERT INTO timings VALUES
      ('floor: read the rows', 'count() of each column',
       pg_temp.ms($q$SELECT count(record_id), count(id_type), count(id_value) FROM id_rows_cmp$q$));
    IF i = 1 THEN
      DROP TABLE IF EXISTS id_answer_copy;
      CREATE UNLOGGED TABLE id_answer_copy AS SELECT * FROM r_cmp;
    END IF;
    INSERT INTO timings VALUES
      ('floor: store the answer', 'CREATE TEMP TABLE AS a stored copy',
       pg_temp.ms($q$CREATE TEMP TABLE f_cmp AS SELECT * FROM id_answer_copy$q$));
    DROP TABLE f_cmp;
    INSERT INTO timings VALUES
      ('components, comparison rows, answer counted', 'persona identity_resolve',
       pg_temp.ms($q$SELECT count(*) FROM identity_resolve('SELECT record_id, id_type, id_value FROM id_rows_cmp')$q$));
    IF i < current_setting('bench.runs')::int THEN DROP TABLE r_cmp; END IF;
  END LOOP;
END $$;

-- the same partition: each persona person is exactly one plain-SQL component
SELECT (SELECT count(DISTINCT person_id) FROM r_cmp) AS persona_persons,
       (SELECT count(DISTINCT label) FROM lp_l) AS plain_components,
       (SELECT count(*) FROM (SELECT person_id FROM r_cmp JOIN lp_rec USING (record_id) JOIN lp_l ON lp_l.node = lp_rec.id
                              GROUP BY person_id HAVING count(DISTINCT lp_l.label) > 1) s) AS persons_split_by_sql,
       (SELECT count(*) FROM (SELECT lp_l.label FROM r_cmp JOIN lp_rec USING (record_id) JOIN lp_l ON lp_l.node = lp_rec.id
                              GROUP BY lp_l.label HAVING count(DISTINCT person_id) > 1) s) AS components_split_by_persona
\gset
SELECT :persona_persons AS persona_persons, :plain_components AS plain_components,
       CASE WHEN :persona_persons = :plain_components AND :persons_split_by_sql = 0 AND :components_split_by_persona = 0
            THEN 'answers agree' ELSE 'ANSWERS DIFFER' END AS check;

-- what the rules changed at full scale
SELECT (SELECT count(DISTINCT record_id) FROM r_rules) AS records,
       (SELECT count(DISTINCT person_id) FROM r_rules) AS persons_with_rules,
       (SELECT count(DISTINCT person) FROM id_rows) AS persons_truth;

SELECT workload, way, round(percentile_disc(0.5) WITHIN GROUP (ORDER BY ms)::numeric / 1000, 2) AS median_s,
       round(min(ms)::numeric / 1000, 2) AS min_s, round(max(ms)::numeric / 1000, 2) AS max_s
FROM timings GROUP BY workload, way ORDER BY workload, way;
SELECT round((SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY ms) FROM timings WHERE way LIKE 'plain%')::numeric
           / (SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY ms) FROM timings
              WHERE workload = 'components, comparison rows' AND way LIKE 'persona%')::numeric, 1) AS "plain SQL / persona",
       round((SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY ms) FROM timings WHERE way LIKE 'plain%')::numeric
           / (SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY ms) FROM timings
              WHERE workload = 'components, comparison rows, one process')::numeric, 1) AS "plain SQL / persona in one process";
-- the floors' medians together, persona's median above them, and the ratio
-- the plain SQL would have against a resolver that did nothing but them
WITH m AS (SELECT workload, way, percentile_disc(0.5) WITHIN GROUP (ORDER BY ms) AS ms FROM timings GROUP BY 1, 2)
SELECT round(((SELECT sum(ms) FROM m WHERE workload LIKE 'floor:%') / 1000)::numeric, 2) AS floor_s,
       round(((SELECT ms FROM m WHERE workload = 'components, comparison rows' AND way LIKE 'persona%')
              - (SELECT sum(ms) FROM m WHERE workload LIKE 'floor:%'))::numeric / 1000, 2) AS persona_above_floor_s,
       round(((SELECT ms FROM m WHERE way LIKE 'plain%') / (SELECT sum(ms) FROM m WHERE workload LIKE 'floor:%'))::numeric, 1)
         AS "plain SQL / floor";
DROP TABLE id_answer_copy;
SQL

say "== dictionary: new keys per second"
psql -X -q -v ON_ERROR_STOP=1 -v keys="$DICT_KEYS" -v runs="$RUNS" <<'SQL'
\pset footer off
SET client_min_messages = warning;
SELECT set_config('bench.runs', :'runs', false) \g /dev/null
DROP TABLE IF EXISTS dict_staging, plain_dict;
-- earlier runs' keys were deleted, but their dead index entries would slow
-- the inserts down (1.3 GB of indexes over an empty table after a few runs):
-- start from compact indexes, as the plain table does
VACUUM FULL persona_dict;
CREATE TABLE dict_staging AS SELECT 'oA' || md5(g::text) AS k FROM generate_series(1, :keys) g;
CREATE TABLE plain_dict (namespace text COLLATE "C", key text COLLATE "C", id int,
                         PRIMARY KEY (namespace, key), UNIQUE (namespace, id));
ANALYZE dict_staging;
CREATE TEMP TABLE dt (way text, ms float8);
CREATE FUNCTION pg_temp.ms(q text) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE t timestamptz := clock_timestamp();
BEGIN
  EXECUTE q;
  RETURN extract(epoch FROM clock_timestamp() - t) * 1000;
END $$;
DO $$
BEGIN
  FOR i IN 1 .. current_setting('bench.runs')::int LOOP
    INSERT INTO dt VALUES ('dict_encode, new keys', pg_temp.ms(format(
      $q$SELECT count(dict_encode('bench_%s_%s', k)) FROM dict_staging$q$, i, txid_current())));
    INSERT INTO dt VALUES ('dict_encode, known keys (cached)', pg_temp.ms(format(
      $q$SELECT count(dict_encode('bench_%s_%s', k)) FROM dict_staging$q$, i, txid_current())));
    INSERT INTO dt VALUES ('plain INSERT ... row_number()', pg_temp.ms(format(
      $q$INSERT INTO plain_dict SELECT 'ns%s', k, row_number() OVER () FROM dict_staging$q$, i)));
  END LOOP;
END $$;
SELECT way, round(percentile_disc(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 0) AS median_ms,
       round(:keys / (percentile_disc(0.5) WITHIN GROUP (ORDER BY ms) / 1000))::bigint AS keys_per_s
FROM dt GROUP BY way ORDER BY way;
DELETE FROM persona_dict WHERE namespace LIKE 'bench\_%';
DROP TABLE dict_staging, plain_dict;
SQL
say "machine: $(machine); SCALE=$SCALE PLAIN_FRACTION=$PLAIN_FRACTION RUNS=$RUNS"
