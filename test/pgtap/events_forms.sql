-- The step-name forms (event text, steps text[]) and the period forms of
-- retention (ts, origin, period, periods): on random data they answer exactly
-- what the SPEC's boolean forms answer when given the conditions they stand
-- for (`event = steps[i]`; `ts >= origin + (i-1) * period AND ts < origin +
-- i * period`), parallel plans answer as serial ones, and bad parameters are
-- errors with their SQLSTATE.
BEGIN;
SELECT plan(64);
SET LOCAL client_min_messages = warning;
SET LOCAL TIME ZONE 'UTC';
DO $$ BEGIN PERFORM setseed(0.271); END $$;

-- 200 users, ~5000 events over 40 days at whole minutes of 8 hours a day (equal
-- timestamps happen), seven event names of which five are steps, some NULL
CREATE TABLE fev (id serial, u bigint, ts timestamptz, e text);
INSERT INTO fev (u, ts, e)
SELECT 1 + floor(200 * random() ^ 2)::bigint,
       timestamptz '2026-03-01' + floor(random() * 40) * interval '1 day' + floor(random() * 480) * interval '1 minute',
       (ARRAY['a', 'b', 'c', 'd', 'e', 'ab', 'x', NULL])[1 + floor(random() * 8)::int]
FROM generate_series(1, 5000);
INSERT INTO fev (u, ts, e) VALUES (1, NULL, 'a'), (NULL, '2026-03-02', 'a');
ANALYZE fev;

-- ======================================================== step names = conditions
CREATE TEMP TABLE same (name text, a text, b text);
INSERT INTO same
SELECT format('window_funnel %s, window %s: steps = conditions', coalesce(nullif(m, ''), 'default'), w),
       (SELECT string_agg(u || ':' || l, ',' ORDER BY u) FROM (SELECT u, window_funnel(w::interval, m, ts, e, ARRAY['a', 'b', 'c', 'd', 'e']) l FROM fev GROUP BY u) s),
       (SELECT string_agg(u || ':' || l, ',' ORDER BY u) FROM (SELECT u, window_funnel(w::interval, m, ts, e = 'a', e = 'b', e = 'c', e = 'd', e = 'e') l FROM fev GROUP BY u) s)
