-- attribution_agg's shortcuts and code paths, each against an independent
-- reference (attribute over journey_agg, summed per channel, which shares
-- neither the channel shortcut nor the grouping): the previous-row channel
-- shortcut (channels alternating, NULL channels and conversions in between,
-- equal-length different names, the empty name); rows arriving in user order
-- (no sort), with one break (a wrap-around: runs of one user sorted) or not
-- (radix sorts of the 11,000-odd events and 1,500 users:
-- descending, shuffled, ids negative and above 2^32 and 2^48); the model
-- given as a parameter or a column; window use
-- (the final function runs, then more rows come); parallel plans with users
-- split across workers (the leader reads the workers' states in place), with
-- and without leader participation; partitionwise partial aggregation.
BEGIN;
SELECT plan(33);

SET LOCAL client_min_messages = warning;
SET LOCAL timezone = 'UTC';
SET LOCAL max_parallel_workers_per_gather = 0;
DO $$ BEGIN PERFORM setseed(0.2718); END $$;

-- k: a shuffled arrival order; i: the order within a user.  The first users
-- have long journeys and ids that only differ above the low 32 bits (0,
-- 2^32, 2^48), so a sort that ignored the high digits would split them.
CREATE TABLE ap_ev AS
SELECT row_number() OVER (ORDER BY random()) AS k, u.user_id, i,
       timestamptz '2026-03-01' + floor(random() * 40) * interval '6 hours' AS ts,
       CASE WHEN c < 0.12 THEN NULL ELSE (ARRAY['aa', 'ab', 'ba', 'b', '', 'aaa'])[1 + (i % 3) + floor(random() * 2)::int * 3] END AS channel,
       c >= 0.12 AND c < 0.25 AS conv,
       CASE WHEN random() < 0.9 THEN round((random() * 50)::numeric, 2)::float8 END AS value
FROM (SELECT (ARRAY[-7000000000, -5, 0, 3, 4294967296, 4294967297, 281474976710656, 9223372036854775807])[g] AS user_id
      FROM generate_series(1, 8) g
      UNION ALL SELECT 100 + g FROM generate_series(1, 1500) g) u,
     LATERAL (SELECT i, random() AS c
              FROM generate_series(1, 1 + floor(random() * 12)::int + (u.user_id % 2)::int
                                      + CASE WHEN u.user_id NOT BETWEEN 101 AND 1600 THEN 25 ELSE 0 END) i) e;
ANALYZE ap_ev;

CREATE TEMP TABLE ap_models(model text, options jsonb);
INSERT INTO ap_models VALUES ('last_touch', '{}'), ('first_touch', '{}'), ('linear', '{"lookback": "3 days"}'),
  ('position_based', '{}'), ('time_decay', '{"half_life": "1 day"}');

-- the reference: per user journeys, credited one by one, summed per channel
CREATE TEMP TABLE ap_ref AS
SELECT m.model, m.options, a.channel, sum(a.conversions) AS conversions, sum(a.value) AS value
FROM (SELECT journey_agg(ts, channel, conv, value) AS j FROM ap_ev GROUP BY user_id) s, ap_models m,
     attribute(s.j, m.model, m.options) a
GROUP BY 1, 2, 3;

-- rows differing from the reference (or missing on either side)
CREATE FUNCTION pg_temp.bad(res attribution_credit[], m text, o jsonb) RETURNS bigint LANGUAGE sql AS $$
  SELECT count(*) FROM unnest(res) g
  FULL JOIN (SELECT * FROM ap_ref WHERE model = m AND options = o) r
    ON coalesce(g.channel, '<none>') = coalesce(r.channel, '<none>')
  WHERE g.conversions IS NULL OR r.conversions IS NULL
     OR abs(g.conversions - r.conversions) > 1e-9 OR abs(g.value - r.value) > 1e-9 * (1 + abs(r.value)) $$;

SELECT cmp_ok((SELECT count(*) FROM ap_ref WHERE model = 'linear'), '>=', 6::bigint, 'the reference has the channels');
SELECT ok((SELECT count(*) FILTER (WHERE conv) > 50 AND count(*) FILTER (WHERE channel IS NULL AND NOT conv) > 50
                  AND count(*) FILTER (WHERE channel = '' AND NOT conv) > 50 FROM ap_ev),
  'the data has conversions, touches without a channel and the empty channel name');

-- arrival orders: by user then i (channels alternate aa/ab/ba or b/''/aaa row by row)
SELECT is(pg_temp.bad(attribution_agg(user_id, ts, channel, conv, value, m.model, m.options ORDER BY user_id, i), m.model, m.options),
          0::bigint, format('%s: rows in user order (channels alternating) = reference', m.model))
FROM ap_models m, ap_ev GROUP BY m.model, m.options ORDER BY m.model;
SELECT is(pg_temp.bad(attribution_agg(user_id, ts, channel, conv, value, m.model, m.options ORDER BY user_id DESC, i), m.model, m.options),
          0::bigint, format('%s: users descending (sorted at the end) = reference', m.model))
FROM ap_models m, ap_ev GROUP BY m.model, m.options ORDER BY m.model;
SELECT is(pg_temp.bad(attribution_agg(user_id, ts, channel, conv, value, m.model, m.options ORDER BY k), m.model, m.options),
          0::bigint, format('%s: rows shuffled = reference', m.model))
FROM ap_models m, ap_ev GROUP BY m.model, m.options ORDER BY m.model;
-- user order with one break (no sort: runs of one user are sorted), user 3 (32-odd rows) split across it
SELECT is(pg_temp.bad(attribution_agg(user_id, ts, channel, conv, value, m.model, m.options
                                      ORDER BY (user_id, i) < (3::bigint, 10), user_id, i), m.model, m.options),
          0::bigint, format('%s: user order wrapping around mid-user = reference', m.model))
FROM ap_models m, ap_ev GROUP BY m.model, m.options ORDER BY m.model;
-- the same channel many rows in a row, then another of the same length
SELECT is(pg_temp.bad(attribution_agg(user_id, ts, channel, conv, value, 'linear', '{"lookback": "3 days"}' ORDER BY channel, k),
                      'linear', '{"lookback": "3 days"}'),
          0::bigint, 'linear: rows grouped by channel = reference')
FROM ap_ev;

-- the model as a query parameter (checked once) and as a column (checked every row)
PREPARE ap_p(text, jsonb) AS
  SELECT pg_temp.bad(attribution_agg(user_id, ts, channel, conv, value, $1, $2 ORDER BY k), $1, $2) FROM ap_ev;
SET LOCAL plan_cache_mode = force_generic_plan;
SELECT is((SELECT * FROM pg_temp.bad((SELECT attribution_agg(user_id, ts, channel, conv, value, 'first_touch', '{}') FROM ap_ev), 'first_touch', '{}')),
          0::bigint, 'first_touch: unordered call = reference');
CREATE TEMP TABLE ap_prep AS EXECUTE ap_p('time_decay', '{"half_life": "1 day"}');
SELECT is((SELECT * FROM ap_prep), 0::bigint, 'time_decay: model and options as parameters (generic plan) = reference');
SELECT is((SELECT pg_temp.bad(attribution_agg(user_id, ts, channel, conv, value, mm, oo ORDER BY k), 'position_based', '{}')
           FROM (SELECT e.*, 'position_based'::text AS mm, '{}'::jsonb AS oo FROM ap_ev e) s),
          0::bigint, 'position_based: model and options from columns = reference');
RESET plan_cache_mode;

-- window use: the final function runs after each row, and rows keep coming
SELECT is((SELECT count(*) FROM (
             SELECT w.k, w.r::text AS r,
                    (SELECT attribution_agg(user_id, ts, channel, conv, value, 'linear', '{}')::text FROM ap_ev x WHERE x.k <= w.k) AS p
             FROM (SELECT k, attribution_agg(user_id, ts, channel, conv, value, 'linear', '{}') OVER (ORDER BY k) AS r
                   FROM ap_ev) w
             WHERE w.k % 97 = 0 OR w.k = (SELECT max(k) FROM ap_ev)) s
           WHERE r IS DISTINCT FROM p), 0::bigint,
  'linear as a window aggregate over a growing frame = the aggregate over each prefix');

-- ============================================= parallel plans
-- rows stored shuffled: every worker sees part of most users
CREATE TABLE ap_shuf AS SELECT * FROM ap_ev ORDER BY k;
ANALYZE ap_shuf;
CREATE TEMP TABLE ap_serial AS
SELECT m.model, m.options, attribution_agg(user_id, ts, channel, conv, value, m.model, m.options)::text AS r
FROM ap_models m, ap_shuf GROUP BY 1, 2;
SET LOCAL parallel_setup_cost = 0;
SET LOCAL parallel_tuple_cost = 0;
SET LOCAL min_parallel_table_scan_size = 0;
SET LOCAL max_parallel_workers_per_gather = 2;
\ir lib/parallel.sql
CREATE FUNCTION pg_temp.par(m text, o jsonb) RETURNS text LANGUAGE plpgsql AS $$
DECLARE r text;
BEGIN
  EXECUTE 'SELECT attribution_agg(user_id, ts, channel, conv, value, $1, $2)::text FROM ap_shuf' INTO r USING m, o;
  RETURN r;
END $$;
SELECT matches(pg_temp.plan_of($$SELECT attribution_agg(user_id, ts, channel, conv, value, 'linear', '{}') FROM ap_shuf$$),
               'Partial Aggregate', 'forced parallel plan has a partial aggregate');
SELECT is((SELECT count(*) FROM ap_serial s WHERE pg_temp.par(s.model, s.options) IS DISTINCT FROM s.r), 0::bigint,
          'parallel (leader participating) = serial, every model');
SET LOCAL parallel_leader_participation = off;
SELECT is((SELECT count(*) FROM ap_serial s WHERE pg_temp.par(s.model, s.options) IS DISTINCT FROM s.r), 0::bigint,
          'parallel (workers only) = serial, every model');
SELECT is((SELECT count(*) FROM ap_serial s WHERE pg_temp.bad(s.r::attribution_credit[], s.model, s.options) > 0), 0::bigint,
          'serial over the shuffled table = reference, every model');
RESET parallel_leader_participation;
RESET max_parallel_workers_per_gather;
SET LOCAL max_parallel_workers_per_gather = 0;

-- ============================================= partitionwise partial aggregation
-- partitions by time: most users have rows in several partitions
CREATE TABLE ap_part (LIKE ap_ev) PARTITION BY RANGE (ts);
CREATE TABLE ap_part1 PARTITION OF ap_part FOR VALUES FROM (MINVALUE) TO ('2026-03-04');
CREATE TABLE ap_part2 PARTITION OF ap_part FOR VALUES FROM ('2026-03-04') TO ('2026-03-08');
CREATE TABLE ap_part3 PARTITION OF ap_part FOR VALUES FROM ('2026-03-08') TO (MAXVALUE);
INSERT INTO ap_part SELECT * FROM ap_ev;
ANALYZE ap_part;
SET LOCAL enable_partitionwise_aggregate = on;
SELECT matches(pg_temp.plan_of($$SELECT attribution_agg(user_id, ts, channel, conv, value, 'linear', '{}') FROM ap_part$$),
               'Partial Aggregate', 'partitionwise plan: partial aggregates per partition');
SELECT is((SELECT count(*) FROM ap_models m
           WHERE pg_temp.bad((SELECT attribution_agg(user_id, ts, channel, conv, value, m.model, m.options) FROM ap_part), m.model, m.options) > 0),
          0::bigint, 'partitionwise (users split across partitions) = reference, every model');

SELECT * FROM finish();
ROLLBACK;
