-- roaringbitmap64 aggregates, serial and under forced parallel plans, against
-- plain SQL on bigint[] / unnest.  Ordinary tables (parallel workers scan
-- them) that live only inside this transaction.
BEGIN;
SELECT plan(16);
SET LOCAL client_min_messages = warning;
SET LOCAL persona.output_format = 'array';

CREATE FUNCTION pg_temp.k(x bigint) RETURNS bigint LANGUAGE sql IMMUTABLE AS
$$ SELECT x # (-9223372036854775808)::bigint $$;
CREATE FUNCTION pg_temp.usort(a bigint[]) RETURNS bigint[] LANGUAGE sql IMMUTABLE AS
$$ SELECT coalesce(array_agg(x ORDER BY pg_temp.k(x)), '{}') FROM (SELECT DISTINCT x FROM unnest(a) x) s $$;
-- a value under one of 8 high keys (half of them >= 2^63), in 16 2^16-blocks
CREATE FUNCTION pg_temp.rnd_v() RETURNS bigint LANGUAGE sql VOLATILE AS
$$ SELECT ((array[0, 1, 5, 2147483647, 2147483648, 3000000000, 4294967294, 4294967295])[1 + floor(random() * 8)::int]::bigint << 32)
          | (floor(random() * 16)::bigint * 268435456 + floor(random() * 65536)::bigint) $$;
CREATE FUNCTION pg_temp.plan_of(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  r record;
  out text := '';
BEGIN
  FOR r IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q LOOP
    out := out || r."QUERY PLAN" || E'\n';
  END LOOP;
  RETURN out;
END $$;

SELECT setseed(0.77);
CREATE TABLE agg64_ids AS
SELECT (g % 5) AS grp, CASE WHEN g % 97 = 0 THEN NULL ELSE pg_temp.rnd_v() END AS v
FROM generate_series(1, 20000) g;
-- rows of bitmaps: each a random subset of a shared pool, so AND is not empty
CREATE TABLE agg64_bms AS
SELECT g AS id, (g % 3) AS grp,
       CASE WHEN g % 41 = 0 THEN NULL
            ELSE rb64_build(array(SELECT pool.v FROM (SELECT v FROM agg64_ids WHERE v IS NOT NULL LIMIT 400) pool
                                  WHERE random() < 0.5 OR pool.v % 8 = 0)
                            || array(SELECT pg_temp.rnd_v() FROM generate_series(1, 50) WHERE g > 0)) END AS bm
FROM generate_series(1, 3000) g;
ANALYZE agg64_ids; ANALYZE agg64_bms;
CREATE TABLE agg64_el AS SELECT id, grp, x FROM agg64_bms, rb64_iterate(bm) x;

SELECT is((SELECT rb64_to_array(rb64_build_agg(v)) FROM agg64_ids),
          (SELECT pg_temp.usort(array_agg(v)) FROM agg64_ids WHERE v IS NOT NULL),
          'rb64_build_agg = the distinct non-NULL values');
SELECT is((SELECT count(*) FROM (SELECT grp, rb64_build_agg(v) AS b FROM agg64_ids GROUP BY grp) s
           JOIN (SELECT grp, pg_temp.usort(array_agg(v) FILTER (WHERE v IS NOT NULL)) AS a FROM agg64_ids GROUP BY grp) e USING (grp)
           WHERE rb64_to_array(s.b) IS DISTINCT FROM e.a), 0::bigint,
          'rb64_build_agg per group');
SELECT is((SELECT rb64_to_array(rb64_or_agg(bm)) FROM agg64_bms), (SELECT pg_temp.usort(array_agg(x)) FROM agg64_el),
          'rb64_or_agg = union');
SELECT is((SELECT rb64_to_array(rb64_and_agg(bm)) FROM agg64_bms),
          (SELECT pg_temp.usort(array_agg(x)) FROM (SELECT x FROM agg64_el GROUP BY x
                                                    HAVING count(*) = (SELECT count(bm) FROM agg64_bms)) s),
          'rb64_and_agg = intersection');
SELECT is((SELECT rb64_to_array(rb64_xor_agg(bm)) FROM agg64_bms),
          (SELECT pg_temp.usort(array_agg(x)) FROM (SELECT x FROM agg64_el GROUP BY x HAVING count(*) % 2 = 1) s),
          'rb64_xor_agg = elements in an odd number of rows');
SELECT is((SELECT array[rb64_or_cardinality_agg(bm), rb64_and_cardinality_agg(bm), rb64_xor_cardinality_agg(bm)] FROM agg64_bms),
          (SELECT array[rb64_cardinality(rb64_or_agg(bm)), rb64_cardinality(rb64_and_agg(bm)), rb64_cardinality(rb64_xor_agg(bm))] FROM agg64_bms),
          'the _cardinality aggregates count the set aggregates');
SELECT ok((SELECT rb64_cardinality(rb64_and_agg(bm)) FROM agg64_bms) > 0, 'the intersection is not trivially empty');
SELECT ok((SELECT rb64_build_agg(v) IS NULL AND rb64_or_agg(NULL::roaringbitmap64) IS NULL FROM agg64_ids WHERE false)
          AND (SELECT rb64_or_cardinality_agg(bm) IS NULL AND rb64_and_agg(bm) IS NULL FROM agg64_bms WHERE false),
          'aggregates over no rows are NULL');
SELECT is((SELECT rb64_to_array(rb64_build_agg(x)) FROM (VALUES (NULL::bigint), (NULL)) v(x)), NULL, 'only NULL rows: NULL');
SELECT is((SELECT rb64_or_agg(bm)::bytea::roaringbitmap64 = rb64_or_agg(bm) FROM agg64_bms), true,
          'an aggregate result is a valid stored value');

-- parallel plans: Partial Aggregate, and the same answers as serial
CREATE TEMP TABLE serial AS
SELECT (SELECT rb64_build_agg(v) FROM agg64_ids) AS b, (SELECT rb64_or_agg(bm) FROM agg64_bms) AS o,
       (SELECT rb64_and_agg(bm) FROM agg64_bms) AS a, (SELECT rb64_xor_agg(bm) FROM agg64_bms) AS x,
       (SELECT rb64_or_cardinality_agg(bm) FROM agg64_bms) AS oc;
SET LOCAL parallel_setup_cost = 0;
SET LOCAL parallel_tuple_cost = 0;
SET LOCAL min_parallel_table_scan_size = 0;
SET LOCAL max_parallel_workers_per_gather = 2;
SELECT ok(pg_temp.plan_of('SELECT rb64_build_agg(v) FROM agg64_ids') LIKE '%Partial Aggregate%'
          AND pg_temp.plan_of('SELECT rb64_or_agg(bm) FROM agg64_bms') LIKE '%Partial Aggregate%',
          'the planner runs the aggregates in parallel');
SELECT is((SELECT rb64_build_agg(v) FROM agg64_ids), (SELECT b FROM serial), 'parallel rb64_build_agg = serial');
SELECT is((SELECT rb64_or_agg(bm) FROM agg64_bms), (SELECT o FROM serial), 'parallel rb64_or_agg = serial');
SELECT is((SELECT rb64_and_agg(bm) FROM agg64_bms), (SELECT a FROM serial), 'parallel rb64_and_agg = serial');
SELECT is((SELECT rb64_xor_agg(bm) FROM agg64_bms), (SELECT x FROM serial), 'parallel rb64_xor_agg = serial');
SELECT is((SELECT rb64_or_cardinality_agg(bm) FROM agg64_bms), (SELECT oc FROM serial), 'parallel rb64_or_cardinality_agg = serial');

SELECT * FROM finish();
ROLLBACK;
