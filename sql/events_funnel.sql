-- Funnels, retention and sequences on hand-made event lists.  Each user is
-- one case; the comment on it gives the answer and why.
SET TIME ZONE 'UTC';
CREATE TABLE ev (u bigint, ts timestamptz, e text);
INSERT INTO ev VALUES
  -- 1: a, b 1 h later, c 2 h after a: level 3 within 1 day; in a 1 h window c is late: 2
  (1, '2026-01-01 00:00', 'a'), (1, '2026-01-01 01:00', 'b'), (1, '2026-01-01 02:00', 'c'),
  -- 2: b exactly 1 h after a: it counts in a 1 h window (level 2 of 3)
  (2, '2026-01-01 00:00', 'a'), (2, '2026-01-01 01:00', 'b'),
  -- 3: c before b: level 2 in default mode; strict_order stops at c: 1
  (3, '2026-01-01 00:00', 'a'), (3, '2026-01-01 00:10', 'c'), (3, '2026-01-01 00:20', 'b'),
  -- 4: a, b, b, c: default 3; strict_deduplication stops at the second b: 2
  (4, '2026-01-01 00:00', 'a'), (4, '2026-01-01 00:10', 'b'), (4, '2026-01-01 00:20', 'b'), (4, '2026-01-01 00:30', 'c'),
  -- 5: a, x (matches nothing), b, c: default 3; strict_order stops at x: 1
  (5, '2026-01-01 00:00', 'a'), (5, '2026-01-01 00:05', 'x'), (5, '2026-01-01 00:10', 'b'), (5, '2026-01-01 00:20', 'c'),
  -- 6: a, then b and c at the same instant: default 3 (b sorts before c: mask 2 < 4);
  --    strict_increase: c is not after b: 2
  (6, '2026-01-01 00:00', 'a'), (6, '2026-01-01 00:10', 'c'), (6, '2026-01-01 00:10', 'b'),
  -- 7: a and b at the same instant, listed b first: a sorts first (mask 1 < 2): 2;
  --    strict_increase: 1
  (7, '2026-01-01 00:00', 'b'), (7, '2026-01-01 00:00', 'a'),
  -- 8: no a: level 0
  (8, '2026-01-01 00:00', 'b'), (8, '2026-01-01 00:10', 'c'),
  -- 9: an old a, then a fresh a, b, c: the latest a starts the chain that completes in 1 h: 3
  (9, '2026-01-01 00:00', 'a'), (9, '2026-01-05 00:00', 'a'), (9, '2026-01-05 00:30', 'b'), (9, '2026-01-05 00:40', 'c'),
  -- 10: x, c before any a, then a, b: strict_order skips events before the first a: 2
  (10, '2026-01-01 00:00', 'x'), (10, '2026-01-01 00:01', 'c'), (10, '2026-01-01 00:02', 'a'), (10, '2026-01-01 00:03', 'b'),
  -- 11: a, b, b at the same instant as the first b, c: dedup stops at the 2nd b: 2;
  --     strict_order + strict_increase: a repeated b neither stops nor breaks the chain: 3
  (11, '2026-01-01 00:00', 'a'), (11, '2026-01-01 00:10', 'b'), (11, '2026-01-01 00:10', 'b'), (11, '2026-01-01 00:20', 'c');
-- 12: one event matching a and b (e = 'ab'): applied as b then a, so it alone is level 1;
--     a second 'ab' 5 min later extends the first to level 2
INSERT INTO ev VALUES (12, '2026-01-01 00:00', 'ab'), (12, '2026-01-01 00:05', 'ab');
-- 13: a row with a NULL ts is skipped; NULL conditions are false: a, (NULL ts b),
--     (NULL event: matches nothing), b: 2; strict_order stops at the NULL event: 1
INSERT INTO ev VALUES (13, '2026-01-01 00:00', 'a'), (13, NULL, 'b'), (13, '2026-01-01 00:30', NULL), (13, '2026-01-01 00:40', 'b');

