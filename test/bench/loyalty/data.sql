-- test/bench/loyalty/data.sql — points ledgers for the loyalty benchmark.
--   psql -v scale=1 -f data.sql: 1,000,000 members x ~30 rows (scale 0.1: 100,000 members)
-- Deterministic: every draw is a hash of (member, row, salt) through hashint8extended.
-- Rows: 72% earnings (10-1000 points, some with .5; 80% expire after a year, 10% after
-- six months, 10% never), 28% redemptions (50-1500 points, sometimes more than the
-- balance); two and a half years of history, with ties at equal times.
SET client_min_messages = warning;
SET synchronous_commit = off;
SET max_parallel_workers_per_gather = 2;

DROP TABLE IF EXISTS loyalty_events;
CREATE FUNCTION pg_temp.h(m bigint, k bigint, salt int) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT hashint8extended(m * 64 + k, salt) & 2147483647 $$;

CREATE UNLOGGED TABLE loyalty_events AS
SELECT m::int AS member_id,
       timestamptz '2024-01-01 00:00+00'
         + (pg_temp.h(m, k, 1) % 900) * interval '1 day'
         + (pg_temp.h(m, k, 2) % 4) * interval '6 hours' AS ts,
       CASE WHEN pg_temp.h(m, k, 3) % 100 < 72
            THEN (10 + pg_temp.h(m, k, 4) % 991)::numeric + (pg_temp.h(m, k, 5) % 4 = 0)::int * 0.5
            ELSE -(50 + pg_temp.h(m, k, 4) % 1451)::numeric END AS delta,
       CASE WHEN pg_temp.h(m, k, 3) % 100 >= 72 THEN NULL
            WHEN pg_temp.h(m, k, 6) % 10 < 8 THEN interval '1 year'
            WHEN pg_temp.h(m, k, 6) % 10 = 8 THEN interval '6 months'
            ELSE NULL END AS expire_after
FROM generate_series(1, (1000000 * :scale)::bigint) m, generate_series(1, 40) k
WHERE k <= 20 + pg_temp.h(m, 0, 7) % 21;
VACUUM ANALYZE loyalty_events;
