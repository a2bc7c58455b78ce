-- Funnels, retention and sequences: errors (SQLSTATE and message), NULLs,
-- parameters that must not change between rows, the funnel_counts_state type
-- (round trips and corrupt input), and large groups.
BEGIN;
SELECT plan(41);
SET LOCAL client_min_messages = warning;
SET LOCAL TIME ZONE 'UTC';

CREATE TEMP TABLE t (u bigint, ts timestamptz, e text);
INSERT INTO t VALUES (1, '2026-01-01 00:00', 'a'), (1, '2026-01-01 00:10', 'b'), (2, '2026-01-01 00:00', 'a');

-- ================================================================ conditions
SELECT throws_ok(format($$SELECT window_funnel('1 day', ts, %s) FROM t$$,
                        (SELECT string_agg('e = ''a''', ', ') FROM generate_series(1, 33))),
  '54000', 'too many conditions: 33', '33 conditions');
SELECT is((SELECT window_funnel('1 day', ts, VARIADIC array_fill(true, ARRAY[32])) FROM t WHERE u = 1), 2,
  '32 conditions are accepted; two events matching all of them advance one step each: level 2');
SELECT throws_ok($$SELECT window_funnel('1 day', ts, VARIADIC ARRAY[]::boolean[]) FROM t$$,
  '22023', 'at least one condition is required', 'no conditions');
SELECT throws_ok($$SELECT retention(VARIADIC ARRAY[]::boolean[]) FROM t$$,
  '22023', 'at least one condition is required', 'retention: no conditions');
SELECT throws_ok($$SELECT retention_counts(u, VARIADIC array_fill(true, ARRAY[40])) FROM t$$,
  '54000', 'too many conditions: 40', 'retention_counts: 40 conditions');
SELECT throws_ok($$SELECT window_funnel('1 day', ts, VARIADIC ARRAY[[true, false], [true, true]]) FROM t$$,
  '22023', 'conditions must be a one-dimensional boolean array', 'a 2-D array');
SELECT throws_ok($$SELECT window_funnel('1 day', ts, VARIADIC CASE WHEN u = 1 THEN ARRAY[true, false] ELSE ARRAY[true] END) FROM t$$,
  '22023', 'window_funnel: every row must pass the same number of conditions (2, then 1)', 'condition count changes between rows');
SELECT is((SELECT window_funnel('1 day', ts, VARIADIC CASE WHEN e = 'a' THEN ARRAY[true, false] END) FROM t WHERE u = 1), 1,
  'a NULL VARIADIC array skips the row');

-- ================================================================ modes and windows
SELECT throws_ok($$SELECT window_funnel('1 day', 'strict', ts, e = 'a') FROM t$$,
  '22023', 'unknown window_funnel mode at character 1: "strict"', 'unknown mode word');
SELECT throws_ok($$SELECT window_funnel_counts(u, '1 day', 'strict_order,strict_dedup', ts, e = 'a') FROM t$$,
  '22023', 'unknown window_funnel mode at character 14: "strict_order,strict_dedup"', 'the position of the bad word');
SELECT throws_like($$SELECT window_funnel('1 day', 'bogus', ts, e = 'a') FROM t$$,
  '%unknown window_funnel mode%', 'window_funnel: unknown mode');
SELECT throws_ok($$SELECT window_funnel('1 day', NULL, ts, e = 'a') FROM t$$,
  '22023', 'window_funnel mode must not be NULL', 'NULL mode');
SELECT throws_ok($$SELECT window_funnel('-1 hour', ts, e = 'a') FROM t$$,
  '22023', 'window must not be negative', 'negative window');
SELECT throws_ok($$SELECT window_funnel_counts(u, '1 day -25 hours', ts, e = 'a') FROM t$$,
  '22023', 'window must not be negative', 'negative window (1 day - 25 hours)');
SELECT throws_ok($$SELECT window_funnel(NULL, ts, e = 'a') FROM t$$,
  '22023', 'window must not be NULL', 'NULL window');
SELECT throws_ok($$SELECT window_funnel('100000000 years', ts, e = 'a') FROM t$$,
  '22003', 'window out of range', 'a window beyond 2^63 microseconds');
SELECT throws_ok($$SELECT window_funnel(CASE WHEN e = 'a' THEN interval '1 day' ELSE '2 days' END, ts, e = 'a') FROM t$$,
  '22023', 'window_funnel: the window must be the same on every row of a group', 'window changes between rows');
SELECT throws_ok($$SELECT window_funnel('1 day', CASE WHEN e = 'a' THEN '' ELSE 'strict_order' END, ts, e = 'a') FROM t$$,
  '22023', 'window_funnel: the mode must be the same on every row of a group', 'mode changes between rows');
SELECT is((SELECT window_funnel('1 month', ts, e = 'a', e = 'b') FROM t WHERE u = 1), 2, 'a month is a valid window');

-- ================================================================ patterns
SELECT throws_ok($$SELECT sequence_match('(?1)(?3)', ts, e = 'a', e = 'b') FROM t$$,
  '22023', 'invalid sequence pattern: condition 3 does not exist (there are 2) at character 5', 'condition out of range');
SELECT throws_ok($$SELECT sequence_count('(?1)(?t<)(?2)', ts, e = 'a', e = 'b') FROM t$$,
  '22023', 'invalid sequence pattern: expected a number of seconds at character 9', 'missing seconds');
