#!/usr/bin/env bash
# Loyalty benchmark: for every member, the points balance and the points expiring in
# the next 30 days (FIFO ledger with expiry and debt), and the current calendar-year
# tier — persona against plain SQL, same data, same run, answers checked equal.
#   SCALE=1 (1,000,000 members x ~30 rows; default), SCALE=0.05 for 50,000 members.
#   RUNS=3 (median of RUNS runs, persona and SQL interleaved).
#   PEER=0 times persona alone (the SQL FIFO replay takes ~30 minutes a run at SCALE=1).
set -euo pipefail
. "$(dirname "$0")/../common.sh"
bench_setup test/bench/loyalty/data.sql
RUNS=${RUNS:-3}
PEER=${PEER:-1}
psql -X -q -v ON_ERROR_STOP=1 -v runs="$RUNS" -v peer="$PEER" <<'SQL'
\pset footer off
SET client_min_messages = warning;
SET timezone = 'UTC';
SET work_mem = '256MB';

-- The plain-SQL peer of points_agg: number each member's events in the order the
-- rules apply them, then a recursive CTE replays every member's ledger one event per
-- step; the lots are arrays kept in redemption order (expiry, then earning time).
-- Each step drops lots expired at the event, then either repays debt and adds a lot,
-- or takes the redemption from the lots in order (running sums) and books the rest as
-- debt.  plpgsql only sequences the statements (temp table, index, query).
CREATE OR REPLACE FUNCTION sql_fifo(as_of timestamptz)
RETURNS TABLE (member_id int, balance numeric, expiring numeric)
LANGUAGE plpgsql SET enable_hashjoin = off SET enable_mergejoin = off AS $f$
BEGIN
  DROP TABLE IF EXISTS pg_temp.ev;
  CREATE TEMP TABLE ev AS
  SELECT e.member_id, row_number() OVER (PARTITION BY e.member_id
                                         ORDER BY e.ts, e.delta < 0, e.ts + e.expire_after) AS k,
         e.ts, e.delta, e.ts + e.expire_after AS exp
  FROM loyalty_events e WHERE e.ts <= as_of;
  CREATE INDEX ON ev (member_id, k);
  ANALYZE ev;
  RETURN QUERY
  WITH RECURSIVE walk AS (
    SELECT c.member_id, 0::bigint AS k, c.n, '{}'::timestamptz[] AS exps, '{}'::timestamptz[] AS ats,
           '{}'::numeric[] AS rems, 0::numeric AS debt
    FROM (SELECT ev.member_id, count(*) AS n FROM ev GROUP BY ev.member_id) c
    UNION ALL
    SELECT w.member_id, e.k, w.n, s.exps, s.ats, s.rems, s.debt
    FROM walk w JOIN ev e ON e.member_id = w.member_id AND e.k = w.k + 1
    CROSS JOIN LATERAL (
      SELECT coalesce(array_agg(x.exp ORDER BY x.o, x.at) FILTER (WHERE x.r > 0), '{}') AS exps,
             coalesce(array_agg(x.at ORDER BY x.o, x.at) FILTER (WHERE x.r > 0), '{}') AS ats,
             coalesce(array_agg(x.r ORDER BY x.o, x.at) FILTER (WHERE x.r > 0), '{}') AS rems,
             CASE WHEN e.delta > 0 THEN w.debt - least(w.debt, e.delta)
                  ELSE w.debt + greatest(0, -e.delta - coalesce(sum(x.r0), 0)) END AS debt
      FROM (
        SELECT l.exp, l.at, coalesce(l.exp, 'infinity') AS o, l.rem AS r0,
               CASE WHEN e.delta > 0 THEN l.rem
                    ELSE least(l.rem, greatest(0, sum(l.rem) OVER (ORDER BY coalesce(l.exp, 'infinity'), l.at
                                                                  ROWS UNBOUNDED PRECEDING) + e.delta)) END AS r
        FROM unnest(w.exps, w.ats, w.rems) l(exp, at, rem)
        WHERE l.exp IS NULL OR l.exp > e.ts
        UNION ALL
        SELECT e.exp, e.ts, coalesce(e.exp, 'infinity'), 0, e.delta - least(w.debt, e.delta)
        WHERE e.delta > 0
      ) x
    ) s
  )
  SELECT w.member_id,
         coalesce((SELECT sum(l.rem) FROM unnest(w.exps, w.rems) l(exp, rem) WHERE l.exp IS NULL OR l.exp > as_of), 0) - w.debt,
         coalesce((SELECT sum(l.rem) FROM unnest(w.exps, w.rems) l(exp, rem)
                   WHERE l.exp > as_of AND l.exp <= as_of + interval '30 days'), 0)
  FROM walk w WHERE w.k = w.n;
END $f$;

CREATE TEMP TABLE params AS
SELECT timestamptz '2026-06-15 00:00+00' AS as_of,
       '{"thresholds": [2000, 6000, 15000], "names": ["silver", "gold", "platinum"], "period": "calendar_year", "as_of": "2026-06-15 00:00+00"}'::jsonb AS policy;

