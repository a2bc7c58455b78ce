-- Attribution: which channels earn the conversions? Last touch vs linear vs Markov vs Shapley
-- Runs after data.sql.  The demo data has no journeys, so this file generates a small,
-- deterministic one: 20,000 members of the brand seen on six channels over 60 days.
-- Every draw is a hash of (member, touch, purpose), so the numbers are the same on every run.
\pset footer off
\pset null '(no touch)'
SET client_min_messages = warning;
SET timezone = 'UTC';

DROP TABLE IF EXISTS demo_touches;
CREATE TEMP TABLE demo_touches AS
WITH u AS (
  SELECT m, (hashint4extended(m, s) & 1048575)::float8 / 1048576 AS x, s
  FROM generate_series(1, 20000) m, generate_series(1, 4) s),
members AS (
  SELECT m,
         max(x) FILTER (WHERE s = 1) AS a, max(x) FILTER (WHERE s = 2) AS b,
         max(x) FILTER (WHERE s = 3) AS c, max(x) FILTER (WHERE s = 4) AS d
  FROM u GROUP BY m),
touch AS (
  -- 1 to 6 touches: the first is usually an awareness channel (douyin, kol), later ones
  -- search, WeChat, email or a direct visit
  SELECT mb.m, k,
         (hashint4extended(mb.m * 16 + k, 7) & 1048575)::float8 / 1048576 AS r,
         timestamptz '2026-03-01' + ((hashint4extended(mb.m * 16 + k, 8) & 1048575)::float8 / 1048576 * 5 + k * 4) * interval '1 day' AS ts,
         1 + floor(mb.a * 6)::int AS n
  FROM members mb, generate_series(1, 6) k WHERE k <= 1 + floor(mb.a * 6)::int)
SELECT m AS member_id, ts,
       CASE WHEN k = 1 THEN (ARRAY['douyin', 'douyin', 'kol', 'search', 'wechat'])[1 + floor(r * 5)::int]
            ELSE (ARRAY['search', 'search', 'wechat', 'email', 'direct', 'direct', 'kol'])[1 + floor(r * 7)::int] END AS channel,
       false AS is_conversion, NULL::float8 AS value
FROM touch;
-- conversions: likelier after search and email, and after longer journeys
INSERT INTO demo_touches
SELECT member_id, max(ts) + interval '6 hours', NULL, true,
       round((199 + (hashint4extended(member_id, 9) & 1023) * 2)::numeric, 2)::float8
FROM demo_touches
GROUP BY member_id
HAVING (hashint4extended(member_id, 10) & 1023)::float8 / 1024
       < 0.04 + 0.10 * count(*) FILTER (WHERE channel = 'search') + 0.08 * count(*) FILTER (WHERE channel = 'email')
              + 0.03 * count(*) FILTER (WHERE channel = 'kol');

\echo
\echo '== 7. Which channels earn the conversions?'
SELECT count(DISTINCT member_id) AS members, count(*) FILTER (WHERE NOT is_conversion) AS touches,
       count(*) FILTER (WHERE is_conversion) AS conversions, sum(value) AS revenue
FROM demo_touches;

\echo 'Credit per channel under four models: last touch and linear with attribution_agg (one'
\echo 'aggregate, grouping by member itself), Markov removal effects (order 1) and Shapley'
\echo 'values over the paths from journey_agg + journey_paths. Each column sums to the conversions.'
WITH lt AS (SELECT c.* FROM unnest((SELECT attribution_agg(member_id, ts, channel, is_conversion, value, 'last_touch', '{}') FROM demo_touches)) c),
     li AS (SELECT c.* FROM unnest((SELECT attribution_agg(member_id, ts, channel, is_conversion, value, 'linear', '{}') FROM demo_touches)) c),
     paths AS (SELECT p.* FROM (SELECT journey_agg(ts, channel, is_conversion, value) AS j FROM demo_touches GROUP BY member_id) s,
                               journey_paths(j) p),
     mk AS (SELECT * FROM markov_attribution((SELECT markov_agg(path, converted, value) FROM paths))),
     sh AS (SELECT * FROM shapley_attribution((SELECT shapley_agg(path, converted, value) FROM paths))),
     ch AS (SELECT channel FROM lt UNION SELECT channel FROM li UNION SELECT channel FROM mk UNION SELECT channel FROM sh)
SELECT ch.channel,
       round(coalesce(lt.conversions, 0)::numeric, 1) AS last_touch,
       round(coalesce(li.conversions, 0)::numeric, 1) AS linear,
       round(coalesce(mk.conversions, 0)::numeric, 1) AS markov,
       round(coalesce(sh.conversions, 0)::numeric, 1) AS shapley,
       round(mk.removal_effect::numeric, 3) AS removal_effect
FROM ch LEFT JOIN lt USING (channel) LEFT JOIN li USING (channel) LEFT JOIN mk USING (channel) LEFT JOIN sh USING (channel)
ORDER BY ch.channel COLLATE "C" NULLS LAST;

\echo 'Last touch gives douyin almost nothing: it opens journeys that search and email close.'
\echo 'Linear, Markov and Shapley give the opening channels their share. The fitted chain:'
SELECT from_state, to_state, count, round(probability::numeric, 3) AS probability
FROM markov_transitions((SELECT markov_agg(p.path, p.converted, p.value)
                         FROM (SELECT journey_agg(ts, channel, is_conversion, value) AS j FROM demo_touches GROUP BY member_id) s,
                              journey_paths(j) p))
WHERE from_state = 'START' ORDER BY count DESC;
