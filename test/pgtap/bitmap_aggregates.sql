-- Aggregates of roaringbitmap, serial and under forced parallel plans, against
-- plain SQL on int4[] / unnest.  The tables are ordinary (not TEMP) so that
-- parallel workers can scan them; they live only inside this transaction.
BEGIN;
SELECT plan(51);
SET LOCAL client_min_messages = warning;
SET LOCAL persona.output_format = 'array';

CREATE FUNCTION pg_temp.to_i(u bigint) RETURNS int LANGUAGE sql IMMUTABLE AS
$$ SELECT (CASE WHEN u >= 2147483648 THEN u - 4294967296 ELSE u END)::int $$;
CREATE FUNCTION pg_temp.rnd_i() RETURNS int LANGUAGE sql VOLATILE AS
$$ SELECT pg_temp.to_i(floor(random() * 4294967296)::bigint) $$;
-- random int4 in one of 64 2^16-blocks spread over the whole range (the
-- union of many rows fills a few bitset containers instead of 65536 tiny ones)
CREATE FUNCTION pg_temp.rnd_k() RETURNS int LANGUAGE sql VOLATILE AS
$$ SELECT pg_temp.to_i(floor(random() * 64)::bigint * 67108864 + 1234567 + floor(random() * 65536)::bigint) $$;
-- distinct elements in unsigned order
CREATE FUNCTION pg_temp.usort(a int[]) RETURNS int[] LANGUAGE sql IMMUTABLE AS
$$ SELECT coalesce(array_agg(x ORDER BY x::bigint & 4294967295), '{}') FROM (SELECT DISTINCT x FROM unnest(a) x) s $$;
-- true when the bytes of a bitmap pass input validation again
CREATE FUNCTION pg_temp.valid(b roaringbitmap) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  PERFORM b::bytea::roaringbitmap;
  RETURN true;
EXCEPTION WHEN others THEN
  RETURN false;