SELECT throws_ok($$SELECT sequence_count('(?1)(?t=5)(?2)', ts, e = 'a', e = 'b') FROM t$$,
  '22023', 'invalid sequence pattern: expected a comparison operator (<, <=, >, >=, ==, !=) after (?t at character 8', '= is not ==');
SELECT throws_ok($$SELECT sequence_match('(?1)+', ts, e = 'a', e = 'b') FROM t$$,
  '22023', 'invalid sequence pattern: unexpected character (expected (?N), (?t op seconds), . or .*) at character 5', 'a stray +');
SELECT throws_ok($$SELECT sequence_match('(?1', ts, e = 'a', e = 'b') FROM t$$,
  '22023', 'invalid sequence pattern: expected ) at character 4', 'unclosed (?1');
SELECT throws_ok($$SELECT sequence_match('(?t>5)(?1)', ts, e = 'a', e = 'b') FROM t$$,
  '22023', 'invalid sequence pattern: a time constraint must follow an event atom ((?N) or .) at character 1', 'constraint first');
SELECT throws_ok($$SELECT sequence_match('.*', ts, e = 'a', e = 'b') FROM t$$,
  '22023', 'invalid sequence pattern: the pattern has no event atom ((?N) or .) at character 3', 'no event atom');
SELECT throws_ok($$SELECT sequence_match(NULL, ts, e = 'a') FROM t$$,
  '22023', 'sequence pattern must not be NULL', 'NULL pattern');
SELECT throws_ok($$SELECT sequence_match(CASE WHEN e = 'a' THEN '(?1)' ELSE '(?1).' END, ts, e = 'a') FROM t$$,
  '22023', 'sequence_match: the pattern must be the same on every row of a group', 'pattern changes between rows');

-- ================================================================ funnel_counts_agg and its state
SELECT throws_ok($$SELECT funnel_counts_agg(1, 0)$$, '22023', 'funnel steps must be between 1 and 32, not 0', 'steps 0');
SELECT throws_ok($$SELECT funnel_counts_agg(1, 33)$$, '22023', 'funnel steps must be between 1 and 32, not 33', 'steps 33');
SELECT throws_ok($$SELECT funnel_counts_agg(-1, 3)$$, '22023', 'funnel level must not be negative: -1', 'negative level');
SELECT throws_ok($$SELECT funnel_counts_agg(1, s) FROM (VALUES (2), (3)) v(s)$$,
  '22023', 'funnel_counts_agg: steps must be the same on every row (2, then 3)', 'steps change between rows');
SELECT throws_ok($$SELECT 'x'::funnel_counts_state$$, '22P02',
  'invalid input syntax for type funnel_counts_state: "x"', 'text input: garbage');
SELECT throws_ok($$SELECT '3:{1,2}'::funnel_counts_state$$, '22P02',
  'invalid input syntax for type funnel_counts_state: "3:{1,2}"', 'text input: too few counts');
SELECT throws_ok($$SELECT '2:{1,2,3}'::funnel_counts_state$$, '22P02',
  'invalid input syntax for type funnel_counts_state: "2:{1,2,3}"', 'text input: too many counts');
SELECT throws_ok($$SELECT '2:{1,2}'::funnel_counts_state$$, '22P02',
  'invalid funnel_counts_state: counts must be non-negative and non-increasing', 'text input: increasing counts');
SELECT throws_ok($$SELECT '0:{}'::funnel_counts_state$$, '22P02',
  'invalid input syntax for type funnel_counts_state: "0:{}"', 'text input: zero steps');
-- random valid states (non-increasing counts), the empty one and the largest
CREATE TEMP TABLE states AS
SELECT format('%s:{%s}', n, (SELECT string_agg(c::text, ',' ORDER BY c DESC) FROM (
         SELECT floor(random() * 1e12)::bigint c FROM generate_series(1, n)) x)) AS txt
FROM (SELECT 1 + floor(random() * 32)::int n FROM generate_series(1, 200)) s
UNION ALL SELECT '5:{0,0,0,0,0}' UNION ALL SELECT '32:{' || repeat('9223372036854775807,', 31) || '9223372036854775807}';
SELECT is((SELECT count(*) FROM states WHERE txt::funnel_counts_state::text <> txt), 0::bigint,
  'text input/output round-trips (random, empty and largest states)');
SELECT is((SELECT count(*) FROM states WHERE funnel_counts_state_send(txt::funnel_counts_state)
                                            <> funnel_counts_state_send(txt::funnel_counts_state::text::funnel_counts_state)), 0::bigint,
  'binary output is stable across a text round trip');

-- ================================================================ large groups
-- one user with 300,000 events: the run is 16 bytes an event, sorted once
SELECT is((SELECT window_funnel('1 hour', ts, g % 5 = 0, g % 5 = 1, g % 5 = 2)
           FROM (SELECT g, timestamptz '2026-01-01' + (300000 - g) * interval '1 second' ts FROM generate_series(1, 300000) g) s),
          3, 'a 300,000-event user given in reverse time order: in time order c1, c3, c2, c1, c3 ...: c1 -> c2 -> the next c3, level 3');
SELECT is((SELECT sequence_count('(?1)(?t<=10)(?2)', ts, g % 10 = 0, g % 10 = 5)
           FROM (SELECT g, timestamptz '2026-01-01' + g * interval '1 second' ts FROM generate_series(1, 300000) g) s),
          29999::bigint, 'sequence_count over 300,000 events: each c1 (g = 10k) with the c2 5 s later, but the last c1 has none');

SELECT * FROM finish();
ROLLBACK;
