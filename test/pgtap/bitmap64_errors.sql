-- roaringbitmap64 bad input: corrupt portable 64-bit bytes through every
-- input path (text \x, bytea cast; binary COPY/recv in
-- test/cluster/bitmap64_binary_copy.sh), casts that do not fit, bad text,
-- ranges too large.  Each corrupt value is a valid one with one defect.
BEGIN;
SELECT plan(36);
SET LOCAL client_min_messages = warning;

-- one bucket, key 1, {5}: the 32-bit bitmap {5}
CREATE FUNCTION pg_temp.inner5() RETURNS text LANGUAGE sql IMMUTABLE AS
$$ SELECT '3a300000' || '01000000' || '00000000' || '10000000' || '0500' $$;

CREATE TEMP TABLE bad(name text PRIMARY KEY, hex text, pattern text);
INSERT INTO bad VALUES
  ('empty bytes',             '', 'bucket count'),
  ('truncated count',         '01000000000000', 'bucket count'),
  ('count without buckets',   '0100000000000000', 'bucket count'),
  ('count 2^64-1',            'ffffffffffffffff' || '01000000' || pg_temp.inner5(), 'bucket count'),
  ('count 2^63',              '0000000000000080' || '01000000' || pg_temp.inner5(), 'bucket count'),
  ('count 2 for 1 bucket',    '0200000000000000' || '01000000' || pg_temp.inner5() || '000000000000', ''),
  ('truncated key',           '0100000000000000' || '0100' || repeat('00', 10), ''),
  ('keys unsorted',           '0200000000000000' || '02000000' || pg_temp.inner5() || '01000000' || pg_temp.inner5(), 'ascending'),
  ('duplicate keys',          '0200000000000000' || '01000000' || pg_temp.inner5() || '01000000' || pg_temp.inner5(), 'ascending'),
  ('bad inner cookie',        '0100000000000000' || '01000000' || '3c300000' || '01000000' || '00000000' || '10000000' || '0500', 'cookie'),
  ('inner values unsorted',   '0100000000000000' || '01000000' || '3a300000' || '01000000' || '00000100' || '10000000' || '0500' || '0300', 'ascending'),
  ('inner offset wrong',      '0100000000000000' || '01000000' || '3a300000' || '01000000' || '00000000' || '11000000' || '0500' || '00', 'offset'),
  ('inner truncated',         '0100000000000000' || '01000000' || '3a300000' || '01000000' || '00000100' || '10000000' || '0500', ''),
  ('empty inner bitmap',      '0100000000000000' || '01000000' || '3a30000000000000', 'empty inner'),
  ('empty inner then one',    '0200000000000000' || '01000000' || '3a30000000000000' || '02000000' || pg_temp.inner5(), 'empty inner'),
  ('trailing bytes',          '0100000000000000' || '01000000' || pg_temp.inner5() || '00', 'trailing'),
  ('32-bit bitmap',           pg_temp.inner5(), '');

