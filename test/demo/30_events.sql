-- Funnels and retention: exposure -> click -> activate -> register -> pay, by channel
-- Run after data.sql.  Builds app_events: one month of campaign traffic for
-- 30,000 of the brand's people, deterministic (hash draws, no random()).
\pset footer off
\pset null '-'
SET client_min_messages = warning;
SET TIME ZONE 'UTC';

CREATE OR REPLACE FUNCTION pg_temp.h(key int, salt int) RETURNS float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT (hashint4extended(key, salt) & 4294967295)::float8 / 4294967296 $$;

DROP TABLE IF EXISTS app_events;
CREATE TABLE app_events (member_id int, ts timestamptz, event text, channel text);
-- each person: a main channel, a funnel depth with channel-dependent drop-off
-- (WeChat clicks well, search converts well), steps hours to days apart, some
-- repeated exposures, and weekly app visits after registering that fade.
WITH p AS (
  SELECT m, (ARRAY['wechat', 'douyin', 'search', 'app_push', 'sms', 'offline'])[1 + floor(6 * pg_temp.h(m, 1))::int] AS ch,
         timestamptz '2026-03-02' + pg_temp.h(m, 2) * interval '21 days' AS t0
  FROM generate_series(1, 30000) m),
q AS (
  SELECT *, CASE WHEN pg_temp.h(m, 3) > CASE ch WHEN 'wechat' THEN 0.62 WHEN 'douyin' THEN 0.55 ELSE 0.40 END THEN 1
                 WHEN pg_temp.h(m, 4) > CASE ch WHEN 'search' THEN 0.75 WHEN 'offline' THEN 0.70 ELSE 0.55 END THEN 2
                 WHEN pg_temp.h(m, 5) > 0.65 THEN 3
                 WHEN pg_temp.h(m, 6) > CASE ch WHEN 'search' THEN 0.55 ELSE 0.40 END THEN 4 ELSE 5 END AS depth
  FROM p),
steps AS (
  SELECT m, ch, s AS step, depth,
         t0 + (SELECT coalesce(sum(pg_temp.h(m * 8 + k, 7) ^ 3 * interval '5 days'), interval '0') FROM generate_series(2, s) k) AS ts
  FROM q, generate_series(1, 5) s WHERE s <= depth)
INSERT INTO app_events
SELECT m, ts, (ARRAY['exposure', 'click', 'activate', 'register', 'pay'])[step], CASE WHEN step <= 2 THEN ch END
FROM steps
UNION ALL  -- repeated exposures, on any channel
SELECT m, t0 + pg_temp.h(m * 4 + r, 8) * interval '25 days', 'exposure',
       (ARRAY['wechat', 'douyin', 'search', 'app_push', 'sms', 'offline'])[1 + floor(6 * pg_temp.h(m * 4 + r, 9))::int]
FROM p, generate_series(1, 3) r WHERE pg_temp.h(m * 4 + r, 10) < 0.5
UNION ALL  -- app visits in the 8 weeks after registering, fading
SELECT s.m, s.ts + w * interval '7 days' + pg_temp.h(s.m * 16 + w, 11) * interval '6 days', 'visit', NULL
FROM steps s, generate_series(0, 7) w
WHERE s.step = 4 AND pg_temp.h(s.m * 16 + w, 12) < 0.9 * power(0.8, w) + CASE WHEN s.depth = 5 THEN 0.1 ELSE 0 END;
ANALYZE app_events;
SELECT count(*) AS events, count(DISTINCT member_id) AS people, min(ts)::date AS first_day, max(ts)::date AS last_day FROM app_events;

\echo
\echo '== Funnel by channel: the channel of each person''s first step (the exposure that'
\echo '   started the chain that went furthest), 7-day window; people at each step and'
\echo '   conversion from the first step'
WITH per_person AS (
  SELECT member_id,
         window_funnel('7 days', ts, event = 'exposure', event = 'click', event = 'activate', event = 'register', event = 'pay') AS level,
         window_funnel_path('7 days', ts, event = 'exposure', event = 'click', event = 'activate', event = 'register', event = 'pay') AS path
  FROM app_events GROUP BY member_id),
with_channel AS (
  SELECT p.member_id, p.level, min(e.channel) AS channel
  FROM per_person p JOIN app_events e ON e.member_id = p.member_id AND e.ts = p.path[1] AND e.event = 'exposure'
  WHERE p.level > 0 GROUP BY p.member_id, p.level)
SELECT channel, c[1] AS exposed, c[2] AS clicked, c[3] AS activated, c[4] AS registered, c[5] AS paid,
       round(100.0 * c[2] / c[1], 1) || '%' AS click_rate, round(100.0 * c[5] / c[1], 1) || '%' AS pay_rate
FROM (SELECT channel, funnel_counts_agg(level, 5) c FROM with_channel GROUP BY channel) s
ORDER BY c[5]::float8 / c[1] DESC;

