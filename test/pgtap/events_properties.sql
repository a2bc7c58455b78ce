-- Funnels, retention and sequences on random event data, against independent
-- plain-SQL / PL/pgSQL formulations written here; one-pass aggregates against
-- their two-level forms; parallel plans against serial ones.
BEGIN;
SELECT plan(53);
SET LOCAL client_min_messages = warning;
SET LOCAL TIME ZONE 'UTC';
DO $$ BEGIN PERFORM setseed(0.606); END $$;

-- 300 users, ~6000 events over 8 hours at whole minutes (many equal timestamps),
-- four conditions with some rows matching several and some NULL
CREATE TABLE rev (id serial, u bigint, ts timestamptz, c1 boolean, c2 boolean, c3 boolean, c4 boolean);
INSERT INTO rev (u, ts, c1, c2, c3, c4)
SELECT u, timestamptz '2026-03-01' + floor(random() * 480) * interval '1 minute',
       r < 0.22 OR r2 < 0.03, r BETWEEN 0.22 AND 0.40 OR r2 BETWEEN 0.03 AND 0.05,
       r BETWEEN 0.40 AND 0.55, CASE WHEN r2 > 0.97 THEN NULL ELSE r BETWEEN 0.55 AND 0.68 END
FROM (SELECT 1 + floor(300 * ((i * 7919) % 1000 / 1000.0) ^ 2)::bigint AS u, random() AS r, random() AS r2
      FROM generate_series(1, 6000) i) s;
INSERT INTO rev (u, ts, c1, c2, c3, c4) VALUES (1, NULL, true, true, true, true);
ANALYZE rev;

-- ============================================== window_funnel against plain SQL
-- The definition, stacked: s_i of an event is the start of the latest chain it
-- takes to level i (the greatest s_{i-1} over the events before it in (ts,
-- mask) order, if within the window); the level is the highest i with an s_i.
CREATE FUNCTION pg_temp.sql_levels(w interval) RETURNS TABLE(u bigint, level int) LANGUAGE sql AS $$
  WITH e AS (
    SELECT u, ts, coalesce(c1, false) c1, coalesce(c2, false) c2, coalesce(c3, false) c3, coalesce(c4, false) c4,
           coalesce(c1, false)::int + 2 * coalesce(c2, false)::int + 4 * coalesce(c3, false)::int + 8 * coalesce(c4, false)::int AS m
    FROM rev WHERE ts IS NOT NULL),
  l1 AS (SELECT *, CASE WHEN c1 THEN ts END s1 FROM e),
  l2 AS (SELECT *, CASE WHEN c2 AND ts <= p + w THEN p END s2
         FROM (SELECT *, max(s1) OVER (PARTITION BY u ORDER BY ts, m ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) p FROM l1) x),
  l3 AS (SELECT *, CASE WHEN c3 AND ts <= p2 + w THEN p2 END s3
         FROM (SELECT *, max(s2) OVER (PARTITION BY u ORDER BY ts, m ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) p2 FROM l2) x),
  l4 AS (SELECT *, CASE WHEN c4 AND ts <= p3 + w THEN p3 END s4
         FROM (SELECT *, max(s3) OVER (PARTITION BY u ORDER BY ts, m ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) p3 FROM l3) x)
  SELECT u, CASE WHEN bool_or(s4 IS NOT NULL) THEN 4 WHEN bool_or(s3 IS NOT NULL) THEN 3
                 WHEN bool_or(s2 IS NOT NULL) THEN 2 WHEN bool_or(s1 IS NOT NULL) THEN 1 ELSE 0 END
  FROM l4 GROUP BY u $$;

CREATE FUNCTION pg_temp.levels(w interval, mode text DEFAULT '') RETURNS TABLE(u bigint, level int) LANGUAGE sql AS $$
  SELECT u, window_funnel(w, mode, ts, c1, c2, c3, c4) FROM rev GROUP BY u $$;

SELECT is((SELECT count(*) FROM pg_temp.levels(w) a FULL JOIN pg_temp.sql_levels(w) b USING (u)
           WHERE a.level IS DISTINCT FROM b.level), 0::bigint,
          format('window_funnel, default mode, window %s = plain SQL', w))
