-- roaringbitmap64: text and binary forms, every function on small values,
-- operators, casts and the ordering convention (unsigned, >= 2^63 shown negative).
SET persona.output_format = 'array';
-- unsigned order: 0 .. 2^63-1, then -2^63 .. -1
SELECT '{5,-1,0,9223372036854775807,-9223372036854775808,4294967296}'::roaringbitmap64;
SELECT '{}'::roaringbitmap64, ' { 1 , 2 } '::roaringbitmap64;
-- the bytes: uint64 bucket count, then per bucket a uint32 high key and a 32-bit portable bitmap
SELECT rb64_build('{1,2,4294967296,-1}')::bytea;
SET persona.output_format = 'bytea';
SELECT rb64_build('{1,2,4294967296,-1}');
SELECT '{}'::roaringbitmap64;
SELECT '\x0100000000000000010000003a3000000100000000000000100000000500'::roaringbitmap64::bigint[];
SET persona.output_format = 'array';
SELECT rb64_to_array('{3,1,2}'), '{3,1,2}'::roaringbitmap64::bigint[], '{7,8}'::bigint[]::roaringbitmap64;
SELECT x FROM rb64_iterate('{4294967295,4294967296,-1,0}') x;
-- set algebra and cardinalities
SELECT '{1,2,3,-1}'::roaringbitmap64 & '{2,3,4,-1}', '{1,2,3,-1}'::roaringbitmap64 | '{2,3,4,-1}',
       '{1,2,3,-1}'::roaringbitmap64 # '{2,3,4,-1}', '{1,2,3,-1}'::roaringbitmap64 - '{2,3,4,-1}';
SELECT rb64_and('{1,4294967296}', '{4294967296}'), rb64_or('{1}', '{-5}'), rb64_xor('{1}', '{1}'), rb64_andnot('{1,-5}', '{1}');
SELECT rb64_and_cardinality('{1,2,3,-1}', '{2,3,4,-1}'), rb64_or_cardinality('{1,2,3,-1}', '{2,3,4,-1}'),
       rb64_xor_cardinality('{1,2,3,-1}', '{2,3,4,-1}'), rb64_andnot_cardinality('{1,2,3,-1}', '{2,3,4,-1}');
SELECT rb64_cardinality('{1,2,-3}'), rb64_is_empty('{}'), rb64_is_empty('{0}'), rb64_jaccard_dist('{1,2}', '{2,3}'), rb64_jaccard_dist('{}', '{}');
-- predicates and elements
SELECT '{1,2,-1}'::roaringbitmap64 @> '{2,-1}'::roaringbitmap64, '{2}'::roaringbitmap64 <@ '{1,2}'::roaringbitmap64,
       '{1,2}'::roaringbitmap64 && '{2,3}'::roaringbitmap64, '{1}'::roaringbitmap64 && '{2}'::roaringbitmap64,
       '{1,-1}'::roaringbitmap64 @> -1::bigint, -1::bigint <@ '{1}'::roaringbitmap64,
       rb64_contains('{4294967297}', 4294967297), rb64_containedby(1, '{1}'), rb64_intersect('{1}', '{1}');
SELECT '{1,2}'::roaringbitmap64 = '{2,1}', '{1,2}'::roaringbitmap64 <> '{1}', rb64_equals('{}', '{}'), rb64_not_equals('{1}', '{-1}');
SELECT '{1}'::roaringbitmap64 | 9223372036854775807::bigint, -7::bigint | '{1}'::roaringbitmap64, '{1,2}'::roaringbitmap64 - 2::bigint,
       rb64_add('{}', -1), rb64_remove('{-1}', -1);
SELECT rb64_min('{5,-1,4294967296}'), rb64_max('{5,-1,4294967296}'), rb64_min('{}'), rb64_max('{}');
SELECT rb64_rank('{1,5,4294967296,-1}', 4294967296), rb64_rank('{1,5,4294967296,-1}', -2), rb64_index('{1,5,4294967296,-1}', -1), rb64_index('{1}', 2);
-- ranges: [range_start, range_end) unsigned; range_end 0 means 2^64
SELECT rb64_fill('{}', 4294967294, 4294967298), rb64_fill('{1}', -2, 0), rb64_clear('{1,2,3,-1}', 2, 0),
       rb64_flip('{1,3}', 0, 5), rb64_range('{1,2,3,-1}', 2, 4), rb64_range('{1,2,3,-1}', range_start => 3, range_end => 0),
       rb64_range_cardinality('{1,2,3,-1}', 2, 0);
SELECT rb64_select('{1,2,3,4,5,-1}', 2), rb64_select('{1,2,3,4,5,-1}', 2, 1), rb64_select('{1,2,3,4,5,-1}', 2, 1, true),
       rb64_select('{1,2,3,4,5,-1}', bitset_limit => 10, range_start => 2, range_end => 5);
SELECT '{1,4294967295,-1}'::roaringbitmap64 >> 1, '{0,1,4294967296}'::roaringbitmap64 << 1, rb64_shiftright('{1}', -1), rb64_shiftleft('{-1}', -1);
SELECT rb64_runoptimize(rb64_fill('{}', 0, 100000)) = rb64_fill('{}', 0, 100000),
       octet_length(rb64_runoptimize(rb64_fill('{}', 0, 100000))::bytea) < octet_length(rb64_build(array(SELECT generate_series(0::bigint, 99999)))::bytea);
-- casts with roaringbitmap: the values SQL shows are kept (int4 -1 is bigint -1)
SELECT rb64_from_roaringbitmap('{1,-1}'), '{1,-1}'::roaringbitmap::roaringbitmap64, rb64_to_roaringbitmap('{-2147483648,2147483647}')::int[];
SELECT '{1,4294967296}'::roaringbitmap64::roaringbitmap;
-- order and hash: lexicographic on the unsigned elements
SELECT x FROM (VALUES ('{2}'::roaringbitmap64), ('{1,-1}'), ('{1,2}'), ('{}'), ('{-1}'), ('{1,4294967296}'), ('{1}')) v(x) ORDER BY x;
SELECT rb64_cmp('{1}', '{1,2}'), rb64_cmp('{1,2}', '{1,4294967296}'), rb64_cmp('{1,4294967296}', '{1,2,4294967296}'),
       '{1}'::roaringbitmap64 < '{2}', '{-1}'::roaringbitmap64 > '{9223372036854775807}';
SELECT count(DISTINCT x), count(*) FROM (VALUES ('{1,2}'::roaringbitmap64), ('{2,1}'), (rb64_runoptimize('{1,2}')), ('{3}')) v(x);
SELECT rb64_hash('{1,2}') = rb64_hash(rb64_runoptimize('{1,2}')), rb64_hash_extended('{1}', 1) <> rb64_hash_extended('{1}', 2);
-- aggregates
SELECT rb64_build_agg(x), rb64_or_agg(rb64_build(array_remove(array[x], NULL))), rb64_or_cardinality_agg(rb64_build(array_remove(array[x], NULL)))
FROM (VALUES (1::bigint), (-1), (NULL), (4294967296), (1)) v(x);
SELECT rb64_and_agg(b), rb64_xor_agg(b), rb64_and_cardinality_agg(b), rb64_xor_cardinality_agg(b)
FROM (VALUES ('{1,2,-1}'::roaringbitmap64), ('{2,3,-1}'), (NULL)) v(b);
SELECT rb64_build_agg(x) IS NULL, rb64_or_agg(NULL::roaringbitmap64) IS NULL FROM generate_series(1, 0) x;
RESET persona.output_format;