FROM unnest(ARRAY['', 'strict_order', 'strict_deduplication', 'strict_increase']) m, unnest(ARRAY['0', '1 day', '5 days']) w;
INSERT INTO same VALUES
  ('window_funnel without a mode: steps = conditions',
   (SELECT string_agg(u || ':' || l, ',' ORDER BY u) FROM (SELECT u, window_funnel('2 days', ts, e, ARRAY['a', 'b', 'c']) l FROM fev GROUP BY u) s),
   (SELECT string_agg(u || ':' || l, ',' ORDER BY u) FROM (SELECT u, window_funnel('2 days', ts, e = 'a', e = 'b', e = 'c') l FROM fev GROUP BY u) s)),
  ('window_funnel_path: steps = conditions',
   (SELECT string_agg(u || ':' || p::text, ',' ORDER BY u) FROM (SELECT u, window_funnel_path('3 days', ts, e, ARRAY['a', 'b', 'c', 'd']) p FROM fev GROUP BY u) s),
   (SELECT string_agg(u || ':' || p::text, ',' ORDER BY u) FROM (SELECT u, window_funnel_path('3 days', ts, e = 'a', e = 'b', e = 'c', e = 'd') p FROM fev GROUP BY u) s)),
  ('window_funnel_path strict_increase: steps = conditions',
   (SELECT string_agg(u || ':' || p::text, ',' ORDER BY u) FROM (SELECT u, window_funnel_path('3 days', 'strict_increase', ts, e, ARRAY['a', 'b', 'c', 'd']) p FROM fev GROUP BY u) s),
   (SELECT string_agg(u || ':' || p::text, ',' ORDER BY u) FROM (SELECT u, window_funnel_path('3 days', 'strict_increase', ts, e = 'a', e = 'b', e = 'c', e = 'd') p FROM fev GROUP BY u) s)),
  ('a repeated step name is every step it names: steps = conditions',
   (SELECT string_agg(u || ':' || l, ',' ORDER BY u) FROM (SELECT u, window_funnel('5 days', ts, e, ARRAY['a', 'b', 'a', 'c', 'b']) l FROM fev GROUP BY u) s),
   (SELECT string_agg(u || ':' || l, ',' ORDER BY u) FROM (SELECT u, window_funnel('5 days', ts, e = 'a', e = 'b', e = 'a', e = 'c', e = 'b') l FROM fev GROUP BY u) s)),
  ('steps from a non-constant expression: steps = conditions',
   (SELECT string_agg(u || ':' || l, ',' ORDER BY u) FROM (SELECT u, window_funnel('5 days', ts, e, CASE WHEN u % 2 = 0 THEN ARRAY['a', 'b', 'c'] ELSE ARRAY['c', 'ab', 'e'] END) l FROM fev GROUP BY u) s),
   (SELECT string_agg(u || ':' || l, ',' ORDER BY u) FROM (SELECT u, CASE WHEN u % 2 = 0 THEN window_funnel('5 days', ts, e = 'a', e = 'b', e = 'c') ELSE window_funnel('5 days', ts, e = 'c', e = 'ab', e = 'e') END l FROM fev GROUP BY u) s)),
  ('window_funnel_counts: steps = conditions',
   (SELECT window_funnel_counts(u, '2 days', ts, e, ARRAY['a', 'b', 'c', 'd', 'e'])::text FROM fev),
   (SELECT window_funnel_counts(u, '2 days', ts, e = 'a', e = 'b', e = 'c', e = 'd', e = 'e')::text FROM fev)),
  ('window_funnel_counts strict_order: steps = conditions',
   (SELECT window_funnel_counts(u, '2 days', 'strict_order', ts, e, ARRAY['a', 'b', 'c', 'd', 'e'])::text FROM fev),
   (SELECT window_funnel_counts(u, '2 days', 'strict_order', ts, e = 'a', e = 'b', e = 'c', e = 'd', e = 'e')::text FROM fev)),
  ('window_funnel_counts with steps = funnel_counts_agg over window_funnel with steps',
   (SELECT window_funnel_counts(u, '4 days', ts, e, ARRAY['b', 'a', 'e'])::text FROM fev),
   (SELECT funnel_counts_agg(l, 3)::text FROM (SELECT u, window_funnel('4 days', ts, e, ARRAY['b', 'a', 'e']) l FROM fev WHERE u IS NOT NULL GROUP BY u) s)),
  ('window_funnel_counts under an outer GROUP BY: steps = conditions',
   (SELECT string_agg(k || ':' || c::text, ',' ORDER BY k) FROM (SELECT u % 3 k, window_funnel_counts(u, '2 days', ts, e, ARRAY['a', 'b', 'c']) c FROM fev GROUP BY 1) s),
   (SELECT string_agg(k || ':' || c::text, ',' ORDER BY k) FROM (SELECT u % 3 k, window_funnel_counts(u, '2 days', ts, e = 'a', e = 'b', e = 'c') c FROM fev GROUP BY 1) s)),
  ('sequence_count: steps = conditions',
   (SELECT string_agg(u || ':' || c, ',' ORDER BY u) FROM (SELECT u, sequence_count('(?1)(?t<=86400)(?2)', ts, e, ARRAY['a', 'b']) c FROM fev GROUP BY u) s),
   (SELECT string_agg(u || ':' || c, ',' ORDER BY u) FROM (SELECT u, sequence_count('(?1)(?t<=86400)(?2)', ts, e = 'a', e = 'b') c FROM fev GROUP BY u) s)),
  ('sequence_match: steps = conditions',
   (SELECT string_agg(u || ':' || c, ',' ORDER BY u) FROM (SELECT u, sequence_match('(?1)(?2)(?3)', ts, e, ARRAY['c', 'a', 'x']) c FROM fev GROUP BY u) s),
   (SELECT string_agg(u || ':' || c, ',' ORDER BY u) FROM (SELECT u, sequence_match('(?1)(?2)(?3)', ts, e = 'c', e = 'a', e = 'x') c FROM fev GROUP BY u) s));
