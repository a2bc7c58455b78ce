#!/usr/bin/env bash
# Attribution benchmark on the shared event data (test/bench/events/data.sql):
# touches are the rows with a channel (except pay), conversions are the pays
# worth their revenue, 30-day lookback.  Last touch and linear over all users
# with attribution_agg and with journey_agg + attribute, against the best
# plain-SQL formulation (window functions over the journey; conversions joined
# to their touches); answers are checked to match.  Then Markov (order 1 and 3)
# and Shapley over all paths.  Each query runs 3 times, interleaved; medians.
# Then, when ClickHouse is available (test/bench/events/clickhouse.sh), last
# touch and linear over the same events written with ClickHouse arrays (median
# of 3 runs, after the PostgreSQL runs), checked against attribution_agg.
#   SCALE=1 (1 million users, ~20 million events; default) or SCALE=0.1;
#   NO_CLICKHOUSE=1 skips ClickHouse.
set -euo pipefail
. "$(dirname "$0")/../common.sh"
. "$(dirname "$0")/clickhouse.sh"
bench_setup test/bench/events/data.sql
say "machine: $(machine)"

have_ch=0
if [ -z "${NO_CLICKHOUSE:-}" ] && ch_start; then
	say "loading the events into ClickHouse $(ch_version) ..."
	t0=$(date +%s)
	say "ClickHouse: $(ch_load_events) rows in $(( $(date +%s) - t0 )) s"
	have_ch=1
fi
psql -X -q -v ON_ERROR_STOP=1 <<'SQL'
\pset footer off
SET client_min_messages = warning;
SET work_mem = '256MB';

-- the journey rows, as every formulation reads them: touches (a channel,
-- not a pay) and pays.  The revenue is cast where there is one (numeric to
-- float8 goes through text: casting coalesce(revenue, 0) instead costs every
-- touch a cast of 0), and a row with a channel passes the filter without a
-- text comparison.
CREATE OR REPLACE VIEW attr_rows AS
SELECT user_id, ts, CASE WHEN event = 'pay' THEN NULL ELSE channel END AS channel,
       event = 'pay' AS is_conv, coalesce(revenue::float8, 0) AS value
FROM events WHERE channel IS NOT NULL OR event = 'pay';

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

-- attribution_agg's answers and medians, kept for the ClickHouse comparison
DROP TABLE IF EXISTS attr_bench_pg;
CREATE TABLE attr_bench_pg AS
SELECT q.workload, a.channel, a.conversions, a.value,
       (SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY ms) FROM timings t WHERE t.id = q.id) AS ms
FROM q JOIN ans a USING (id) WHERE q.way = 'persona attribution_agg';
SQL

[ $have_ch = 1 ] || exit 0

# ClickHouse with arrays.  Per user (only users with a pay), the journey rows
# as one array of (ts, is_conv, channel, value) tuples sorted like the journey
# (time; at equal times touches before conversions, then channel, then value),
# split into parallel arrays; each conversion i is ARRAY JOINed.  Last touch:
# the row before i when it is a touch within the lookback.  Linear: the touches
# k of i's segment (as many conversions before k as before i: cs[k] = cs[i] - 1)
# with t[k] > t[i] - lookback share 1 and the value; an empty path credits NULL.
CH_J="SELECT arraySort(groupArray((toUInt32(ts), event = 'pay', if(event = 'pay', '', ifNull(channel, '')), ifNull(revenue, 0)))) AS s,
       arrayMap(x -> x.1, s) AS t, arrayMap(x -> x.2, s) AS c, arrayMap(x -> x.3, s) AS ch, arrayMap(x -> x.4, s) AS v,
       arrayCumSum(c) AS cs
