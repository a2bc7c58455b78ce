-- roaringbitmap text, binary and array forms
SET persona.output_format = 'array';

SELECT '{}'::roaringbitmap;
SELECT '  {  }  '::roaringbitmap;
SELECT '{ 3 , 1 ,2, 2, 1 }'::roaringbitmap;
SELECT '{0,-1,2147483647,-2147483648,1}'::roaringbitmap;
SELECT '{+7}'::roaringbitmap;

-- malformed text
SELECT ''::roaringbitmap;
SELECT '{'::roaringbitmap;
SELECT '{1,}'::roaringbitmap;
SELECT '{1 2}'::roaringbitmap;
SELECT '{1}x'::roaringbitmap;
SELECT '{a}'::roaringbitmap;
SELECT '{2147483648}'::roaringbitmap;
SELECT '{-2147483649}'::roaringbitmap;
SELECT '{99999999999999999999}'::roaringbitmap;

-- the bytea text form, as pg_roaringbitmap writes it
SET persona.output_format = 'bytea';
SELECT '{}'::roaringbitmap;
SELECT '{1}'::roaringbitmap;
SELECT '{1,2,3,-1}'::roaringbitmap;
SELECT '\x3a3000000100000000000000100000000100'::roaringbitmap = '{1}'::roaringbitmap AS hex_in;
SET persona.output_format = 'array';
SELECT '\x3a3000000100000000000000100000000100'::roaringbitmap;
-- a run container (cookie 12347): {5,6,7,8,9,10}
SELECT '\x3b3000000100000500010005000500'::roaringbitmap;
SELECT '\x 3b300000 01000005 00010005 000500'::roaringbitmap = '{5,6,7,8,9,10}' AS spaces_between_pairs;
SELECT '\x3a3'::roaringbitmap;
SELECT '\x3a3g'::roaringbitmap;
SELECT rb_runoptimize(rb_build_agg(i))::bytea FROM generate_series(1, 100000) i;
SELECT rb_cardinality(rb_runoptimize(rb_build_agg(i))) FROM generate_series(1, 100000) i;

-- bytea casts
SELECT '{1,2,3}'::roaringbitmap::bytea;
SELECT '\x3a300000010000000000020010000000010002000300'::bytea::roaringbitmap;
SELECT roaringbitmap('\x3a300000010000000000020010000000010002000300'::bytea);
SELECT '\x3a30'::bytea::roaringbitmap;
SELECT '\x3a3000000100000000000000100000000100ff'::bytea::roaringbitmap;
SELECT '\x3a30000002000000000000000000000018000000'::bytea::roaringbitmap;

-- int4[] casts
SELECT '{5,1,3}'::int4[]::roaringbitmap;
SELECT '{0,-1,2147483647,-2147483648}'::roaringbitmap::int4[];
SELECT '{}'::int4[]::roaringbitmap;
SELECT rb_build('{}');
SELECT rb_build('{{1,2},{3,4}}');
SELECT rb_build(ARRAY[1,NULL,3]);
SELECT rb_to_array('{}');

-- NULL in, NULL out
SELECT rb_build(NULL), rb_to_array(NULL), rb_cardinality(NULL);

-- above a million elements, through every form
CREATE TEMP TABLE big AS SELECT rb_build_agg(i * 3) AS bm FROM generate_series(0, 1200000) i;
SELECT rb_cardinality(bm), rb_min(bm), rb_max(bm) FROM big;
SELECT array_length(rb_to_array(bm), 1) FROM big;
SELECT count(*), min(x), max(x), sum(x::bigint) FROM big, rb_iterate(bm) x;
SELECT bm::bytea::roaringbitmap = bm AS bytea_round_trip FROM big;
SELECT bm::text::roaringbitmap = bm AS bytea_text_round_trip FROM big;
SET persona.output_format = 'bytea';
SELECT length(bm::text) > 0 FROM big;
SET persona.output_format = 'array';
SELECT bm::text::roaringbitmap = bm AS array_text_round_trip FROM big;

-- rb_iterate streams in unsigned order
SELECT rb_iterate('{-1,0,-2147483648,2147483647,5}');
SELECT rb_iterate('{}');
