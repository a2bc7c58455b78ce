-- 4. Funnels, retention and sequences over persons: the campaign events each system
-- logged under its own record (events), mapped to persons through person_of.
\pset footer off
\pset null '-'
SET client_min_messages = warning;
SET TIME ZONE 'UTC';
\ir race.sql

\echo
\echo '== 4. Funnels and retention over persons'
\echo 'A month of campaign traffic: exposure -> click -> activate -> register -> pay.'
\echo 'Ads are seen on the WeChat or mini-program record, the app is activated and used'
\echo 'on the app account, orders land in the CRM: each event is logged under its'
\echo 'system''s record and mapped to a person (person_of):'
CREATE TABLE person_events AS
SELECT p.person_id, e.ts, e.event, e.channel, e.record_id
FROM events e JOIN person_of p USING (record_id)
ORDER BY p.person_id, e.ts;   -- stored by person, as an ETL keyed by person would
ANALYZE person_events;
SELECT count(*) AS events, count(DISTINCT record_id) AS records,
       count(DISTINCT person_id) AS persons,
       min(ts)::date AS first_day, max(ts)::date AS last_day
FROM person_events;

\echo 'Persons (and records) reaching each step within 7 days of the exposure: per'
\echo 'person with window_funnel_counts, per record with window_funnel grouped by'
\echo 'record_id (a journey across systems breaks there), and per person within 1 day'
\echo 'and in strict_order mode (any other event between two steps ends the chain):'
WITH per_record AS (
  SELECT funnel_counts_agg(level, 5) AS c FROM (
    SELECT window_funnel('7 days', ts, event, ARRAY['exposure', 'click', 'activate', 'register', 'pay']) AS level
    FROM person_events GROUP BY record_id) s),
per_person AS (
  SELECT window_funnel_counts(person_id, '7 days', ts, event,
                              ARRAY['exposure', 'click', 'activate', 'register', 'pay']) AS c7,
         window_funnel_counts(person_id, '1 day', ts, event,
                              ARRAY['exposure', 'click', 'activate', 'register', 'pay']) AS c1,
         window_funnel_counts(person_id, '7 days', 'strict_order', ts, event,
                              ARRAY['exposure', 'click', 'activate', 'register', 'pay']) AS cs
  FROM person_events)
SELECT s.step, r.c[s.i] AS per_record, p.c7[s.i] AS per_person,
       round(100.0 * p.c7[s.i] / p.c7[1], 1) || '%' AS of_exposed,
       p.c1[s.i] AS within_1_day, p.cs[s.i] AS strict_order
FROM per_record r, per_person p,
     unnest(ARRAY['exposure', 'click', 'activate', 'register', 'pay']) WITH ORDINALITY s(step, i)
ORDER BY s.i;

\echo 'By channel: the channel of the exposure that started each person''s furthest'
\echo 'chain (window_funnel_path gives its step times):'
WITH per_person AS (
  SELECT person_id,
         window_funnel('7 days', ts, event, ARRAY['exposure', 'click', 'activate', 'register', 'pay']) AS level,
         window_funnel_path('7 days', ts, event, ARRAY['exposure', 'click', 'activate', 'register', 'pay']) AS path
  FROM person_events GROUP BY person_id),
with_channel AS (
  SELECT p.person_id, p.level, min(e.channel) AS channel
  FROM per_person p
  JOIN person_events e ON e.person_id = p.person_id AND e.ts = p.path[1] AND e.event = 'exposure'
  WHERE p.level > 0 GROUP BY p.person_id, p.level)
SELECT channel, c[1] AS exposed, c[2] AS clicked, c[3] AS activated, c[4] AS registered,
       c[5] AS paid, round(100.0 * c[2] / c[1], 1) || '%' AS "click%",
       round(100.0 * c[5] / c[1], 1) || '%' AS "pay%"
