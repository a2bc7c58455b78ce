-- audiences: tag expressions and TGI
SET persona.output_format = 'array';

CREATE TEMP TABLE tb (tag text, bm roaringbitmap);
INSERT INTO tb VALUES
  ('female', '{1,2,3,4,5,6}'), ('parent', '{2,3,4,10}'), ('bought:purifier', '{3,4,5,11}'),
  ('bought:filter', '{4}'), ('city:Shanghai', '{1,2,3}'), ('city:Hangzhou', '{4,5}'),
  ('age:18-24', '{1,5}'), ('say "hi"', '{6}'), ('城市:上海', '{2,6}'),
  ('parent', '{6}'),                       -- a second row of a tag: OR-ed first
  (NULL, '{1,2,3,4,5,6}'), ('female', NULL); -- skipped

-- the seeds' audience
SELECT rb_tag_expr_agg(bm, tag, 'female & parent & bought:purifier - bought:filter & (city:Shanghai | city:Hangzhou)')
FROM tb;
SELECT rb_tag_expr_count_agg(bm, tag, 'female & parent & bought:purifier - bought:filter & (city:Shanghai | city:Hangzhou)')
FROM tb WHERE tag = ANY (rb_tag_expr_tags('female & parent & bought:purifier - bought:filter & (city:Shanghai | city:Hangzhou)'));

-- precedence: & and - tighter than ^, ^ tighter than |, left to right
SELECT rb_tag_expr_agg(bm, tag, 'city:Shanghai | parent & bought:purifier') AS "a | (b & c)",
       rb_tag_expr_agg(bm, tag, '(city:Shanghai | parent) & bought:purifier') AS "(a | b) & c",
       rb_tag_expr_agg(bm, tag, 'female - parent & city:Shanghai') AS "(a - b) & c",
       rb_tag_expr_agg(bm, tag, 'female ^ parent | bought:filter') AS "(a ^ b) | c",
       rb_tag_expr_agg(bm, tag, 'bought:filter | female ^ parent') AS "c | (a ^ b)"
FROM tb;
-- SQL operators are left to right: the same text means something else there
SELECT rb_tag_expr_agg(bm, tag, 'city:Shanghai | parent & bought:purifier') =
       (SELECT rb_or_agg(bm) FILTER (WHERE tag = 'city:Shanghai') | rb_or_agg(bm) FILTER (WHERE tag = 'parent')
               & rb_or_agg(bm) FILTER (WHERE tag = 'bought:purifier') FROM tb) AS same_as_sql_operators
FROM tb;

-- quoting, UTF-8 and whitespace; unknown tags are empty
SELECT rb_tag_expr_agg(bm, tag, ' "age:18-24"|"say ""hi"""  |	城市:上海 ') FROM tb;
SELECT rb_tag_expr_agg(bm, tag, 'female - no_such_tag'), rb_tag_expr_count_agg(bm, tag, 'no_such_tag') FROM tb;
SELECT rb_tag_expr_tags('a & (b | "c d") - a ^ 城市:上海 | "say ""hi"""');

-- per group, and over no rows
SELECT g, rb_tag_expr_agg(bm, tag, 'female & parent')
FROM (SELECT tag, bm, rb_min(bm) % 2 AS g FROM tb) s GROUP BY g ORDER BY g;
SELECT rb_tag_expr_agg(bm, tag, 'female'), rb_tag_expr_count_agg(bm, tag, 'female') FROM tb WHERE false;

-- errors: 22023 with the position
SELECT rb_tag_expr_agg(bm, tag, '') FROM tb;
SELECT rb_tag_expr_agg(bm, tag, 'female &') FROM tb;
SELECT rb_tag_expr_agg(bm, tag, 'female parent') FROM tb;
SELECT rb_tag_expr_agg(bm, tag, '(female | parent') FROM tb;
SELECT rb_tag_expr_count_agg(bm, tag, 'female)') FROM tb;
SELECT rb_tag_expr_count_agg(bm, tag, 'female | "unterminated') FROM tb;
SELECT rb_tag_expr_count_agg(bm, tag, 'female + parent') FROM tb;
SELECT rb_tag_expr_tags('城市:上海 # x');
SELECT rb_tag_expr_agg(bm, tag, NULL) FROM tb;
SELECT rb_tag_expr_agg(bm, tag, CASE WHEN tag = 'female' THEN 'female' ELSE 'parent' END) FROM tb;

-- the state type has text and binary forms for Citus; garbage is refused
SELECT '\x00'::rb_tag_expr_state;
SELECT 'junk'::rb_tag_expr_state;

-- TGI = 100 * (|T&F| / |T|) / (|B&F| / |B|)
SELECT rb_tgi('{1,2}', '{2,3}', '{1,2,3,4}') AS tgi_100,
       rb_tgi('{1,2}', '{1,2}', '{1,2,3,4}') AS tgi_200,
       rb_tgi('{9}', '{9}', '{1,2,9,10}') AS t_not_in_b,
       rb_tgi('{}', '{1}', '{1}') AS empty_target,
       rb_tgi('{1}', '{5}', '{1,2}') AS feature_not_in_base;
