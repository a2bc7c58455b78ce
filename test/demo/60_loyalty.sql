-- 6. Loyalty: members per tier, who is close to the next tier, points about to expire,
-- gold growth.  The points of the programme (every tenth person of data.sql, two years of
-- history) are logged under the record of the system that gave them: CRM purchases,
-- store purchases at the till, redemptions in the CRM.  Mapped to persons through
-- person_of, a member is a person.  Tiers are by calendar year in the brand's time zone
-- (Asia/Shanghai): silver 2,000, gold 6,000, platinum 15,000 qualifying points a year; a
-- tier earned this year lasts through next year.  "Today" is 2026-07-01.
\pset footer off
\pset null '-'
SET client_min_messages = warning;
SET timezone = 'Asia/Shanghai';

\echo
\echo '== 6. Loyalty: points, tiers and "points to gold"'
\echo 'Points are earned in the CRM and at the store till, and redeemed in the CRM;'
\echo 'through person_of they add up per person. Purchase points expire after a year;'
\echo 'tiers by calendar year: silver 2,000, gold 6,000, platinum 15,000 points.'
CREATE TEMP TABLE loyalty_points AS
SELECT p.person_id AS member_id, pt.ts, pt.delta, pt.expire_after, pt.record_id
FROM points pt JOIN person_of p USING (record_id);
ANALYZE loyalty_points;
SELECT count(DISTINCT member_id) AS members,
       count(DISTINCT record_id) AS records,
       count(*) FILTER (WHERE delta > 0 AND expire_after IS NOT NULL) AS purchases,
       count(*) FILTER (WHERE delta < 0) AS redemptions,
       count(*) FILTER (WHERE record_id LIKE 'store:%') AS at_the_till
FROM loyalty_points;

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

\echo 'Members per tier today (tier_timeline), their points (points_agg ->'
\echo 'points_balance) and lifecycle stage (lifecycle_stage):'
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

\echo 'Members within 20% of the next tier on this year''s points, and what they need'
\echo '(points_to_next_tier; the offer to push is worth about that many points):'
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

\echo 'Points expiring in the next 30 days (points_expiring), by current tier:'
SELECT coalesce(t.tier_name, 'member') AS tier,
       count(*) FILTER (WHERE points_expiring(m.ledger, policy.today, '30 days') > 0) AS members_affected,
       sum(points_expiring(m.ledger, policy.today, '30 days')) AS points_expiring,
       to_char(min(points_next_expiry(m.ledger, policy.today)), 'YYYY-MM-DD HH24:MI') AS first_expiry
FROM timeline t JOIN members m USING (member_id) CROSS JOIN policy
WHERE t.valid_to IS NULL
GROUP BY t.tier, t.tier_name ORDER BY t.tier;

\echo 'Gold-or-better members at the start of each month (tier_timeline rows):'
SELECT to_char(month, 'YYYY-MM') AS month, count(t.member_id) AS gold_or_better,
       count(t.member_id) - lag(count(t.member_id)) OVER (ORDER BY month) AS change
FROM generate_series(timestamptz '2025-07-01 00:00+08', timestamptz '2026-07-01 00:00+08', interval '1 month') month
LEFT JOIN timeline t ON t.tier >= 2 AND t.valid_from <= month AND (t.valid_to IS NULL OR t.valid_to > month)
GROUP BY month ORDER BY month;
