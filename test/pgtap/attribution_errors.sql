-- Attribution: option and argument errors (SQLSTATE and message), corrupt
-- state input in text and binary (clean errors, never a crash), empty states,
-- binary COPY round trips, the Shapley channel cap, and catalogue labels.
BEGIN;
SELECT plan(64);

SET LOCAL client_min_messages = warning;
SET LOCAL timezone = 'UTC';

-- 'SQLSTATE: message | hint' of a statement, or 'ok'
CREATE FUNCTION pg_temp.err_of(sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  st text; msg text; hint text;
BEGIN
  EXECUTE sql;
  RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, hint = PG_EXCEPTION_HINT;
  RETURN st || ': ' || msg || CASE WHEN hint <> '' THEN ' | ' || hint ELSE '' END;
END $$;

CREATE TEMP TABLE e(user_id bigint, ts timestamptz, channel text, conv boolean, value float8);
INSERT INTO e VALUES (1, '2026-01-01', 'email', false, NULL), (1, '2026-01-02', NULL, true, 10),
                     (2, '2026-01-01', 'search', false, NULL), (2, '2026-01-03', 'direct', false, NULL), (2, '2026-01-04', NULL, true, 5);
CREATE TEMP TABLE jt AS SELECT user_id, journey_agg(ts, channel, conv, value) AS j FROM e GROUP BY user_id;

-- ============================================= models and options
SELECT is(pg_temp.err_of($$SELECT * FROM jt, attribute(j, 'bogus')$$),
  '22023: unknown attribution model "bogus" | Accepted models: first_touch, last_touch, last_non_direct, linear, position_based, time_decay.',
  'unknown model: 22023, lists the models');
SELECT is(pg_temp.err_of($$SELECT * FROM jt, attribute(j, 'linear', '{"lookbak": "7 days"}')$$),
  '22023: invalid options: unknown key "lookbak" | Accepted keys: "lookback", "collapse_repeats", "direct_channels", "first", "last", "half_life".',
  'unknown option: 22023, lists the keys');
SELECT is(pg_temp.err_of($$SELECT * FROM jt, journey_paths(j, '{"half_life": "7 days"}')$$),
  '22023: invalid options: unknown key "half_life" | Accepted keys: "lookback", "collapse_repeats".',
  'journey_paths takes only lookback and collapse_repeats');
SELECT throws_ok($$SELECT * FROM jt, attribute(j, 'linear', '{"lookback": 30}')$$, '22023',
  'invalid options: "lookback" must be an interval string such as "30 days", not a number', 'lookback must be an interval string');
SELECT throws_ok($$SELECT * FROM jt, attribute(j, 'linear', '{"lookback": "-1 day"}')$$, '22023',
  'invalid options: "lookback" must be a positive interval', 'negative lookback');
SELECT throws_ok($$SELECT * FROM jt, attribute(j, 'linear', '{"lookback": "0"}')$$, '22023',
  'invalid options: "lookback" must be a positive interval', 'zero lookback');
SELECT throws_ok($$SELECT * FROM jt, attribute(j, 'time_decay', '{"half_life": "0 days"}')$$, '22023',
  'invalid options: "half_life" must be a positive interval', 'zero half-life');
SELECT throws_ok($$SELECT * FROM jt, attribute(j, 'time_decay', '{"half_life": "soon"}')$$, '22007',
  NULL, 'half_life that is not an interval');
SELECT throws_ok($$SELECT * FROM jt, attribute(j, 'position_based', '{"first": 0.7, "last": 0.6}')$$, '22023',
  'invalid options: "first" and "last" must be between 0 and 1 and sum to at most 1', 'first + last > 1');
SELECT throws_ok($$SELECT * FROM jt, attribute(j, 'position_based', '{"first": -0.1}')$$, '22023',
  'invalid options: "first" and "last" must be between 0 and 1 and sum to at most 1', 'negative first');
SELECT throws_ok($$SELECT * FROM jt, attribute(j, 'position_based', '{"first": "0.4"}')$$, '22023',
  'invalid options: "first" must be a number, not a string', 'first as a string');
SELECT throws_ok($$SELECT * FROM jt, attribute(j, 'linear', '{"collapse_repeats": "yes"}')$$, '22023',
  'invalid options: "collapse_repeats" must be true or false, not a string', 'collapse_repeats as a string');
SELECT throws_ok($$SELECT * FROM jt, attribute(j, 'last_non_direct', '{"direct_channels": "direct"}')$$, '22023',
  'invalid options: "direct_channels" must be an array of strings, not a string', 'direct_channels not an array');
SELECT throws_ok($$SELECT * FROM jt, attribute(j, 'last_non_direct', '{"direct_channels": ["direct", 1]}')$$, '22023',
  'invalid options: element 2 of "direct_channels" must be a string, not a number', 'direct_channels with a number');
SELECT throws_ok($$SELECT * FROM jt, attribute(j, 'linear', '[]')$$, '22023',
  'invalid options: expected a JSON object', 'options must be an object');
SELECT lives_ok($$SELECT * FROM jt, attribute(j, 'linear', '{"lookback": "1 mon 2 days", "collapse_repeats": false, "first": 0, "last": 1, "half_life": "PT12H", "direct_channels": []}')$$,
  'every option at once');
SELECT is((SELECT count(*) FROM jt, attribute(j, 'last_non_direct', '{"direct_channels": []}') a WHERE a.channel = 'direct'), 1::bigint,
  'direct_channels [] makes last_non_direct the last touch');

-- ============================================= attribution_agg arguments
SELECT throws_ok($$SELECT attribution_agg(user_id, ts, channel, conv, value, NULL, '{}') FROM e$$, '22004',
  'attribution_agg: the model must not be NULL', 'NULL model');
SELECT throws_ok($$SELECT attribution_agg(user_id, ts, channel, conv, value, 'nope', '{}') FROM e$$, '22023',
  'unknown attribution model "nope"', 'unknown model in attribution_agg');
SELECT throws_ok($$SELECT attribution_agg(user_id, ts, channel, conv, value, CASE WHEN user_id = 1 THEN 'linear' ELSE 'last_touch' END, '{}') FROM e$$,
  '22023', 'attribution_agg: the model and options must be the same for every row of a group', 'model varying by row');
SELECT throws_ok($$SELECT attribution_agg(user_id, ts, channel, conv, value, 'linear', jsonb_build_object('lookback', user_id || ' days')) FROM e$$,
  '22023', 'attribution_agg: the model and options must be the same for every row of a group', 'options varying by row');
SELECT throws_ok($$SELECT attribution_agg(user_id, ts, channel, true, 'infinity', 'linear', '{}') FROM e$$, '22023',
  'conversion value must be finite, not Infinity', 'infinite value');
SELECT throws_ok($$SELECT journey_agg(ts, channel, true, 'NaN') FROM e$$, '22023',
  'conversion value must be finite, not NaN', 'NaN value in journey_agg');
SELECT is((SELECT (attribution_agg(user_id, ts, channel, conv, value, 'linear', '{}'))::text FROM e WHERE user_id IS NULL), NULL,
  'attribution_agg over no rows is NULL');

-- ============================================= markov_agg and shapley_agg arguments
SELECT throws_ok($$SELECT markov_agg('{a}'::text[], true, 1, 0)$$, '22023', 'markov_agg: order must be between 1 and 8, not 0', 'order 0');
SELECT throws_ok($$SELECT markov_agg('{a}'::text[], true, 1, 9)$$, '22023', 'markov_agg: order must be between 1 and 8, not 9', 'order 9');
SELECT throws_ok($$SELECT markov_agg('{a}'::text[], true, 1, NULL)$$, '22004', 'markov_agg: the order must not be NULL', 'NULL order');
SELECT throws_ok($$SELECT markov_agg(p, true, 1, o) FROM (VALUES ('{a}'::text[], 1), ('{b}', 2)) v(p, o)$$, '22023',
  'markov_agg: the order must be the same for every row of a group (1, then 2)', 'order varying by row');
SELECT throws_ok($$SELECT markov_agg(m) FROM (SELECT markov_agg('{a}'::text[], true, 1, 1) UNION ALL SELECT markov_agg('{a}'::text[], true, 1, 2)) s(m)$$,
  '22023', 'cannot combine Markov chains of order 1 and 2', 'rolling up chains of different orders');
SELECT throws_ok($$SELECT markov_agg('{a,NULL}'::text[], true, 1)$$, '22004', 'path elements must not be NULL', 'NULL path element (markov)');
SELECT throws_ok($$SELECT shapley_agg('{NULL}'::text[], true, 1)$$, '22004', 'path elements must not be NULL', 'NULL path element (shapley)');
SELECT throws_ok($$SELECT markov_agg('{a}'::text[], true, '-infinity')$$, '22023', 'conversion value must be finite, not -Infinity', 'infinite path value');
-- Shapley: 20 channels work, 21 are an error
SELECT is((SELECT round(sum(conversions)::numeric, 9) FROM shapley_attribution((
            SELECT shapley_agg(array(SELECT 'c' || i FROM generate_series(1, 20) i), true, 1)))), 1.000000000,
  '20 channels in a converting set: exact Shapley');
SELECT throws_ok($$SELECT * FROM shapley_attribution((SELECT shapley_agg(array(SELECT 'c' || i FROM generate_series(1, 21) i), true, 1)))$$,
  '54000', 'shapley_attribution: a converting channel set has 21 channels; at most 20 are supported', '21 channels: 54000');
SELECT lives_ok($$SELECT * FROM shapley_attribution((SELECT shapley_agg(array(SELECT 'c' || i FROM generate_series(1, 30) i), false, 0)))$$,
  'a non-converting set of 30 channels is fine');

-- ============================================= corrupt text input
SELECT throws_ok($$SELECT 'abc'::markov_chain$$, '22P02', 'invalid input syntax for type markov_chain', 'markov_chain: not \x');
SELECT throws_ok($$SELECT '\xzz'::channel_sets$$, '22P02', 'invalid input syntax for type channel_sets: invalid hexadecimal data at character 3', 'channel_sets: bad hex');
SELECT throws_ok($$SELECT '\x00'::journey$$, '22P02', 'invalid journey data: truncated data', 'journey: one byte');
SELECT throws_ok($$SELECT '\x0000000001000000'::markov_chain$$, '22P02', 'invalid markov_chain data: bad header', 'markov_chain: bad magic');

CREATE TEMP TABLE st AS
SELECT (SELECT markov_agg(p, c, v, 2)::text FROM (VALUES ('{a,b}'::text[], true, 3.5::float8), ('{b}', false, 0), ('{}', true, 1)) x(p, c, v)) AS m,
       (SELECT shapley_agg(p, c, v)::text FROM (VALUES ('{a,b}'::text[], true, 3.5::float8), ('{b}', false, 0), ('{}', true, 1)) x(p, c, v)) AS s,
       (SELECT j::text FROM jt WHERE user_id = 2) AS j;
-- every proper prefix of a valid state is rejected with 22P02, the whole state is accepted
CREATE FUNCTION pg_temp.prefixes(val text, typ text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  bad int := 0; other text := '';
  r text;
BEGIN
  FOR k IN 0 .. (length(val) - 2) / 2 - 1 LOOP
    r := pg_temp.err_of(format('SELECT %L::%s', substr(val, 1, 2 + 2 * k), typ));
    IF r LIKE '22P02: invalid ' || typ || ' data: %' THEN bad := bad + 1; ELSE other := other || r || '; '; END IF;
  END LOOP;
  RETURN bad || ' of ' || (length(val) - 2) / 2 || ' prefixes rejected' || other;
END $$;
SELECT is(pg_temp.prefixes(m, 'markov_chain'), ((length(m) - 2) / 2) || ' of ' || ((length(m) - 2) / 2) || ' prefixes rejected',
  'markov_chain: every truncation rejected (22P02)') FROM st;
SELECT is(pg_temp.prefixes(s, 'channel_sets'), ((length(s) - 2) / 2) || ' of ' || ((length(s) - 2) / 2) || ' prefixes rejected',
  'channel_sets: every truncation rejected (22P02)') FROM st;
SELECT is(pg_temp.prefixes(j, 'journey'), ((length(j) - 2) / 2) || ' of ' || ((length(j) - 2) / 2) || ' prefixes rejected',
  'journey: every truncation rejected (22P02)') FROM st;
SELECT throws_ok(format('SELECT %L::markov_chain', m || '00'), '22P02', 'invalid markov_chain data: trailing bytes', 'markov_chain: trailing byte') FROM st;
SELECT throws_ok(format('SELECT %L::journey', j || '00'), '22P02', 'invalid journey data: trailing bytes', 'journey: trailing byte') FROM st;
-- names: "a", "b" -> "b", "a" (not ascending); channel id out of range; invalid UTF-8
SELECT throws_ok(format('SELECT %L::markov_chain', replace(m, '01000000610100000062', '01000000620100000061')), '22P02',
  'invalid markov_chain data: channel names are not strictly ascending', 'markov_chain: names out of order') FROM st;
SELECT throws_ok(format('SELECT %L::channel_sets', replace(s, '01000000610100000062', '010000006101000000ff')), '22P02',
  'invalid channel_sets data: a channel name is not valid in the database encoding', 'channel_sets: invalid UTF-8 name') FROM st;
-- journey: the conversion (ffffffff) of user 2 turned into channel 7, then events swapped
SELECT throws_ok(format('SELECT %L::journey', replace(j, 'ffffffff', '07000000')), '22P02', NULL, 'journey: channel id out of range') FROM st;
-- flip every byte of each state in turn: an error or a valid state, never a crash
CREATE FUNCTION pg_temp.flips(val text, typ text, fn text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  n int := (length(val) - 2) / 2;
  v text; r text; errs int := 0; oks int := 0; bad text := '';
BEGIN
  FOR k IN 0 .. n - 1 LOOP
    v := substr(val, 1, 2 + 2 * k) || lpad(to_hex(('x' || substr(val, 3 + 2 * k, 2))::bit(8)::int # 90), 2, '0') || substr(val, 5 + 2 * k);
    r := pg_temp.err_of(format('SELECT count(*) FROM %s(%L::%s)', fn, v, typ));
    IF r = 'ok' THEN oks := oks + 1;
    ELSIF r LIKE '22P02: %' THEN errs := errs + 1;
    ELSE bad := bad || r || '; ';
    END IF;
  END LOOP;
  RETURN CASE WHEN bad = '' AND oks + errs = n THEN 'clean' ELSE bad END;
END $$;
SELECT is(pg_temp.flips(m, 'markov_chain', 'markov_attribution'), 'clean', 'markov_chain: flipped bytes give 22P02 or a valid chain') FROM st;
SELECT is(pg_temp.flips(s, 'channel_sets', 'shapley_attribution'), 'clean', 'channel_sets: flipped bytes give 22P02 or valid sets') FROM st;
SELECT is(pg_temp.flips(j, 'journey', 'journey_paths'), 'clean', 'journey: flipped bytes give 22P02 or a valid journey') FROM st;

-- ============================================= empty states and round trips
-- hand-made empty states: no channels, no transitions / sets
SELECT is('\x504d4b3101000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000'::markov_chain::text,
          '\x504d4b3101000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000',
          'empty markov_chain round-trips through text');
SELECT is((SELECT count(*) FROM markov_attribution('\x504d4b3101000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000')),
          0::bigint, 'empty markov_chain: no credit');
SELECT is('\x50534831000000000000000000000000'::channel_sets::text, '\x50534831000000000000000000000000', 'empty channel_sets round-trips through text');
SELECT is((SELECT count(*) FROM shapley_attribution('\x50534831000000000000000000000000')), 0::bigint, 'empty channel_sets: no credit');
SELECT is('\x504a4e310000000000000000'::journey::text, '\x504a4e310000000000000000', 'empty journey round-trips through text');
SELECT is((SELECT markov_agg(m)::text FROM (VALUES ('\x504d4b3101000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000'::markov_chain)) v(m)),
          '\x504d4b3101000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000',
          'rolling up one empty chain gives the empty chain');

-- binary: COPY out and back in, through each type's send and recv
CREATE TABLE at_bin_src (m markov_chain, s channel_sets, j journey);
INSERT INTO at_bin_src SELECT m::markov_chain, s::channel_sets, j::journey FROM st;
INSERT INTO at_bin_src VALUES ('\x504d4b3101000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000',
                               '\x50534831000000000000000000000000', '\x504a4e310000000000000000');
COPY at_bin_src TO '/tmp/persona_attribution_test.bin' WITH (FORMAT binary);
CREATE TABLE at_bin_dst (m markov_chain, s channel_sets, j journey);
COPY at_bin_dst FROM '/tmp/persona_attribution_test.bin' WITH (FORMAT binary);
SELECT is((SELECT count(*) FROM at_bin_src a JOIN at_bin_dst b ON a.m::text = b.m::text AND a.s::text = b.s::text AND a.j::text = b.j::text),
          2::bigint, 'binary COPY round trip of markov_chain, channel_sets and journey (empty states included)');
-- corrupt bytes through binary input: a bytea column's binary form is the raw bytes
CREATE TABLE at_bin_raw (b bytea);
INSERT INTO at_bin_raw VALUES ('\x504d4b3101000000');
COPY at_bin_raw TO '/tmp/persona_attribution_test.bin' WITH (FORMAT binary);
CREATE TABLE at_bin_m (m markov_chain);
SELECT throws_ok($$COPY at_bin_m FROM '/tmp/persona_attribution_test.bin' WITH (FORMAT binary)$$, '22P03',
  'invalid markov_chain data: truncated data', 'markov_chain recv: truncated bytes are 22P03');
CREATE TABLE at_bin_s (s channel_sets);
SELECT throws_ok($$COPY at_bin_s FROM '/tmp/persona_attribution_test.bin' WITH (FORMAT binary)$$, '22P03',
  'invalid channel_sets data: bad header', 'channel_sets recv: wrong bytes are 22P03');
CREATE TABLE at_bin_j (j journey);
SELECT throws_ok($$COPY at_bin_j FROM '/tmp/persona_attribution_test.bin' WITH (FORMAT binary)$$, '22P03',
  'invalid journey data: bad header', 'journey recv: wrong bytes are 22P03');

-- ============================================= catalogue
SELECT is((SELECT count(*) FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid AND d.deptype = 'e'
           JOIN pg_extension x ON x.oid = d.refobjid AND x.extname = 'persona'
           WHERE p.proname ~ '^(journey|attribut|markov|shapley|channel_sets)' AND obj_description(p.oid, 'pg_proc') IS NULL),
  0::bigint, 'every attribution function and aggregate has a comment');
SELECT is((SELECT count(*) FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid AND d.deptype = 'e'
           JOIN pg_extension x ON x.oid = d.refobjid AND x.extname = 'persona'
           WHERE p.proname ~ '^(journey|attribut|markov|shapley|channel_sets)' AND (p.proparallel <> 's' OR p.provolatile <> 'i')),
  0::bigint, 'every attribution function is IMMUTABLE PARALLEL SAFE');
SELECT is((SELECT count(*) FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid
           WHERE p.proname IN ('journey_agg', 'attribution_agg', 'markov_agg', 'shapley_agg') AND a.aggcombinefn = 0),
  0::bigint, 'every attribution aggregate has a combine function');
SELECT is((SELECT count(*) FROM pg_type t WHERE t.typname IN ('journey', 'markov_chain', 'channel_sets', 'attribution_credit')
           AND obj_description(t.oid, 'pg_type') IS NULL), 0::bigint, 'every attribution type has a comment');

SELECT * FROM finish();
ROLLBACK;