CREATE VIEW f AS
SELECT u,
  window_funnel('1 hour', ts, e IN ('a', 'ab'), e IN ('b', 'ab'), e = 'c') AS w1h,
  window_funnel('1 day', ts, e IN ('a', 'ab'), e IN ('b', 'ab'), e = 'c') AS w1d,
  window_funnel('1 day', 'strict_order', ts, e IN ('a', 'ab'), e IN ('b', 'ab'), e = 'c') AS s_order,
  window_funnel('1 day', 'strict_deduplication', ts, e IN ('a', 'ab'), e IN ('b', 'ab'), e = 'c') AS s_dedup,
  window_funnel('1 day', 'strict_increase', ts, e IN ('a', 'ab'), e IN ('b', 'ab'), e = 'c') AS s_incr,
  window_funnel('1 day', 'strict_order, strict_increase', ts, e IN ('a', 'ab'), e IN ('b', 'ab'), e = 'c') AS s_ord_incr,
  window_funnel('1 day', 'strict_deduplication,strict_order,strict_increase', ts, e IN ('a', 'ab'), e IN ('b', 'ab'), e = 'c') AS s_all
FROM ev GROUP BY u;
SELECT * FROM f ORDER BY u;

-- the VARIADIC array form gives the same levels as separate arguments
SELECT u, window_funnel('1 day', ts, VARIADIC ARRAY[e IN ('a', 'ab'), e IN ('b', 'ab'), e = 'c']) = w1d AS same
FROM ev JOIN f USING (u) GROUP BY u, w1d ORDER BY u;

-- the path: step times of the first chain that reached the level
SELECT u, window_funnel_path('1 day', ts, e IN ('a', 'ab'), e IN ('b', 'ab'), e = 'c') AS path,
       window_funnel_path('1 day', 'strict_order', ts, e IN ('a', 'ab'), e IN ('b', 'ab'), e = 'c') AS path_strict_order
FROM ev WHERE u IN (1, 3, 9, 12) GROUP BY u ORDER BY u;
-- user 9 with a 5-day window: the Jan 5 a restarts level 1 before b arrives: the chain starts Jan 5
SELECT window_funnel_path('5 days', ts, e = 'a', e = 'b', e = 'c') FROM ev WHERE u = 9;
-- two chains reach level 2 (a 00:00 -> b 01:00, a 10:00 -> b 11:00): the path is the first
SELECT window_funnel_path('1 day', ts, e = 'a', e = 'b', e = 'c')
FROM (VALUES ('2026-01-01 00:00'::timestamptz, 'a'), ('2026-01-01 01:00', 'b'),
             ('2026-01-01 10:00', 'a'), ('2026-01-01 11:00', 'b')) v(ts, e);
-- time to convert a -> c from the path
SELECT u, p[3] - p[1] AS a_to_c FROM (
  SELECT u, window_funnel_path('1 day', ts, e = 'a', e = 'b', e = 'c') p FROM ev GROUP BY u) s
WHERE cardinality(p) = 3 ORDER BY u;

-- counts across users: users with level >= 1, 2, 3
SELECT funnel_counts_agg(w1d, 3) AS by_level, funnel_counts_agg(w1h, 3) AS by_level_1h FROM f;
SELECT window_funnel_counts(u, '1 day', ts, e IN ('a', 'ab'), e IN ('b', 'ab'), e = 'c') AS one_pass,
       window_funnel_counts(u, '1 hour', ts, e IN ('a', 'ab'), e IN ('b', 'ab'), e = 'c') AS one_pass_1h,
       window_funnel_counts(u, '1 day', 'strict_order', ts, e IN ('a', 'ab'), e IN ('b', 'ab'), e = 'c') AS strict_order
FROM ev;
SELECT funnel_counts_agg(s_order, 3) AS strict_order_two_level FROM f;
-- with an outer GROUP BY: users 1-6 and 7-13
SELECT u <= 6 AS low, window_funnel_counts(u, '1 day', ts, e IN ('a', 'ab'), e IN ('b', 'ab'), e = 'c')
FROM ev GROUP BY 1 ORDER BY 1;
-- no rows: NULL
SELECT window_funnel_counts(u, '1 day', ts, e = 'a') FROM ev WHERE false;
SELECT funnel_counts_agg(1, 3) FROM ev WHERE false;
SELECT window_funnel('1 day', ts, e = 'a') FROM ev WHERE false;
-- levels above steps count in every element; NULL levels are skipped
SELECT funnel_counts_agg(l, 2) FROM (VALUES (0), (1), (2), (5), (NULL)) v(l);

