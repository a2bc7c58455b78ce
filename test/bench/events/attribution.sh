#!/usr/bin/env bash
# Attribution benchmark on the shared event data (test/bench/events/data.sql):
# touches are the rows with a channel (except pay), conversions are the pays
# worth their revenue, 30-day lookback.  Last touch and linear over all users
# with attribution_agg and with journey_agg + attribute, against the best
# plain-SQL formulation (window functions over the journey; conversions joined
# to their touches); answers are checked to match.  Then Markov (order 1 and 3)
# and Shapley over all paths.  Each query runs 3 times, interleaved; medians.
#   SCALE=1 (1 million users, ~20 million events; default) or SCALE=0.1
set -euo pipefail
. "$(dirname "$0")/../common.sh"
bench_setup test/bench/events/data.sql
say "machine: $(machine)"
psql -X -q -v ON_ERROR_STOP=1 <<'SQL'
\pset footer off
SET client_min_messages = warning;
SET work_mem = '256MB';

-- the journey rows, as every formulation reads them
CREATE OR REPLACE VIEW attr_rows AS
SELECT user_id, ts, CASE WHEN event = 'pay' THEN NULL ELSE channel END AS channel,
       event = 'pay' AS is_conv, coalesce(revenue, 0)::float8 AS value
FROM events WHERE (channel IS NOT NULL AND event <> 'pay') OR event = 'pay';

CREATE TEMP TABLE q (id int, workload text, way text, sql text);
INSERT INTO q VALUES
 (1, 'last touch', 'persona attribution_agg',
  $$SELECT attribution_agg(user_id, ts, channel, is_conv, value, 'last_touch', '{"lookback": "30 days"}') FROM attr_rows$$),
 (2, 'last touch', 'persona journey_agg + attribute',
  $$SELECT a.channel, sum(a.conversions), sum(a.value)
    FROM (SELECT journey_agg(ts, channel, is_conv, value) AS j FROM attr_rows GROUP BY user_id) s,
         attribute(j, 'last_touch', '{"lookback": "30 days"}') a GROUP BY 1 ORDER BY 1$$),
 (3, 'last touch', 'plain SQL (lag over the journey)',
  $$SELECT CASE WHEN NOT prev_conv AND prev_ts > ts - interval '30 days' THEN prev_ch END AS channel,
           count(*)::float8 AS conversions, sum(value) AS value
    FROM (SELECT is_conv, ts, value, lag(channel) OVER w AS prev_ch, lag(ts) OVER w AS prev_ts,
                 lag(is_conv) OVER w AS prev_conv
          FROM attr_rows
          WINDOW w AS (PARTITION BY user_id ORDER BY ts, is_conv, channel COLLATE "C", value)) s
    WHERE is_conv GROUP BY 1 ORDER BY 1$$),
 (4, 'linear', 'persona attribution_agg',
  $$SELECT attribution_agg(user_id, ts, channel, is_conv, value, 'linear', '{"lookback": "30 days"}') FROM attr_rows$$),
 (5, 'linear', 'persona journey_agg + attribute',
  $$SELECT a.channel, sum(a.conversions), sum(a.value)
    FROM (SELECT journey_agg(ts, channel, is_conv, value) AS j FROM attr_rows GROUP BY user_id) s,
         attribute(j, 'linear', '{"lookback": "30 days"}') a GROUP BY 1 ORDER BY 1$$),
 (6, 'linear', 'plain SQL (pays joined to their touches)',
  $$WITH o AS (
      SELECT user_id, ts, channel, is_conv, value,
             count(*) FILTER (WHERE is_conv) OVER w - is_conv::int AS seg,
             row_number() OVER w AS rn
      FROM attr_rows
      WINDOW w AS (PARTITION BY user_id ORDER BY ts, is_conv, channel COLLATE "C", value ROWS UNBOUNDED PRECEDING)),
    pt AS (
      SELECT t.channel, p.value, count(t.channel) OVER (PARTITION BY p.user_id, p.rn) AS n
      FROM o p LEFT JOIN o t ON NOT t.is_conv AND t.user_id = p.user_id AND t.seg = p.seg
                             AND t.ts > p.ts - interval '30 days'
      WHERE p.is_conv)
    SELECT CASE WHEN n = 0 THEN NULL ELSE channel END AS channel,
           sum(CASE WHEN n = 0 THEN 1 ELSE 1.0 / n END)::float8 AS conversions,
           sum(CASE WHEN n = 0 THEN value ELSE value / n END) AS value
    FROM pt GROUP BY 1 ORDER BY 1$$);

