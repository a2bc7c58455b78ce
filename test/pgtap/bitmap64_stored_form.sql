-- roaringbitmap64's stored form: values of two or more buckets are stored
-- with a bucket directory, values stored by 0.2.0 are plain portable bytes,
-- and the binary form (bytea cast, send, \x text) is always portable.
-- pg_temp.as_stored_by_020 puts bytes into a roaringbitmap64 unconverted
-- (byteasend copies its argument), as 0.2.0 stored them.
BEGIN;
SELECT plan(23);
SET LOCAL client_min_messages = warning;
SET LOCAL persona.output_format = 'bytea';
SELECT setseed(0.25);

CREATE FUNCTION pg_temp.as_stored_by_020(bytea) RETURNS roaringbitmap64
  LANGUAGE internal IMMUTABLE STRICT AS 'byteasend';
-- high key k (0 .. 2^32-1) and low half l as one bigint
CREATE FUNCTION pg_temp.j(k bigint, l bigint) RETURNS bigint LANGUAGE sql IMMUTABLE AS
$$ SELECT ((k - CASE WHEN k >= 2147483648 THEN 4294967296 ELSE 0 END) << 32) | l $$;
CREATE FUNCTION pg_temp.hi(x bigint) RETURNS bigint LANGUAGE sql IMMUTABLE AS
$$ SELECT (x >> 32) & 4294967295 $$;

-- 12 values of 3 to 11 buckets on random high keys (some >= 2^31, i.e. elements
-- >= 2^63), each bucket an array, a bitset or a long run
CREATE TEMP TABLE buckets AS
SELECT id, b, k, (random() * 3)::int % 3 AS kind
FROM (SELECT id, b, (random() * 4294967295)::bigint AS k
      FROM generate_series(1, 12) id, generate_series(1, 3 + (id % 9)) b) s;
UPDATE buckets SET k = 4294967295 WHERE id = 3 AND b = 1;   -- the top bucket
UPDATE buckets SET k = 0 WHERE id = 4 AND b = 1;
CREATE TEMP TABLE elems AS
SELECT DISTINCT id, pg_temp.j(k, l) AS x
FROM buckets, LATERAL (
  SELECT (random() * 4294967295)::bigint AS l FROM generate_series(1, 2000) WHERE kind = 0
  UNION ALL SELECT ((k % 65536) << 16) | (random() * 65535)::bigint FROM generate_series(1, 5000) WHERE kind = 1
  UNION ALL SELECT g FROM generate_series((k % 1000) * 65536 + 60000, (k % 1000) * 65536 + 70000) g WHERE kind = 2) q;
CREATE TEMP TABLE vals AS
SELECT id, rb64_runoptimize(rb64_build_agg(x)) AS bm FROM elems GROUP BY id;
CREATE TEMP TABLE old AS SELECT id, pg_temp.as_stored_by_020(bm::bytea) AS bm FROM vals;
CREATE TEMP TABLE arr AS SELECT id, array_agg(x) AS a, count(DISTINCT pg_temp.hi(x)) AS nb FROM elems GROUP BY id;

SELECT ok((SELECT bool_and(pg_column_size(v.bm) > 3 * 1996 AND pg_column_size(o.bm) > 3 * 1996 AND a.nb >= 2)
           FROM vals v JOIN old o USING (id) JOIN arr a USING (id)) AND (SELECT count(*) FROM vals) = 12,
          'values of several buckets, each more than 3 TOAST chunks');
SELECT is((SELECT count(*) FROM vals v JOIN old o USING (id) JOIN arr a USING (id)
           WHERE pg_column_size(v.bm) - pg_column_size(o.bm) <> 4 * a.nb), 0::bigint,
          'stored with a directory: 4 bytes per bucket more than the portable bytes stored by 0.2.0');

