-- Audience expressions: errors and their positions, NULL handling,
-- rb_tag_expr_tags, GROUP BY (the bucketed and month-partitioned audience
-- pattern), rb_tgi, parallel = serial, window use, hash aggregation that
-- spills, and the rb_tag_expr_state type (text I/O, combine, corruption).
BEGIN;
SELECT plan(103);

SET LOCAL client_min_messages = warning;
SET LOCAL persona.output_format = 'array';
DO $$ BEGIN PERFORM setseed(0.777); END $$;

-- 'SQLSTATE: message' of an expression, or 'ok'
CREATE FUNCTION pg_temp.err_of(e text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  PERFORM rb_tag_expr_tags(e);
  RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

CREATE FUNCTION pg_temp.q(sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  o text;
BEGIN
  EXECUTE sql INTO o;
  RETURN o;
END $$;

CREATE FUNCTION pg_temp.plan_of(sql text, with_analyze boolean DEFAULT false) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  r record;
  o text := '';
BEGIN
  FOR r IN EXECUTE 'EXPLAIN (COSTS OFF' || CASE WHEN with_analyze THEN ', ANALYZE, TIMING OFF, SUMMARY OFF' ELSE '' END
                   || ') ' || sql LOOP
    o := o || r."QUERY PLAN" || E'\n';
  END LOOP;
  RETURN o;
END $$;

-- ===================================================== malformed expressions

SELECT throws_ok($$SELECT rb_tag_expr_tags('')$$, '22023',
  'invalid tag expression: expression is empty at character 1', 'empty expression');
SELECT throws_ok($$SELECT rb_tag_expr_tags('a &')$$, '22023',
  'invalid tag expression: expression ends where a tag or "(" is expected at character 4', 'a &');
SELECT throws_ok($$SELECT rb_tag_expr_tags('a b')$$, '22023',
  'invalid tag expression: expected an operator (& - ^ |) or the end of the expression at character 3', 'a b');
SELECT throws_ok($$SELECT rb_tag_expr_tags('(a | b')$$, '22023',
  'invalid tag expression: missing ")" for the "(" opened here at character 1', '(a | b');
SELECT throws_ok($$SELECT rb_tag_expr_tags('a)')$$, '22023',
  'invalid tag expression: unbalanced ")" at character 2', 'a)');
SELECT throws_ok($$SELECT rb_tag_expr_tags('a | "bc')$$, '22023',
  'invalid tag expression: unterminated quoted tag at character 5', 'unterminated quote');
SELECT throws_ok($$SELECT rb_tag_expr_tags('a # b')$$, '22023',
  'invalid tag expression: expected an operator (& - ^ |) or the end of the expression at character 3', 'a # b');
SELECT throws_ok($$SELECT rb_tag_expr_tags('& a')$$, '22023',
  'invalid tag expression: operator where a tag or "(" is expected at character 1', '& a');
SELECT throws_ok($$SELECT rb_tag_expr_tags('()')$$, '22023',
  'invalid tag expression: unexpected ")" where a tag or "(" is expected at character 2', '()');
SELECT throws_ok($$SELECT rb_tag_expr_tags('#')$$, '22023',
  'invalid tag expression: unexpected character (tags are letters, digits, _ . : or "quoted text") at character 1', '#');
SELECT throws_ok($$SELECT rb_tag_expr_tags('城市 # a')$$, '22023',
  'invalid tag expression: expected an operator (& - ^ |) or the end of the expression at character 4',
  'the position counts characters, not bytes');
SELECT throws_ok($$SELECT rb_tag_expr_tags('"城市:上海" & (b c)')$$, '22023',
  'invalid tag expression: expected ")" at character 14', '(b c)');
SELECT throws_ok($$SELECT rb_tag_expr_tags('x & ((a | b) - (c')$$, '22023',
  'invalid tag expression: missing ")" for the "(" opened here at character 16', 'the innermost unclosed "(" is named');
SELECT throws_ok($$SELECT rb_tag_expr_tags('"a""')$$, '22023',
  'invalid tag expression: unterminated quoted tag at character 1', '"a"" is unterminated');
SELECT throws_ok($$SELECT rb_tag_expr_tags('a - - b')$$, '22023',
  'invalid tag expression: operator where a tag or "(" is expected at character 5', 'a - - b');
SELECT throws_ok($$SELECT rb_tag_expr_tags(repeat('(', 1001) || 'a' || repeat(')', 1001))$$, '22023',
  'invalid tag expression: expression nested too deeply (at most 1000 levels) at character 1001',
  '1001 levels of parentheses');
SELECT is((SELECT rb_to_array(rb_tag_expr_agg(bm, tag, repeat('(', 1000) || 'a' || repeat(')', 1000)))
           FROM (VALUES (rb_build('{1,2}'), 'a')) v(bm, tag)), '{1,2}'::int[],
  '1000 levels of parentheses are fine');
SELECT is((SELECT rb_tag_expr_count_agg(bm, tag,
                 (SELECT string_agg('t' || g, ' - (' ORDER BY g) FROM generate_series(1, 999) g) || ' | t0' || repeat(')', 998))
            FROM (SELECT 't' || g AS tag, rb_build(ARRAY[g, -g, 1000000 + g % 2]) AS bm FROM generate_series(0, 1200) g) s),
          3::bigint, 'a right-nested expression 999 levels deep, t1 - (t2 - (... - (t999 | t0))), evaluates');
SELECT throws_ok($$SELECT rb_tag_expr_tags(repeat('a|', 600000) || 'a')$$, '22023',
  'invalid tag expression: expression longer than 1 MB at character 1', 'an expression longer than 1 MB');
SELECT matches(pg_temp.err_of(E'  \t\n '), '^22023: invalid tag expression: expression is empty at character [0-9]+$',
  'whitespace only is an empty expression');
SELECT throws_ok($$SELECT rb_tag_expr_agg(bm, tag, 'a &') FROM (VALUES (rb_build('{1}'), 'a')) v(bm, tag)$$, '22023',
  'invalid tag expression: expression ends where a tag or "(" is expected at character 4',
  'rb_tag_expr_agg reports a malformed expression');
SELECT throws_ok($$SELECT rb_tag_expr_count_agg(bm, tag, '(a') FROM (VALUES (NULL::roaringbitmap, NULL::text)) v(bm, tag)$$, '22023',
  'invalid tag expression: missing ")" for the "(" opened here at character 1',
  'rb_tag_expr_count_agg reports a malformed expression, even on a row it skips');
SELECT throws_ok($$SELECT rb_tag_expr_count_agg(bm, tag, '') FROM (VALUES (rb_build('{1}'), 'a')) v(bm, tag)$$, '22023',
  'invalid tag expression: expression is empty at character 1', 'rb_tag_expr_count_agg: empty expression');

-- fuzz: random strings, checked against an independent recognizer of the
-- grammar that also computes the position persona should name (0 = valid)
CREATE FUNCTION pg_temp.expect_pos(s text) RETURNS int LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  i int := 1;
  n int := char_length(s);
  c text;
  opens int[] := '{}';
  want_operand boolean := true;
  tagc text := '^([A-Za-z0-9_.:]|[^\x01-\x7F])$';
BEGIN
  WHILE i <= n LOOP
    c := substr(s, i, 1);
    IF c IN (' ', E'\t', E'\n', E'\r', chr(11), chr(12)) THEN
      i := i + 1;
    ELSIF want_operand THEN
      IF c = '(' THEN
        opens := opens || i; i := i + 1;
      ELSIF c = '"' THEN
        DECLARE start int := i;
        BEGIN
          i := i + 1;
          LOOP
            IF i > n THEN RETURN start; END IF;
            IF substr(s, i, 1) = '"' THEN
              IF substr(s, i + 1, 1) = '"' THEN i := i + 2; ELSE i := i + 1; EXIT; END IF;
            ELSE
              i := i + 1;
            END IF;
          END LOOP;
        END;
        want_operand := false;
      ELSIF c ~ tagc THEN
        WHILE i <= n AND substr(s, i, 1) ~ tagc LOOP i := i + 1; END LOOP;
        want_operand := false;
      ELSE
        RETURN i;
      END IF;
    ELSE
      IF c IN ('&', '-', '^', '|') THEN
        want_operand := true; i := i + 1;
      ELSIF c = ')' AND cardinality(opens) > 0 THEN
        opens := opens[1:cardinality(opens) - 1]; i := i + 1;
      ELSE
        RETURN i;
      END IF;
    END IF;
  END LOOP;
  IF want_operand THEN RETURN n + 1; END IF;
  IF cardinality(opens) > 0 THEN RETURN opens[cardinality(opens)]; END IF;
  RETURN 0;
END $$;

CREATE TEMP TABLE fuzz AS
SELECT id, s, pg_temp.expect_pos(s) AS expect, pg_temp.err_of(s) AS got
FROM (SELECT id, string_agg(piece, '' ORDER BY k) AS s
      FROM (SELECT id, k,
                   CASE WHEN id % 2 = 1 OR random() < 0.08   -- any piece
                        THEN (ARRAY['a', 'b', 'c1', 'x.y:z', '"', '""', '"q r"', ' ', E'\t', chr(11), chr(12), E'\n',
                                    '&', '-', '^', '|', '(', ')', '(', ')', '#', '城', '$', 'a', '&', '|'])
                             [1 + floor(random() * 26)::int]
                        WHEN k % 2 = 1                      -- an operand where one is expected
                        THEN (ARRAY['a', 'b', 'c1', 'x.y:z', '"q r"', '""', '城市', '"say ""hi"""', '(a', '(', ' b', E'\t a'])
                             [1 + floor(random() * 12)::int]
                        ELSE (ARRAY['&', '-', '^', '|', ') |', ' & ', '-', ')'])[1 + floor(random() * 8)::int]
                   END AS piece
            FROM generate_series(1, 600) id, generate_series(1, 13) k
            WHERE k <= 1 + (id % 13)) p
      GROUP BY id) f;
SELECT diag(format('fuzz %s: %L expected %s, got %s', id, s, expect, got)) FROM fuzz
 WHERE (expect = 0) <> (got = 'ok')
    OR (expect > 0 AND got !~ ('^22023: invalid tag expression: .* at character ' || expect || '$'))
 ORDER BY id LIMIT 5;
SELECT is((SELECT count(*) FROM fuzz WHERE (expect = 0) <> (got = 'ok')), 0::bigint,
  'fuzz: persona accepts exactly the strings of the grammar');
SELECT is((SELECT count(*) FROM fuzz WHERE expect > 0
            AND got !~ ('^22023: invalid tag expression: .* at character ' || expect || '$')), 0::bigint,
  'fuzz: every error is 22023 and names the expected character position');
SELECT cmp_ok((SELECT count(*) FROM fuzz WHERE expect = 0), '>=', 60::bigint, 'fuzz: enough valid strings');
SELECT cmp_ok((SELECT count(DISTINCT regexp_replace(got, ' at character.*', '')) FROM fuzz), '>=', 8::bigint,
  'fuzz: all kinds of errors');

-- ============================================================ NULL handling

SELECT throws_ok($$SELECT rb_tag_expr_agg(bm, tag, NULL) FROM (VALUES (rb_build('{1}'), 'a')) v(bm, tag)$$, '22004',
  'the tag expression must not be NULL', 'NULL expression: 22004');
SELECT throws_ok($$SELECT rb_tag_expr_count_agg(bm, tag, e)
                   FROM (VALUES (1, rb_build('{1}'), 'a', 'a'), (2, rb_build('{2}'), 'a', NULL)) v(i, bm, tag, e)$$,
  '22004', NULL, 'NULL expression on a later row: 22004');
SELECT throws_ok($$SELECT rb_tag_expr_count_agg(bm, tag, NULL) FROM (VALUES (NULL::roaringbitmap, NULL::text)) v(bm, tag)$$,
  '22004', NULL, 'NULL expression on a row that is skipped: 22004');
SELECT is(rb_tag_expr_tags(NULL), NULL, 'rb_tag_expr_tags(NULL) is NULL');

SELECT throws_ok($$SELECT rb_tag_expr_agg(bm, tag, e)
                   FROM (VALUES (rb_build('{1}'), 'a', 'a | b'), (rb_build('{2}'), 'b', 'a & b')) v(bm, tag, e)$$,
  '22023', 'the tag expression must be the same for every row of a group', 'different expressions in a group: 22023');
SELECT throws_ok($$SELECT rb_tag_expr_count_agg(bm, tag, e)
                   FROM (VALUES (rb_build('{1}'), 'a', 'a|b'), (rb_build('{2}'), 'b', 'a | b')) v(bm, tag, e)$$,
  '22023', 'the tag expression must be the same for every row of a group', 'the same text, not the same meaning');

CREATE TEMP TABLE nulls (i int, tag text, bm roaringbitmap);
INSERT INTO nulls VALUES (1, NULL, NULL), (2, 'a', NULL), (3, NULL, rb_build('{100,200}')),
  (4, 'a', rb_build('{1,2,3}')), (5, 'b', rb_build('{3,4}')), (6, 'b', NULL), (7, 'c', rb_build('{}')),
  (8, 'zz', rb_build('{3,9}'));
SELECT is((SELECT rb_to_array(rb_tag_expr_agg(bm, tag, 'a | b')) FROM nulls), '{1,2,3,4}'::int[],
  'rows with a NULL bitmap or a NULL tag are skipped');
SELECT is((SELECT rb_to_array(rb_tag_expr_agg(bm, tag, 'a - c')) FROM nulls), '{1,2,3}'::int[],
  'an empty bitmap is the empty set');
SELECT is((SELECT rb_to_array(rb_tag_expr_agg(bm, tag, 'a | b')) FROM nulls WHERE tag IS NULL OR bm IS NULL),
  '{}'::int[], 'only skipped rows: the empty bitmap');
SELECT is((SELECT rb_tag_expr_count_agg(bm, tag, 'a | b') FROM nulls WHERE tag IS NULL OR bm IS NULL),
  0::bigint, 'only skipped rows: 0');
SELECT is((SELECT rb_to_array(rb_tag_expr_agg(bm, tag, 'a')) FROM nulls WHERE false), '{}'::int[],
  'no rows: the empty bitmap, not NULL');
SELECT is((SELECT rb_tag_expr_count_agg(bm, tag, 'a') FROM nulls WHERE false), 0::bigint, 'no rows: 0');
SELECT is((SELECT rb_tag_expr_count_agg(bm, tag, 'a | b') FILTER (WHERE i > 100) FROM nulls), 0::bigint,
  'FILTER leaving no rows: 0');

-- ===================================================== rb_tag_expr_tags

SELECT is(rb_tag_expr_tags('b | a & b | "a" | "say ""hi""" - 城市:上海 ^ (b)'),
          ARRAY['b', 'a', 'say "hi"', '城市:上海'], 'rb_tag_expr_tags: distinct, in order of first appearance, unquoted');
SELECT is(rb_tag_expr_tags('Vip | vip | "Vip"'), ARRAY['Vip', 'vip'], 'rb_tag_expr_tags: case matters');
SELECT is(rb_tag_expr_tags(E'(((\tx\n)))'), ARRAY['x'], 'rb_tag_expr_tags: one tag in parentheses');
SELECT is(rb_tag_expr_tags('x | "" | """"'), ARRAY['x', '', '"'], 'rb_tag_expr_tags: the empty tag and the quote tag');
SELECT is(rb_tag_expr_tags('"a b" & "a  b" | "t1 " - t1'), ARRAY['a b', 'a  b', 't1 ', 't1'],
  'rb_tag_expr_tags: spaces inside quotes are kept');
SELECT is(rb_tag_expr_tags('2024.q1-geo:city.sh&_x'), ARRAY['2024.q1', 'geo:city.sh', '_x'],
  'rb_tag_expr_tags: digits, dots and colons are tag characters; - is an operator');
SELECT is(rb_tag_expr_tags('"age:18-24"|"a|b"'), ARRAY['age:18-24', 'a|b'], 'rb_tag_expr_tags: operators inside quotes');
SELECT is(array_length(rb_tag_expr_tags((SELECT string_agg('t' || g, ' | ') FROM generate_series(1, 300) g)), 1), 300,
  'rb_tag_expr_tags: 300 tags');

-- =========================================================== GROUP BY

CREATE TEMP TABLE per_group (grp int, tag text, bm roaringbitmap);
INSERT INTO per_group VALUES
  (1, 'a', rb_build('{1,2,3}')), (1, 'b', rb_build('{2,3,4}')), (1, 'a', rb_build('{10}')),
  (2, 'a', rb_build('{5,6}')), (2, 'b', rb_build('{6,7}')),
  (3, 'b', rb_build('{8}'));
SELECT results_eq(
  $$SELECT grp, rb_to_array(rb_tag_expr_agg(bm, tag, CASE grp WHEN 1 THEN 'a & b' WHEN 2 THEN 'a ^ b' ELSE 'a - b' END)),
           rb_tag_expr_count_agg(bm, tag, CASE grp WHEN 1 THEN 'a & b' WHEN 2 THEN 'a ^ b' ELSE 'a - b' END)
    FROM per_group GROUP BY grp ORDER BY grp$$,
  $$VALUES (1, '{2,3}'::int[], 2::bigint), (2, '{5,7}'::int[], 2::bigint), (3, '{}'::int[], 0::bigint)$$,
  'GROUP BY: an expression per group');
SELECT results_eq(
  $$SELECT grp, rb_tag_expr_count_agg(bm, tag, 'a | b') FROM per_group GROUP BY grp ORDER BY grp$$,
  $$VALUES (1, 5::bigint), (2, 3::bigint), (3, 1::bigint)$$, 'GROUP BY: one expression, groups apart');

-- the bucketed audience pattern: ids up to 5 million, bucket = user_id >> 20
CREATE TEMP TABLE braw (month date, tag text, user_id int);
INSERT INTO braw
SELECT m, t, u
FROM unnest(ARRAY['t1', 't2', 't3', 'vip', '城市:上海', 'age 18-24']) t,
     LATERAL (SELECT DISTINCT u FROM (
        SELECT floor(random() * 5000001)::int AS u FROM generate_series(1, 3000)
        UNION ALL SELECT unnest(ARRAY[0, 1048575, 1048576, 2097151, 2097152, 4194304, 5000000])) s
        WHERE t IS NOT NULL) pool,
     unnest(ARRAY['2024-01-01', '2024-02-01', '2024-03-01']::date[]) m
WHERE random() < 0.5;
-- users shared with a second tag's pool, so that intersections are not empty
INSERT INTO braw SELECT month, 't2', user_id FROM braw WHERE tag = 't1' AND random() < 0.4;
INSERT INTO braw SELECT month, 'vip', user_id FROM braw WHERE tag IN ('t2', 't3') AND random() < 0.2;
INSERT INTO braw SELECT month, '城市:上海', user_id FROM braw WHERE tag = 'vip' AND random() < 0.5;
ANALYZE braw;

CREATE TEMP TABLE tag_bitmaps AS
  SELECT tag, rb_build_agg(user_id) AS bm FROM braw GROUP BY tag;
CREATE TEMP TABLE tag_bitmaps_bucketed AS
  SELECT user_id >> 20 AS bucket, tag, rb_build_agg(user_id) AS bm FROM braw GROUP BY 1, 2;
CREATE TEMP TABLE tbp (month date, bucket int, tag text, bm roaringbitmap) PARTITION BY RANGE (month);
CREATE TEMP TABLE tbp_01 PARTITION OF tbp FOR VALUES FROM ('2024-01-01') TO ('2024-02-01');
CREATE TEMP TABLE tbp_02 PARTITION OF tbp FOR VALUES FROM ('2024-02-01') TO ('2024-03-01');
CREATE TEMP TABLE tbp_03 PARTITION OF tbp FOR VALUES FROM ('2024-03-01') TO ('2024-04-01');
INSERT INTO tbp SELECT month, user_id >> 20, tag, rb_build_agg(user_id) FROM braw GROUP BY 1, 2, 3 ORDER BY random();
ANALYZE tbp;

CREATE TEMP TABLE bexprs (id int, expr text, q text);
INSERT INTO bexprs VALUES
  (1, 't1', $$SELECT user_id FROM braw WHERE tag = 't1'$$),
  (2, 't1 & t2', $$(SELECT user_id FROM braw WHERE tag = 't1') INTERSECT (SELECT user_id FROM braw WHERE tag = 't2')$$),
  (3, 't1 | t2 - t3', $$(SELECT user_id FROM braw WHERE tag = 't1') UNION
      ((SELECT user_id FROM braw WHERE tag = 't2') EXCEPT (SELECT user_id FROM braw WHERE tag = 't3'))$$),
  (4, 't1 ^ vip & 城市:上海', $$((SELECT user_id FROM braw WHERE tag = 't1') EXCEPT
        ((SELECT user_id FROM braw WHERE tag = 'vip') INTERSECT (SELECT user_id FROM braw WHERE tag = '城市:上海')))
      UNION (((SELECT user_id FROM braw WHERE tag = 'vip') INTERSECT (SELECT user_id FROM braw WHERE tag = '城市:上海'))
        EXCEPT (SELECT user_id FROM braw WHERE tag = 't1'))$$),
  (5, '("age 18-24" | t2) - t3 & vip', $$(((SELECT user_id FROM braw WHERE tag = 'age 18-24') UNION
        (SELECT user_id FROM braw WHERE tag = 't2'))
      EXCEPT (SELECT user_id FROM braw WHERE tag = 't3'))
      INTERSECT (SELECT user_id FROM braw WHERE tag = 'vip')$$),
  (6, 'ghost | t2', $$SELECT user_id FROM braw WHERE tag = 't2'$$),
  (7, 'ghost & t2', $$SELECT user_id FROM braw WHERE false$$),
  (8, 'vip - (t1 | t2 | t3)', $$(SELECT user_id FROM braw WHERE tag = 'vip') EXCEPT
      ((SELECT user_id FROM braw WHERE tag = 't1') UNION (SELECT user_id FROM braw WHERE tag = 't2')
       UNION (SELECT user_id FROM braw WHERE tag = 't3'))$$);

CREATE TEMP TABLE bres AS
SELECT id, expr,
  pg_temp.q('SELECT count(DISTINCT user_id) FROM (' || q || ') s')::bigint AS sql_cnt,
  pg_temp.q('SELECT coalesce(array_agg(DISTINCT user_id ORDER BY user_id), ''{}'') FROM (' || q || ') s')::int[] AS sql_arr,
  pg_temp.q(format('SELECT rb_tag_expr_count_agg(bm, tag, %L) FROM tag_bitmaps', expr))::bigint AS flat_cnt,
  pg_temp.q(format('SELECT sum(c) FROM (SELECT bucket, rb_tag_expr_count_agg(bm, tag, %L) c
                    FROM tag_bitmaps_bucketed GROUP BY bucket) s', expr))::bigint AS bucket_cnt,
  pg_temp.q(format('SELECT rb_to_array(rb_or_agg(a)) FROM (SELECT bucket, rb_tag_expr_agg(bm, tag, %L) a
                    FROM tag_bitmaps_bucketed GROUP BY bucket) s', expr))::int[] AS bucket_arr,
  pg_temp.q(format('SELECT sum(c) FROM (SELECT bucket, rb_tag_expr_count_agg(bm, tag, %L) c
                    FROM tbp GROUP BY bucket) s', expr))::bigint AS part_cnt,
  pg_temp.q(format('SELECT sum(c) FROM (SELECT bucket, rb_tag_expr_count_agg(bm, tag, %L) c
                    FROM tbp WHERE tag = ANY(rb_tag_expr_tags(%L)) GROUP BY bucket) s', expr, expr))::bigint AS part_filt_cnt,
  pg_temp.q(format('SELECT rb_to_array(rb_or_agg(a)) FROM (SELECT bucket, rb_tag_expr_agg(bm, tag, %L) a
                    FROM tbp GROUP BY bucket) s', expr))::int[] AS part_arr,
  pg_temp.q(format($f$SELECT count(*) FROM (SELECT bucket, rb_tag_expr_count_agg(bm, tag, %L) c FROM tbp GROUP BY bucket) s
                    WHERE c <> (SELECT count(DISTINCT user_id) FROM (%s) x WHERE user_id >> 20 = s.bucket)$f$,
                   expr, q))::bigint AS bad_buckets
FROM bexprs;

SELECT cmp_ok((SELECT count(DISTINCT bucket) FROM tag_bitmaps_bucketed), '>=', 5::bigint, 'ids span at least 5 buckets');
SELECT cmp_ok((SELECT min(sql_cnt) FILTER (WHERE id NOT IN (7)) FROM bres), '>', 50::bigint, 'the audiences are not trivial');
SELECT is((SELECT count(*) FROM bres WHERE flat_cnt <> sql_cnt), 0::bigint, 'unbucketed count = plain SQL');
SELECT is((SELECT count(*) FROM bres WHERE bucket_cnt IS DISTINCT FROM sql_cnt), 0::bigint,
  'sum over buckets of rb_tag_expr_count_agg = unbucketed count');
SELECT is((SELECT count(*) FROM bres WHERE bucket_arr IS DISTINCT FROM sql_arr), 0::bigint,
  'union over buckets of rb_tag_expr_agg = the unbucketed audience');
SELECT is((SELECT count(*) FROM bres WHERE part_cnt IS DISTINCT FROM sql_cnt), 0::bigint,
  'partitioned by month and bucketed: sum over buckets = unbucketed, unpartitioned count');
SELECT is((SELECT count(*) FROM bres WHERE part_filt_cnt IS DISTINCT FROM sql_cnt), 0::bigint,
  'partitioned and bucketed, WHERE tag = ANY(rb_tag_expr_tags(expr)): same counts');
SELECT is((SELECT count(*) FROM bres WHERE part_arr IS DISTINCT FROM sql_arr), 0::bigint,
  'partitioned and bucketed: union over buckets = the unbucketed audience');
SELECT is((SELECT sum(bad_buckets) FROM bres), 0::numeric, 'partitioned and bucketed: every bucket''s count is right');
SELECT cmp_ok((SELECT count(*) FROM (SELECT month, bucket, tag FROM tbp GROUP BY 1, 2, 3) s), '>',
              (SELECT count(*) FROM tag_bitmaps_bucketed),
  'the partitioned table holds a tag''s bitmaps in several months');

-- partitionwise aggregation: partial aggregates per partition, combined above
SET LOCAL enable_partitionwise_aggregate = on;
SELECT matches(pg_temp.plan_of($$SELECT bucket, rb_tag_expr_count_agg(bm, tag, 't1 & t2') FROM tbp GROUP BY bucket$$),
  'Partial', 'partitionwise aggregation plans partial aggregates');
SELECT is((SELECT count(*) FROM bres WHERE sql_cnt IS DISTINCT FROM
             pg_temp.q(format('SELECT sum(c) FROM (SELECT bucket, rb_tag_expr_count_agg(bm, tag, %L) c
                               FROM tbp GROUP BY bucket) s', expr))::bigint), 0::bigint,
  'partitionwise aggregation: same counts');
SELECT is((SELECT count(*) FROM bres WHERE sql_arr IS DISTINCT FROM
             pg_temp.q(format('SELECT rb_to_array(rb_tag_expr_agg(bm, tag, %L)) FROM tbp', expr))::int[]), 0::bigint,
  'partitionwise aggregation, no GROUP BY: same audiences');
RESET enable_partitionwise_aggregate;

-- ================================================================= rb_tgi

SELECT is(rb_tgi(rb_build('{1,2,3,4}'), rb_build('{2,3,10}'), rb_build('{1,2,3,4,5,6,7,8,9,10}'))::numeric(20,9),
          (100.0 * (2.0 / 4) / (3.0 / 10))::numeric(20,9), 'rb_tgi: 100 * (2/4) / (3/10)');
SELECT is(rb_tgi(rb_build('{1,2,11,12}'), rb_build('{1,11,12}'), rb_build('{1,2,3,4,5,6,7,8,9,10}'))::numeric(20,9), 750::numeric(20,9),
  'rb_tgi: T need not be a subset of B');
SELECT is(rb_tgi(rb_build('{}'), rb_build('{1}'), rb_build('{1,2}')), NULL, 'rb_tgi: NULL when T is empty');
SELECT is(rb_tgi(rb_build('{20}'), rb_build('{20}'), rb_build('{1,2,3}')), NULL, 'rb_tgi: NULL when B & F is empty');
SELECT is(rb_tgi(rb_build('{1,2}'), rb_build('{5}'), rb_build('{}')), NULL, 'rb_tgi: NULL when B is empty');
SELECT is(rb_tgi(rb_build('{1,2}'), rb_build('{3}'), rb_build('{1,2,3,4}')), 0::float8, 'rb_tgi: 0 when T & F is empty');
SELECT is(rb_tgi(rb_build('{1,2,3}'), rb_build('{2,9}'), rb_build('{1,2,3}'))::numeric(20,9), 100::numeric(20,9),
  'rb_tgi: T = B is 100');
SELECT is(rb_tgi(rb_build('{-1,2147483647}'), rb_build('{-1}'), rb_build('{-1,0,1,2}')), 200::float8,
  'rb_tgi: negative and extreme ids');
SELECT is(rb_tgi(NULL, rb_build('{1}'), rb_build('{1}')), NULL, 'rb_tgi: NULL argument, NULL result');
SELECT is((SELECT rb_tgi(t, f, b)::numeric(20,9) FROM
            (SELECT rb_build(array(SELECT g FROM generate_series(0, 99999) g WHERE g % 3 = 0)) t,
                    rb_build(array(SELECT g FROM generate_series(0, 199999) g WHERE g % 5 = 0)) f,
                    rb_build(array(SELECT g FROM generate_series(0, 199999) g)) b) s),
          (100.0 * (6667.0 / 33334) / (40000.0 / 200000))::numeric(20,9), 'rb_tgi: large sets');

-- ==================================================== parallel = serial

-- A plain (not temporary) table, created inside this transaction: PostgreSQL 15
-- does plan and launch parallel workers for it (checked: "Workers Launched: 2",
-- also for queries run by EXECUTE in PL/pgSQL), so it need not be committed.
CREATE TABLE aud_par (tag text, grp int, bm roaringbitmap);
INSERT INTO aud_par
SELECT 'p' || (i % 997), i % 4,
       rb_build(ARRAY[floor(random() * 2000000)::int, floor(random() * 2000000)::int, -1 - floor(random() * 3000)::int])
FROM generate_series(1, 300000) i;
INSERT INTO aud_par VALUES ('p1', 0, NULL), (NULL, 1, rb_build('{5,6,7}'));
ANALYZE aud_par;

CREATE TEMP TABLE pexprs (id int, expr text);
INSERT INTO pexprs VALUES
  (1, 'p1'), (2, 'p1 | p2 & p3'), (3, 'p10 ^ p11 - p12 | "p13"'), (4, '(p5 | p6 | p7) & (p8 | p9) | p1 - ghost'),
  (5, (SELECT string_agg('p' || g, ' | ') FROM generate_series(0, 199) g)),
  (6, (SELECT string_agg('p' || g, CASE WHEN g % 3 = 0 THEN ' ^ ' WHEN g % 3 = 1 THEN ' | ' ELSE ' - ' END) FROM generate_series(100, 160) g)),
  (7, 'ghost | nothing');

CREATE FUNCTION pg_temp.run_par(par boolean) RETURNS TABLE(id int, arr text, cnt bigint, arr_f text, cnt_f bigint)
LANGUAGE plpgsql AS $$
DECLARE
  e record;
BEGIN
  PERFORM set_config('max_parallel_workers_per_gather', CASE WHEN par THEN '2' ELSE '0' END, true);
  FOR e IN SELECT * FROM pexprs ORDER BY pexprs.id LOOP
    id := e.id;
    EXECUTE 'SELECT rb_to_array(rb_tag_expr_agg(bm, tag, $1))::text FROM aud_par' INTO arr USING e.expr;
    EXECUTE 'SELECT rb_tag_expr_count_agg(bm, tag, $1) FROM aud_par' INTO cnt USING e.expr;
    EXECUTE 'SELECT rb_to_array(rb_tag_expr_agg(bm, tag, $1))::text FROM aud_par WHERE tag = ANY(rb_tag_expr_tags($1))'
      INTO arr_f USING e.expr;
    EXECUTE 'SELECT rb_tag_expr_count_agg(bm, tag, $1) FROM aud_par WHERE tag = ANY(rb_tag_expr_tags($1))'
      INTO cnt_f USING e.expr;
    RETURN NEXT;
  END LOOP;
  PERFORM set_config('max_parallel_workers_per_gather', '0', true);
END $$;

SET LOCAL parallel_setup_cost = 0;
SET LOCAL parallel_tuple_cost = 0;
SET LOCAL min_parallel_table_scan_size = 0;
SET LOCAL max_parallel_workers_per_gather = 2;
SELECT matches(pg_temp.plan_of($$SELECT rb_tag_expr_count_agg(bm, tag, 'p1 | p2') FROM aud_par$$),
  'Partial Aggregate', 'forced parallel plan: Partial Aggregate');
SELECT matches(pg_temp.plan_of($$SELECT rb_tag_expr_agg(bm, tag, 'p1 | p2') FROM aud_par WHERE tag = ANY(rb_tag_expr_tags('p1 | p2'))$$),
  'Partial Aggregate', 'forced parallel plan, filtered by rb_tag_expr_tags: Partial Aggregate');
SELECT matches(pg_temp.plan_of($$SELECT grp, rb_tag_expr_count_agg(bm, tag, 'p1 | p2') FROM aud_par GROUP BY grp$$),
  'Partial (Hash|Group)Aggregate', 'forced parallel plan with GROUP BY: partial grouped aggregate');
SELECT diag(regexp_replace(pg_temp.plan_of($$SELECT rb_tag_expr_count_agg(bm, tag, 'p1 | p2') FROM aud_par$$, true),
                           '.*(Workers Launched: [0-9]+).*', '\1'));
SET LOCAL max_parallel_workers_per_gather = 0;
SELECT doesnt_match(pg_temp.plan_of($$SELECT rb_tag_expr_count_agg(bm, tag, 'p1 | p2') FROM aud_par$$),
  'Partial', 'serial plan: no partial aggregate');

CREATE TEMP TABLE par_serial AS SELECT * FROM pg_temp.run_par(false);
CREATE TEMP TABLE par_parallel AS SELECT * FROM pg_temp.run_par(true);
SELECT is((SELECT count(*) FROM par_serial s JOIN par_parallel p USING (id)
            WHERE s.arr IS DISTINCT FROM p.arr), 0::bigint, 'parallel rb_tag_expr_agg = serial');
SELECT is((SELECT count(*) FROM par_serial s JOIN par_parallel p USING (id)
            WHERE s.cnt IS DISTINCT FROM p.cnt), 0::bigint, 'parallel rb_tag_expr_count_agg = serial');
SELECT is((SELECT count(*) FROM par_serial s JOIN par_parallel p USING (id)
            WHERE s.arr_f IS DISTINCT FROM p.arr_f OR s.cnt_f IS DISTINCT FROM p.cnt_f), 0::bigint,
  'parallel = serial, filtered by rb_tag_expr_tags');
SELECT is((SELECT count(*) FROM par_serial s
            WHERE s.arr_f IS DISTINCT FROM s.arr OR s.cnt_f IS DISTINCT FROM s.cnt
               OR s.cnt IS DISTINCT FROM cardinality(s.arr::int[])::bigint), 0::bigint,
  'filtered = unfiltered, and count = cardinality');
SELECT is((SELECT count(*) FROM par_parallel), 7::bigint, 'all parallel cases ran');
SELECT cmp_ok((SELECT count(*) FROM par_serial WHERE cnt > 100), '>=', 4::bigint, 'the parallel cases are not trivial');
-- an independent answer for two of them, from rb_or_agg per tag and SQL on arrays
SELECT is((SELECT cnt FROM par_parallel WHERE id = 2),
          (SELECT count(*) FROM (
             (SELECT unnest(rb_to_array(rb_or_agg(bm))) FROM aud_par WHERE tag = 'p1')
             UNION
             ((SELECT unnest(rb_to_array(rb_or_agg(bm))) FROM aud_par WHERE tag = 'p2')
              INTERSECT (SELECT unnest(rb_to_array(rb_or_agg(bm))) FROM aud_par WHERE tag = 'p3'))) s),
  'p1 | p2 & p3 = independent answer');
SELECT is((SELECT cnt FROM par_parallel WHERE id = 5),
          (SELECT rb_cardinality(rb_or_agg(bm)) FROM aud_par WHERE tag IN (SELECT 'p' || g FROM generate_series(0, 199) g)),
  'OR of 200 tags = independent answer');

-- GROUP BY grp, parallel and serial
CREATE FUNCTION pg_temp.grouped(par boolean) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  o text;
BEGIN
  PERFORM set_config('max_parallel_workers_per_gather', CASE WHEN par THEN '2' ELSE '0' END, true);
  EXECUTE $q$SELECT string_agg(grp || ':' || c || ':' || md5(a), ',' ORDER BY grp) FROM (
             SELECT grp, rb_tag_expr_count_agg(bm, tag, CASE WHEN grp < 2 THEN 'p1 | p2 ^ p3' ELSE 'p4 - p5' END) c,
                    rb_to_array(rb_tag_expr_agg(bm, tag, CASE WHEN grp < 2 THEN 'p1 | p2 ^ p3' ELSE 'p4 - p5' END))::text a
             FROM aud_par GROUP BY grp) s$q$ INTO o;
  PERFORM set_config('max_parallel_workers_per_gather', '0', true);
  RETURN o;
END $$;
SELECT is(pg_temp.grouped(true), pg_temp.grouped(false), 'parallel GROUP BY with an expression per group = serial');

-- =================================================== window and hash spill

CREATE TEMP TABLE win (i int, tag text, bm roaringbitmap);
INSERT INTO win SELECT i, (ARRAY['a', 'b', 'c'])[1 + i % 3], rb_build(ARRAY[i % 7, i % 11 + 20, i])
  FROM generate_series(1, 40) i;
SELECT is(
  (SELECT array_agg(c ORDER BY i) FROM (
     SELECT i, rb_tag_expr_count_agg(bm, tag, 'a & b | c - a') OVER (ORDER BY i) c FROM win) s),
  (SELECT array_agg((SELECT rb_tag_expr_count_agg(bm, tag, 'a & b | c - a') FROM win w2 WHERE w2.i <= w1.i) ORDER BY i)
     FROM win w1),
  'as a running window aggregate');
SELECT is(
  (SELECT array_agg(c ORDER BY i) FROM (
     SELECT i, rb_to_array(rb_tag_expr_agg(bm, tag, 'a ^ b ^ c') OVER (ORDER BY i ROWS BETWEEN 4 PRECEDING AND CURRENT ROW))::text c
     FROM win) s),
  (SELECT array_agg((SELECT rb_to_array(rb_tag_expr_agg(bm, tag, 'a ^ b ^ c'))::text FROM win w2
                     WHERE w2.i BETWEEN w1.i - 4 AND w1.i) ORDER BY i) FROM win w1),
  'as a sliding window aggregate');

CREATE TEMP TABLE many (g int, tag text, bm roaringbitmap);
INSERT INTO many SELECT i % 3000, (ARRAY['a', 'b', 'c'])[1 + i % 3],
  rb_build(array(SELECT (i * 37 + k * 1000003) % 500000 FROM generate_series(1, 20) k))
  FROM generate_series(1, 30000) i;
ANALYZE many;
CREATE FUNCTION pg_temp.many_groups(hash boolean) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  o text;
  wm text := current_setting('work_mem');
BEGIN
  PERFORM set_config('enable_hashagg', hash::text, true);
  PERFORM set_config('enable_sort', (NOT hash)::text, true);
  PERFORM set_config('work_mem', '64kB', true);
  EXECUTE $q$SELECT md5(string_agg(g || ':' || c || ':' || a, ',' ORDER BY g)) FROM (
             SELECT g, rb_tag_expr_count_agg(bm, tag, 'a & b | c') c, rb_to_array(rb_tag_expr_agg(bm, tag, 'a & b | c'))::text a
             FROM many GROUP BY g) s$q$ INTO o;
  PERFORM set_config('enable_hashagg', 'on', true);
  PERFORM set_config('enable_sort', 'on', true);
  PERFORM set_config('work_mem', wm, true);
  RETURN o;
END $$;
SELECT is(pg_temp.many_groups(true), pg_temp.many_groups(false),
  'hash aggregation spilling to disk (3000 groups, work_mem 64kB) = sorted aggregation');

-- ====================================================== rb_tag_expr_state

SELECT throws_ok($$SELECT '\x00'::rb_tag_expr_state$$, '22P02', NULL, '\x00 is not a state: 22P02');
SELECT throws_ok($$SELECT 'junk'::rb_tag_expr_state$$, '22P02', NULL, 'junk is not a state: 22P02');
SELECT throws_ok($$SELECT '\x'::rb_tag_expr_state$$, '22P02', NULL, 'empty bytes are not a state: 22P02');

-- an aggregate that returns the state itself, and one that merges states
CREATE AGGREGATE pg_temp.te_state(roaringbitmap, text, text) (SFUNC = rb_tag_expr_trans, STYPE = rb_tag_expr_state);
CREATE AGGREGATE pg_temp.te_merge(rb_tag_expr_state) (SFUNC = rb_tag_expr_combine, STYPE = rb_tag_expr_state);

CREATE TEMP TABLE states AS
  SELECT grp, pg_temp.te_state(bm, tag, 'a ^ b | c - d') AS st FROM (VALUES
    (1, 'a', rb_build('{1,2,3}')), (1, 'b', rb_build('{3,4}')), (1, 'x', rb_build('{99}')),
    (2, 'a', rb_build('{7,-1}')), (2, 'c', rb_build('{8,9,2147483647}')), (2, 'd', rb_build('{9}')),
    (3, 'b', rb_build('{1,100000}')), (3, NULL, rb_build('{5}')), (3, 'd', NULL)) v(grp, tag, bm)
  GROUP BY grp;
SELECT is((SELECT rb_to_array(rb_tag_expr_final(st::text::rb_tag_expr_state)) FROM states WHERE grp = 1),
          '{1,2,4}'::int[], 'a state survives its text form and evaluates');
SELECT is((SELECT rb_tag_expr_count_final(st::text::rb_tag_expr_state) FROM states WHERE grp = 2),
          4::bigint, 'rb_tag_expr_count_final on a state read back from text');
SELECT is((SELECT rb_to_array(rb_tag_expr_final(pg_temp.te_merge(st::text::rb_tag_expr_state))) FROM states),
          '{2,4,7,8,100000,2147483647,-1}'::int[], 'merging the states of groups = the aggregate over all rows');
SELECT is((SELECT rb_to_array(rb_tag_expr_final(NULL))), '{}'::int[], 'rb_tag_expr_final(NULL): the empty set');
SELECT throws_ok($$SELECT pg_temp.te_merge(st) FROM (SELECT st FROM states UNION ALL
                   SELECT pg_temp.te_state(rb_build('{1}'), 'a', 'a | b')) s$$,
  '22023', 'cannot combine states of different tag expressions', 'merging states of different expressions: 22023');
SELECT throws_ok($$SELECT rb_tag_expr_trans(NULL, rb_build('{1}'), 'a', 'a')$$, '0A000', NULL,
  'the transition function outside an aggregate: an error, not a crash');
SELECT throws_ok($$SELECT rb_tag_expr_combine(NULL, NULL)$$, '0A000', NULL,
  'the combine function outside an aggregate: an error, not a crash');

-- corrupted states: truncated, trailing bytes, random byte changes
CREATE FUNCTION pg_temp.state_err(t text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  s rb_tag_expr_state;
BEGIN
  s := t::rb_tag_expr_state;
  PERFORM rb_tag_expr_final(s), rb_tag_expr_count_final(s);
  RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE;
END $$;
SELECT is((SELECT pg_temp.state_err(left(st::text, -2)) FROM states WHERE grp = 1), '22P02', 'a truncated state: 22P02');
SELECT is((SELECT pg_temp.state_err(st::text || '00') FROM states WHERE grp = 1), '22P02', 'a state with a trailing byte: 22P02');
SELECT is((SELECT pg_temp.state_err(overlay(st::text placing '02' from 3 + 2 * (8 + 13) for 2)) FROM states WHERE grp = 1),
          '22P02', 'a state whose tag count does not match its expression: 22P02');
CREATE TEMP TABLE mutants AS
SELECT m, pg_temp.state_err(t) AS err FROM (
  SELECT m, overlay(h placing lpad(to_hex(floor(random() * 256)::int), 2, '0')
                    from 3 + 2 * floor(random() * ((length(h) - 2) / 2))::int for 2) AS t
  FROM (SELECT st::text AS h FROM states WHERE grp = 2) s, generate_series(1, 400) m) x;
SELECT diag(format('mutated state: %s', err)) FROM (SELECT DISTINCT err FROM mutants WHERE err NOT IN ('ok', '22P02', '22023')) s;
SELECT is((SELECT count(*) FROM mutants WHERE err NOT IN ('ok', '22P02', '22023')), 0::bigint,
  '400 random byte changes: each state is read or rejected cleanly');

SELECT * FROM finish();
ROLLBACK;
