-- Loyalty: tiers, the points ledger (every FIFO rule on hand-made ledgers),
-- tier timelines for each period, lifecycle stages, the state's text form.
SET timezone = 'UTC';
SET datestyle = 'ISO, YMD';

-- tiers: gold at 6000 with 4000 points needs 2000 more
SELECT p, tier_rank(p, '{1000,3000,6000}') AS rank,
       tier_name(p, '{1000,3000,6000}', '{silver,gold,platinum}') AS name,
       points_to_next_tier(p, '{1000,3000,6000}') AS to_next
FROM unnest('{0,999.99,1000,4000,5999.5,6000,100000}'::numeric[]) p;
SELECT tier_rank(5, '{}'), points_to_next_tier(5, '{}');
SELECT tier_rank(5, '{1,1}');
SELECT tier_rank(5, '{3,2}');
SELECT tier_rank(5, '{1,NULL}');
SELECT tier_name(5, '{1,2}', '{a}');

-- one ledger with every rule; rows in no particular order
CREATE TABLE ledger_rows (member int, ts timestamptz, delta numeric, expire_after interval);
INSERT INTO ledger_rows VALUES
 -- member 1: lots with different expiry, a tie at equal ts, over-redemption, debt repaid
 (1, '2026-03-01', -120, NULL),              -- tie: the +30 at the same time comes first
 (1, '2026-01-01', 100, '1 year'),
 (1, '2026-02-01', 50, NULL),                -- never expires
 (1, '2026-03-01', 30, '10 days'),           -- expires soonest: redeemed first
 (1, '2026-06-01', -100, NULL),              -- 60 available: debt of 40
 (1, '2026-07-01', 40, '1 month'),           -- repays the debt entirely
 (1, '2026-08-01', 25.5, '30 days'),
 -- member 2: a lot expiring exactly at as_of, and a redemption at its expiry
 (2, '2026-01-01', 70, '10 days'),
 (2, '2026-01-11', -20, NULL),
 (2, '2026-01-11', 5, NULL),
 -- member 3: NULL rows are skipped, zero changes nothing
 (3, '2026-01-01', 10, NULL),
 (3, NULL, 10, NULL),
 (3, '2026-01-02', NULL, NULL),
 (3, '2026-01-03', 0, '1 day');
CREATE TABLE ledgers AS SELECT member, points_agg(ts, delta, expire_after) AS l FROM ledger_rows GROUP BY member;

SELECT member, at, points_balance(l, at) AS balance, points_expired(l, at) AS expired,
       points_expiring(l, at, '1 year') AS expiring_1y, points_next_expiry(l, at) AS next_expiry
FROM ledgers, unnest('{2026-01-01,2026-03-01,2026-03-05,2026-03-11,2026-06-01,2026-07-01,2026-08-15,2026-08-31,2027-01-01,2027-12-31}'::timestamptz[]) at
WHERE member = 1 ORDER BY at;
SELECT at, points_balance(l, at) AS balance, points_expired(l, at) AS expired, points_next_expiry(l, at) AS next_expiry
FROM ledgers, unnest('{2026-01-10 23:59:59,2026-01-11,2026-01-12}'::timestamptz[]) at
WHERE member = 2 ORDER BY at;
SELECT points_balance(l, '2030-01-01'), l FROM ledgers WHERE member = 3;
SELECT p.* FROM ledgers l, points_lots(l.l, '2026-03-05') p WHERE member = 1;
SELECT p.* FROM ledgers l, points_lots(l.l, '2026-08-15') p WHERE member = 1;
-- (as_of, as_of + within]: a lot expiring at as_of + within counts, one at as_of does not
SELECT points_expiring(l, '2026-08-01', '30 days') AS at_end, points_expiring(l, '2026-08-31', '1 day') AS at_start
FROM ledgers WHERE member = 1;

-- the text form round-trips; the empty state too
SELECT l::text::points_ledger::text = l::text AS round_trip FROM ledgers ORDER BY member;
SELECT '{}'::points_ledger, points_balance('{}', now()), points_next_expiry('{}', now());
SELECT points_agg(ts, delta, expire_after) FROM ledger_rows WHERE false;
-- merging ledgers equals one pass
SELECT (SELECT points_agg(l) FROM ledgers)::text = (SELECT points_agg(ts, delta, expire_after) FROM ledger_rows)::text AS merged_equals_one_pass;