-- funnel_counts_state: text and binary forms
SELECT '3:{10,6,2}'::funnel_counts_state, '1:{0}'::funnel_counts_state;
SELECT funnel_counts_state_recv_check FROM (
  SELECT (funnel_counts_state_send('3:{10,6,2}'::funnel_counts_state) = '\x00000003000000000000000a00000000000000060000000000000002'::bytea) AS funnel_counts_state_recv_check) s;

-- retention: element 1 = a held; element i = a and condition i held
SELECT u, retention(e = 'a', e = 'b', e = 'c') FROM ev WHERE u IN (1, 2, 8) GROUP BY u ORDER BY u;
SELECT retention_counts(u, e = 'a', e = 'b', e = 'c') AS one_pass,
       (SELECT array_agg(s ORDER BY i) FROM (
          SELECT i, sum(r[i]) s FROM (SELECT retention(e = 'a', e = 'b', e = 'c') r FROM ev GROUP BY u) x,
          generate_series(1, 3) i GROUP BY i) y) AS two_level
FROM ev;

-- sequences
SELECT u,
  sequence_match('(?1)(?2)', ts, e = 'a', e = 'b', e = 'c') AS "a then b",
  sequence_match('(?1).*(?2)', ts, e = 'a', e = 'b', e = 'c') AS "a ... b",
  sequence_match('(?1).(?2)', ts, e = 'a', e = 'b', e = 'c') AS "a . b",
  sequence_match('(?1)(?t<=600)(?3)', ts, e = 'a', e = 'b', e = 'c') AS "a ... c within 10 min",
  sequence_count('(?2)', ts, e = 'a', e = 'b', e = 'c') AS "b events",
  sequence_count('(?1).*(?2)', ts, e = 'a', e = 'b', e = 'c') AS "a ... b matches"
FROM ev WHERE u BETWEEN 1 AND 11 GROUP BY u ORDER BY u;

-- a time condition lets any events lie between its two atoms (ClickHouse 26.7
-- answers the same: 1, 1, 1 / 1, 1 / 0 for the adjacent form)
WITH s(t, e) AS (VALUES (0, 'a'), (5, 'c'), (10, 'b')),
     r(t, e) AS (VALUES (0, 'a'), (3, 'a'), (10, 'b'))
SELECT (SELECT sequence_match('(?1)(?t<=10)(?2)', to_timestamp(t), e = 'a', e = 'b', e = 'c') FROM s) AS "<=10",
       (SELECT sequence_count('(?1)(?t<=10)(?2)', to_timestamp(t), e = 'a', e = 'b', e = 'c') FROM s) AS "<=10 count",
       (SELECT sequence_match('(?1)(?t==10)(?2)', to_timestamp(t), e = 'a', e = 'b', e = 'c') FROM s) AS "==10",
       (SELECT sequence_match('(?1)(?t>=10)(?2)', to_timestamp(t), e = 'a', e = 'b') FROM r) AS ">=10",
       (SELECT sequence_count('(?1)(?t>=10)(?2)', to_timestamp(t), e = 'a', e = 'b') FROM r) AS ">=10 count",
       (SELECT sequence_match('(?1)(?2)', to_timestamp(t), e = 'a', e = 'b', e = 'c') FROM s) AS "adjacent";
-- .* next to a time condition is refused: ClickHouse measures it from where .* began
SELECT sequence_match('(?1).*(?t<=10)(?2)', ts, e = 'a', e = 'b') FROM ev;
-- one event satisfying several conditions: applied from the highest condition
-- down (strict_once applies them from the lowest up, so with strict_order it
-- answers 2 here: the b of the b+d event extends the chain before d ends it)
WITH s(t, m) AS (VALUES (0, 1), (5826, 1), (5842, 1), (6459, 10), (9476, 8), (9605, 9))
SELECT window_funnel('1 hour', 'strict_order', to_timestamp(t), m & 1 > 0, m & 2 > 0, m & 4 > 0, m & 8 > 0) FROM s;
