-- The per-user aggregates' states between parallel processes (funnel_agg.c):
-- each worker sorts and writes its partial state compactly (evcodec), the
-- leader reads it back and finds the funnel level ahead, unless a second
-- partial state of the same user is combined into it.  Parallel plans must
-- answer exactly as serial ones: users split between workers (rows in random
-- order), users with hundreds of events (past the state's inline room), 10
-- conditions (2-byte masks) and 20 (4-byte masks), timestamps before 2000 and
-- infinite ones, every mode, and funnel and sequence aggregates sharing a query.
BEGIN;
SELECT plan(12);
SET LOCAL client_min_messages = warning;
SET LOCAL TIME ZONE 'UTC';
DO $$ BEGIN PERFORM setseed(0.25); END $$;

-- 200,000 rows (big enough for both workers to take part in the scan) over
-- about 2,000 users (skewed: over 500 events for some), minutes apart
-- within 33 hours, a tenth of the users in 1990
CREATE TABLE pst AS
SELECT u, CASE WHEN u % 10 = 3 THEN timestamptz '1990-06-01' ELSE timestamptz '2026-03-01' END
          + floor(random() * 2000) * interval '1 minute' AS ts,
       (random() * 1048575)::int AS m
FROM (SELECT 1 + (random() * random() * 2000)::bigint AS u FROM generate_series(1, 200000)) s;
INSERT INTO pst VALUES (5, '-infinity', 1), (5, 'infinity', 1023), (6, 'infinity', 2), (6, '-infinity', 1);
CREATE TABLE pst_r AS SELECT * FROM pst ORDER BY random();
ANALYZE pst_r;

-- the conditions: bit i-1 of m
CREATE FUNCTION pg_temp.conds(k int) RETURNS text LANGUAGE sql AS $$
  SELECT string_agg(format('m & %s > 0', 1 << i), ', ' ORDER BY i) FROM generate_series(0, k - 1) i $$;
CREATE TEMP TABLE q (name text, q text);
INSERT INTO q VALUES
  ('window_funnel, 10 conditions', format($$SELECT md5(string_agg(u || ':' || l, ',' ORDER BY u)) FROM (SELECT u, window_funnel('2 hours', ts, %s) l FROM pst_r GROUP BY u) s$$, pg_temp.conds(10))),
  ('window_funnel strict_order, 10 conditions (events matching none kept)', format($$SELECT md5(string_agg(u || ':' || l, ',' ORDER BY u)) FROM (SELECT u, window_funnel('2 hours', 'strict_order', ts, %s) l FROM pst_r GROUP BY u) s$$, pg_temp.conds(10))),
  ('window_funnel strict_deduplication, strict_increase, 20 conditions', format($$SELECT md5(string_agg(u || ':' || l, ',' ORDER BY u)) FROM (SELECT u, window_funnel('1 hour', 'strict_deduplication, strict_increase', ts, %s) l FROM pst_r GROUP BY u) s$$, pg_temp.conds(20))),
  ('window_funnel_path strict_increase, 4 conditions', format($$SELECT md5(string_agg(u || ':' || p::text, ',' ORDER BY u)) FROM (SELECT u, window_funnel_path('3 hours', 'strict_increase', ts, %s) p FROM pst_r GROUP BY u) s$$, pg_temp.conds(4))),
  ('window_funnel, window_funnel_path, sequence_count, sequence_match in one query', format($$SELECT md5(string_agg(concat_ws(':', u, l, p, c, b), ',' ORDER BY u)) FROM (SELECT u, window_funnel('3 hours', ts, %1$s) l, window_funnel_path('3 hours', ts, %1$s) p, sequence_count('(?1).*(?2)', ts, %1$s) c, sequence_match('(?2)(?t<=600)(?3)', ts, %1$s) b FROM pst_r GROUP BY u) s$$, pg_temp.conds(3))),
  ('funnel_counts_agg over window_funnel, 5 conditions', format($$SELECT funnel_counts_agg(l, 5)::text FROM (SELECT u, window_funnel('90 minutes', ts, %s) l FROM pst_r GROUP BY u) s$$, pg_temp.conds(5)));

\ir lib/parallel.sql
SET LOCAL parallel_setup_cost = 0;
SET LOCAL parallel_tuple_cost = 0;
SET LOCAL min_parallel_table_scan_size = 0;
SET LOCAL max_parallel_workers_per_gather = 2;

-- the parallel plan really passes partial states from launched workers to a
-- finalizing leader.  (How many states each user gets depends on how the
-- workers share the scan, which depends on the machine's load: shown, not
-- asserted.)
CREATE FUNCTION pg_temp.analyzed(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE r record; o text := '';
BEGIN
  FOR r IN EXECUTE 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ' || q LOOP o := o || r."QUERY PLAN" || E'\n'; END LOOP;
  RETURN o;
END $$;
CREATE TEMP TABLE par_plan AS
SELECT pg_temp.analyzed(format('SELECT u, window_funnel(''2 hours'', ts, %s) FROM pst_r GROUP BY u', pg_temp.conds(10))) AS p;
SELECT ok((SELECT p ~ 'Finalize' AND p ~ 'Gather' AND p ~ 'Partial' AND p ~ 'Workers Launched: [1-9]' FROM par_plan),
          'the forced parallel plan has launched workers whose partial states a Gather passes to a Finalize');
SELECT diag('partial states passed: ' || substring(p from 'Gather[^\n]*rows=([0-9]+)') || ' for ' ||
            (SELECT count(DISTINCT u) FROM pst_r) || ' users') FROM par_plan;
SELECT is(pg_temp.run(q, true), pg_temp.run(q, false), format('%s: parallel = serial', name)) FROM q ORDER BY name;
SET LOCAL max_parallel_workers_per_gather = 0;

-- the serial answers themselves, against the definition on a few users (the
-- events in the other order, and one state: no combine, no serialization)
SELECT is((SELECT array_agg(l ORDER BY u) FROM (SELECT u, window_funnel('2 hours', ts, m & 1 > 0, m & 2 > 0, m & 4 > 0, m & 8 > 0) l FROM pst_r WHERE u IN (5, 6, 13, 40) GROUP BY u) s),
          (SELECT array_agg(l ORDER BY u) FROM (SELECT u, window_funnel('2 hours', ts, m & 1 > 0, m & 2 > 0, m & 4 > 0, m & 8 > 0 ORDER BY ts DESC) l FROM pst WHERE u IN (5, 6, 13, 40) GROUP BY u) s),
          'window_funnel does not depend on row order (users with infinite timestamps and 1990 ones)');
SELECT ok((SELECT count(*) FROM pst_r GROUP BY u ORDER BY 1 DESC LIMIT 1) > 500, 'some users have more than 500 events');
SELECT ok((SELECT bool_and(l >= 0 AND l <= 10) AND count(DISTINCT l) > 3 FROM (SELECT u, window_funnel('2 hours', ts, m & 1 > 0, m & 2 > 0, m & 4 > 0, m & 8 > 0, m & 16 > 0, m & 32 > 0, m & 64 > 0, m & 128 > 0, m & 256 > 0, m & 512 > 0) l FROM pst_r GROUP BY u) s),
          'the 10-condition levels are varied (the comparisons above are not between constants)');
SELECT ok((SELECT count(DISTINCT u) FROM pst_r WHERE ts < '2000-01-01') > 10, 'users with timestamps before 2000 (negative microseconds)');
SELECT ok((SELECT count(*) FROM pst_r WHERE m % 1024 = 0) > 0, 'rows matching none of 10 conditions (kept by strict_order)');

SELECT * FROM finish();
ROLLBACK;