-- exactness: 0.1 earned ten times is 1, not 0.9999999
SELECT points_balance(points_agg('2026-01-01'::timestamptz + g * interval '1 hour', 0.1, NULL), '2027-01-01')
FROM generate_series(1, 10) g;
SELECT points_agg(now(), 0.00001, NULL);
SELECT points_agg(now(), 1e15, NULL);
SELECT points_agg(now(), 'NaN', NULL);
SELECT points_agg('2026-01-01', 1, '-1 day');
SELECT points_agg('infinity', 1, NULL);

-- tier timelines ------------------------------------------------------------
-- lifetime: tiers never fall; events in any order; as_of ends the timeline
SELECT * FROM tier_timeline('{2026-03-01,2026-01-01,2026-02-01,2026-05-01,2026-09-01}',
                            '{2500,500,600,3000,100}',
                            '{"thresholds": [1000, 3000, 6000], "names": ["silver", "gold", "platinum"],
                              "period": "lifetime", "as_of": "2026-06-01"}');
-- calendar_year in Asia/Shanghai: 23:30 on 31 Dec and 00:30 on 1 Jan local time fall in
-- different years there (in UTC both are in 2024)
SET timezone = 'Asia/Shanghai';
SELECT * FROM tier_timeline('{2024-12-31 23:30+08,2025-01-01 00:30+08}', '{1000,800}',
                            '{"thresholds": [1000, 1500], "names": ["silver", "gold"],
                              "period": "calendar_year", "as_of": "2026-06-01 00:00+08"}');
SET timezone = 'UTC';
SELECT * FROM tier_timeline('{2024-12-31 23:30+08,2025-01-01 00:30+08}', '{1000,800}',
                            '{"thresholds": [1000, 1500], "names": ["silver", "gold"],
                              "period": "calendar_year", "as_of": "2026-06-01 00:00+08"}');
-- calendar_year: rises within a year, the next year starts at last year's tier
SELECT * FROM tier_timeline('{2024-03-01,2024-11-01,2025-02-01,2025-04-01,2026-05-01}', '{500,700,200,3000,100}',
                            '{"thresholds": [1000, 3000], "names": ["silver", "gold"],
                              "period": "calendar_year", "as_of": "2027-06-01"}');
-- rolling 365 days without hold: falls the moment the oldest points leave the window
SELECT * FROM tier_timeline('{2024-03-01,2024-11-01,2025-06-01}', '{500,700,100}',
                            '{"thresholds": [1000, 3000], "names": ["silver", "gold"],
                              "period": "rolling", "window": "365 days", "as_of": "2026-06-01"}');
-- the same with a 30-day hold: falls 30 days later
SELECT * FROM tier_timeline('{2024-03-01,2024-11-01,2025-06-01}', '{500,700,100}',
                            '{"thresholds": [1000, 3000], "names": ["silver", "gold"],
                              "period": "rolling", "window": "365 days", "hold": "30 days", "as_of": "2026-06-01"}');
-- hold 30 days, window 100 days: gold loses support on 11 Apr (1200 points left: silver),
-- falls straight to silver on 11 May; silver loses support on 12 May, falls to 0 on 11 Jun
SELECT * FROM tier_timeline('{2025-01-01,2025-02-01,2025-03-01}', '{3000,500,700}',
                            '{"thresholds": [1000, 3000], "names": ["silver", "gold"],
                              "period": "rolling", "window": "100 days", "hold": "30 days", "as_of": "2025-12-31"}');
-- hold 90 days: by the deadline (10 Jul) nothing is supported any more: straight to 0
SELECT * FROM tier_timeline('{2025-01-01,2025-02-01,2025-03-01}', '{3000,500,700}',
                            '{"thresholds": [1000, 3000], "names": ["silver", "gold"],
                              "period": "rolling", "window": "100 days", "hold": "90 days", "as_of": "2025-12-31"}');
-- no names: tier_name is NULL; an event after as_of is ignored; no events: no rows
SELECT * FROM tier_timeline('{2025-01-01,2027-01-01}', '{5000,1}', '{"thresholds": [1000], "as_of": "2026-01-01"}');
SELECT count(*) FROM tier_timeline('{}', '{}', '{"thresholds": [1000]}');

-- lifecycle -------------------------------------------------------------------
SELECT first_ts, last_ts,
       lifecycle_stage(first_ts, last_ts, '2026-06-01', '30 days', '90 days', '365 days')
FROM (VALUES ('2026-05-15'::timestamptz, '2026-05-20'::timestamptz),
             ('2025-01-01', '2026-05-01'), ('2025-01-01', '2025-12-01'), ('2024-01-01', '2025-01-01')) v(first_ts, last_ts);