CREATE FUNCTION pg_temp.err(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE q;
  RETURN NULL;
EXCEPTION WHEN others THEN
  RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

SELECT is(rb64_to_array(('\x' || '0100000000000000' || '01000000' || pg_temp.inner5())::roaringbitmap64),
          '{4294967301}'::bigint[], 'the hand-made valid value reads back');
SELECT is((SELECT count(*) FROM bad
           WHERE pg_temp.err(format('SELECT %L::roaringbitmap64', '\x' || hex)) NOT LIKE '22P02: invalid roaringbitmap64 data: %'
              OR pg_temp.err(format('SELECT %L::roaringbitmap64', '\x' || hex)) NOT LIKE '%' || pattern || '%'),
          0::bigint, 'every corrupt value is a 22P02 naming the defect through text \x input');
SELECT is((SELECT count(*) FROM bad
           WHERE pg_temp.err(format('SELECT %L::bytea::roaringbitmap64', '\x' || hex)) NOT LIKE '22P02: invalid roaringbitmap64 data: %'),
          0::bigint, 'every corrupt value is a 22P02 through the bytea cast');
SELECT is((SELECT count(*) FROM bad, generate_series(1, length(hex) / 2 - 1) cut
           WHERE pg_temp.err(format('SELECT %L::bytea::roaringbitmap64', '\x' || left(('0200000000000000' || '01000000' || pg_temp.inner5() || '02000000' || pg_temp.inner5()), cut * 2)))
                 NOT LIKE '22P02: %' AND name = 'keys unsorted'),
          0::bigint, 'every truncation of a valid two-bucket value is a clean 22P02');
SELECT throws_ok($$SELECT '\x0100000000000000'::roaringbitmap64$$, '22P02', NULL, 'count without buckets');
SELECT throws_like($$SELECT '\xffffffffffffffff0100000000'::roaringbitmap64$$, '%bucket count larger than the data could hold%', 'a count of 2^64-1 is refused before anything is allocated');
SELECT throws_like($$SELECT '\x01zz'::roaringbitmap64$$, '%invalid hexadecimal data at character 5%', 'bad hex digit: position');
SELECT throws_ok($$SELECT '\x01zz'::roaringbitmap64$$, '22P02', NULL, 'bad hex digit: 22P02');

-- text form
SELECT throws_ok($$SELECT '{1,2'::roaringbitmap64$$, '22P02', NULL, 'unterminated set');
SELECT throws_ok($$SELECT '1,2'::roaringbitmap64$$, '22P02', NULL, 'no braces');
SELECT throws_ok($$SELECT '{1,x}'::roaringbitmap64$$, '22P02', NULL, 'not a number');
SELECT throws_ok($$SELECT '{1} x'::roaringbitmap64$$, '22P02', NULL, 'text after the set');
SELECT throws_ok($$SELECT '{9223372036854775808}'::roaringbitmap64$$, '22003', NULL, '2^63 written positive is out of range (write it negative)');
SELECT throws_like($$SELECT '{9223372036854775808}'::roaringbitmap64$$, '%out of range for type bigint%', 'out of range message');
SELECT is('{-9223372036854775808,9223372036854775807}'::roaringbitmap64::text::roaringbitmap64,
          '{9223372036854775807,-9223372036854775808}'::roaringbitmap64, 'bigint extremes are accepted');
SELECT throws_ok($$SELECT rb64_build('{1,NULL}'::bigint[])$$, '22004', NULL, 'NULL array element');

-- casts that do not fit
SELECT throws_ok($$SELECT '{1,4294967296}'::roaringbitmap64::roaringbitmap$$, '22003', NULL, 'element 2^32 does not fit roaringbitmap');
SELECT throws_like($$SELECT '{1,4294967296}'::roaringbitmap64::roaringbitmap$$, '%value 4294967296 is out of range for type integer%', 'the message names the element');
SELECT throws_ok($$SELECT '{2147483648}'::roaringbitmap64::roaringbitmap$$, '22003', NULL, '2^31 does not fit int4');
SELECT throws_ok($$SELECT '{-2147483649}'::roaringbitmap64::roaringbitmap$$, '22003', NULL, '-2^31-1 does not fit int4');
SELECT throws_ok($$SELECT '{-9223372036854775808}'::roaringbitmap64::roaringbitmap$$, '22003', NULL, '-2^63 does not fit int4');
SELECT is(rb_to_array('{-2147483648,-1,0,2147483647}'::roaringbitmap64::roaringbitmap), '{0,2147483647,-2147483648,-1}'::int[],
          'the int4 extremes fit');
SELECT is(rb64_to_array(rb_build('{0,2147483647,-2147483648,-1}')::roaringbitmap64), '{0,2147483647,-2147483648,-1}'::bigint[],
          'roaringbitmap -> roaringbitmap64 keeps the values SQL shows');

-- limits and stored-value checks
SELECT throws_ok($$SELECT rb64_fill('{}'::roaringbitmap64, 0, 0)$$, '54000', NULL, 'filling all 2^64 values is a program limit');
SELECT throws_like($$SELECT rb64_flip('{}'::roaringbitmap64, 0, 4398046511105)$$, '%at most 1024 can be filled or flipped%', 'flip over 1025 high keys');
SELECT is(rb64_cardinality(rb64_fill('{}'::roaringbitmap64, 0, 4294967296 * 3)), 4294967296 * 3, 'fill over three whole high keys');
SELECT is(rb64_cardinality(rb64_clear(rb64_fill('{}'::roaringbitmap64, -4294967296, 0), 0, 0)), 0::bigint, 'clear of everything');
SELECT is(rb64_to_array(rb64_fill('{}'::roaringbitmap64, -3, 0)), '{-3,-2,-1}'::bigint[], 'range_end 0 means 2^64');
SELECT is(rb64_range_cardinality('{1,5,-1}'::roaringbitmap64, 0, 0), 3::bigint, 'range 0..0 is everything');
SELECT is(rb64_range_cardinality('{1,5,-1}'::roaringbitmap64, 6, 2), 0::bigint, 'start after end is empty');
SELECT ok(rb64_min('{}'::roaringbitmap64) IS NULL AND rb64_max('{}'::roaringbitmap64) IS NULL, 'min/max of the empty set are NULL');
SELECT is(rb64_to_array('{-1,0,1}'::roaringbitmap64 >> 1), '{1,2}'::bigint[], 'shiftright drops what passes 2^64-1');
SELECT is(rb64_to_array('{-1,0,1}'::roaringbitmap64 << 1), '{0,-2}'::bigint[], 'shiftleft drops what goes below 0');
SELECT is(rb64_to_array('{0,1}'::roaringbitmap64 >> -9223372036854775808), '{}'::bigint[], 'shift by -2^63');
SELECT throws_ok($$SELECT rb64_build_trans(NULL, 1::bigint)$$, '0A000', NULL, 'transition functions outside an aggregate');
SELECT is(rb64_iterate('{}'::roaringbitmap64), NULL, 'rb64_iterate of the empty set returns no rows');
SELECT is((SELECT count(*) FROM rb64_iterate(rb64_fill('{}'::roaringbitmap64, 4294967290, 4294967306))), 16::bigint,
          'rb64_iterate across a high key');

SELECT * FROM finish();
ROLLBACK;
