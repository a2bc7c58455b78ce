-- Loyalty errors: malformed tier_timeline policies, bad thresholds and names,
-- bad points_agg input, corrupt points_ledger text and binary input — each a
-- clean error with its SQLSTATE and a message saying what is accepted.
BEGIN;
SELECT plan(37);

SET LOCAL client_min_messages = warning;

CREATE FUNCTION pg_temp.tl(policy text) RETURNS bigint LANGUAGE sql AS $$
  SELECT count(*) FROM tier_timeline('{2025-01-01}', '{100}', policy::jsonb)
$$;

-- policies
SELECT throws_ok($$SELECT pg_temp.tl('{"thresholds": [1000], "perod": "lifetime"}')$$, '22023',
  'invalid policy: unknown key "perod"', 'an unknown key is an error');
SELECT throws_like($$SELECT pg_temp.tl('{"thresholds": [1000], "perod": "lifetime"}')$$,
  '%unknown key%', 'the unknown-key error names the key');
CREATE FUNCTION pg_temp.hint_of(policy text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE h text;
BEGIN
  PERFORM pg_temp.tl(policy);
  RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS h = PG_EXCEPTION_HINT;
  RETURN h;
END $$;
SELECT is(pg_temp.hint_of('{"thresholds": [1000], "perod": "lifetime"}'),
  'Accepted keys: "thresholds", "names", "period", "window", "hold", "as_of".',
  'the unknown-key error lists the accepted keys');
SELECT throws_ok($$SELECT pg_temp.tl('[1000]')$$, '22023', NULL, 'a policy that is not an object is an error');
SELECT throws_like($$SELECT pg_temp.tl('{"period": "lifetime"}')$$, '%"thresholds" is required%',
  'thresholds are required');
SELECT throws_ok($$SELECT pg_temp.tl('{"thresholds": []}')$$, '22023', NULL, 'empty thresholds are an error');
SELECT throws_like($$SELECT pg_temp.tl('{"thresholds": [3000, 1000]}')$$, '%strictly ascending%',
  'descending thresholds are an error');
SELECT throws_like($$SELECT pg_temp.tl('{"thresholds": [1000, 1000]}')$$, '%strictly ascending%',
  'repeated thresholds are an error');
SELECT throws_like($$SELECT pg_temp.tl('{"thresholds": [1000, "gold"]}')$$, '%must be%number%',
  'a threshold that is not a number is an error');
SELECT throws_like($$SELECT pg_temp.tl('{"thresholds": 1000}')$$, '%"thresholds" must be%',
  'thresholds that are not an array are an error');
SELECT throws_ok($$SELECT pg_temp.tl('{"thresholds": [1000, 3000], "names": ["silver"]}')$$, '22023',
  'invalid policy: "names" must have one name per threshold: 2 thresholds, 1 names',
  'names of the wrong length are an error');
SELECT throws_like($$SELECT pg_temp.tl('{"thresholds": [1000], "names": [1]}')$$, '%must be%string%',
  'a name that is not a string is an error');
SELECT throws_ok($$SELECT pg_temp.tl('{"thresholds": [1000], "period": "monthly"}')$$, '22023',
  'invalid policy: unknown "period" "monthly"', 'an unknown period is an error');
SELECT throws_ok($$SELECT pg_temp.tl('{"thresholds": [1000], "period": "rolling"}')$$, '22023',
  'invalid policy: "period": "rolling" requires "window", an interval such as "365 days"',
  'rolling requires window');
SELECT throws_ok($$SELECT pg_temp.tl('{"thresholds": [1000], "period": "rolling", "window": "soon"}')$$,
  '22007', NULL, 'a window that is not an interval is an error');
SELECT throws_ok($$SELECT pg_temp.tl('{"thresholds": [1000], "period": "rolling", "window": "-5 days"}')$$, '22023',
  'invalid policy: "window" must be a positive interval', 'a negative window is an error');
SELECT throws_ok($$SELECT pg_temp.tl('{"thresholds": [1000], "period": "rolling", "window": "5 days", "hold": "-1 day"}')$$, '22023',
  'invalid policy: "hold" must not be negative', 'a negative hold is an error');
SELECT throws_ok($$SELECT pg_temp.tl('{"thresholds": [1000], "period": "lifetime", "window": "5 days"}')$$, '22023',
  'invalid policy: "window" and "hold" apply only to "period": "rolling"', 'window without rolling is an error');
SELECT throws_ok($$SELECT pg_temp.tl('{"thresholds": [1000], "as_of": "yesterday-ish"}')$$, '22007', NULL,
  'an as_of that is not a time is an error');
SELECT throws_ok($$SELECT count(*) FROM tier_timeline('{2025-01-01,2025-02-01}', '{100}', '{"thresholds": [1000]}')$$, '22023',
  'tier_timeline: ts and points must have the same length, not 2 and 1', 'arrays of different lengths are an error');
SELECT throws_ok($$SELECT count(*) FROM tier_timeline('{2025-01-01}', '{-100}', '{"thresholds": [1000]}')$$, '22023',
  'tier_timeline: qualifying points must not be negative', 'negative qualifying points are an error');

-- tiers
SELECT throws_ok($$SELECT tier_rank(5, '{3,2}')$$, '22023', 'thresholds must be strictly ascending',
  'tier_rank: thresholds not ascending');
SELECT throws_ok($$SELECT tier_name(5, '{1,2}', '{a,b,c}')$$, '22023',
  'names must have one name per threshold: 2 thresholds, 3 names', 'tier_name: names of the wrong length');
SELECT throws_ok($$SELECT points_to_next_tier(5, '{1,NaN}')$$, '22023', NULL, 'NaN thresholds are an error');

-- points_agg input
SELECT throws_ok($$SELECT points_agg(now(), 0.00001, NULL)$$, '22023', NULL, 'more than 4 decimals is an error');
SELECT throws_ok($$SELECT points_agg(now(), 1e15, NULL)$$, '22003', NULL, 'an amount beyond the range is 22003');
SELECT throws_ok($$SELECT points_balance(points_agg(timestamptz '2025-01-01' + g * interval '1 day', 900000000000000, NULL), '2030-01-01')
                   FROM generate_series(1, 20) g$$, '22003', NULL, 'a balance beyond the range is 22003, not a wrapped number');
SELECT throws_ok($$SELECT points_agg('2025-01-01', 1, '0 days')$$, '22023', NULL, 'a zero expire_after is an error');

-- corrupt text input: 22P02
SELECT throws_ok($$SELECT '{1:5@0}'::points_ledger$$, '22P02', NULL, 'a lot expiring before it is earned');
SELECT throws_ok($$SELECT '{5:1@inf,1:1@inf}'::points_ledger$$, '22P02', NULL, 'events out of order');
SELECT throws_ok($$SELECT '{5:1@inf,5:1@inf}'::points_ledger$$, '22P02', NULL, 'a repeated (unmerged) event');
SELECT throws_ok($$SELECT '{5:1}'::points_ledger$$, '22P02', NULL, 'an earning without expiry');
SELECT throws_ok($$SELECT '{5:1@inf,}'::points_ledger$$, '22P02', NULL, 'a trailing comma');
SELECT throws_ok($$SELECT '5:1@inf'::points_ledger$$, '22P02', NULL, 'missing braces');
SELECT throws_ok($$SELECT '{5:1@99999999999999999999}'::points_ledger$$, '22003', NULL, 'a time out of int64 range');

-- corrupt binary input through COPY (FORMAT binary): the bytes go to points_ledger_recv
CREATE TEMP TABLE raw (b bytea);
CREATE TEMP TABLE dst (l points_ledger);
CREATE FUNCTION pg_temp.recv_error(hex text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM raw;
  INSERT INTO raw VALUES (decode(hex, 'hex'));
  COPY raw TO '/tmp/persona_loyalty_bad.bin' (FORMAT binary);
  COPY dst FROM '/tmp/persona_loyalty_bad.bin' (FORMAT binary);
  RETURN 'accepted';
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE;
END $$;
SELECT is(pg_temp.recv_error('000000010000000100000000000000050000000000002710000000000000000a'), 'accepted',
          'a well-formed binary ledger (one lot of 1 point) is accepted by the same path');
SELECT is(array_agg(pg_temp.recv_error(h) ORDER BY i),
          array_fill('22P03'::text, ARRAY[7]),
          'corrupt binary ledgers: truncated, wrong version, wrong count, unsorted, zero amount, short event, redemption with expiry are 22P03')
FROM unnest(ARRAY[
  '000000',                                                        -- truncated header
  '0000000200000000',                                              -- unknown version
  '000000010000000500000000000000010000000000002710',              -- count says 5, one event's worth of bytes
  '00000001000000020000000000000005000000000000271000000000000000640000000000000001000000000000271000000000000000c8', -- out of order
  '000000010000000100000000000000050000000000000000000000000000000a',  -- zero amount
  '0000000100000001000000000000000500000000000027100000000000000002',  -- 23 bytes for one event
  '00000001000000010000000000000005ffffffffffffd8f00000000000000009'   -- redemption with an expiry
  ]) WITH ORDINALITY AS c(h, i);

SELECT * FROM finish();
ROLLBACK;