FROM unnest(ARRAY['0'::interval, '10 minutes', '1 hour', '3 hours', '1 day']) w;
SELECT is((SELECT count(DISTINCT level) FROM pg_temp.levels('1 hour')), 5::bigint,
          'the random data reaches every level 0..4 (the comparison is not vacuous)');

-- ============================================ every mode against a PL/pgSQL reading
-- The spec read literally: one step per (event, condition), events in (ts,
-- mask) order, conditions of one event from the highest down.
CREATE FUNCTION pg_temp.plpgsql_level(uid bigint, w interval, dedup boolean, strict_order boolean, incr boolean)
RETURNS int LANGUAGE plpgsql AS $$
DECLARE
  r record;
  st timestamptz[] := array_fill(NULL::timestamptz, ARRAY[4]);
  la timestamptz[] := array_fill(NULL::timestamptz, ARRAY[4]);
  seen boolean := false;
  top int := 0;
BEGIN
  FOR r IN
    WITH e AS (SELECT id, ts, ARRAY[coalesce(c1, false), coalesce(c2, false), coalesce(c3, false), coalesce(c4, false)] c
               FROM rev WHERE u = uid AND ts IS NOT NULL),
    em AS (SELECT *, c[1]::int + 2 * c[2]::int + 4 * c[3]::int + 8 * c[4]::int m FROM e)
    SELECT em.id, em.ts, em.m, k FROM em LEFT JOIN LATERAL (SELECT k FROM generate_series(1, 4) k WHERE em.c[k]) g ON true
    ORDER BY em.ts, em.m, em.id, k DESC
  LOOP
    IF r.k IS NULL THEN
      IF strict_order AND seen THEN EXIT; END IF;
    ELSIF r.k = 1 THEN
      st[1] := r.ts; la[1] := r.ts; seen := true;
    ELSIF dedup AND st[r.k] IS NOT NULL THEN
      EXIT;
    ELSIF st[r.k - 1] IS NULL THEN
      IF strict_order AND seen THEN EXIT; END IF;
    ELSIF r.ts <= st[r.k - 1] + w AND (NOT incr OR r.ts > la[r.k - 1]) THEN
      st[r.k] := st[r.k - 1]; la[r.k] := r.ts;
      IF r.k = 4 THEN EXIT; END IF;
    END IF;
  END LOOP;
  FOR k IN REVERSE 4 .. 1 LOOP
    IF st[k] IS NOT NULL THEN top := k; EXIT; END IF;
  END LOOP;
  RETURN top;
END $$;

CREATE TEMP TABLE modes (mode text, dedup boolean, ord boolean, incr boolean);
INSERT INTO modes VALUES
  ('strict_deduplication', true, false, false), ('strict_order', false, true, false),
  ('strict_increase', false, false, true), ('strict_deduplication,strict_order', true, true, false),
  ('strict_order, strict_increase', false, true, true), ('strict_deduplication, strict_order, strict_increase', true, true, true),
  ('', false, false, false);
SELECT is((SELECT count(*) FROM pg_temp.levels('40 minutes', m.mode) a
           WHERE a.level <> pg_temp.plpgsql_level(a.u, '40 minutes', m.dedup, m.ord, m.incr)), 0::bigint,
          format('window_funnel mode ''%s'' = PL/pgSQL reading of the spec', m.mode))
FROM modes m;
SELECT ok((SELECT count(*) FROM modes m WHERE EXISTS (
             SELECT 1 FROM pg_temp.levels('40 minutes', m.mode) a JOIN pg_temp.levels('40 minutes') b USING (u)
             WHERE a.level <> b.level)) = 6, 'every strict mode changes some level on this data');

-- the path: as long as the level, steps in order, in the window, matching their conditions
SELECT is((SELECT count(*) FROM (
             SELECT u, window_funnel('1 hour', ts, c1, c2, c3, c4) l, window_funnel_path('1 hour', ts, c1, c2, c3, c4) p
             FROM rev GROUP BY u) s
           WHERE cardinality(p) <> l OR (l > 0 AND p[l] > p[1] + interval '1 hour')
              OR EXISTS (SELECT 1 FROM generate_series(2, l) i WHERE p[i] < p[i - 1])
              OR EXISTS (SELECT 1 FROM generate_series(1, l) i WHERE NOT EXISTS (
                   SELECT 1 FROM rev r WHERE r.u = s.u AND r.ts = p[i]
                     AND (ARRAY[r.c1, r.c2, r.c3, r.c4])[i]))), 0::bigint,
          'window_funnel_path: length = level, ordered, within the window, each step a matching event');