FROM (SELECT channel, funnel_counts_agg(level, 5) c FROM with_channel GROUP BY channel) s
ORDER BY c[5]::float8 / c[1] DESC, channel;

\echo 'Time to convert, from the step times of each person who paid (rounded to the'
\echo 'minute):'
SELECT step,
       justify_interval(date_trunc('minute', percentile_cont(0.5) WITHIN GROUP (ORDER BY d))) AS median,
       justify_interval(date_trunc('minute', percentile_cont(0.9) WITHIN GROUP (ORDER BY d))) AS p90
FROM (SELECT s.step, s.i, s.d
      FROM (SELECT window_funnel_path('7 days', ts, event,
                                      ARRAY['exposure', 'click', 'activate', 'register', 'pay']) AS p
            FROM person_events GROUP BY person_id) f,
           unnest(ARRAY['exposure -> click', 'click -> activate', 'activate -> register',
                        'register -> pay', 'exposure -> pay'],
                  ARRAY[f.p[2] - f.p[1], f.p[3] - f.p[2], f.p[4] - f.p[3], f.p[5] - f.p[4], f.p[5] - f.p[1]])
             WITH ORDINALITY s(step, d, i)
      WHERE cardinality(f.p) = 5) x
GROUP BY step, i ORDER BY i;

\echo 'Drop-off audience: clicked but never activated within 7 days, as a bitmap of'
\echo 'person ids, and how many of them WeChat can reach (tag pref:wechat):'
CREATE TEMP TABLE dropoff AS
SELECT rb_build_agg(person_id) FILTER (WHERE level = 2) AS clicked_not_activated
FROM (SELECT person_id, window_funnel('7 days', ts, event,
                                     ARRAY['exposure', 'click', 'activate', 'register', 'pay']) AS level
      FROM person_events GROUP BY person_id) s;
SELECT rb_cardinality(d.clicked_not_activated) AS audience,
       rb_and_cardinality(d.clicked_not_activated, t.bm) AS reachable_on_wechat,
       rb_to_array(rb_select(d.clicked_not_activated, 6)) AS first_6_person_ids
FROM dropoff d, tag_bitmaps t WHERE t.tag = 'pref:wechat';

\echo 'Retention: persons by the week they registered, and the share who came back'
\echo '(any event) 1 to 5 weeks later (retention_counts, one week per period):'
CREATE TEMP TABLE cohort AS
SELECT person_id, date_trunc('week', min(ts)) AS week
FROM person_events WHERE event = 'register' GROUP BY person_id;
ANALYZE cohort;
SELECT to_char(week, 'YYYY-MM-DD') AS cohort_week, r[1] AS persons,
       round(100.0 * r[2] / r[1]) || '%' AS "week 1", round(100.0 * r[3] / r[1]) || '%' AS "week 2",
       round(100.0 * r[4] / r[1]) || '%' AS "week 3", round(100.0 * r[5] / r[1]) || '%' AS "week 4",
       round(100.0 * r[6] / r[1]) || '%' AS "week 5"
FROM (SELECT c.week, retention_counts(e.person_id, e.ts, c.week, interval '1 week', 6) AS r
      FROM person_events e JOIN cohort c USING (person_id) GROUP BY c.week) s
ORDER BY week;

