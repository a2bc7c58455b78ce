-- ranges, order statistics, selection
SET persona.output_format = 'array';

-- [range_start, range_end), clamped to 0 .. 4294967296
SELECT rb_fill('{1,2}', 5, 8), rb_fill('{1}', 3, 3), rb_fill('{1}', 8, 3), rb_fill('{}', -5, 2);
SELECT rb_cardinality(rb_fill('{}', 4294967290, 9999999999)), rb_min(rb_fill('{}', 4294967290, 9999999999));
SELECT rb_fill('{}', range_start => 1, range_end => 4);
SELECT rb_clear('{1,2,3,4,5}', 2, 4), rb_clear('{1,2,3}', 0, 4294967296), rb_clear('{-1,5}', 4294967295, 4294967296);
SELECT rb_flip('{1,2,3}', 2, 6), rb_flip('{}', 0, 3), rb_flip('{1}', 5, 5);
SELECT rb_range('{1,2,3,4,5,-1}', 2, 5), rb_range('{1,-1}', 0, 4294967296), rb_range('{1,2}', 3, 1), rb_range('{}', 0, 10);
SELECT rb_range('{1,2147483647,-2147483648,-1}', 2147483647, 2147483649);
SELECT rb_range_cardinality('{1,2,3,4,5,-1}', 2, 5), rb_range_cardinality('{1,-1}', 0, 4294967296),
       rb_range_cardinality('{1,2}', 3, 1), rb_range_cardinality('{-1}', 4294967295, 4294967296);
SELECT rb_range_cardinality(rb_fill('{}', 0, 1000000), 1000, 999001);

-- min, max, rank, index in unsigned order
SELECT rb_min('{5,-1,3}'), rb_max('{5,-1,3}'), rb_min('{}'), rb_max('{}');
SELECT rb_min('{0}'), rb_max('{2147483647,0}'), rb_max('{-2147483648,2147483647}');
SELECT rb_rank('{1,2,3,-1}', 2), rb_rank('{1,2,3,-1}', 0), rb_rank('{1,2,3,-1}', -1), rb_rank('{}', 5);
SELECT rb_index('{1,2,3,-1}', 3), rb_index('{1,2,3,-1}', -1), rb_index('{1,2,3}', 9), rb_index('{}', 0);
SELECT rb_rank(rb_fill('{}', 0, 1000000), 500000), rb_index(rb_fill('{}', 0, 1000000), 999999);

-- rb_select(bitmap, bitset_limit, bitset_offset, reverse, range_start, range_end)
SELECT rb_select('{0,1,2,10,100,1000,2147483647,-2147483648,-2,-1}', 2);
SELECT rb_select('{0,1,2,10,100,1000,2147483647,-2147483648,-2,-1}', 2, 1);
SELECT rb_select('{0,1,2,10,100,1000,2147483647,-2147483648,-2,-1}', 2, 1, true);
SELECT rb_select('{0,1,2,10,100,1000,2147483647,-2147483648,-2,-1}', 2, 1, false, 9);
SELECT rb_select('{0,1,2,10,100,1000,2147483647,-2147483648,-2,-1}', 2, 1, true, 9, 4294967295);
SELECT rb_select('{0,1,2,10,100,1000,2147483647,-2147483648,-2,-1}', 0), rb_select('{}', 5);
SELECT rb_select('{1,2,3}', 10, 5), rb_select('{1,2,3}', 10, 5, true), rb_select('{1,2,3}', 10, -1);
SELECT rb_select('{1,2,3,4,5}', 10, 1, true);
SELECT rb_select('{1,2,3,4,5}', bitset_limit => 2, reverse => true);
SELECT rb_select('{1,2,3}', 9223372036854775807, -9223372036854775808);
SELECT rb_cardinality(rb_select(rb_fill('{}', 0, 3000000), 1000000, 500000)),
       rb_min(rb_select(rb_fill('{}', 0, 3000000), 1000000, 500000)),
       rb_max(rb_select(rb_fill('{}', 0, 3000000), 1000000, 500000, true));

-- NULL arguments give NULL (STRICT)
SELECT rb_fill(NULL, 1, 2) IS NULL, rb_select('{1}', NULL) IS NULL, rb_rank(NULL, 1) IS NULL;