SELECT is(a, b, name) FROM same ORDER BY name;
SELECT ok((SELECT count(DISTINCT l) FROM (SELECT window_funnel('5 days', ts, e, ARRAY['a', 'b', 'c', 'd', 'e']) l FROM fev GROUP BY u) s) = 6,
  'the random data reaches every level 0..5 (the comparisons are not vacuous)');
SELECT is((SELECT window_funnel('1 day', ts, e, ARRAY['A', 'a ', 'a']) FROM (VALUES (timestamptz '2026-01-01', 'a'), ('2026-01-01 01:00', 'A')) v(ts, e)), 1,
  'steps compare bytes: ''A'' and ''a '' are not ''a''');

-- ============================================================== periods = ranges
-- condition i is origin + (i-1) * period <= ts < origin + i * period
CREATE FUNCTION pg_temp.ret_sql(o timestamptz, p interval, n int) RETURNS text LANGUAGE plpgsql AS $$
DECLARE c text;
BEGIN
  c := (SELECT string_agg(format('ts >= %L::timestamptz + %s * %L::interval AND ts < %L::timestamptz + %s * %L::interval', o, i - 1, p, o, i, p), ', ')
        FROM generate_series(1, n) i);
  RETURN format('SELECT retention_counts(u, %s)::text FROM fev', c);
END $$;
CREATE FUNCTION pg_temp.ret_per_user(o timestamptz, p interval, n int) RETURNS text LANGUAGE plpgsql AS $$
DECLARE c text; r text;
BEGIN
  c := (SELECT string_agg(format('ts >= %L::timestamptz + %s * %L::interval AND ts < %L::timestamptz + %s * %L::interval', o, i - 1, p, o, i, p), ', ')
        FROM generate_series(1, n) i);
  EXECUTE format('SELECT string_agg(u || '':'' || r::text, '','' ORDER BY u) FROM (SELECT u, retention(%s) r FROM fev GROUP BY u) s', c) INTO r;
  RETURN r;