-- ============================================ one-pass aggregates = two-level forms
SELECT is((SELECT window_funnel_counts(u, '1 hour', m.mode, ts, c1, c2, c3, c4) FROM rev),
          (SELECT funnel_counts_agg(level, 4) FROM pg_temp.levels('1 hour', m.mode)),
          format('window_funnel_counts mode ''%s'' = funnel_counts_agg over GROUP BY user', m.mode))
FROM modes m;
SELECT is((SELECT window_funnel_counts(u, '1 hour', ts, VARIADIC ARRAY[c1, c2, c3, c4]) FROM rev),
          (SELECT funnel_counts_agg(level, 4) FROM pg_temp.sql_levels('1 hour')),
          'window_funnel_counts (VARIADIC form) = funnel_counts_agg over the plain-SQL levels');
SELECT is((SELECT array_agg(c ORDER BY g)::text FROM (
             SELECT u % 3 g, window_funnel_counts(u, '1 hour', ts, c1, c2, c3, c4) c FROM rev GROUP BY 1) s),
          (SELECT array_agg(c ORDER BY g)::text FROM (
             SELECT u % 3 g, funnel_counts_agg(level, 4) c FROM pg_temp.levels('1 hour') GROUP BY 1) s),
          'window_funnel_counts under an outer GROUP BY');
SELECT is((SELECT retention_counts(u, c1, c2, c3, c4) FROM rev),
          (SELECT ARRAY[count(*) FILTER (WHERE a), count(*) FILTER (WHERE a AND b), count(*) FILTER (WHERE a AND c),
                        count(*) FILTER (WHERE a AND d)]
           FROM (SELECT bool_or(c1) a, bool_or(c2) b, bool_or(c3) c, bool_or(c4) d FROM rev GROUP BY u) s),
          'retention_counts = plain SQL bool_or per user');
SELECT is((SELECT count(*) FROM (SELECT u, retention(c1, c2, c3, c4) r,
                                        bool_or(c1) a, bool_or(c2) b, bool_or(c3) c, bool_or(c4) d FROM rev GROUP BY u) s
           WHERE r <> ARRAY[coalesce(a, false)::int, coalesce(a AND b, false)::int, coalesce(a AND c, false)::int, coalesce(a AND d, false)::int]),
          0::bigint, 'retention per user = plain SQL');

-- ============================================ sequences against plain SQL
CREATE TEMP VIEW pos AS
  SELECT u, ts, coalesce(c1, false) c1, coalesce(c2, false) c2,
         row_number() OVER (PARTITION BY u ORDER BY ts, coalesce(c1, false)::int + 2 * coalesce(c2, false)::int
                            + 4 * coalesce(c3, false)::int + 8 * coalesce(c4, false)::int, id) n
  FROM rev WHERE ts IS NOT NULL AND (c1 OR c2 OR c3 OR c4);
SELECT is((SELECT count(*) FROM (SELECT u, sequence_match('(?1).*(?2)', ts, c1, c2, c3, c4) m FROM rev GROUP BY u) s
           WHERE m <> EXISTS (SELECT 1 FROM pos a JOIN pos b USING (u) WHERE a.u = s.u AND a.c1 AND b.c2 AND a.n < b.n)),
          0::bigint, 'sequence_match (?1).*(?2) = plain SQL');
SELECT is((SELECT count(*) FROM (SELECT u, sequence_match('(?1)(?2)', ts, c1, c2, c3, c4) m FROM rev GROUP BY u) s
           WHERE m <> EXISTS (SELECT 1 FROM pos a JOIN pos b USING (u) WHERE a.u = s.u AND a.c1 AND b.c2 AND b.n = a.n + 1)),
          0::bigint, 'sequence_match (?1)(?2): adjacent among events matching some condition');
