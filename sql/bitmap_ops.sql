-- set algebra, predicates and operators
SET persona.output_format = 'array';

SELECT '{1,2,3}'::roaringbitmap & '{3,4,5}', '{1,2,3}'::roaringbitmap | '{3,4,5}',
       '{1,2,3}'::roaringbitmap # '{3,4,5}', '{1,2,3}'::roaringbitmap - '{3,4,5}';
SELECT rb_and('{1,2,3}', '{}'), rb_or('{}', '{}'), rb_xor('{1}', '{1}'), rb_andnot('{}', '{1}');
SELECT rb_and('{-1,0,7}', '{-1,7}'), rb_or('{-2147483648}', '{2147483647}');

SELECT rb_and_cardinality('{1,2,3}', '{3,4,5}'), rb_or_cardinality('{1,2,3}', '{3,4,5}'),
       rb_xor_cardinality('{1,2,3}', '{3,4,5}'), rb_andnot_cardinality('{1,2,3}', '{3,4,5}');
SELECT rb_and_cardinality('{}', '{}'), rb_or_cardinality('{}', '{1}');

SELECT rb_cardinality('{}'), rb_cardinality('{1,2,3,-1}'), rb_is_empty('{}'), rb_is_empty('{0}');

-- containment and overlap
SELECT '{1,2,3}'::roaringbitmap @> '{3}'::roaringbitmap, '{1,2,3}'::roaringbitmap @> '{3,4}'::roaringbitmap,
       '{1,2,3}'::roaringbitmap @> 2, '{1,2,3}'::roaringbitmap @> 4, '{-1}'::roaringbitmap @> -1;
SELECT '{3}'::roaringbitmap <@ '{1,2,3}'::roaringbitmap, 3 <@ '{1,2,3}'::roaringbitmap, 9 <@ '{1,2,3}'::roaringbitmap;
SELECT '{}'::roaringbitmap <@ '{}'::roaringbitmap, '{}'::roaringbitmap @> '{}'::roaringbitmap;
SELECT '{1,2}'::roaringbitmap && '{2,3}', '{1}'::roaringbitmap && '{2}', '{}'::roaringbitmap && '{}';
SELECT rb_contains('{1,2,3}', 1), rb_contains('{1,2,3}', '{1,2}'::roaringbitmap),
       rb_containedby('{1}'::roaringbitmap, '{1,2}'), rb_containedby(2, '{1,2}'::roaringbitmap), rb_intersect('{1}', '{1}');

-- equality is on the set: the same set in a run container equals its array form
SELECT '{1,2,3}'::roaringbitmap = '{3,2,1}', '{1,2}'::roaringbitmap = '{1}', '{1}'::roaringbitmap <> '{2}';
SELECT rb_equals('{}', '{}'), rb_not_equals('{}', '{0}');
SELECT '\x3b3000000100000500010005000500'::roaringbitmap = '{5,6,7,8,9,10}'::roaringbitmap AS run_eq_array;
SELECT rb_runoptimize(rb_fill('{}', 0, 70000)) = rb_fill('{}', 0, 70000) AS run_eq_bitset;

SELECT rb_jaccard_dist('{1,2,3}', '{3,4}'), rb_jaccard_dist('{1}', '{1}'), rb_jaccard_dist('{1}', '{2}');

-- single elements
SELECT '{1,2}'::roaringbitmap | 5, 5 | '{1,2}'::roaringbitmap, '{1,2}'::roaringbitmap - 1, '{1,2}'::roaringbitmap - 9;
SELECT rb_add('{}', -1), rb_add(-2147483648, '{}'::roaringbitmap), rb_remove('{0}', 0);

-- shifts: >> adds the distance, << subtracts; elements leaving 0 .. 2^32-1 drop out
SELECT '{1,2,3}'::roaringbitmap << 2, '{1,2,3}'::roaringbitmap >> 3;
SELECT rb_shiftright('{0,1,2147483647,-1}', 1), rb_shiftleft('{0,1,2147483647,-1}', 1);
SELECT rb_shiftright('{1,2}', 0), rb_shiftright('{1,2}', 4294967296), rb_shiftleft('{1,2}', 4294967296);
SELECT rb_shiftright('{1,2}', 9223372036854775807), rb_shiftleft('{1,2}', -9223372036854775808);
SELECT rb_cardinality(rb_shiftright(rb_fill('{}', 0, 200000), 65535)),
       rb_min(rb_shiftright(rb_fill('{}', 0, 200000), 65535)), rb_max(rb_shiftright(rb_fill('{}', 0, 200000), 65535));

-- large operands with every container kind
CREATE TEMP TABLE sets AS
SELECT rb_fill('{}', 0, 100000) AS dense,                   -- runs / bitsets
       (SELECT rb_build_agg(i * 7) FROM generate_series(0, 50000) i) AS sparse,
       rb_runoptimize(rb_fill('{}', 50000, 150000)) AS run;
SELECT rb_cardinality(dense & sparse), rb_cardinality(dense | sparse), rb_cardinality(dense # sparse),
       rb_cardinality(dense - sparse), rb_and_cardinality(run, sparse), rb_or_cardinality(run, dense),
       rb_xor_cardinality(run, dense), rb_andnot_cardinality(run, dense)
FROM sets;
SELECT count(*) FROM generate_series(0, 350000) i WHERE i % 7 = 0 AND i < 100000;