\set q_persona_ledger 'SELECT member_id, points_balance(l, as_of) AS balance, points_expiring(l, as_of, interval ''30 days'') AS expiring FROM (SELECT member_id, points_agg(ts, delta, expire_after) AS l FROM loyalty_events GROUP BY member_id) g, params'
\set q_sql_ledger 'SELECT f.* FROM params, sql_fifo(params.as_of) f'
\set q_persona_tier 'SELECT member_id, t.tier FROM (SELECT member_id, array_agg(ts) AS ts, array_agg(delta) AS pts FROM loyalty_events WHERE delta > 0 GROUP BY member_id) m, params, tier_timeline(m.ts, m.pts, params.policy) t WHERE t.valid_to IS NULL'
\set q_sql_tier 'SELECT member_id, greatest((prev >= 2000)::int + (prev >= 6000)::int + (prev >= 15000)::int, (cur >= 2000)::int + (cur >= 6000)::int + (cur >= 15000)::int) AS tier FROM (SELECT member_id, coalesce(sum(delta) FILTER (WHERE ts >= date_trunc(''year'', as_of)), 0) AS cur, coalesce(sum(delta) FILTER (WHERE ts >= date_trunc(''year'', as_of) - interval ''1 year'' AND ts < date_trunc(''year'', as_of)), 0) AS prev FROM loyalty_events, params WHERE delta > 0 AND ts <= as_of GROUP BY member_id) s'

-- the answers, checked equal
CREATE TEMP TABLE a_persona AS :q_persona_ledger;
\if :peer
CREATE TEMP TABLE a_sql AS :q_sql_ledger;
\else
CREATE TEMP TABLE a_sql AS TABLE a_persona;
\echo 'PEER=0: the SQL FIFO replay is skipped; its check below is vacuous'
\endif
CREATE TEMP TABLE t_persona AS :q_persona_tier;
CREATE TEMP TABLE t_sql AS :q_sql_tier;
SELECT (SELECT count(*) FROM a_persona) AS members,
       (SELECT count(*) FROM loyalty_events) AS ledger_rows,
       (SELECT count(*) FROM a_persona WHERE balance < 0) AS in_debt,
       (SELECT count(*) FROM a_persona WHERE expiring > 0) AS with_points_expiring,
       (SELECT string_agg(tier || ':' || n, ' ' ORDER BY tier) FROM (SELECT tier, count(*) n FROM t_persona GROUP BY tier) x) AS members_per_tier;
SELECT CASE WHEN (SELECT count(*) FROM a_persona) = (SELECT count(*) FROM a_sql)
             AND NOT EXISTS (SELECT * FROM a_persona EXCEPT SELECT * FROM a_sql)
            THEN 'balances and expiring points agree' ELSE 'BALANCES DIFFER' END AS check_ledger,
       CASE WHEN (SELECT count(*) FROM t_persona) = (SELECT count(*) FROM t_sql)
             AND NOT EXISTS (SELECT * FROM t_persona EXCEPT SELECT * FROM t_sql)
            THEN 'tiers agree' ELSE 'TIERS DIFFER' END AS check_tier;

-- timings: persona and SQL interleaved, median of :runs
SELECT format('SELECT count(*) FROM (%s) q', :'q_persona_ledger') AS c_pl,
       format('SELECT count(*) FROM (%s) q', :'q_sql_ledger') AS c_sl,
       format('SELECT count(*) FROM (%s) q', :'q_persona_tier') AS c_pt,
       format('SELECT count(*) FROM (%s) q', :'q_sql_tier') AS c_st \gset
SELECT set_config('bench.c_pl', :'c_pl', false), set_config('bench.c_sl', :'c_sl', false),
       set_config('bench.c_pt', :'c_pt', false), set_config('bench.c_st', :'c_st', false),
       set_config('bench.runs', :'runs', false), set_config('bench.peer', :'peer', false) \gset
CREATE TEMP TABLE raw (workload text, way text, run int, ms float8);
DO $$
DECLARE
  t timestamptz;
BEGIN
  FOR i IN 1 .. current_setting('bench.runs')::int LOOP
    t := clock_timestamp(); EXECUTE current_setting('bench.c_pl');
    INSERT INTO raw VALUES ('balance + expiring (30 days)', 'persona points_agg + accessors', i, extract(epoch FROM clock_timestamp() - t) * 1000);
    IF current_setting('bench.peer') = '1' THEN
      t := clock_timestamp(); EXECUTE current_setting('bench.c_sl');
      INSERT INTO raw VALUES ('balance + expiring (30 days)', 'plain SQL recursive FIFO replay', i, extract(epoch FROM clock_timestamp() - t) * 1000);
    END IF;
    t := clock_timestamp(); EXECUTE current_setting('bench.c_pt');
    INSERT INTO raw VALUES ('current tier (calendar year)', 'persona tier_timeline', i, extract(epoch FROM clock_timestamp() - t) * 1000);
    t := clock_timestamp(); EXECUTE current_setting('bench.c_st');
    INSERT INTO raw VALUES ('current tier (calendar year)', 'plain SQL yearly sums', i, extract(epoch FROM clock_timestamp() - t) * 1000);
  END LOOP;
END $$;
SELECT workload, way, round((percentile_disc(0.5) WITHIN GROUP (ORDER BY ms))::numeric, 1) AS median_ms,
       round((percentile_disc(0.5) WITHIN GROUP (ORDER BY ms) /
              min(percentile_disc(0.5) WITHIN GROUP (ORDER BY ms)) OVER (PARTITION BY workload))::numeric, 2) AS x_fastest
FROM raw GROUP BY workload, way ORDER BY workload, median_ms;
DROP FUNCTION sql_fifo(timestamptz);
SQL
echo "SCALE=$SCALE RUNS=$RUNS PEER=$PEER; $(machine)"