-- probes: sampled elements and their successors, each bucket's first and last
-- element, absent high keys (the key after each bucket's, 0, the top key)
CREATE TEMP TABLE probes AS
SELECT DISTINCT id, v FROM (
  SELECT id, x AS v FROM elems WHERE random() < 0.004
  UNION ALL SELECT id, x + 1 FROM elems WHERE random() < 0.004
  UNION ALL SELECT id, min(x) FROM elems GROUP BY id, pg_temp.hi(x)
  UNION ALL SELECT id, max(x) FROM elems GROUP BY id, pg_temp.hi(x)
  UNION ALL SELECT id, pg_temp.j((k + 1) % 4294967296, 5) FROM buckets
  UNION ALL SELECT id, v FROM generate_series(1, 12) id, unnest(array[0, 1, -1, -2, 4294967295, 4294967296]) v) p;
SELECT ok((SELECT count(DISTINCT (p.id, pg_temp.hi(p.v))) FROM probes p JOIN elems e ON e.id = p.id AND e.x = p.v)
          = (SELECT count(*) FROM buckets),
          'the probes hit every bucket of every value');

SELECT is((SELECT count(*) FROM probes p JOIN vals b USING (id) JOIN arr a USING (id)
           WHERE rb64_contains(b.bm, p.v) <> (p.v = ANY(a.a))), 0::bigint,
          'directory form: sliced rb64_contains answers as x = ANY(rb64_to_array)');
SELECT is((SELECT count(*) FROM probes p JOIN old b USING (id) JOIN arr a USING (id)
           WHERE rb64_contains(b.bm, p.v) <> (p.v = ANY(a.a))), 0::bigint,
          'portable form stored by 0.2.0: sliced rb64_contains answers the same');
SELECT is((SELECT count(*) FROM probes p JOIN vals b USING (id) JOIN arr a USING (id)
           WHERE (p.v <@ b.bm) <> (p.v = ANY(a.a))), 0::bigint, '<@ answers the same');
SELECT ok((SELECT count(*) FILTER (WHERE rb64_contains(b.bm, p.v)) > 300 AND count(*) FILTER (WHERE NOT rb64_contains(b.bm, p.v)) > 300
           FROM probes p JOIN vals b USING (id)), 'probes hit and miss');
SELECT is((SELECT count(*) FROM (SELECT DISTINCT ON (id) id, x FROM elems ORDER BY id, pg_temp.hi(x) DESC, x DESC) l
           JOIN vals b USING (id) JOIN old o USING (id) JOIN arr a USING (id)
           WHERE rb64_contains(b.bm, l.x) AND rb64_contains(o.bm, l.x) AND l.x = ANY(a.a)), 12::bigint,
          'the last element of the last bucket is found in every value');

-- both stored forms hold the same set: every function answers the same
SELECT is((SELECT count(*) FROM vals v JOIN old o USING (id)
           WHERE NOT (v.bm = o.bm) OR v.bm <> o.bm OR rb64_cmp(v.bm, o.bm) <> 0
              OR rb64_hash(v.bm) <> rb64_hash(o.bm) OR rb64_hash_extended(v.bm, 7) <> rb64_hash_extended(o.bm, 7)),
          0::bigint, 'old and new forms of a set: equal, compare 0, hash equally');
SELECT is((SELECT count(DISTINCT bm) FROM (SELECT bm FROM vals UNION ALL SELECT bm FROM old) u), 12::bigint,
          'DISTINCT over both forms counts each set once');
SET LOCAL enable_mergejoin = off;
SET LOCAL enable_nestloop = off;
SELECT is((SELECT count(*) FROM vals v JOIN old o ON v.bm = o.bm), 12::bigint, 'hash join across the forms');
RESET enable_mergejoin;
SET LOCAL enable_hashjoin = off;
SELECT is((SELECT count(*) FROM vals v JOIN old o ON v.bm = o.bm), 12::bigint, 'merge join across the forms');
RESET enable_hashjoin;
RESET enable_nestloop;
SELECT is((SELECT count(*) FROM vals v JOIN old o USING (id) JOIN arr a USING (id)
           WHERE rb64_to_array(o.bm) <> (SELECT array_agg(x ORDER BY x # (-9223372036854775808)::bigint) FROM unnest(a.a) x)
              OR rb64_cardinality(o.bm) <> cardinality(a.a) OR v.bm::bytea <> o.bm::bytea
              OR (o.bm | '{}'::roaringbitmap64) <> v.bm OR rb64_and_cardinality(o.bm, v.bm) <> cardinality(a.a)
              OR rb64_max(o.bm) <> rb64_max(v.bm) OR rb64_rank(o.bm, 0) <> rb64_rank(v.bm, 0)),
          0::bigint, 'functions read the old form as the new one');
SELECT is((SELECT rb64_cardinality(rb64_or_agg(bm)) FROM (SELECT bm FROM old UNION ALL SELECT bm FROM vals) u),
          (SELECT count(*) FROM elems), 'aggregates over both forms');

-- the binary form is portable, written out by hand for {1, 2^32 + 2, -1}:
-- count 3; key 0, {1}; key 1, {2}; key 2^32-1, {2^32-1}; each inner bitmap
-- a no-run cookie, 1 container, (key, card-1), offset 16, the uint16 values
CREATE TEMP TABLE hand AS SELECT
  '\x0300000000000000'
  '000000003a3000000100000000000000100000000100'
  '010000003a3000000100000000000000100000000200'
  'ffffffff3a30000001000000ffff000010000000ffff'::bytea AS portable,
  '{1,4294967298,-1}'::roaringbitmap64 AS bm;
SELECT is((SELECT bm::bytea FROM hand), (SELECT portable FROM hand), 'bytea cast: the portable bytes');
SELECT is((SELECT rb64_to_bytea(bm) FROM hand), (SELECT portable FROM hand), 'rb64_to_bytea: the portable bytes');
SELECT is((SELECT roaringbitmap64_send(bm) FROM hand), (SELECT portable FROM hand), 'send: the portable bytes');
SELECT is((SELECT bm::text FROM hand), (SELECT '\x' || encode(portable, 'hex') FROM hand), '\x text output: the portable bytes');
SELECT is((SELECT pg_column_size(bm) - pg_column_size(portable) FROM hand), 12,
          'the value itself is stored with its directory (3 buckets, 4 bytes each)');
SELECT ok((SELECT portable::roaringbitmap64::bytea = portable
                  AND ('\x' || encode(portable, 'hex'))::roaringbitmap64::bytea = portable
                  AND portable::roaringbitmap64 = bm AND pg_temp.as_stored_by_020(portable) = bm
                  AND rb64_to_array(pg_temp.as_stored_by_020(portable)) = '{1,4294967298,-1}'
             FROM hand), 'round trips bytea -> type -> bytea and \x text -> type -> bytea; old form reads the same');
SELECT is((SELECT pg_column_size(b) - octet_length(b::bytea) FROM (SELECT '{5,6,7}'::roaringbitmap64 AS b) s), 4,
          'a one-bucket value is stored as its portable bytes');
-- the directory form is internal: as binary input its count (bit 63 set) is refused
SELECT throws_ok($$SELECT '\x0300000000000080000000002000000001000000360000'::roaringbitmap64$$, '22P02', NULL,
                 'directory-form bytes are not accepted as input');
SELECT is((SELECT count(*) FROM vals v JOIN old o USING (id) JOIN arr a USING (id)
           WHERE (v.bm::bytea)::roaringbitmap64::bytea <> o.bm::bytea
              OR pg_column_size((v.bm::bytea)::roaringbitmap64) <> 4 + octet_length(v.bm::bytea) + 4 * a.nb), 0::bigint,
          'large values: bytea -> type -> bytea round trip, stored again with the directory');
SELECT * FROM finish();
ROLLBACK;