SELECT is((SELECT count(*) FROM (SELECT u, sequence_match('(?1)(?t<=600)(?t>60)(?2)', ts, c1, c2, c3, c4) m FROM rev GROUP BY u) s
           WHERE m <> EXISTS (SELECT 1 FROM pos a JOIN pos b USING (u) WHERE a.u = s.u AND a.c1 AND b.c2 AND a.n < b.n
                                AND b.ts - a.ts <= interval '600 s' AND b.ts - a.ts > interval '60 s')),
          0::bigint, 'sequence_match with (?t<=600)(?t>60) = plain SQL');
SELECT is((SELECT sum(c) FROM (SELECT sequence_count('(?1)', ts, c1, c2, c3, c4) c FROM rev GROUP BY u) s),
          (SELECT count(*) FROM rev WHERE c1 AND ts IS NOT NULL)::numeric,
          'sequence_count (?1) = the number of condition-1 events');
-- non-overlapping (?1).*(?2): greedy on the earliest end = walk the run, a then b
CREATE FUNCTION pg_temp.count_ab(uid bigint) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE r record; have_a boolean := false; n bigint := 0;
BEGIN
  FOR r IN SELECT * FROM pos WHERE u = uid ORDER BY n LOOP
    IF have_a AND r.c2 THEN n := n + 1; have_a := false;
    ELSIF r.c1 THEN have_a := true; END IF;
  END LOOP;
  RETURN n;
END $$;
SELECT is((SELECT count(*) FROM (SELECT u, sequence_count('(?1).*(?2)', ts, c1, c2, c3, c4) c FROM rev GROUP BY u) s
           WHERE c <> pg_temp.count_ab(u)), 0::bigint, 'sequence_count (?1).*(?2) = a PL/pgSQL walk');

-- ============================================ parallel = serial
-- A plain table created in this transaction: PostgreSQL 15 plans and launches
-- parallel workers for it.  Rows in random order, so a user's events are split
-- between workers and states really combine.
CREATE TABLE rev_par AS SELECT * FROM rev ORDER BY random();
INSERT INTO rev_par SELECT id, u + 1000 * k, ts + k * interval '1 hour', c1, c2, c3, c4 FROM rev, generate_series(1, 5) k;
ANALYZE rev_par;
CREATE TEMP TABLE par_queries (name text, q text);
INSERT INTO par_queries VALUES
  ('window_funnel_counts', $$SELECT window_funnel_counts(u, '1 hour', ts, c1, c2, c3, c4)::text FROM rev_par$$),
  ('window_funnel_counts strict_order', $$SELECT window_funnel_counts(u, '1 hour', 'strict_order', ts, c1, c2, c3, c4)::text FROM rev_par$$),
  ('retention_counts', $$SELECT retention_counts(u, c1, c2, c3, c4)::text FROM rev_par$$),
  ('retention', $$SELECT retention(c1, c2, c3, c4)::text FROM rev_par WHERE u < 50$$),
  ('window_funnel over all rows', $$SELECT window_funnel('2 hours', ts, c1, c2, c3, c4)::text FROM rev_par WHERE u % 7 = 1$$),
  ('window_funnel_path over all rows', $$SELECT window_funnel_path('2 hours', 'strict_increase', ts, c1, c2, c3, c4)::text FROM rev_par WHERE u % 7 = 1$$),
  ('sequence_count over all rows', $$SELECT sequence_count('(?1)(?t<=120)(?2)', ts, c1, c2, c3, c4)::text FROM rev_par$$),
  ('funnel_counts_agg', $$SELECT funnel_counts_agg(level, 4)::text FROM (SELECT u, window_funnel('1 hour', ts, c1, c2, c3, c4) level FROM rev_par GROUP BY u) s$$),
  ('window_funnel GROUP BY user', $$SELECT md5(string_agg(u || ':' || l, ',' ORDER BY u)) FROM (SELECT u, window_funnel('1 hour', ts, c1, c2, c3, c4) l FROM rev_par GROUP BY u) s$$);