FROM events
WHERE (event = 'pay' OR channel IS NOT NULL) AND user_id IN (SELECT user_id FROM events WHERE event = 'pay')
GROUP BY user_id"
LOOKBACK=$((30 * 86400))
declare -A CH
CH[last touch]="SELECT channel, count() AS conversions, sum(val) AS value
FROM (SELECT if(i > 1 AND c[i - 1] = 0 AND t[i - 1] > t[i] - $LOOKBACK, ch[i - 1], NULL) AS channel, v[i] AS val
      FROM ($CH_J) ARRAY JOIN arrayFilter(k -> c[k] = 1, arrayEnumerate(c)) AS i)
GROUP BY channel ORDER BY channel"
# (18.16 does not pass a subquery's column that is only used inside a lambda,
# so t, c and cs are also given to arrayFilter as arrays)
CH[linear]="SELECT if(j = 0, NULL, ch[j]) AS channel, sum(1 / n) AS conversions, sum(val / n) AS value
FROM (SELECT ch, v[i] AS val,
             arrayFilter((k, tk, ck, sk) -> ck = 0 AND sk = cs[i] - 1 AND tk > t[i] - $LOOKBACK, arrayEnumerate(c), t, c, cs) AS p,
             greatest(length(p), 1) AS n
      FROM ($CH_J) ARRAY JOIN arrayFilter(k -> c[k] = 1, arrayEnumerate(c)) AS i)
ARRAY JOIN if(empty(p), [toUInt32(0)], p) AS j
GROUP BY channel ORDER BY channel"

psql -X -q -v ON_ERROR_STOP=1 -c "SET client_min_messages = warning" -c "DROP TABLE IF EXISTS attr_bench_ch" \
	-c "CREATE TABLE attr_bench_ch (workload text, channel text, conversions float8, value float8, ms float8)"
say "ClickHouse: answers and timing (median of 3) ..."
for w in "last touch" "linear"; do
	ch_query "${CH[$w]}" | sed "s/^/$w\t/" \
		| psql -X -q -v ON_ERROR_STOP=1 -c "\\copy attr_bench_ch (workload, channel, conversions, value) FROM STDIN"
	ms=$(ch_median "${CH[$w]}") || ms=NULL
	psql -X -q -v ON_ERROR_STOP=1 -c "UPDATE attr_bench_ch SET ms = $ms WHERE workload = '$w'"
done
psql -X -q -v ON_ERROR_STOP=1 <<'SQL'
\pset footer off
-- answers: ClickHouse's credits per channel equal attribution_agg's (1e-6 relative)
SELECT workload,
       (SELECT round(max(ms)::numeric / 1000, 2) FROM attr_bench_pg p WHERE p.workload = w.workload) AS "attribution_agg s",
       (SELECT round(max(ms)::numeric / 1000, 2) FROM attr_bench_ch c WHERE c.workload = w.workload) AS "ClickHouse s",
       round(((SELECT max(ms) FROM attr_bench_pg p WHERE p.workload = w.workload)
              / (SELECT max(ms) FROM attr_bench_ch c WHERE c.workload = w.workload))::numeric, 2) AS "attribution_agg / ClickHouse",
       CASE WHEN (SELECT count(*) > 0
                         AND bool_and(coalesce(abs(p.conversions - c.conversions) <= 1e-6 * greatest(1, abs(p.conversions))
                                               AND abs(p.value - c.value) <= 1e-6 * greatest(1, abs(p.value)), false))
                  FROM (SELECT * FROM attr_bench_pg WHERE workload = w.workload) p
                  FULL JOIN (SELECT * FROM attr_bench_ch WHERE workload = w.workload) c
                    ON coalesce(p.channel, '<none>') = coalesce(c.channel, '<none>'))
            THEN 'answers agree' ELSE 'ANSWERS DIFFER' END AS "check vs attribution_agg"
FROM (VALUES ('last touch'), ('linear')) w (workload) ORDER BY 1;
SQL
say "ClickHouse $(ch_version), default settings (max_threads = cores); PostgreSQL work_mem = 256MB"