END $$;
CREATE FUNCTION pg_temp.q(sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE r text; BEGIN EXECUTE sql INTO r; RETURN r; END $$;

CREATE TEMP TABLE periods (tz text, o timestamptz, p interval, n int);
INSERT INTO periods VALUES
  ('UTC', '2026-03-01', '1 day', 8), ('UTC', '2026-03-03 05:00', '90 minutes', 20),
  ('UTC', '2026-03-01', '1 week', 6), ('UTC', '2026-01-31', '1 month', 3),
  ('UTC', '2026-02-15', '1 mon 3 days 02:00', 2), ('UTC', '2026-03-05', '1 day', 32),
  ('America/New_York', '2026-03-05 00:00-05', '1 day', 10), ('America/New_York', '2026-03-01 00:00-05', '12:00', 30);
SELECT is(pg_temp.q(format('SET LOCAL TIME ZONE %L; SELECT retention_counts(u, ts, %L, %L, %s)::text FROM fev', tz, o, p, n)),
          pg_temp.q('SET LOCAL TIME ZONE ' || quote_literal(tz) || '; ' || pg_temp.ret_sql(o, p, n)),
          format('retention_counts by %s periods of %s from %s (%s) = range conditions', n, p, o, tz))
FROM periods;
SET LOCAL TIME ZONE 'UTC';
SELECT is((SELECT string_agg(u || ':' || r::text, ',' ORDER BY u) FROM (SELECT u, retention(ts, '2026-03-02', '2 days', 7) r FROM fev GROUP BY u) s),
          pg_temp.ret_per_user('2026-03-02', '2 days', 7), 'retention by periods, per user = range conditions');
SET LOCAL TIME ZONE 'America/New_York';
SELECT is((SELECT string_agg(u || ':' || r::text, ',' ORDER BY u) FROM (SELECT u, retention(ts, '2026-03-05', '1 day', 5) r FROM fev GROUP BY u) s),
          pg_temp.ret_per_user('2026-03-05', '1 day', 5), 'retention by days across a DST change (America/New_York) = range conditions');
SELECT isnt((SELECT retention_counts(u, ts, '2026-03-05', '1 day', 10)::text FROM fev),
            (SELECT retention_counts(u, ts, '2026-03-05', '24 hours', 10)::text FROM fev),
            'days are calendar days of the session time zone, not 24 hours (the DST test is not vacuous)');
SET LOCAL TIME ZONE 'UTC';
SELECT ok((SELECT retention_counts(u, ts, '2026-03-01', '1 day', 8) FROM fev)[8] > 0, 'the random data fills the periods');

-- ==================================================================== parallel = serial
CREATE TABLE fev_par AS SELECT * FROM fev ORDER BY random();
INSERT INTO fev_par SELECT id, u + 1000 * k, ts + k * interval '1 hour', e FROM fev, generate_series(1, 5) k;
ANALYZE fev_par;
CREATE TEMP TABLE par_queries (name text, q text);
INSERT INTO par_queries VALUES
  ('window_funnel_counts with steps', $$SELECT window_funnel_counts(u, '2 days', ts, e, ARRAY['a', 'b', 'c', 'd'])::text FROM fev_par$$),
  ('window_funnel_counts strict_order with steps', $$SELECT window_funnel_counts(u, '2 days', 'strict_order', ts, e, ARRAY['a', 'b', 'c', 'd'])::text FROM fev_par$$),
  ('retention_counts by periods', $$SELECT retention_counts(u, ts, '2026-03-01', '3 days', 9)::text FROM fev_par$$),
  ('retention by periods', $$SELECT retention(ts, '2026-03-01', '3 days', 9)::text FROM fev_par WHERE u < 50$$),
  ('sequence_count with steps over all rows', $$SELECT sequence_count('(?1).*(?2)', ts, e, ARRAY['a', 'b'])::text FROM fev_par$$),
  ('window_funnel with steps GROUP BY user', $$SELECT md5(string_agg(u || ':' || l, ',' ORDER BY u)) FROM (SELECT u, window_funnel('1 day', ts, e, ARRAY['a', 'b', 'c', 'd']) l FROM fev_par GROUP BY u) s$$);
\ir lib/parallel.sql
SET LOCAL parallel_setup_cost = 0;
SET LOCAL parallel_tuple_cost = 0;
SET LOCAL min_parallel_table_scan_size = 0;
SET LOCAL max_parallel_workers_per_gather = 2;
SELECT matches(pg_temp.plan_of(q), 'Partial (Hash|Group)?Aggregate', format('%s: the forced parallel plan has a partial aggregate', name))
FROM par_queries WHERE name NOT LIKE '%GROUP BY user%';
SELECT is(pg_temp.run(q, true), pg_temp.run(q, false), format('%s: parallel = serial', name)) FROM par_queries;
SET LOCAL max_parallel_workers_per_gather = 0;

-- ========================================================================= errors
SELECT throws_ok($$SELECT window_funnel('1 day', ts, e, NULL::text[]) FROM fev$$,
  '22023', 'steps must not be NULL', 'NULL steps');
SELECT throws_ok($$SELECT window_funnel_counts(u, '1 day', ts, e, ARRAY[]::text[]) FROM fev$$,
  '22023', 'at least one step is required', 'no steps');
SELECT throws_ok($$SELECT window_funnel('1 day', ts, e, ARRAY['a', NULL, 'b']) FROM fev$$,
  '22004', 'step 2 is NULL', 'a NULL step');
SELECT throws_ok($$SELECT sequence_count('(?1)', ts, e, array_fill('a'::text, ARRAY[33])) FROM fev$$,
  '54000', 'too many steps: 33', '33 steps');
SELECT is((SELECT window_funnel('1 day', ts, e, array_fill('a'::text, ARRAY[32])) FROM (VALUES (timestamptz '2026-01-01', 'a'), ('2026-01-01 01:00', 'a'), ('2026-01-01 02:00', 'b')) v(ts, e)), 2,
  '32 steps are accepted; 32 equal names are every step: two events advance two levels');
SELECT throws_ok($$SELECT window_funnel('1 day', ts, e, ARRAY[['a', 'b'], ['c', 'd']]) FROM fev$$,
  '22023', 'steps must be a one-dimensional text array', 'a 2-D steps array');
SELECT throws_ok($$SELECT retention_counts(u, ts, '2026-03-01', '0 days', 3) FROM fev$$,
  '22023', 'period must be positive', 'a zero period');
SELECT throws_ok($$SELECT retention(ts, '2026-03-01', '-1 day', 3) FROM fev$$,
  '22023', 'period must be positive', 'a negative period');
SELECT throws_ok($$SELECT retention(ts, '2026-02-01', '1 month -30 days', 3) FROM fev$$,
  '22023', 'period must be positive: origin + 1 * period is not after origin + 0 * period', 'a period that goes back in February');
SELECT throws_ok($$SELECT retention_counts(u, ts, '2026-03-01', '1 day', 0) FROM fev$$,
  '22023', 'periods must be between 1 and 32, not 0', 'zero periods');
SELECT throws_ok($$SELECT retention_counts(u, ts, '2026-03-01', '1 day', 33) FROM fev$$,
  '22023', 'periods must be between 1 and 32, not 33', '33 periods');
SELECT throws_ok($$SELECT retention(ts, NULL, '1 day', 3) FROM fev$$,
  '22023', 'origin, period and periods must not be NULL', 'a NULL origin');
-- parameters that are not constants are read on every row (constant ones only
-- with the first): each row is placed by its own origin
SELECT is((SELECT retention_counts(u, ts, timestamptz '2026-03-01' + (u % 3) * interval '1 day', '1 day', 3)::text FROM fev WHERE u IS NOT NULL),
          (SELECT ARRAY[count(*) FILTER (WHERE m & 1 = 1), count(*) FILTER (WHERE m & 3 = 3), count(*) FILTER (WHERE m & 5 = 5)]::text
           FROM (SELECT u, bit_or(1 << floor(extract(epoch FROM ts - o) / 86400)::int) m
                 FROM (SELECT u, ts, timestamptz '2026-03-01' + (u % 3) * interval '1 day' o FROM fev WHERE u IS NOT NULL) x
                 WHERE ts >= o AND ts < o + interval '3 days' GROUP BY u) s),
          'retention_counts with a different origin per row = range conditions on each row''s origin');
SELECT throws_ok($$SELECT retention_counts(u, ts, CASE WHEN id = (SELECT max(id) FROM fev WHERE u IS NOT NULL) THEN NULL ELSE timestamptz '2026-03-01' END, '1 day', 3) FROM (SELECT * FROM fev ORDER BY id) f$$,
  '22023', 'origin, period and periods must not be NULL', 'a NULL origin on the last row only');
SELECT is((SELECT retention(ts, '2026-03-01', '1 day', 3) FROM fev WHERE ts IS NULL), '{0,0,0}'::int[],
  'a NULL ts is in no period');
SELECT is((SELECT window_funnel('1 day', ts, e, ARRAY['a']) FROM fev WHERE e IS NULL AND u = 1), 0,
  'a NULL event is no step');

SELECT * FROM finish();
ROLLBACK;