END $$;
-- EXPLAIN output as one text
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
-- 'SQLSTATE: message' of the error a statement raises, NULL when it succeeds
CREATE FUNCTION pg_temp.err_of(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  st text;
  msg text;
BEGIN
  EXECUTE q;
  RETURN NULL;
EXCEPTION WHEN others THEN
  GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
  RETURN st || ': ' || msg;
END $$;
-- run a CREATE TABLE AS under EXPLAIN ANALYZE: creates the table, returns the plan
CREATE FUNCTION pg_temp.run_ctas(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  r record;
  out text := '';
BEGIN
  FOR r IN EXECUTE 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ' || q LOOP
    out := out || r."QUERY PLAN" || E'\n';
  END LOOP;
  RETURN out;
END $$;

SELECT setseed(0.2718);

-- 200,000 rows in groups 0..4, plus group 5 whose rows are all NULL.
--   x:   the input of rb_build_agg (5% NULL)
--   arr: the elements of bm, distinct within a row (5% NULL; some empty in group 0)
-- Groups 1..4 share "common" elements in every non-NULL row, so rb_and_agg is
-- not trivially empty; group 1 is dense (run / bitset containers).
CREATE TABLE tap_agg_rows (id int, grp int, x int, arr int[], bm roaringbitmap);
INSERT INTO tap_agg_rows (id, grp, x, arr)
SELECT id, grp,
  CASE WHEN random() < 0.05 THEN NULL
       WHEN grp = 0 THEN pg_temp.rnd_i()
       WHEN grp = 1 THEN (id - 1) / 5
       WHEN grp = 2 THEN floor(random() * 5000)::int
       WHEN grp = 3 THEN (array[0, 1, -1, -2, 2147483647, -2147483648,
                                pg_temp.to_i(2147483548 + floor(random() * 200)::bigint)])[1 + floor(random() * 7)::int]
       ELSE -id END,
  CASE WHEN random() < 0.05 THEN NULL
       WHEN grp = 0 AND random() < 0.02 THEN '{}'::int[]
       WHEN grp = 0 THEN pg_temp.usort(array(SELECT pg_temp.rnd_k() FROM generate_series(1, (id / 5) % 6)))
       WHEN grp = 1 THEN array[(id - 1) / 5 * 3, (id - 1) / 5 * 3 + 1, (id - 1) / 5 * 3 + 2, 1000001, -11]
       WHEN grp = 2 THEN pg_temp.usort(array(SELECT floor(random() * 3000)::int FROM generate_series(1, 1 + (id / 5) % 5))
                                       || array[2000002, -12])
       WHEN grp = 3 THEN pg_temp.usort(array(SELECT pg_temp.to_i(2147473648 + floor(random() * 20000)::bigint)
                                             FROM generate_series(1, 1 + (id / 5) % 4))
                                       || array[3000003, -13, 2147483647])
       ELSE pg_temp.usort(array(SELECT pg_temp.rnd_k() FROM generate_series(1, (id / 5) % 3))
                          || array[4000004, -14, -2147483648, 0]) END
FROM (SELECT g AS id, g % 5 AS grp FROM generate_series(1, 200000) g) s
ORDER BY id;
INSERT INTO tap_agg_rows (id, grp, x, arr) SELECT g, 5, NULL, NULL FROM generate_series(200001, 200100) g;
UPDATE tap_agg_rows SET bm = CASE WHEN id % 7 = 0 THEN rb_runoptimize(rb_build(arr)) ELSE rb_build(arr) END;
ANALYZE tap_agg_rows;

-- 300 rows of larger bitmaps: a common run [10000, 18000) with a few random
-- holes, random values below 2^20, a run across 2^31 in group 2, sparse values
CREATE TABLE tap_agg_big (id int, grp int, arr int[], bm roaringbitmap);
INSERT INTO tap_agg_big (id, grp, arr)
SELECT id, id % 3,
       pg_temp.usort(array(SELECT g FROM generate_series(10000, 17999) g WHERE random() >= 0.001 + 0 * id)
                     || array(SELECT floor(random() * 1048576)::int FROM generate_series(1, 500 + 0 * id))
                     || CASE WHEN id % 3 = 2
                             THEN array(SELECT pg_temp.to_i(g) FROM generate_series(2147480648 + id, 2147486648 - id) g)
                             ELSE '{}' END
                     || array(SELECT pg_temp.rnd_i() FROM generate_series(1, 20 + 0 * id)))
FROM generate_series(1, 300) id ORDER BY id;
INSERT INTO tap_agg_big VALUES (301, 0, NULL), (302, 1, NULL);
UPDATE tap_agg_big SET bm = CASE WHEN id % 2 = 0 THEN rb_runoptimize(rb_build(arr)) ELSE rb_build(arr) END;
ANALYZE tap_agg_big;

-- expected answers, per group and in total (grp NULL), from unnest:
-- or = every element; and = elements in every non-NULL row (elements are
-- distinct within a row); xor = elements in an odd number of rows
CREATE FUNCTION pg_temp.expected(tbl text) RETURNS TABLE(grp int, nrows bigint, e_build int[], e_or int[], e_and int[], e_xor int[])
LANGUAGE plpgsql AS $$
BEGIN
  RETURN QUERY EXECUTE format($q$
    WITH e AS (SELECT t.grp, unnest(t.arr) AS v FROM %1$I t WHERE t.arr IS NOT NULL),
         c AS (SELECT e.grp, e.v, count(*) AS k FROM e GROUP BY ROLLUP (e.grp), e.v),
         n AS (SELECT t.grp, count(t.arr) AS nrows FROM %1$I t GROUP BY ROLLUP (t.grp))
    SELECT n.grp, n.nrows,
      %2$s,
      CASE WHEN n.nrows > 0 THEN coalesce((SELECT array_agg(c.v ORDER BY c.v::bigint & 4294967295) FROM c
                                            WHERE c.grp IS NOT DISTINCT FROM n.grp), '{}') END,
      CASE WHEN n.nrows > 0 THEN coalesce((SELECT array_agg(c.v ORDER BY c.v::bigint & 4294967295) FROM c
                                            WHERE c.grp IS NOT DISTINCT FROM n.grp AND c.k = n.nrows), '{}') END,
      CASE WHEN n.nrows > 0 THEN coalesce((SELECT array_agg(c.v ORDER BY c.v::bigint & 4294967295) FROM c
                                            WHERE c.grp IS NOT DISTINCT FROM n.grp AND c.k %% 2 = 1), '{}') END
    FROM n$q$, tbl,
    CASE WHEN tbl = 'tap_agg_rows' THEN
      '(SELECT array_agg(d.x ORDER BY d.x::bigint & 4294967295) FROM
          (SELECT DISTINCT t.x FROM tap_agg_rows t WHERE t.x IS NOT NULL AND (n.grp IS NULL OR t.grp = n.grp)) d)'
    ELSE 'NULL::int[]' END);
END $$;
CREATE TEMP TABLE ex_rows AS SELECT * FROM pg_temp.expected('tap_agg_rows');
CREATE TEMP TABLE ex_big AS SELECT * FROM pg_temp.expected('tap_agg_big');

SELECT ok((SELECT count(*) FROM ex_rows) = 7 AND (SELECT count(*) FROM ex_big) = 4
          AND (SELECT bool_and(cardinality(e_and) > 0) FROM ex_rows WHERE grp BETWEEN 1 AND 4)
          AND (SELECT bool_and(cardinality(e_xor) > 0) FROM ex_rows WHERE grp < 5)
          AND (SELECT e_or IS NULL AND e_build IS NULL FROM ex_rows WHERE grp = 5)
          AND (SELECT cardinality(e_or) > 100000 FROM ex_rows WHERE grp = 1)
          AND (SELECT bool_and(cardinality(e_and) > 1000 AND cardinality(e_xor) > 1000) FROM ex_big),
          'test data: non-trivial and / xor answers, an all-NULL group, dense groups');

-- run the aggregates in three modes ---------------------------------------------

CREATE TEMP TABLE plans(mode text, tbl text, grouped boolean, plan text);
CREATE TEMP TABLE res(mode text, tbl text, grp int, build roaringbitmap, o roaringbitmap, a roaringbitmap,
                      xo roaringbitmap, oc bigint, ac bigint, xc bigint);

CREATE FUNCTION pg_temp.run_mode(mode text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  tbl text;
  g boolean;
  q text;
BEGIN
  FOREACH tbl IN ARRAY array['tap_agg_rows', 'tap_agg_big'] LOOP
    FOREACH g IN ARRAY array[true, false] LOOP
      q := format('SELECT %s AS grp, %s AS build, rb_or_agg(bm) AS o, rb_and_agg(bm) AS a, rb_xor_agg(bm) AS xo,
                          rb_or_cardinality_agg(bm) AS oc, rb_and_cardinality_agg(bm) AS ac,
                          rb_xor_cardinality_agg(bm) AS xc
                   FROM %I %s',
                  CASE WHEN g THEN 'grp' ELSE 'NULL::int' END,
                  CASE WHEN tbl = 'tap_agg_rows' THEN 'rb_build_agg(x)' ELSE 'NULL::roaringbitmap' END,
                  tbl, CASE WHEN g THEN 'GROUP BY grp' ELSE '' END);
      DROP TABLE IF EXISTS res_one;
      INSERT INTO plans VALUES (mode, tbl, g, pg_temp.run_ctas('CREATE TEMP TABLE res_one AS ' || q));
      INSERT INTO res SELECT mode, tbl, r.* FROM res_one r;
    END LOOP;
  END LOOP;
END $$;

SET LOCAL max_parallel_workers_per_gather = 0;
SELECT pg_temp.run_mode('serial');

SET LOCAL parallel_setup_cost = 0;
SET LOCAL parallel_tuple_cost = 0;
SET LOCAL min_parallel_table_scan_size = 0;
SET LOCAL max_parallel_workers_per_gather = 2;
SELECT pg_temp.run_mode('parallel');
SET LOCAL parallel_leader_participation = off;
SELECT pg_temp.run_mode('parallel, workers only');
RESET parallel_leader_participation;

SELECT is((SELECT string_agg(tbl || CASE WHEN grouped THEN ' grouped' ELSE '' END, ', ') FROM plans
           WHERE mode = 'serial' AND plan ~ 'Partial|Gather'), NULL, 'serial plans are not parallel');
SELECT is((SELECT string_agg(mode || ' ' || tbl || CASE WHEN grouped THEN ' grouped' ELSE '' END, ', ') FROM plans
           WHERE mode <> 'serial' AND plan !~ 'Partial (Hash|Group)?Aggregate'), NULL,
          'parallel plans have a Partial Aggregate');
SELECT is((SELECT string_agg(mode || ' ' || tbl || CASE WHEN grouped THEN ' grouped' ELSE '' END, ', ') FROM plans
           WHERE mode <> 'serial' AND plan !~ 'Finalize (Hash|Group)?Aggregate'), NULL,
          'parallel plans combine partial states (Finalize Aggregate)');
SELECT ok((SELECT count(*) FROM plans WHERE mode <> 'serial' AND plan ~ 'Workers Launched: [1-9]') >= 4,
          'parallel workers actually ran');

CREATE TEMP TABLE modes AS SELECT DISTINCT mode FROM plans;
CREATE TEMP TABLE cmp AS
SELECT m.mode, e.tbl, e.grp, e.e_build, e.e_or, e.e_and, e.e_xor, r.build, r.o, r.a, r.xo, r.oc, r.ac, r.xc,
       r.mode IS NULL AS missing
FROM modes m
CROSS JOIN (SELECT 'tap_agg_rows' AS tbl, * FROM ex_rows UNION ALL SELECT 'tap_agg_big', * FROM ex_big) e
LEFT JOIN res r ON r.mode = m.mode AND r.tbl = e.tbl AND r.grp IS NOT DISTINCT FROM e.grp;

SELECT is((SELECT count(*) FROM res), 33::bigint, 'one result row per group (and total) per mode');
SELECT is((SELECT count(*) FROM cmp WHERE missing), 0::bigint, 'every group has a result in every mode');
SELECT is((SELECT count(*) FROM cmp c WHERE c.mode = m.mode AND c.tbl = 'tap_agg_rows'
             AND rb_to_array(c.build) IS DISTINCT FROM c.e_build), 0::bigint,
          m.mode || ': rb_build_agg = distinct non-NULL values, per group and in total')
FROM modes m ORDER BY m.mode;
SELECT is((SELECT count(*) FROM cmp c WHERE c.mode = m.mode AND rb_to_array(c.o) IS DISTINCT FROM c.e_or), 0::bigint,
          m.mode || ': rb_or_agg = union of the rows, per group and in total')
FROM modes m ORDER BY m.mode;
SELECT is((SELECT count(*) FROM cmp c WHERE c.mode = m.mode AND rb_to_array(c.a) IS DISTINCT FROM c.e_and), 0::bigint,
          m.mode || ': rb_and_agg = elements of every non-NULL row')
FROM modes m ORDER BY m.mode;
SELECT is((SELECT count(*) FROM cmp c WHERE c.mode = m.mode AND rb_to_array(c.xo) IS DISTINCT FROM c.e_xor), 0::bigint,
          m.mode || ': rb_xor_agg = elements of an odd number of rows')
FROM modes m ORDER BY m.mode;
SELECT is((SELECT count(*) FROM cmp c WHERE c.mode = m.mode AND c.oc IS DISTINCT FROM cardinality(c.e_or)), 0::bigint,
          m.mode || ': rb_or_cardinality_agg')
FROM modes m ORDER BY m.mode;
SELECT is((SELECT count(*) FROM cmp c WHERE c.mode = m.mode AND c.ac IS DISTINCT FROM cardinality(c.e_and)), 0::bigint,
          m.mode || ': rb_and_cardinality_agg')
FROM modes m ORDER BY m.mode;
SELECT is((SELECT count(*) FROM cmp c WHERE c.mode = m.mode AND c.xc IS DISTINCT FROM cardinality(c.e_xor)), 0::bigint,
          m.mode || ': rb_xor_cardinality_agg')
FROM modes m ORDER BY m.mode;
SELECT is((SELECT count(*) FROM cmp c WHERE c.mode = m.mode
             AND NOT (pg_temp.valid(c.o) AND pg_temp.valid(c.a) AND pg_temp.valid(c.xo)
                      AND (c.tbl <> 'tap_agg_rows' OR pg_temp.valid(c.build)))), 0::bigint,
          m.mode || ': aggregate results are valid portable serializations')
FROM modes m ORDER BY m.mode;
SELECT is((SELECT count(*) FROM res p JOIN res s ON s.mode = 'serial' AND p.tbl = s.tbl AND p.grp IS NOT DISTINCT FROM s.grp
           WHERE p.mode <> 'serial'
             AND (p.build IS DISTINCT FROM s.build OR p.o IS DISTINCT FROM s.o OR p.a IS DISTINCT FROM s.a
                  OR p.xo IS DISTINCT FROM s.xo OR p.oc IS DISTINCT FROM s.oc OR p.ac IS DISTINCT FROM s.ac
                  OR p.xc IS DISTINCT FROM s.xc)), 0::bigint,
          'parallel answers equal serial answers');

-- NULLs, no rows, empty bitmaps ------------------------------------------------

RESET max_parallel_workers_per_gather;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;

SELECT is((SELECT ROW(rb_build_agg(x), rb_or_agg(bm), rb_and_agg(bm), rb_xor_agg(bm), rb_or_cardinality_agg(bm),
                      rb_and_cardinality_agg(bm), rb_xor_cardinality_agg(bm))::text
           FROM tap_agg_rows WHERE false), '(,,,,,,)', 'every aggregate over no rows is NULL');
SELECT is((SELECT ROW(rb_build_agg(x), rb_or_agg(bm), rb_and_agg(bm), rb_xor_agg(bm), rb_or_cardinality_agg(bm),
                      rb_and_cardinality_agg(bm), rb_xor_cardinality_agg(bm))::text
           FROM (VALUES (NULL::int, NULL::roaringbitmap), (NULL, NULL)) v(x, bm)), '(,,,,,,)',
          'every aggregate over only NULL rows is NULL');
SELECT is((SELECT ROW(rb_to_array(rb_or_agg(bm)), rb_to_array(rb_and_agg(bm)), rb_to_array(rb_xor_agg(bm)),
                      rb_or_cardinality_agg(bm), rb_and_cardinality_agg(bm), rb_xor_cardinality_agg(bm))::text
           FROM (VALUES ('{}'::roaringbitmap), (NULL)) v(bm)), '({},{},{},0,0,0)',
          'an empty bitmap is not NULL: aggregates over it give the empty set / 0');
SELECT is((SELECT rb_to_array(rb_and_agg(bm)) FROM (VALUES (1, '{1,2,3}'::roaringbitmap), (2, '{}'), (3, '{2,3}')) v(n, bm)),
          '{}'::int[], 'rb_and_agg with an empty bitmap among the rows is empty');
SELECT is((SELECT array_agg(rb_to_array(a)::text ORDER BY o)
           FROM (SELECT o, rb_and_agg(bm ORDER BY n) AS a
                 FROM (VALUES (1, 1, NULL::roaringbitmap), (1, 2, '{1,2,3,-1}'), (1, 3, '{2,3,-1}'),
                              (2, 1, '{1,2,3,-1}'), (2, 2, NULL), (2, 3, '{2,3,-1}'),
                              (3, 1, '{1,2,3,-1}'), (3, 2, '{2,3,-1}'), (3, 3, NULL)) v(o, n, bm)
                 GROUP BY o) s),
          array['{2,3,-1}', '{2,3,-1}', '{2,3,-1}'], 'rb_and_agg skips NULL rows wherever they come');
SELECT is((SELECT array_agg(rb_to_array(a)::text ORDER BY o)
           FROM (SELECT o, rb_xor_agg(bm ORDER BY n) AS a
                 FROM (VALUES (1, 1, NULL::roaringbitmap), (1, 2, '{1,2,3,-1}'), (1, 3, '{2,3,4}'),
                              (2, 1, '{1,2,3,-1}'), (2, 2, NULL), (2, 3, '{2,3,4}'),
                              (3, 1, '{1,2,3,-1}'), (3, 2, '{2,3,4}'), (3, 3, NULL)) v(o, n, bm)
                 GROUP BY o) s),
          array['{1,4,-1}', '{1,4,-1}', '{1,4,-1}'], 'rb_xor_agg skips NULL rows wherever they come');
SELECT is((SELECT rb_to_array(rb_build_agg(x)) FROM (VALUES (NULL::int), (5), (NULL), (-1), (5), (0)) v(x)),
          '{0,5,-1}'::int[], 'rb_build_agg skips NULLs and duplicates');

-- aggregate features ---------------------------------------------------------------

SELECT is((SELECT count(*) FROM (
             SELECT grp, rb_or_agg(DISTINCT bm) AS d, rb_or_agg(bm) FILTER (WHERE id % 2 = 0) AS f,
                    rb_build_agg(x ORDER BY x DESC) AS b
             FROM tap_agg_rows WHERE grp IN (2, 3) GROUP BY grp) r
           JOIN ex_rows e USING (grp)
           WHERE rb_to_array(r.d) IS DISTINCT FROM e.e_or OR rb_to_array(r.b) IS DISTINCT FROM e.e_build
              OR rb_to_array(r.f) IS DISTINCT FROM pg_temp.usort(array(SELECT unnest(arr) FROM tap_agg_rows t
                                                                        WHERE t.grp = r.grp AND t.id % 2 = 0))),
          0::bigint, 'DISTINCT, FILTER and ORDER BY inside the aggregates');

-- the same aggregate used twice (one shared state), and a function applied to
-- one use, must not change the other
SELECT is((SELECT ROW(rb_to_array(rb_add(rb_or_agg(bm), 123456789)) @> ARRAY[123456789],
                      rb_or_agg(bm) @> 123456789,
                      rb_cardinality(rb_or_agg(bm)) = rb_or_cardinality_agg(bm),
                      rb_to_array(rb_or_agg(bm)) = (SELECT e_or FROM ex_rows WHERE grp = 2))::text
           FROM tap_agg_rows WHERE grp = 2), '(t,f,t,t)',
          'a shared aggregate state is not modified by functions of its result');
SELECT is((SELECT ROW(rb_to_array(rb_remove(rb_build_agg(x), 7)) @> ARRAY[7], rb_build_agg(x) @> 7)::text
           FROM (SELECT g AS x FROM generate_series(1, 10) g) s), '(f,t)',
          'rb_build_agg result is not modified by a function applied to it');

-- window frames call the transition function again after reading the state
CREATE TEMP TABLE win_src AS
SELECT n, CASE WHEN n % 5 = 0 THEN NULL ELSE arr END AS arr,
       CASE WHEN n % 5 = 0 THEN NULL ELSE rb_build(arr) END AS bm,
       CASE WHEN n % 7 = 0 THEN NULL ELSE n * 3 - 20 END AS x
FROM (SELECT n, pg_temp.usort(array[n, n + 1, -n, 1000] || array(SELECT g FROM generate_series(n * 1000, n * 1000 + 5000) g)) AS arr
      FROM generate_series(1, 40) n) s;
SELECT is((SELECT count(*) FROM (
             SELECT n, rb_or_agg(bm) OVER w AS o, rb_and_agg(bm) OVER w AS a, rb_xor_agg(bm) OVER w AS xo,
                    rb_build_agg(x) OVER w AS b, rb_or_cardinality_agg(bm) OVER w AS oc
             FROM win_src WINDOW w AS (ORDER BY n ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)) r
           WHERE rb_to_array(r.o) IS DISTINCT FROM
                 pg_temp.usort(array(SELECT unnest(arr) FROM win_src w WHERE w.n <= r.n))
              OR rb_to_array(r.a) IS DISTINCT FROM
                 (SELECT array_agg(v ORDER BY v::bigint & 4294967295) FROM (
                    SELECT v FROM win_src w, unnest(w.arr) v WHERE w.n <= r.n GROUP BY v
                    HAVING count(*) = (SELECT count(arr) FROM win_src w2 WHERE w2.n <= r.n)) q)
              OR rb_to_array(r.xo) IS DISTINCT FROM
                 (SELECT coalesce(array_agg(v ORDER BY v::bigint & 4294967295), '{}') FROM (
                    SELECT v FROM win_src w, unnest(w.arr) v WHERE w.n <= r.n GROUP BY v HAVING count(*) % 2 = 1) q)
              OR rb_to_array(r.b) IS DISTINCT FROM
                 (SELECT array_agg(x ORDER BY x::bigint & 4294967295) FROM win_src w WHERE w.n <= r.n AND x IS NOT NULL)
              OR r.oc IS DISTINCT FROM cardinality(pg_temp.usort(array(SELECT unnest(arr) FROM win_src w WHERE w.n <= r.n)))),
          0::bigint, 'aggregates as running window functions: every row sees its own prefix');
SELECT is((SELECT count(*) FROM (
             SELECT n, rb_or_agg(bm) OVER w AS o, rb_xor_agg(bm) OVER w AS xo, rb_build_agg(x) OVER w AS b
             FROM win_src WINDOW w AS (ORDER BY n ROWS BETWEEN 2 PRECEDING AND 1 FOLLOWING)) r
           WHERE rb_to_array(r.o) IS DISTINCT FROM
                 pg_temp.usort(array(SELECT unnest(arr) FROM win_src w WHERE w.n BETWEEN r.n - 2 AND r.n + 1))
              OR rb_to_array(r.xo) IS DISTINCT FROM
                 (SELECT coalesce(array_agg(v ORDER BY v::bigint & 4294967295), '{}') FROM (
                    SELECT v FROM win_src w, unnest(w.arr) v WHERE w.n BETWEEN r.n - 2 AND r.n + 1
                    GROUP BY v HAVING count(*) % 2 = 1) q)
              OR rb_to_array(r.b) IS DISTINCT FROM
                 (SELECT array_agg(x ORDER BY x::bigint & 4294967295) FROM win_src w
                  WHERE w.n BETWEEN r.n - 2 AND r.n + 1 AND x IS NOT NULL)),
          0::bigint, 'aggregates over moving window frames');

-- many groups through a hash aggregate that spills to disk
SET LOCAL work_mem = '64kB';
SET LOCAL enable_sort = off;
SELECT matches(pg_temp.plan_of('SELECT id % 20000, rb_or_agg(bm) FROM tap_agg_rows GROUP BY 1'), 'HashAggregate',
               'many-group query uses a hash aggregate');
SELECT is((SELECT count(*) FROM (
             SELECT id % 20000 AS k, rb_or_agg(bm) AS o, rb_build_agg(x) AS b, rb_and_agg(bm) AS a
             FROM tap_agg_rows GROUP BY 1) r
           JOIN (SELECT id % 20000 AS k, pg_temp.usort(array_agg(v)) AS e_or FROM tap_agg_rows, unnest(arr) v GROUP BY 1) e USING (k)
           JOIN (SELECT id % 20000 AS k, array_agg(DISTINCT x) AS xs FROM tap_agg_rows WHERE x IS NOT NULL GROUP BY 1) bx USING (k)
           WHERE rb_to_array(r.o) IS DISTINCT FROM e.e_or
              OR rb_to_array(r.b) IS DISTINCT FROM pg_temp.usort(bx.xs)
              OR NOT (r.a <@ r.o)), 0::bigint, '20000 groups with work_mem = 64kB');
RESET work_mem;
RESET enable_sort;

-- transition functions are for aggregates only
SELECT ok(pg_temp.err_of($$SELECT rb_or_trans('{1}', '{2}')$$) ~ '^0A000'
          AND pg_temp.err_of($$SELECT rb_build_trans(NULL, 5)$$) ~ '^0A000', 'transition functions refuse direct calls');
-- rb_or_agg sets a row's containers straight into the union's bitsets and
-- swaps a key that a bitset row completes for a full run, which later rows of
-- that key skip: rows of every container kind, in an order that fills key 0
-- through a bitset row, then keeps adding to it and to keys that are not full.
CREATE TEMP TABLE or_rows (id int, vals int[]);
INSERT INTO or_rows VALUES
  (1, ARRAY(SELECT g FROM generate_series(0, 65535, 2) g)),                 -- bitset, evens
  (2, ARRAY(SELECT g FROM generate_series(1, 65535, 64) g)),                -- array, some odds
  (3, ARRAY(SELECT g FROM generate_series(1, 20001, 2) g)),                 -- array/bitset, low odds
  (4, ARRAY(SELECT g FROM generate_series(20003, 40001, 2) g)),             -- odds of the middle
  (5, ARRAY(SELECT g FROM generate_series(40001, 65535) g)),                -- a run to the end: key 0 full now? not via a bitset row
  (6, ARRAY(SELECT g FROM generate_series(0, 65535, 3) g)                   -- bitset row on a full key: detected
      || ARRAY(SELECT g FROM generate_series(65536 * 7, 65536 * 7 + 9000, 2) g)),
  (7, ARRAY(SELECT g FROM generate_series(5, 60000, 7) g)                   -- array row on the full key: skipped
      || ARRAY(SELECT g FROM generate_series(65536 * 7 + 1, 65536 * 7 + 3000, 2) g)),
  (8, ARRAY(SELECT g FROM generate_series(100, 30000) g)                    -- run row on the full key
      || ARRAY[-1, 65536 * 7 + 65535]),
  (9, ARRAY(SELECT g FROM generate_series(65536 * 3, 65536 * 4 - 1, 2) g)),  -- key 3: two bitset rows
  (10, ARRAY(SELECT g FROM generate_series(65536 * 3, 65536 * 4 - 1, 3) g)); -- that do not fill it
CREATE TEMP TABLE or_bms AS SELECT id, rb_build(vals) AS bm, vals FROM or_rows;
SELECT is((SELECT rb_to_array(rb_or_agg(bm)) FROM (SELECT bm FROM or_bms ORDER BY id) s),
          (SELECT pg_temp.usort(array_agg(x)) FROM or_rows, unnest(vals) x),
          'rb_or_agg: bitset, array and run rows into bitsets, a key completed by a bitset row, rows after it');
SELECT is((SELECT rb_cardinality(rb_or_agg(bm)) FROM (SELECT bm FROM or_bms ORDER BY id) s),
          (SELECT count(DISTINCT x) FROM or_rows, unnest(vals) x),
          'rb_or_agg: cardinality recounted after the lazy union (full key included)');
SELECT ok((SELECT pg_temp.valid(rb_or_agg(bm)) FROM (SELECT bm FROM or_bms ORDER BY id DESC) s)
          AND (SELECT rb_or_agg(bm) FROM (SELECT bm FROM or_bms ORDER BY id DESC) s)
            = (SELECT rb_or_agg(bm) FROM (SELECT bm FROM or_bms ORDER BY id) s),
          'rb_or_agg: the same valid bitmap in either row order');
SELECT is((SELECT 1), 1, 'server alive');

SELECT * FROM finish();
ROLLBACK;
