-- Corrupt and malformed input must raise clean errors (22P02 for bad binary
-- data, whether it arrives through the bytea cast or as \x text), never crash
-- the server or yield a bitmap with wrong contents.  Binary COPY input
-- (roaringbitmap_recv) is covered by a separate shell test.
BEGIN;
SELECT plan(176);
SET LOCAL client_min_messages = warning;
SET LOCAL persona.output_format = 'array';

CREATE TEMP TABLE boot AS SELECT pg_postmaster_start_time() AS t;

CREATE FUNCTION pg_temp.le16(x bigint) RETURNS text LANGUAGE sql IMMUTABLE AS
$$ SELECT lpad(to_hex(x & 255), 2, '0') || lpad(to_hex((x >> 8) & 255), 2, '0') $$;
CREATE FUNCTION pg_temp.le32(x bigint) RETURNS text LANGUAGE sql IMMUTABLE AS
$$ SELECT pg_temp.le16(x & 65535) || pg_temp.le16((x >> 16) & 65535) $$;
-- 'SQLSTATE: message' of the error a statement raises, NULL when it succeeds
CREATE FUNCTION pg_temp.err_of(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  st text;
  msg text;
BEGIN
  EXECUTE q;
  RETURN NULL;
EXCEPTION WHEN others THEN
  GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
  RETURN st || ': ' || msg;
END $$;

-- hand-built portable serializations, as hex; little-endian
CREATE TEMP TABLE valid_hex(name text PRIMARY KEY, hex text, elems int[]);
INSERT INTO valid_hex VALUES
  ('empty',      '3a300000' || '00000000', '{}'),
  ('one',        '3a300000' || '01000000' || '00000000' || '10000000' || '0100', '{1}'),
  ('two arrays', '3a300000' || '02000000' || '00000000' || '01000000' || '18000000' || '1a000000' || '0100' || '0100',
                 '{1,65537}'),
  ('array 3 5',  '3a300000' || '01000000' || '00000100' || '10000000' || '0300' || '0500', '{3,5}'),
  ('bitset',     '3a300000' || '01000000' || '00000010' || '10000000' || repeat('ff', 512) || '01' || repeat('00', 7679),
                 array(SELECT g FROM generate_series(0, 4096) g)),
  ('runs',       '3b300000' || '01' || '00000700' || '0200' || '00000500' || '0a000100',
                 '{0,1,2,3,4,5,10,11}'),
  -- four containers with the run cookie: the offsets are present
  ('runs4',      '3b300300' || '01' || '00000900' || '01000000' || '02000000' || '03000000'
                 || pg_temp.le32(37) || pg_temp.le32(43) || pg_temp.le32(45) || pg_temp.le32(47)
                 || '0100' || '00000900' || '0700' || '0700' || '0700',
                 '{0,1,2,3,4,5,6,7,8,9,65543,131079,196615}'),
  ('full run',   '3b300000' || '01' || '0000ffff' || '0100' || '0000ffff',
                 array(SELECT g FROM generate_series(0, 65535) g)),
  ('top key',    '3a300000' || '01000000' || 'ffff0000' || '10000000' || 'ffff', '{-1}');

-- corrupt inputs: each is a valid one with one defect
CREATE TEMP TABLE bad_hex(name text PRIMARY KEY, hex text, pattern text);
INSERT INTO bad_hex VALUES
  ('empty bytes',                  '', 'cookie'),
  ('1 byte',                       '3a', 'cookie'),
  ('2 bytes',                      '3a30', 'cookie'),
  ('3 bytes',                      '3a3000', 'cookie'),
  ('wrong cookie',                 '3c300000' || '01000000' || '00000000' || '10000000' || '0100', 'cookie'),
  ('wrong cookie high bits',       '3a300100' || '01000000' || '00000000' || '10000000' || '0100', 'cookie'),
  ('zero bytes',                   '0000000000000000', 'cookie'),
  ('cookie only',                  '3a300000', 'count'),
  ('truncated count',              '3a30000001', 'count'),
  ('truncated count 7 bytes',      '3a300000010000', 'count'),
  ('count 65537',                  '3a300000' || pg_temp.le32(65537) || repeat('00', 64), 'count'),
  ('count 2^32-1',                 '3a300000' || 'ffffffff' || repeat('00', 64), 'count'),
  ('truncated descriptive header', '3a300000' || '01000000' || '0000', 'truncated'),
  ('count 2 header for 1',         '3a300000' || '02000000' || '00000000' || '10000000' || '0100', ''),
  ('truncated offsets',            '3a300000' || '01000000' || '00000000' || '1000', 'truncated'),
  ('run cookie truncated header',  '3b300000' || '01' || '0000', 'truncated'),
  ('run cookie 65536 containers',  '3b30ffff' || '00', 'truncated'),
  ('keys unsorted',                '3a300000' || '02000000' || '01000000' || '00000000' || '18000000' || '1a000000' || '0100' || '0100', 'key'),
  ('duplicate keys',               '3a300000' || '02000000' || '00000000' || '00000000' || '18000000' || '1a000000' || '0100' || '0200', 'key'),
  ('array values unsorted',        '3a300000' || '01000000' || '00000100' || '10000000' || '0500' || '0300', 'ascending'),
  ('duplicate values',             '3a300000' || '01000000' || '00000100' || '10000000' || '0500' || '0500', 'ascending'),
  ('bitset popcount too small',    '3a300000' || '01000000' || '00000010' || '10000000' || repeat('ff', 512) || '00' || repeat('00', 7679), 'cardinality'),
  ('bitset popcount too large',    '3a300000' || '01000000' || '00000010' || '10000000' || repeat('ff', 512) || '03' || repeat('00', 7679), 'cardinality'),
  ('bitset truncated',             '3a300000' || '01000000' || '00000010' || '10000000' || repeat('ff', 512) || '01' || repeat('00', 7678), ''),
  ('overlapping runs',             '3b300000' || '01' || '00000700' || '0200' || '00000500' || '03000100', 'run'),
  ('adjacent runs',                '3b300000' || '01' || '00000300' || '0200' || '00000100' || '02000100', 'run'),
  ('runs out of order',            '3b300000' || '01' || '00000700' || '0200' || '0a000100' || '00000500', 'run'),
  ('run exceeding 65535',          '3b300000' || '01' || '00000a00' || '0100' || 'faff0a00', 'run'),
  ('run from 65535 of length 2',   '3b300000' || '01' || '00000100' || '0100' || 'ffff0100', 'run'),
  ('run cardinality mismatch',     '3b300000' || '01' || '00000200' || '0100' || '00000400', 'cardinality'),
  ('zero runs',                    '3b300000' || '01' || '00000000' || '0000', 'run'),
  ('run count past the end',       '3b300000' || '01' || '00000000' || '0500' || '00000000', ''),
  ('run flag for missing container', '3b300000' || '03' || '00000700' || '0200' || '00000500' || '0a000100', 'run flag'),
  ('offsets wrong',                '3a300000' || '01000000' || '00000000' || '11000000' || '0100', 'offset'),
  ('offsets swapped',              '3a300000' || '02000000' || '00000000' || '01000000' || '1a000000' || '18000000' || '0100' || '0200', 'offset'),
  ('offset past the end',          '3a300000' || '01000000' || '00000000' || 'ffffff7f' || '0100', 'offset'),
  ('run cookie offsets wrong',     '3b300300' || '01' || '00000900' || '01000000' || '02000000' || '03000000'
                                   || pg_temp.le32(37) || pg_temp.le32(43) || pg_temp.le32(46) || pg_temp.le32(47)
                                   || '0100' || '00000900' || '0700' || '0700' || '0700', 'offset'),
  ('trailing bytes',               '3a300000' || '01000000' || '00000000' || '10000000' || '0100' || '00', 'trailing'),
  ('trailing bytes after empty',   '3a300000' || '00000000' || '00', 'trailing'),
  ('trailing bytes after runs',    '3b300000' || '01' || '00000700' || '0200' || '00000500' || '0a000100' || '0000', 'trailing'),
  ('truncated container data',     '3a300000' || '01000000' || '00000000' || '10000000' || '01', ''),
  ('missing container data',       '3a300000' || '01000000' || '00000000' || '10000000', ''),
  ('truncated array',              '3a300000' || '01000000' || '00000100' || '10000000' || '0300', ''),
  ('truncated run container',      '3b300000' || '01' || '00000700' || '0200' || '00000500' || '0a00', '');
UPDATE bad_hex SET pattern = 'end of the data' WHERE pattern = '';
UPDATE bad_hex SET pattern = 'truncated header' WHERE name = 'count 2 header for 1';

-- the hand-built valid inputs parse, through both paths, to the right sets
-- (so every corrupt case below differs from valid bytes by its one defect)
SELECT is((SELECT string_agg(name, ', ') FROM valid_hex
           WHERE rb_to_array(('\x' || hex)::bytea::roaringbitmap) IS DISTINCT FROM elems
              OR rb_to_array(('\x' || hex)::roaringbitmap) IS DISTINCT FROM elems
              OR rb_cardinality(('\x' || hex)::roaringbitmap) <> cardinality(elems)), NULL,
          'hand-built valid serializations read back as the right sets');
SELECT is((SELECT string_agg(name, ', ') FROM valid_hex
           WHERE ('\x' || hex)::bytea::roaringbitmap <> rb_build(elems)
              OR rb_min(('\x' || hex)::roaringbitmap) IS DISTINCT FROM elems[1]
              OR rb_max(('\x' || hex)::roaringbitmap) IS DISTINCT FROM elems[cardinality(elems)]
              OR NOT rb_contains(('\x' || hex)::roaringbitmap, rb_build(elems))
              OR rb_range_cardinality(('\x' || hex)::roaringbitmap, 0, 65536) <> (SELECT count(*) FROM unnest(elems) x WHERE x BETWEEN 0 AND 65535)), NULL,
          'hand-built valid serializations work with =, rb_min, rb_max, rb_contains, rb_range_cardinality');

-- every corrupt case, through the bytea cast and through text input
SELECT throws_ok(format('SELECT %L::bytea::roaringbitmap', '\x' || hex), '22P02', NULL,
                 'bytea cast rejects: ' || name)
FROM bad_hex ORDER BY name;
SELECT throws_ok(format('SELECT %L::roaringbitmap', '\x' || hex), '22P02', NULL,
                 'text input rejects: ' || name)
FROM bad_hex ORDER BY name;
SELECT throws_ok(format('SELECT roaringbitmap(%L::bytea)', '\x' || hex), '22P02', NULL,
                 'roaringbitmap(bytea) rejects: ' || name)
FROM bad_hex WHERE name IN ('keys unsorted', 'bitset popcount too small', 'overlapping runs', 'trailing bytes')
ORDER BY name;
SELECT throws_like(format('SELECT %L::bytea::roaringbitmap', '\x' || hex), '%' || pattern || '%',
                   'error message says what is wrong: ' || name)
FROM bad_hex ORDER BY name;
SELECT is((SELECT count(*) FROM bad_hex
           WHERE pg_temp.err_of(format('SELECT %L::bytea::roaringbitmap', '\x' || hex))
                 !~ '^22P02: invalid roaringbitmap data: '), 0::bigint,
          'every bytea error message starts with "invalid roaringbitmap data:"');

-- corrupt values are rejected before any function sees them
SELECT throws_ok($$SELECT rb_cardinality('\x3a300000020000000100000000000000180000001a00000001000100'::bytea::roaringbitmap)$$,
                 '22P02', NULL, 'rb_cardinality of a corrupt cast errors');
SELECT throws_ok($$SELECT rb_or_agg(x::bytea::roaringbitmap) FROM (VALUES ('\x3a300000010000000000000010000000'), ('\x3a3000000000000000')) v(x)$$,
                 '22P02', NULL, 'aggregate over corrupt casts errors');
SELECT throws_ok($$CREATE TEMP TABLE corrupt AS SELECT '\x3b300000010000070002000000050003000100'::roaringbitmap AS bm$$,
                 '22P02', NULL, 'corrupt text input cannot be stored');
SELECT is((SELECT 1), 1, 'server alive after the corrupt inputs');

-- text input errors ------------------------------------------------------------

SELECT throws_ok($$SELECT '{1,'::roaringbitmap$$, '22P02', NULL, 'text {1, is rejected');
SELECT throws_ok($$SELECT '{a}'::roaringbitmap$$, '22P02', NULL, 'text {a} is rejected');
SELECT throws_ok($$SELECT '{2147483648}'::roaringbitmap$$, '22003', NULL, 'text {2147483648} is out of range');
SELECT throws_ok($$SELECT '{-2147483649}'::roaringbitmap$$, '22003', NULL, 'text {-2147483649} is out of range');
SELECT throws_ok($$SELECT '{99999999999999999999}'::roaringbitmap$$, '22003', NULL, 'text {99999999999999999999} is out of range');
SELECT throws_ok($$SELECT '1,2'::roaringbitmap$$, '22P02', NULL, 'text 1,2 (no braces) is rejected');
SELECT throws_ok($$SELECT '{1 2}'::roaringbitmap$$, '22P02', NULL, 'text {1 2} is rejected');
SELECT throws_ok($$SELECT '{1,}'::roaringbitmap$$, '22P02', NULL, 'text {1,} is rejected');
SELECT throws_ok($$SELECT '{,1}'::roaringbitmap$$, '22P02', NULL, 'text {,1} is rejected');
SELECT throws_ok($$SELECT '{1,,2}'::roaringbitmap$$, '22P02', NULL, 'text {1,,2} is rejected');
SELECT throws_ok($$SELECT '{}x'::roaringbitmap$$, '22P02', NULL, 'text {}x is rejected');
SELECT throws_ok($$SELECT ''::roaringbitmap$$, '22P02', NULL, 'empty text is rejected');
SELECT throws_ok($$SELECT '{'::roaringbitmap$$, '22P02', NULL, 'text { is rejected');
SELECT throws_ok($$SELECT '{1.5}'::roaringbitmap$$, '22P02', NULL, 'text {1.5} is rejected');
SELECT throws_ok($$SELECT '{{1}}'::roaringbitmap$$, '22P02', NULL, 'text {{1}} is rejected');
SELECT ok(pg_temp.err_of($$SELECT '\x3a3'::roaringbitmap$$) ~ '^22(P02|023): ', 'text \x with an odd number of hex digits is rejected');
SELECT ok(pg_temp.err_of($$SELECT '\xzz'::roaringbitmap$$) ~ '^22(P02|023): ', 'text \x with bad hex digits is rejected');
SELECT throws_like($$SELECT '{1,'::roaringbitmap$$, 'invalid input syntax for type roaringbitmap%',
                   'syntax error message names the type');
SELECT throws_like($$SELECT '{2147483648}'::roaringbitmap$$, '%2147483648%out of range%',
                   'out-of-range message names the value');
SELECT is(rb_to_array(' { 1 , -2 , 1 } '::roaringbitmap), '{1,-2}'::int[], 'text input allows white space and duplicates');
SELECT is(rb_to_array('{}'::roaringbitmap), '{}'::int[], 'text {} is the empty set');
SELECT is(rb_to_array('{-2147483648,2147483647,+5}'::roaringbitmap), '{5,2147483647,-2147483648}'::int[],
          'text input takes the int4 extremes and a plus sign');

-- NULL array elements
SELECT throws_ok($$SELECT rb_build(ARRAY[1, NULL])$$, '22004', NULL, 'rb_build rejects NULL elements');
SELECT throws_ok($$SELECT ARRAY[NULL::int]::roaringbitmap$$, '22004', NULL, 'int4[] cast rejects NULL elements');
SELECT throws_like($$SELECT rb_build(ARRAY[1, NULL])$$, '%NULL%', 'NULL element message says so');
SELECT is(rb_build(NULL::int[]), NULL, 'rb_build(NULL) is NULL');

-- limits
SELECT throws_ok($$SELECT rb_to_array(rb_fill('{}'::roaringbitmap, 0, 4294967296))$$, '54000', NULL,
                 'rb_to_array of 2^32 elements is a program-limit error');
SELECT is((SELECT count(*) FROM (SELECT rb_iterate(rb_fill('{}'::roaringbitmap, 4294967296 - 100000, 4294967296))) s), 100000::bigint,
          'rb_iterate streams what rb_to_array could not hold');
SELECT is((SELECT 1), 1, 'server alive after the limit errors');

-- random garbage and random mutations of valid bytes ---------------------------
-- each input either errors with 22P02 on both paths or, if by chance valid,
-- reads back consistently; nothing crashes.

CREATE FUNCTION pg_temp.rnd_hex(n int) RETURNS text LANGUAGE sql VOLATILE AS
$$ SELECT coalesce(string_agg(lpad(to_hex(floor(random() * 256)::int), 2, '0'), ''), '') FROM generate_series(1, n) $$;
CREATE FUNCTION pg_temp.mutate(hex text) RETURNS text LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  n int := length(hex) / 2;
  pos int;
  c float8 := random();
BEGIN
  IF c < 0.6 THEN             -- change 1-3 bytes (mostly in the header)
    FOR i IN 1 .. 1 + floor(random() * 3)::int LOOP
      pos := CASE WHEN random() < 0.7 THEN floor(random() * least(n, 48))::int ELSE floor(random() * n)::int END;
      hex := overlay(hex PLACING pg_temp.rnd_hex(1) FROM 2 * pos + 1 FOR 2);
    END LOOP;
  ELSIF c < 0.8 THEN          -- truncate
    hex := left(hex, 2 * floor(random() * n)::int);
  ELSE                        -- append
    hex := hex || pg_temp.rnd_hex(1 + floor(random() * 8)::int);
  END IF;
  RETURN hex;
END $$;

SELECT setseed(0.31337);
CREATE TEMP TABLE garbage AS
SELECT g AS n, CASE
  WHEN g <= 50 THEN pg_temp.rnd_hex(floor(random() * 40)::int)
  WHEN g <= 100 THEN '3a300000' || pg_temp.le32(floor(random() * 4)::int) || pg_temp.rnd_hex(floor(random() * 60)::int)
  WHEN g <= 150 THEN '3b30' || pg_temp.le16(floor(random() * 5)::int) || pg_temp.rnd_hex(floor(random() * 60)::int)
  ELSE pg_temp.mutate((SELECT hex FROM valid_hex ORDER BY name OFFSET (g % 9) LIMIT 1))
  END AS hex
FROM generate_series(1, 1000) g ORDER BY g;

CREATE FUNCTION pg_temp.check_garbage(hex text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  e1 text := pg_temp.err_of(format('SELECT %L::bytea::roaringbitmap', '\x' || hex));
  e2 text := pg_temp.err_of(format('SELECT %L::roaringbitmap', '\x' || hex));
  bm roaringbitmap;
  arr int[];
BEGIN
  IF e1 IS NOT NULL OR e2 IS NOT NULL THEN
    IF e1 IS NULL OR e2 IS NULL OR left(e1, 6) <> '22P02:' OR left(e2, 6) <> '22P02:' THEN
      RETURN 'inconsistent errors: ' || coalesce(e1, 'ok') || ' / ' || coalesce(e2, 'ok');
    END IF;
    RETURN 'error';
  END IF;
  bm := ('\x' || hex)::roaringbitmap;
  arr := rb_to_array(bm);
  IF arr IS DISTINCT FROM (SELECT coalesce(array_agg(x ORDER BY x::bigint & 4294967295), '{}')
                           FROM (SELECT DISTINCT x FROM unnest(arr) x) d)
     OR rb_cardinality(bm) <> cardinality(arr)
     OR rb_build(arr) <> bm OR NOT rb_equals(rb_or(bm, bm), bm)
     OR rb_min(bm) IS DISTINCT FROM arr[1] OR rb_max(bm) IS DISTINCT FROM arr[cardinality(arr)]
     OR array(SELECT rb_iterate(bm)) IS DISTINCT FROM arr
     OR bm::text::roaringbitmap <> bm THEN
    RETURN 'inconsistent bitmap: ' || hex;
  END IF;
  RETURN 'valid';
END $$;

CREATE TEMP TABLE garbage_result AS SELECT n, hex, pg_temp.check_garbage(hex) AS r FROM garbage;
SELECT is((SELECT string_agg(r, '; ') FROM garbage_result WHERE r NOT IN ('error', 'valid')), NULL,
          '1000 random and mutated inputs: 22P02 on both paths, or a consistent bitmap');
SELECT ok((SELECT count(*) FROM garbage_result WHERE r = 'error') >= 800
          AND (SELECT count(*) FROM garbage_result WHERE r = 'valid') >= 10,
          'the random inputs include both rejected and (by chance) valid ones');
SELECT is((SELECT 1), 1, 'server alive after the random inputs');
SELECT is((SELECT t FROM boot), pg_postmaster_start_time(), 'the server did not restart during this test');

SELECT * FROM finish();
ROLLBACK;
