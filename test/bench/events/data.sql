-- The event data set shared by the funnel and attribution benchmarks,
-- deterministic, sized by :scale (1 = 1 million users, about 20 million events
-- over 90 days).
--   events(user_id, ts, event, channel, revenue)
-- Each user has a funnel level with realistic drop-off
-- (exposure 92%, then click 55%, activate 60%, register 65%, pay 50% of the
-- step before), steps separated by heavy-tailed gaps (about one in six is over
-- 7 days), 5% of the deepest users with register logged before activate,
-- repeated exposures and clicks, repeat purchases, and noise events (view,
-- search, share, favorite).  Touches (exposure, click, and half the views as
-- 'direct') carry one of 10 channels, skewed towards each user's main one;
-- pay carries revenue.  Every draw is a hash of (user, event, purpose): no
-- seed, the same rows on every machine and plan.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
SELECT greatest(1000, (1000000 * :scale)::int) AS users \gset

CREATE FUNCTION pg_temp.u01(bigint, int) RETURNS float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT (hashint8extended($1, $2) & 16777215)::float8 / 16777216 $$;

-- CASCADE: the benchmarks' views over events (attribution.sh's attr_rows) are recreated by each run
DROP TABLE IF EXISTS events CASCADE;
CREATE UNLOGGED TABLE events (
  user_id bigint NOT NULL,
  ts      timestamptz NOT NULL,
  event   text NOT NULL,
  channel text,
  revenue numeric(10,2));

INSERT INTO events
WITH users AS (
  SELECT u AS user_id,
         date_trunc('second', timestamptz '2026-01-01 00:00+00' + pg_temp.u01(u, 1) * interval '60 days') AS t0,
         1 + floor(10 * pg_temp.u01(u, 2) ^ 2)::int AS main_ch,
         CASE WHEN pg_temp.u01(u, 3) >= 0.92 THEN 0
              WHEN pg_temp.u01(u, 4) >= 0.55 THEN 1
              WHEN pg_temp.u01(u, 5) >= 0.60 THEN 2
              WHEN pg_temp.u01(u, 6) >= 0.65 THEN 3
              WHEN pg_temp.u01(u, 7) >= 0.50 THEN 4 ELSE 5 END AS lvl,
         pg_temp.u01(u, 8) < 0.05 AS swapped,
         14 + floor(pg_temp.u01(u, 9) * 13)::int AS n_events,
         floor(pg_temp.u01(u, 10) * 4)::int AS n_rep_exp,
         floor(pg_temp.u01(u, 11) * 3)::int AS n_rep_click,
         pg_temp.u01(u, 12) < 0.2 AS repurchase,
         -- gaps between steps: u^3 * 12 days, mean 3 days, 16% over 7 days
         date_trunc('second', pg_temp.u01(u, 22) ^ 3 * interval '12 days') AS g2,
         date_trunc('second', pg_temp.u01(u, 23) ^ 3 * interval '12 days') AS g3,
         date_trunc('second', pg_temp.u01(u, 24) ^ 3 * interval '12 days') AS g4,
         date_trunc('second', pg_temp.u01(u, 25) ^ 3 * interval '12 days') AS g5
  FROM generate_series(1, :users) u),
plan AS (
  SELECT user_id, main_ch, lvl, swapped, repurchase,
         ARRAY[t0, t0 + g2, t0 + g2 + g3, t0 + g2 + g3 + g4, t0 + g2 + g3 + g4 + g5] AS step_ts,
         lvl AS b1,
         lvl + n_rep_exp AS b2,
         lvl + n_rep_exp + CASE WHEN lvl >= 2 THEN n_rep_click ELSE 0 END AS b3,
         lvl + n_rep_exp + CASE WHEN lvl >= 2 THEN n_rep_click ELSE 0 END
             + (repurchase AND lvl = 5)::int AS b4,
         greatest(n_events, lvl + n_rep_exp + n_rep_click + 1) AS n
  FROM users),
ev AS (
  SELECT p.user_id, p.main_ch, i,
         CASE WHEN i <= b1 THEN (ARRAY['exposure', 'click', 'activate', 'register', 'pay'])[i]
              WHEN i <= b2 THEN 'exposure'
              WHEN i <= b3 THEN 'click'
              WHEN i <= b4 THEN 'pay'
              ELSE (ARRAY['view', 'search', 'share', 'favorite'])[1 + floor(4 * pg_temp.u01(p.user_id * 64 + i, 30))::int]
         END AS event,
         CASE WHEN i <= b1 THEN
                   step_ts[CASE WHEN swapped AND lvl >= 4 AND i = 3 THEN 4
                                WHEN swapped AND lvl >= 4 AND i = 4 THEN 3 ELSE i END]
              WHEN i <= b3 THEN
                   date_trunc('second', timestamptz '2026-01-01 00:00+00' + pg_temp.u01(p.user_id * 64 + i, 31) * interval '90 days')
              WHEN i <= b4 THEN
                   date_trunc('second', step_ts[5] + pg_temp.u01(p.user_id * 64 + i, 31) * interval '20 days')
              ELSE date_trunc('second', timestamptz '2026-01-01 00:00+00' + pg_temp.u01(p.user_id * 64 + i, 31) * interval '90 days')
         END AS ts
  FROM plan p CROSS JOIN LATERAL generate_series(1, p.n) i)
SELECT user_id, ts, event,
       CASE WHEN event IN ('exposure', 'click') THEN
                 (ARRAY['search', 'wechat', 'douyin', 'direct', 'app_push', 'weibo', 'email', 'kol', 'sms', 'offline'])
                 [CASE WHEN pg_temp.u01(user_id * 64 + i, 40) < 0.7 THEN main_ch
                       ELSE 1 + floor(10 * pg_temp.u01(user_id * 64 + i, 41))::int END]
            WHEN event = 'view' AND pg_temp.u01(user_id * 64 + i, 40) < 0.5 THEN 'direct'
       END AS channel,
       CASE WHEN event = 'pay' THEN round((49 + 1950 * pg_temp.u01(user_id * 64 + i, 50) ^ 2)::numeric, 2) END AS revenue
FROM ev;
ANALYZE events;
