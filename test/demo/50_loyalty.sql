-- Loyalty: members per tier, who is close to the next tier, points about to expire, gold growth
--
-- A points programme for every tenth person of the demo (about 5,000 members), two years
-- of history generated here, deterministically (hashes of member and row, no random()):
-- purchases earn points that expire after a year, a welcome bonus never expires, and
-- members redeem from time to time (sometimes more than they have: the debt is repaid by
-- later purchases).  Tiers are by calendar year in the brand's time zone (Asia/Shanghai):
-- silver 2,000, gold 6,000, platinum 15,000 qualifying points a year; a tier earned this
-- year lasts through next year.  "Today" is 2026-07-01.
\pset footer off
\pset null '-'
SET client_min_messages = warning;
SET timezone = 'Asia/Shanghai';

CREATE OR REPLACE FUNCTION pg_temp.u(key int, salt int) RETURNS float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT (hashint4extended(key, salt) & 4294967295)::float8 / 4294967296 $$;

DROP TABLE IF EXISTS loyalty_points;
CREATE TABLE loyalty_points (member_id int, ts timestamptz, delta numeric, expire_after interval);
WITH m AS (
    SELECT DISTINCT member_id FROM member_records WHERE member_id % 10 = 0
), purchases AS (
    -- 2 to ~60 purchases a member: a few heavy buyers, many light ones
    SELECT m.member_id, k,
           timestamptz '2024-07-01 00:00+08'
             + floor(pg_temp.u(m.member_id * 64 + k, 2) * 730) * interval '1 day'
             + floor(pg_temp.u(m.member_id * 64 + k, 3) * 14 + 9) * interval '1 hour' AS ts,
           round(50 + power(pg_temp.u(m.member_id * 64 + k, 4), 3) * 3000)::numeric AS pts
    FROM m, generate_series(1, 60) k
    WHERE k <= 2 + floor(power(pg_temp.u(m.member_id, 1), 2) * 58)
)
INSERT INTO loyalty_points
SELECT member_id, ts, pts, interval '1 year' FROM purchases
UNION ALL   -- a redemption after one purchase in four, of 100 to 2,500 points
SELECT member_id, ts + floor(1 + pg_temp.u(member_id * 64 + k, 5) * 60) * interval '1 day',
       -round(100 + pg_temp.u(member_id * 64 + k, 6) * 2400), NULL
FROM purchases WHERE pg_temp.u(member_id * 64 + k, 7) < 0.25
UNION ALL   -- the welcome bonus, which never expires
SELECT member_id, min(ts) - interval '1 hour', 200, NULL FROM purchases GROUP BY member_id;
ANALYZE loyalty_points;

-- one ledger and one tier timeline per member
CREATE TEMP TABLE policy AS
SELECT '{"thresholds": [2000, 6000, 15000], "names": ["silver", "gold", "platinum"],
         "period": "calendar_year", "as_of": "2026-07-01 00:00+08"}'::jsonb AS p,
       '{2000,6000,15000}'::numeric[] AS th, timestamptz '2026-07-01 00:00+08' AS today;
CREATE TEMP TABLE members AS
SELECT member_id, points_agg(ts, delta, expire_after) AS ledger,
       -- qualifying points: purchases only (bonus and redemptions do not qualify)
       array_agg(ts) FILTER (WHERE delta > 0 AND expire_after IS NOT NULL) AS q_ts,
       array_agg(delta) FILTER (WHERE delta > 0 AND expire_after IS NOT NULL) AS q_pts,
       coalesce(sum(delta) FILTER (WHERE delta > 0 AND expire_after IS NOT NULL
                                   AND ts >= date_trunc('year', (SELECT today FROM policy))), 0) AS ytd,
       min(ts) AS first_ts, max(ts) AS last_ts
FROM loyalty_points WHERE ts < (SELECT today FROM policy) GROUP BY member_id;
CREATE TEMP TABLE timeline AS
SELECT m.member_id, t.* FROM members m, policy, tier_timeline(m.q_ts, m.q_pts, policy.p) t;

\echo
\echo '== 1. Members per tier today (tier_timeline, calendar years in Asia/Shanghai), with'
\echo '      their points (points_agg -> points_balance) and lifecycle stage (lifecycle_stage):'
SELECT coalesce(t.tier_name, 'member') AS tier, count(*) AS members,
       round(avg(points_balance(m.ledger, policy.today))) AS avg_balance,
       count(*) FILTER (WHERE points_balance(m.ledger, policy.today) < 0) AS in_debt,
       count(*) FILTER (WHERE lifecycle_stage(m.first_ts, m.last_ts, policy.today,
                                              '90 days', '90 days', '365 days') = 'active') AS active,
       count(*) FILTER (WHERE lifecycle_stage(m.first_ts, m.last_ts, policy.today,
                                              '90 days', '90 days', '365 days') = 'dormant') AS dormant
FROM timeline t JOIN members m USING (member_id) CROSS JOIN policy
WHERE t.valid_to IS NULL
GROUP BY t.tier, t.tier_name ORDER BY t.tier;

\echo
\echo '== 2. Members within 20% of the next tier on this year''s points, and what they need'
\echo '      (points_to_next_tier; the offer to push is worth about that many points):'
WITH close AS (
    SELECT m.member_id, t.tier AS current_tier, m.ytd,
           points_to_next_tier(m.ytd, policy.th) AS need,
           policy.th[tier_rank(m.ytd, policy.th) + 1] AS next_threshold,
           (ARRAY['silver', 'gold', 'platinum'])[tier_rank(m.ytd, policy.th) + 1] AS next_tier
    FROM members m JOIN timeline t ON t.member_id = m.member_id AND t.valid_to IS NULL
    CROSS JOIN policy
)
SELECT next_tier, count(*) AS members, sum(need) AS points_needed,
       round(avg(need)) AS avg_needed, min(need) AS closest
FROM close
WHERE need IS NOT NULL AND need <= 0.2 * next_threshold
  AND tier_rank(ytd + need, (SELECT th FROM policy)) > current_tier   -- a real upgrade
GROUP BY next_tier ORDER BY min(next_threshold);

\echo
\echo '== 3. Points expiring in the next 30 days (points_expiring), by current tier:'
SELECT coalesce(t.tier_name, 'member') AS tier,
       count(*) FILTER (WHERE points_expiring(m.ledger, policy.today, '30 days') > 0) AS members_affected,
       sum(points_expiring(m.ledger, policy.today, '30 days')) AS points_expiring,
       min(points_next_expiry(m.ledger, policy.today)) AS first_expiry
FROM timeline t JOIN members m USING (member_id) CROSS JOIN policy
WHERE t.valid_to IS NULL
GROUP BY t.tier, t.tier_name ORDER BY t.tier;

\echo
\echo '== 4. Gold-or-better members at the start of each month (tier_timeline rows):'
SELECT to_char(month, 'YYYY-MM') AS month, count(t.member_id) AS gold_or_better,
       count(t.member_id) - lag(count(t.member_id)) OVER (ORDER BY month) AS change
FROM generate_series(timestamptz '2025-07-01 00:00+08', timestamptz '2026-07-01 00:00+08', interval '1 month') month
LEFT JOIN timeline t ON t.tier >= 2 AND t.valid_from <= month AND (t.valid_to IS NULL OR t.valid_to > month)
GROUP BY month ORDER BY month;