\echo 'How long the funnel counts and the retention table take, against plain SQL on'
\echo 'the same rows (the funnel: for each exposure the earliest next step within the'
\echo 'window, by index lookups; retention: bool_or per person and week); best of 3'
\echo 'runs each, in one process:'
CREATE INDEX person_events_plain_sql ON person_events (person_id, event, ts);
ANALYZE person_events;
SELECT 'funnel counts' AS question, r.*
FROM pg_temp.race(
  $q$SELECT window_funnel_counts(person_id, '7 days', ts, event,
                                 ARRAY['exposure', 'click', 'activate', 'register', 'pay'])
     FROM person_events$q$,
  $q$SELECT ARRAY[count(*), count(*) FILTER (WHERE level >= 2), count(*) FILTER (WHERE level >= 3),
                  count(*) FILTER (WHERE level >= 4), count(*) FILTER (WHERE level >= 5)]
     FROM (SELECT x.person_id, max(1 + (c.t IS NOT NULL)::int + (a.t IS NOT NULL)::int
                                   + (r.t IS NOT NULL)::int + (p.t IS NOT NULL)::int) AS level
           FROM person_events x
           CROSS JOIN LATERAL (SELECT min(ts) AS t FROM person_events y WHERE y.person_id = x.person_id
                               AND y.event = 'click' AND y.ts >= x.ts AND y.ts <= x.ts + interval '7 days') c
           CROSS JOIN LATERAL (SELECT min(ts) AS t FROM person_events y WHERE y.person_id = x.person_id
                               AND y.event = 'activate' AND y.ts >= c.t AND y.ts <= x.ts + interval '7 days') a
           CROSS JOIN LATERAL (SELECT min(ts) AS t FROM person_events y WHERE y.person_id = x.person_id
                               AND y.event = 'register' AND y.ts >= a.t AND y.ts <= x.ts + interval '7 days') r
           CROSS JOIN LATERAL (SELECT min(ts) AS t FROM person_events y WHERE y.person_id = x.person_id
                               AND y.event = 'pay' AND y.ts >= r.t AND y.ts <= x.ts + interval '7 days') p
           WHERE x.event = 'exposure'
           GROUP BY x.person_id) s$q$) r
UNION ALL
SELECT 'retention table', r.*
FROM pg_temp.race(
  $q$SELECT array_agg(r ORDER BY week) FROM (
       SELECT c.week, retention_counts(e.person_id, e.ts, c.week, interval '1 week', 6) AS r
       FROM person_events e JOIN cohort c USING (person_id) GROUP BY c.week) s$q$,
  $q$SELECT array_agg(r ORDER BY week) FROM (
       SELECT week, ARRAY[count(*) FILTER (WHERE w[1]), count(*) FILTER (WHERE w[1] AND w[2]),
                          count(*) FILTER (WHERE w[1] AND w[3]), count(*) FILTER (WHERE w[1] AND w[4]),
                          count(*) FILTER (WHERE w[1] AND w[5]), count(*) FILTER (WHERE w[1] AND w[6])] AS r
       FROM (SELECT c.week, e.person_id,
                    ARRAY[bool_or(e.ts >= c.week AND e.ts < c.week + interval '1 week'),
                          bool_or(e.ts >= c.week + interval '1 week' AND e.ts < c.week + interval '2 weeks'),
                          bool_or(e.ts >= c.week + interval '2 weeks' AND e.ts < c.week + interval '3 weeks'),
                          bool_or(e.ts >= c.week + interval '3 weeks' AND e.ts < c.week + interval '4 weeks'),
                          bool_or(e.ts >= c.week + interval '4 weeks' AND e.ts < c.week + interval '5 weeks'),
                          bool_or(e.ts >= c.week + interval '5 weeks' AND e.ts < c.week + interval '6 weeks')] AS w
             FROM person_events e JOIN cohort c USING (person_id) GROUP BY c.week, e.person_id) pw
       GROUP BY week) s$q$) r;

\echo 'Sequences: persons who paid within a day of a click (sequence_match), and'
\echo 'click-then-pay episodes per paying person (sequence_count):'
SELECT count(*) FILTER (WHERE fast) AS paid_within_a_day_of_a_click,
       count(*) FILTER (WHERE episodes > 0) AS paid_after_a_click,
       round(avg(episodes) FILTER (WHERE episodes > 0), 2) AS episodes_per_payer
FROM (SELECT person_id,
             sequence_match('(?1)(?t<=86400)(?2)', ts, event = 'click', event = 'pay') AS fast,
             sequence_count('(?1).*(?2)', ts, event = 'click', event = 'pay') AS episodes
      FROM person_events GROUP BY person_id) s;
