-- The one-pass aggregates (window_funnel_counts, retention_counts) keep runs of
-- consecutive rows of one user and group them by user only when the runs did
-- not arrive in user order.  Every row order must give the same answer as the
-- two-level forms (window_funnel per user, then funnel_counts_agg) and plain
-- SQL: rows in user order, reverse order, interleaved, random, two ascending
-- stretches; one user with
-- many events; empty input; an outer GROUP BY; parallel plans over tables
-- stored in user order (the workers' sorted states are merged) and in reverse
-- order (concatenated, then sorted).
BEGIN;
SELECT plan(61);
SET LOCAL client_min_messages = warning;
SET LOCAL TIME ZONE 'UTC';
DO $$ BEGIN PERFORM setseed(0.271); END $$;

-- 1,000 users of ~20 events and one user (5000) of 6,000 events, over 6 hours
-- at whole minutes (ties), four conditions, a step name and some NULLs
CREATE TABLE ord (id serial, u bigint, ts timestamptz, ev text, c1 boolean, c2 boolean, c3 boolean, c4 boolean);
INSERT INTO ord (u, ts, ev, c1, c2, c3, c4)
SELECT u, timestamptz '2026-03-01' + floor(random() * 360) * interval '1 minute',
       (ARRAY['a', 'b', 'c', 'x'])[1 + floor(r * 4)::int],
       r < 0.25 OR r2 < 0.03, r BETWEEN 0.25 AND 0.45, r BETWEEN 0.45 AND 0.6,
       CASE WHEN r2 > 0.97 THEN NULL ELSE r BETWEEN 0.6 AND 0.7 END
FROM (SELECT CASE WHEN i <= 6000 THEN 5000 ELSE 1 + (i * 7919) % 1000 END::bigint AS u,
             random() AS r, random() AS r2
      FROM generate_series(1, 26000) i) s;
ANALYZE ord;

CREATE FUNCTION pg_temp.two_level(w interval) RETURNS bigint[] LANGUAGE sql AS $$
  SELECT funnel_counts_agg(l, 4) FROM (SELECT u, window_funnel(w, ts, c1, c2, c3, c4) l FROM ord GROUP BY u) s $$;
CREATE FUNCTION pg_temp.sql_retention() RETURNS bigint[] LANGUAGE sql AS $$
  SELECT ARRAY[count(*) FILTER (WHERE a), count(*) FILTER (WHERE a AND b), count(*) FILTER (WHERE a AND c),
               count(*) FILTER (WHERE a AND d)]
  FROM (SELECT bool_or(c1) a, bool_or(c2) b, bool_or(c3) c, bool_or(c4) d FROM ord GROUP BY u) s $$;
CREATE FUNCTION pg_temp.sql_period() RETURNS bigint[] LANGUAGE sql AS $$
  SELECT ARRAY[count(*) FILTER (WHERE m & 1 = 1), count(*) FILTER (WHERE m & 3 = 3), count(*) FILTER (WHERE m & 5 = 5)]
  FROM (SELECT u, bit_or(1 << floor(extract(epoch FROM ts - timestamptz '2026-03-01') / 7200)::int) m
        FROM ord WHERE ts >= '2026-03-01' AND ts < timestamptz '2026-03-01' + interval '6 hours' GROUP BY u) s $$;
CREATE FUNCTION pg_temp.two_level_steps(w interval) RETURNS bigint[] LANGUAGE sql AS $$
  SELECT funnel_counts_agg(l, 3) FROM (SELECT u, window_funnel(w, ts, ev = 'a', ev = 'b', ev = 'c') l FROM ord GROUP BY u) s $$;

SELECT ok((SELECT count(DISTINCT l) FROM (SELECT window_funnel('1 hour', ts, c1, c2, c3, c4) l FROM ord GROUP BY u) s) = 5,
          'the data reaches every level 0..4 (the comparisons are not vacuous)');

-- ============================================ every input order, serial
CREATE TEMP TABLE orders (name text, ob text);
INSERT INTO orders VALUES
  ('user order', 'u, ts'), ('user order, times reversed', 'u, ts DESC'),
  ('reverse user order', 'u DESC, ts'), ('interleaved (time order)', 'ts, u'),
  ('random order', 'md5(id::text)'), ('round robin over users', 'id % 20, u'),
  -- two ascending stretches (merged linearly by retention_counts): disjoint
  -- users; the same users in both, with different conditions (c1, then the
  -- rest) or periods (the first 2 hours, then the rest) in each
  ('users > 500, then users <= 500', 'u <= 500, u, ts'),
  ('user order twice (rows with c1, then the others)', 'c1 IS NOT TRUE, u, ts'),
  ('user order twice (the first 2 hours, then the rest)', $$ts >= '2026-03-01 02:00', u, ts$$);

CREATE FUNCTION pg_temp.q(agg text, ob text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE o text;
BEGIN
  EXECUTE format('SELECT (%s)::text FROM ord', replace(agg, '$OB', ob)) INTO o;
  RETURN o;
END $$;

SET LOCAL max_parallel_workers_per_gather = 0;
SELECT is(pg_temp.q($$window_funnel_counts(u, '1 hour', ts, c1, c2, c3, c4 ORDER BY $OB)$$, ob),
          pg_temp.two_level('1 hour')::text, format('window_funnel_counts, rows in %s = two-level form', name))
FROM orders;
SELECT is(pg_temp.q($$window_funnel_counts(u, '20 minutes', 'strict_order', ts, c1, c2, c3, c4 ORDER BY $OB)$$, ob),
          (SELECT funnel_counts_agg(l, 4)::text FROM (SELECT u, window_funnel('20 minutes', 'strict_order', ts, c1, c2, c3, c4) l FROM ord GROUP BY u) s),
          format('window_funnel_counts strict_order, rows in %s = two-level form', name))
FROM orders;
SELECT is(pg_temp.q($$window_funnel_counts(u, '1 hour', ts, ev, ARRAY['a', 'b', 'c'] ORDER BY $OB)$$, ob),
          pg_temp.two_level_steps('1 hour')::text, format('window_funnel_counts step names, rows in %s = two-level form', name))
FROM orders;
SELECT is(pg_temp.q($$retention_counts(u, c1, c2, c3, c4 ORDER BY $OB)$$, ob),
          pg_temp.sql_retention()::text, format('retention_counts, rows in %s = plain SQL', name))
FROM orders;
SELECT is(pg_temp.q($$retention_counts(u, ts, '2026-03-01', '2 hours', 3 ORDER BY $OB)$$, ob),
          pg_temp.sql_period()::text, format('retention_counts by periods, rows in %s = plain SQL', name))
FROM orders;

-- one user alone, many events, in and out of order
SELECT is((SELECT window_funnel_counts(u, '1 hour', ts, c1, c2, c3, c4 ORDER BY md5(id::text)) FROM ord WHERE u = 5000),
          (SELECT funnel_counts_agg(l, 4) FROM (SELECT window_funnel('1 hour', ts, c1, c2, c3, c4) l FROM ord WHERE u = 5000) s),
          'one user of 6,000 events in random order = window_funnel');

-- empty input
SELECT is((SELECT window_funnel_counts(u, '1 hour', ts, c1, c2, c3, c4) FROM ord WHERE false), NULL, 'window_funnel_counts of no rows is NULL');
SELECT is((SELECT retention_counts(u, c1, c2, c3, c4) FROM ord WHERE false), NULL, 'retention_counts of no rows is NULL');

-- an outer GROUP BY, rows in user order and in random order
SELECT is((SELECT array_agg(c::text ORDER BY g) FROM (
             SELECT u % 3 g, window_funnel_counts(u, '1 hour', ts, c1, c2, c3, c4 ORDER BY u) c FROM ord GROUP BY 1) s),
          (SELECT array_agg(c::text ORDER BY g) FROM (
             SELECT u % 3 g, funnel_counts_agg(l, 4) c FROM (SELECT u, window_funnel('1 hour', ts, c1, c2, c3, c4) l FROM ord GROUP BY u) x GROUP BY 1) s),
          'window_funnel_counts under an outer GROUP BY, rows in user order');
SELECT is((SELECT array_agg(c::text ORDER BY g) FROM (
             SELECT u % 3 g, retention_counts(u, c1, c2, c3, c4 ORDER BY md5(id::text)) c FROM ord GROUP BY 1) s),
          (SELECT array_agg(c::text ORDER BY g) FROM (
             SELECT u % 3 g, ARRAY[count(*) FILTER (WHERE a), count(*) FILTER (WHERE a AND b), count(*) FILTER (WHERE a AND c),
                                   count(*) FILTER (WHERE a AND d)] c
             FROM (SELECT u, bool_or(c1) a, bool_or(c2) b, bool_or(c3) c, bool_or(c4) d FROM ord GROUP BY u) x GROUP BY 1) s),
          'retention_counts under an outer GROUP BY, rows in random order');

-- ============================================ parallel plans over stored orders
-- Plain tables created in this transaction: PostgreSQL 15 plans parallel workers
-- for them.  Blocks are handed out to the workers in turn, so each worker's
-- state is sorted when the table is, and users straddle workers.
CREATE TABLE ord_sorted AS SELECT * FROM ord ORDER BY u, ts;
CREATE TABLE ord_reverse AS SELECT * FROM ord ORDER BY u DESC, ts;
ANALYZE ord_sorted;
ANALYZE ord_reverse;
\ir lib/parallel.sql
SET LOCAL parallel_setup_cost = 0;
SET LOCAL parallel_tuple_cost = 0;
SET LOCAL min_parallel_table_scan_size = 0;
CREATE TEMP TABLE par (tab text, agg text, expect text);
INSERT INTO par
SELECT t, a, e FROM unnest(ARRAY['ord_sorted', 'ord_reverse']) t,
  (VALUES ($$window_funnel_counts(u, '1 hour', ts, c1, c2, c3, c4)$$, pg_temp.two_level('1 hour')::text),
          ($$window_funnel_counts(u, '1 hour', ts, ev, ARRAY['a', 'b', 'c'])$$, pg_temp.two_level_steps('1 hour')::text),
          ($$retention_counts(u, c1, c2, c3, c4)$$, pg_temp.sql_retention()::text)) v(a, e);
SET LOCAL max_parallel_workers_per_gather = 2;
SELECT matches(pg_temp.plan_of(format('SELECT %s FROM %s', agg, tab)), 'Partial Aggregate',
               format('%s over %s: the forced parallel plan has a partial aggregate', split_part(agg, '(', 1), tab))
FROM par WHERE agg LIKE 'retention%';
SELECT is(pg_temp.run(format('SELECT (%s)::text FROM %s', agg, tab), true), expect,
          format('%s over %s, parallel = the independent answer', agg, tab))
FROM par;
SELECT is(pg_temp.run(format('SELECT (%s)::text FROM %s', agg, tab), false), expect,
          format('%s over %s, serial = the independent answer', agg, tab))
FROM par WHERE agg LIKE 'retention%';

SELECT * FROM finish();
ROLLBACK;