\ir lib/parallel.sql
SET LOCAL parallel_setup_cost = 0;
SET LOCAL parallel_tuple_cost = 0;
SET LOCAL min_parallel_table_scan_size = 0;
SET LOCAL max_parallel_workers_per_gather = 2;
SELECT matches(pg_temp.plan_of(q), 'Partial (Hash|Group)?Aggregate', format('%s: the forced parallel plan has a partial aggregate', name))
FROM par_queries WHERE name NOT LIKE '%GROUP BY user%' AND name <> 'funnel_counts_agg';
SELECT is(pg_temp.run(q, true), pg_temp.run(q, false), format('%s: parallel = serial', name)) FROM par_queries;
SET LOCAL max_parallel_workers_per_gather = 0;


-- ============================================ partitionwise aggregation
-- partial states combined in one process, never serialized
CREATE TABLE rev_part (LIKE rev) PARTITION BY HASH (id);
CREATE TABLE rev_part_0 PARTITION OF rev_part FOR VALUES WITH (MODULUS 3, REMAINDER 0);
CREATE TABLE rev_part_1 PARTITION OF rev_part FOR VALUES WITH (MODULUS 3, REMAINDER 1);
CREATE TABLE rev_part_2 PARTITION OF rev_part FOR VALUES WITH (MODULUS 3, REMAINDER 2);
INSERT INTO rev_part SELECT * FROM rev;
ANALYZE rev_part;
SET LOCAL enable_partitionwise_aggregate = on;
SELECT matches(pg_temp.plan_of($$SELECT u % 4, window_funnel_counts(u, '1 hour', ts, c1, c2, c3, c4) FROM rev_part GROUP BY 1$$),
  'Partial', 'partitionwise plan: partial aggregates per partition');
SELECT is((SELECT array_agg(c::text ORDER BY g) FROM (SELECT u % 4 g, window_funnel_counts(u, '1 hour', ts, c1, c2, c3, c4) c FROM rev_part GROUP BY 1) s),
          (SELECT array_agg(c::text ORDER BY g) FROM (SELECT u % 4 g, window_funnel_counts(u, '1 hour', ts, c1, c2, c3, c4) c FROM rev GROUP BY 1) s),
          'window_funnel_counts: partitionwise = plain');
SELECT is((SELECT array_agg(c::text ORDER BY g) FROM (SELECT u % 4 g, window_funnel('1 hour', ts, c1, c2, c3, c4) c FROM rev_part WHERE u < 20 GROUP BY 1) s),
          (SELECT array_agg(c::text ORDER BY g) FROM (SELECT u % 4 g, window_funnel('1 hour', ts, c1, c2, c3, c4) c FROM rev WHERE u < 20 GROUP BY 1) s),
          'window_funnel (no mode): partitionwise = plain');
SELECT is((SELECT array_agg(c::text ORDER BY g) FROM (SELECT u % 4 g, sequence_count('(?1).*(?2)', ts, c1, c2, c3, c4) c FROM rev_part WHERE u < 20 GROUP BY 1) s),
          (SELECT array_agg(c::text ORDER BY g) FROM (SELECT u % 4 g, sequence_count('(?1).*(?2)', ts, c1, c2, c3, c4) c FROM rev WHERE u < 20 GROUP BY 1) s),
          'sequence_count: partitionwise = plain');
SELECT is((SELECT array_agg(c::text ORDER BY g) FROM (SELECT u % 4 g, retention_counts(u, c1, c2, c3, c4) c FROM rev_part GROUP BY 1) s),
          (SELECT array_agg(c::text ORDER BY g) FROM (SELECT u % 4 g, retention_counts(u, c1, c2, c3, c4) c FROM rev GROUP BY 1) s),
          'retention_counts: partitionwise = plain');
SELECT is((SELECT array_agg(c::text ORDER BY g) FROM (SELECT u % 4 g, funnel_counts_agg((u % 6)::int, 4) c FROM rev_part GROUP BY 1) s),
          (SELECT array_agg(c::text ORDER BY g) FROM (SELECT u % 4 g, funnel_counts_agg((u % 6)::int, 4) c FROM rev GROUP BY 1) s),
          'funnel_counts_agg: partitionwise = plain');
SET LOCAL enable_partitionwise_aggregate = off;

SELECT * FROM finish();
ROLLBACK;
