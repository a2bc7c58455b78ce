-- 5. Attribution: which channels earn the conversions? Last touch vs linear vs Markov vs
-- Shapley, over the journeys of persons: touches and orders logged under each system's
-- record (touches), mapped to persons through person_of.
\pset footer off
\pset null '(no touch)'
SET client_min_messages = warning;
SET timezone = 'UTC';

CREATE TEMP TABLE person_touches AS
SELECT p.person_id, t.ts, t.channel, t.is_conversion, t.value
FROM touches t JOIN person_of p USING (record_id);
ANALYZE person_touches;

\echo
\echo '== 5. Attribution: which channels earn the conversions?'
\echo '60 days of touches on six channels and the orders that followed. E-mails reach'
\echo 'the CRM record, WeChat the WeChat record, ads and visits the app or the mini'
\echo 'program, orders land in the CRM: a journey exists only once records are persons.'
SELECT count(DISTINCT person_id) AS persons, count(*) FILTER (WHERE NOT is_conversion) AS touches,
       count(*) FILTER (WHERE is_conversion) AS conversions, round(sum(value)::numeric) AS revenue
FROM person_touches;

\echo 'Credit per channel under four models: last touch and linear with attribution_agg'
\echo '(one aggregate that groups by person itself), Markov removal effects (order 1)'
\echo 'and Shapley values over the paths from journey_agg + journey_paths. Each column'
\echo 'sums to the conversions. "(no touch)": orders of persons with no touch, whose'
\echo 'CRM record identity could not link to their other records:'
WITH lt AS (SELECT c.* FROM unnest((SELECT attribution_agg(person_id, ts, channel, is_conversion, value, 'last_touch', '{}') FROM person_touches)) c),
     li AS (SELECT c.* FROM unnest((SELECT attribution_agg(person_id, ts, channel, is_conversion, value, 'linear', '{}') FROM person_touches)) c),
     paths AS (SELECT p.* FROM (SELECT journey_agg(ts, channel, is_conversion, value) AS j FROM person_touches GROUP BY person_id) s,
                               journey_paths(j) p),
     mk AS (SELECT * FROM markov_attribution((SELECT markov_agg(path, converted, value) FROM paths))),
     sh AS (SELECT * FROM shapley_attribution((SELECT shapley_agg(path, converted, value) FROM paths))),
     ch AS (SELECT channel FROM lt UNION SELECT channel FROM li UNION SELECT channel FROM mk UNION SELECT channel FROM sh)
SELECT ch.channel,
       round(coalesce(lt.conversions, 0)::numeric, 1) AS last_touch,
       round(coalesce(li.conversions, 0)::numeric, 1) AS linear,
       round(coalesce(mk.conversions, 0)::numeric, 1) AS markov,
       round(coalesce(sh.conversions, 0)::numeric, 1) AS shapley,
       coalesce(round(mk.removal_effect::numeric, 3)::text, '-') AS removal_effect
FROM ch LEFT JOIN lt ON lt.channel IS NOT DISTINCT FROM ch.channel
        LEFT JOIN li ON li.channel IS NOT DISTINCT FROM ch.channel
        LEFT JOIN mk ON mk.channel IS NOT DISTINCT FROM ch.channel
        LEFT JOIN sh ON sh.channel IS NOT DISTINCT FROM ch.channel
ORDER BY ch.channel COLLATE "C" NULLS LAST;

\echo 'Last touch gives douyin almost nothing: it opens journeys that search and e-mail'
\echo 'close. Linear, Markov and Shapley give the opening channels their share. The'
\echo 'first step of the fitted chain (markov_transitions from START):'
SELECT from_state, to_state, count, round(probability::numeric, 3) AS probability
FROM markov_transitions((SELECT markov_agg(p.path, p.converted, p.value)
                         FROM (SELECT journey_agg(ts, channel, is_conversion, value) AS j FROM person_touches GROUP BY person_id) s,
                              journey_paths(j) p))
WHERE from_state = 'START' ORDER BY count DESC, to_state;