-- answers: the three ways agree (conversions to 1e-9, values to 1e-9 relative)
CREATE TEMP TABLE ans (id int, channel text, conversions float8, value float8);
DO $$
DECLARE r record;
BEGIN
  FOR r IN SELECT * FROM q ORDER BY id LOOP
    IF r.way LIKE 'persona attribution_agg' THEN
      EXECUTE format('INSERT INTO ans SELECT %s, c.* FROM unnest((%s)) c', r.id, r.sql);
    ELSE
      EXECUTE format('INSERT INTO ans SELECT %s, s.* FROM (%s) s', r.id, r.sql);
    END IF;
  END LOOP;
END $$;
SELECT q.workload, count(DISTINCT a.channel) AS channels, round(sum(a.conversions) / count(DISTINCT a.id)) AS conversions,
       CASE WHEN bool_and(b.id IS NOT NULL AND abs(a.conversions - b.conversions) <= 1e-9 * greatest(1, abs(b.conversions))
                          AND abs(a.value - b.value) <= 1e-9 * greatest(1, abs(b.value)))
             AND count(*) = 3 * (SELECT count(*) FROM ans x WHERE x.id = min(q.id))
            THEN 'answers agree' ELSE 'ANSWERS DIFFER' END AS check
FROM ans a JOIN q ON q.id = a.id
LEFT JOIN ans b ON b.id = (SELECT min(id) FROM q q2 WHERE q2.workload = q.workload)
               AND coalesce(b.channel, '<none>') = coalesce(a.channel, '<none>')
GROUP BY q.workload ORDER BY 1;

-- the paths, for the data-driven models (journey_paths is timed too)
DROP TABLE IF EXISTS bench_paths;
CREATE TEMP TABLE path_time AS SELECT clock_timestamp() AS t0;
CREATE TABLE bench_paths AS
SELECT p.* FROM (SELECT journey_agg(ts, channel, is_conv, value) AS j FROM attr_rows GROUP BY user_id) s,
                journey_paths(j, '{"lookback": "30 days"}') p;
ANALYZE bench_paths;
INSERT INTO q VALUES
 (7, 'paths', 'journey_agg + journey_paths (CREATE TABLE)', NULL),
 (8, 'Markov order 1', 'markov_agg + markov_attribution',
  $$SELECT * FROM markov_attribution((SELECT markov_agg(path, converted, value, 1) FROM bench_paths))$$),
 (9, 'Markov order 3', 'markov_agg + markov_attribution',
  $$SELECT * FROM markov_attribution((SELECT markov_agg(path, converted, value, 3) FROM bench_paths))$$),
 (10, 'Shapley', 'shapley_agg + shapley_attribution',
  $$SELECT * FROM shapley_attribution((SELECT shapley_agg(path, converted, value) FROM bench_paths))$$);
CREATE TEMP TABLE timings (id int, run int, ms float8);
INSERT INTO timings SELECT 7, 1, extract(epoch FROM clock_timestamp() - t0) * 1000 FROM path_time;
SELECT count(*) AS paths, count(*) FILTER (WHERE converted) AS converting,
       round(avg(cardinality(path)), 2) AS avg_touches,
       (SELECT count(*) FROM markov_transitions((SELECT markov_agg(path, converted, value, 3) FROM bench_paths))) AS order3_transitions
FROM bench_paths;

-- timings: three rounds, every query once per round
DO $$
DECLARE r record; t timestamptz;
BEGIN
  FOR run IN 1 .. 3 LOOP
    FOR r IN SELECT * FROM q WHERE sql IS NOT NULL ORDER BY id LOOP
      t := clock_timestamp();
      -- every column is used, so the planner cannot drop an aggregate nobody reads
      EXECUTE 'SELECT sum(length(s::text)) FROM (' || r.sql || ') s';
      INSERT INTO timings VALUES (r.id, run, extract(epoch FROM clock_timestamp() - t) * 1000);
    END LOOP;
  END LOOP;
END $$;
WITH med AS (SELECT id, percentile_disc(0.5) WITHIN GROUP (ORDER BY ms) AS ms FROM timings GROUP BY id)
SELECT q.workload, q.way, round(m.ms::numeric / 1000, 2) AS seconds,
       CASE WHEN q.way LIKE 'plain SQL%' OR q.id > 6 THEN '' ELSE
            round((SELECT m2.ms FROM med m2 JOIN q q2 USING (id) WHERE q2.workload = q.workload AND q2.way LIKE 'plain SQL%')::numeric
                  / m.ms::numeric, 2) || 'x faster than plain SQL' END AS ratio
FROM q JOIN med m USING (id) ORDER BY q.id;
DROP TABLE bench_paths;
SQL