\echo
\echo '== The same funnel for everyone in one pass (window_funnel_counts), and in the'
\echo '   strict_order mode (any other event between two steps ends the chain)'
SELECT window_funnel_counts(member_id, '7 days', ts, event = 'exposure', event = 'click', event = 'activate', event = 'register', event = 'pay') AS "7 days",
       window_funnel_counts(member_id, '1 day', ts, event = 'exposure', event = 'click', event = 'activate', event = 'register', event = 'pay') AS "1 day",
       window_funnel_counts(member_id, '7 days', 'strict_order', ts, event = 'exposure', event = 'click', event = 'activate', event = 'register', event = 'pay') AS "7 days, strict_order"
FROM app_events;

\echo
\echo '== Drop-off audience: clicked but never activated within 7 days, as a roaringbitmap,'
\echo '   and how many of them WeChat can reach (tag pref:wechat)'
CREATE TEMP TABLE dropoff AS
SELECT rb_build_agg(member_id) FILTER (WHERE level = 2) AS clicked_not_activated
FROM (SELECT member_id, window_funnel('7 days', ts, event = 'exposure', event = 'click', event = 'activate',
                                      event = 'register', event = 'pay') AS level
      FROM app_events GROUP BY member_id) s;
SELECT rb_cardinality(d.clicked_not_activated) AS audience,
       rb_and_cardinality(d.clicked_not_activated, t.bm) AS reachable_on_wechat,
       (rb_to_array(d.clicked_not_activated))[1:8] AS first_ids
FROM dropoff d, tag_bitmaps t WHERE t.tag = 'pref:wechat';

\echo
\echo '== Time to convert, from the path of each person who paid: median and 90th percentile'
SELECT step, percentile_cont(0.5) WITHIN GROUP (ORDER BY d) AS median, percentile_cont(0.9) WITHIN GROUP (ORDER BY d) AS p90
FROM (SELECT p, unnest(ARRAY['exposure -> click', 'click -> activate', 'activate -> register', 'register -> pay', 'exposure -> pay']) AS step,
             unnest(ARRAY[p[2] - p[1], p[3] - p[2], p[4] - p[3], p[5] - p[4], p[5] - p[1]]) AS d
      FROM (SELECT window_funnel_path('7 days', ts, event = 'exposure', event = 'click', event = 'activate',
                                      event = 'register', event = 'pay') AS p
            FROM app_events GROUP BY member_id) s
      WHERE cardinality(p) = 5) x
GROUP BY step ORDER BY min(CASE step WHEN 'exposure -> pay' THEN 9 ELSE array_position(ARRAY['exposure -> click', 'click -> activate', 'activate -> register', 'register -> pay'], step) END);

\echo
\echo '== Weekly retention: people by the week they registered, and the share who came'
\echo '   back (any event) 1..5 weeks later (retention_counts per cohort)'
WITH cohort AS (
  SELECT member_id, date_trunc('week', min(ts)) AS week FROM app_events WHERE event = 'register' GROUP BY member_id)
SELECT to_char(week, 'YYYY-MM-DD') AS cohort_week, r[1] AS people,
       round(100.0 * r[2] / r[1]) || '%' AS "week 1", round(100.0 * r[3] / r[1]) || '%' AS "week 2",
       round(100.0 * r[4] / r[1]) || '%' AS "week 3", round(100.0 * r[5] / r[1]) || '%' AS "week 4",
       round(100.0 * r[6] / r[1]) || '%' AS "week 5"
FROM (SELECT c.week, retention_counts(e.member_id, e.ts >= c.week AND e.ts < c.week + interval '1 week',
                                      e.ts >= c.week + interval '1 week' AND e.ts < c.week + interval '2 weeks',
                                      e.ts >= c.week + interval '2 weeks' AND e.ts < c.week + interval '3 weeks',
                                      e.ts >= c.week + interval '3 weeks' AND e.ts < c.week + interval '4 weeks',
                                      e.ts >= c.week + interval '4 weeks' AND e.ts < c.week + interval '5 weeks',
                                      e.ts >= c.week + interval '5 weeks' AND e.ts < c.week + interval '6 weeks') AS r
      FROM app_events e JOIN cohort c USING (member_id) GROUP BY c.week) s
ORDER BY week;

\echo
\echo '== Sequences: people who paid within a day of a click (sequence_match), and'
\echo '   click-then-pay episodes per paying person (sequence_count)'
SELECT count(*) FILTER (WHERE fast) AS paid_within_a_day_of_a_click, count(*) FILTER (WHERE episodes > 0) AS paid_after_a_click,
       round(avg(episodes) FILTER (WHERE episodes > 0), 2) AS episodes_per_payer
FROM (SELECT member_id,
             sequence_match('(?1)(?t<=86400)(?2)', ts, event = 'click', event = 'pay') AS fast,
             sequence_count('(?1).*(?2)', ts, event = 'click', event = 'pay') AS episodes
      FROM app_events GROUP BY member_id) s;
