-- Audience tag expressions (rb_tag_expr_agg, rb_tag_expr_count_agg,
-- rb_tag_expr_tags) checked on deterministic random data against an
-- independent computation in plain SQL: every random expression tree is
-- rendered both as a persona expression (minimal parentheses by persona's
-- precedence, or extra ones; random whitespace; quoted or bare tag spellings)
-- and as a fully parenthesised INTERSECT / EXCEPT / UNION query over the raw
-- (tag, user_id) rows.  Unsigned element order is x::bigint & 4294967295.
BEGIN;
SELECT plan(38);

SET LOCAL client_min_messages = warning;
SET LOCAL persona.output_format = 'array';

DO $$ BEGIN PERFORM setseed(0.2024); END $$;

-- ---------------------------------------------------------------- the data

-- Tags: every spelling form.  spelled_plain: may be written bare.
CREATE TEMP TABLE vocab (name text PRIMARY KEY, has_rows boolean, plain_ok boolean, spelled text);
INSERT INTO vocab (name, has_rows) VALUES
  ('t1', true), ('t2', true), ('Vip', true), ('vip', true),
  ('geo:city.sh', true), ('geo:city.bj', true), ('2024.q1', true), ('_x.y:z', true),
  ('age 18-24', true), ('age:25-34', true), ('say "hi"', true),
  ('城市:上海', true), ('城市:北京', true), ('emoji🎉', true),
  ('a|b&c', true), ('(paren)', true), ('', true), (' lead', true), ('"', true),
  ('x-y', true),
  -- named by expressions, but no rows: the empty set
  ('ghost', false), ('no rows at all', false), ('城市:广州', false);
UPDATE vocab SET plain_ok = name ~ '^([A-Za-z0-9_.:]|[^\x01-\x7F])+$',
                 spelled = '"' || replace(name, '"', '""') || '"';
UPDATE vocab SET spelled = name WHERE plain_ok;

-- The id pool: special values, small ids, negatives, anywhere in int4.
CREATE TEMP TABLE pool AS
SELECT DISTINCT u FROM (
  SELECT unnest(ARRAY[0, 1, -1, 2147483647, -2147483648, 65535, 65536, -65536, 131071]) u
  UNION ALL SELECT floor(random() * 5000)::int FROM generate_series(1, 300)
  UNION ALL SELECT -1 - floor(random() * 100000)::int FROM generate_series(1, 150)
  UNION ALL SELECT (floor(random() * 4294967296) - 2147483648)::int FROM generate_series(1, 150)
  UNION ALL SELECT 4999900 + floor(random() * 200)::int FROM generate_series(1, 60)
) s;

-- raw rows: tag, the bitmap row (grp) it belongs to, user id
CREATE TEMP TABLE aud_raw (tag text, grp int, user_id int);
DO $$
DECLARE
  v record;
  p float8;
  nrows int;
BEGIN
  FOR v IN SELECT name FROM vocab WHERE has_rows ORDER BY name LOOP
    p := 0.08 + random() * 0.5;
    nrows := 1 + floor(random() * 5)::int;
    INSERT INTO aud_raw
      SELECT v.name, 1 + floor(random() * nrows)::int, u
      FROM (SELECT u FROM pool ORDER BY u) s WHERE random() < p;
    -- the same user in a second row of the tag: OR-ing within a tag matters
    INSERT INTO aud_raw
      SELECT v.name, 1 + floor(random() * nrows)::int, user_id
      FROM (SELECT user_id FROM aud_raw WHERE tag = v.name ORDER BY grp, user_id) s
      WHERE random() < 0.2;
  END LOOP;
  -- dense runs (bitset / run containers), partly overlapping
  INSERT INTO aud_raw SELECT 'geo:city.sh', 1 + g % 2, g FROM generate_series(100000, 106000) g;
  INSERT INTO aud_raw SELECT 'emoji🎉', 1, g FROM generate_series(103000, 109000, 3) g;
  INSERT INTO aud_raw SELECT 't1', 1, g FROM generate_series(-70000, -65000) g;
  -- tags near the vocabulary that no expression names
  INSERT INTO aud_raw
    SELECT t, 1, u FROM unnest(ARRAY['t10', 't1 ', 'T1', 'VIP', 'age 18-24 ', 'noise', '"say ""hi"""']) t,
                        (SELECT u FROM pool ORDER BY u) s
    WHERE random() < 0.3;
END $$;
CREATE INDEX ON aud_raw (tag);
ANALYZE aud_raw;

-- bitmap rows: one per (tag, grp), in random order, plus rows to be skipped
CREATE TEMP TABLE aud_bm (tag text, bm roaringbitmap);
INSERT INTO aud_bm VALUES (NULL, NULL), ('t1', NULL), (NULL, rb_build('{777777,-777777,1,2,3}'));
INSERT INTO aud_bm
  SELECT tag, bm FROM (
    SELECT tag, grp, rb_build_agg(user_id ORDER BY random()) AS bm FROM aud_raw GROUP BY tag, grp
    UNION ALL SELECT 't2', NULL, rb_build('{}')
    UNION ALL SELECT 'age 18-24', NULL, NULL
    UNION ALL SELECT NULL, NULL, rb_build(ARRAY[5, 6, 7, 888888])
  ) s ORDER BY random();

-- ------------------------------------------------------ expression trees

CREATE FUNCTION pg_temp.ws() RETURNS text LANGUAGE sql VOLATILE AS
$$ SELECT (ARRAY['', '', '', ' ', ' ', ' ', '  ', E'\t', E'\n', E' \r\n '])[1 + floor(random() * 10)::int] $$;

-- a random spelling of a tag: bare when possible (mostly), else quoted
CREATE FUNCTION pg_temp.spell(nm text) RETURNS text LANGUAGE sql VOLATILE AS
$$ SELECT CASE WHEN plain_ok AND random() < 0.75 THEN name
               ELSE '"' || replace(name, '"', '""') || '"' END
   FROM vocab WHERE name = nm $$;

CREATE FUNCTION pg_temp.pick_tag() RETURNS text LANGUAGE sql VOLATILE AS
$$ SELECT CASE WHEN random() < 0.06
               THEN (SELECT name FROM vocab WHERE NOT has_rows ORDER BY name OFFSET floor(random() * 3)::int LIMIT 1)
               ELSE (SELECT name FROM vocab WHERE has_rows ORDER BY name OFFSET floor(random() * 20)::int LIMIT 1) END $$;

CREATE FUNCTION pg_temp.paren(s text) RETURNS text LANGUAGE sql VOLATILE AS
$$ SELECT '(' || pg_temp.ws() || s || pg_temp.ws() || ')' $$;

CREATE FUNCTION pg_temp.level(o text) RETURNS int LANGUAGE sql IMMUTABLE AS
$$ SELECT CASE o WHEN '|' THEN 1 WHEN '^' THEN 2 WHEN '&' THEN 3 WHEN '-' THEN 3 ELSE 4 END $$;

CREATE FUNCTION pg_temp.leaf(nm text, OUT pmin text, OUT pext text, OUT q text, OUT lvl int,
                             OUT op text, OUT leaves text[])
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  pmin := pg_temp.spell(nm);
  pext := pg_temp.spell(nm);
  IF random() < 0.15 THEN pext := pg_temp.paren(pext); END IF;
  IF random() < 0.05 THEN pext := pg_temp.paren(pext); END IF;
  q := format('(SELECT DISTINCT user_id FROM aud_raw WHERE tag = %L)', nm);
  lvl := 4;
  op := '';
  leaves := ARRAY[nm];
END $$;

-- combine two rendered subtrees l o r
CREATE FUNCTION pg_temp.combine(o text,
    l_pmin text, l_pext text, l_q text, l_lvl int, l_op text, l_leaves text[],
    r_pmin text, r_pext text, r_q text, r_lvl int, r_op text, r_leaves text[],
    OUT pmin text, OUT pext text, OUT q text, OUT lvl int, OUT op text, OUT leaves text[])
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  lv int := pg_temp.level(o);
  assoc boolean := o IN ('|', '^') OR (o = '&' AND r_op = '&');
  lm text := l_pmin;
  rm text := r_pmin;
  le text := l_pext;
  re text := r_pext;
BEGIN
  -- minimal: left operand needs parentheses when it binds looser; right operand
  -- also when it binds equally (left to right), unless the operator is associative
  IF l_lvl < lv THEN lm := pg_temp.paren(lm); END IF;
  IF r_lvl < lv OR (r_lvl = lv AND (NOT assoc OR random() < 0.5)) THEN rm := pg_temp.paren(rm); END IF;
  -- extra: the required parentheses and random redundant ones
  IF l_lvl < lv OR random() < 0.3 THEN le := pg_temp.paren(le); END IF;
  IF r_lvl <= lv OR random() < 0.3 THEN re := pg_temp.paren(re); END IF;
  pmin := lm || pg_temp.ws() || o || pg_temp.ws() || rm;
  pext := le || pg_temp.ws() || o || pg_temp.ws() || re;
  q := CASE o WHEN '&' THEN format('(%s INTERSECT %s)', l_q, r_q)
              WHEN '-' THEN format('(%s EXCEPT %s)', l_q, r_q)
              WHEN '|' THEN format('(%s UNION %s)', l_q, r_q)
              WHEN '^' THEN format('((%s EXCEPT %s) UNION (%s EXCEPT %s))', l_q, r_q, r_q, l_q) END;
  lvl := lv;
  op := o;
  leaves := l_leaves || r_leaves;
END $$;

CREATE FUNCTION pg_temp.gen(depth int, OUT pmin text, OUT pext text, OUT q text, OUT lvl int,
                            OUT op text, OUT leaves text[])
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  o text;
  l record;
  r record;
BEGIN
  IF depth <= 0 OR random() < 0.2 THEN
    SELECT * INTO pmin, pext, q, lvl, op, leaves FROM pg_temp.leaf(pg_temp.pick_tag());
    RETURN;
  END IF;
  o := (ARRAY['&', '-', '^', '|'])[1 + floor(random() * 4)::int];
  SELECT * INTO l FROM pg_temp.gen(depth - 1);
  SELECT * INTO r FROM pg_temp.gen(depth - 1);
  SELECT * INTO pmin, pext, q, lvl, op, leaves
  FROM pg_temp.combine(o, l.pmin, l.pext, l.q, l.lvl, l.op, l.leaves,
                          r.pmin, r.pext, r.q, r.lvl, r.op, r.leaves);
END $$;

-- right-nested chains t op (t op (t op ...)): evaluation stack deeper than 16
CREATE FUNCTION pg_temp.chain(n int, OUT pmin text, OUT pext text, OUT q text, OUT lvl int,
                              OUT op text, OUT leaves text[])
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  o text;
  l record;
BEGIN
  SELECT * INTO pmin, pext, q, lvl, op, leaves FROM pg_temp.leaf(pg_temp.pick_tag());
  FOR k IN 1 .. n LOOP
    -- xor duplicates its operands in the SQL form: only near the bottom
    o := (ARRAY['&', '-', '|', '^'])[1 + floor(random() * CASE WHEN k <= 4 THEN 4 ELSE 3 END)::int];
    SELECT * INTO l FROM pg_temp.leaf(pg_temp.pick_tag());
    SELECT * INTO pmin, pext, q, lvl, op, leaves
    FROM pg_temp.combine(o, l.pmin, l.pext, l.q, l.lvl, l.op, l.leaves,
                            pmin, pext, q, lvl, op, leaves);
  END LOOP;
END $$;

CREATE TEMP TABLE cases (id int PRIMARY KEY, kind text, pmin text, pext text, q text, leaves text[],
  sql_arr int[], agg_min int[], agg_ext int[], cnt_min bigint, cnt_ext bigint,
  agg_filt int[], cnt_filt bigint, tags_min text[], tags_ext text[]);

DO $$
DECLARE
  t record;
BEGIN
  FOR i IN 1 .. 330 LOOP
    SELECT * INTO t FROM pg_temp.gen(1 + (i % 5));
    INSERT INTO cases (id, kind, pmin, pext, q, leaves)
      VALUES (i, 'tree', pg_temp.ws() || t.pmin || pg_temp.ws(), pg_temp.ws() || t.pext || pg_temp.ws(), t.q, t.leaves);
  END LOOP;
  FOR i IN 1 .. 12 LOOP
    SELECT * INTO t FROM pg_temp.chain(16 + 4 * i);
    INSERT INTO cases (id, kind, pmin, pext, q, leaves)
      VALUES (1000 + i, 'chain', t.pmin, t.pext, t.q, t.leaves);
  END LOOP;
END $$;

-- evaluate every case both ways
DO $$
DECLARE
  c record;
  s int[];
  am int[]; ae int[]; af int[];
  cm bigint; ce bigint; cf bigint;
BEGIN
  FOR c IN SELECT * FROM cases ORDER BY id LOOP
    EXECUTE 'SELECT coalesce(array_agg(u ORDER BY u::bigint & 4294967295), ''{}'') FROM '
            || c.q || ' s(u)' INTO s;
    EXECUTE 'SELECT rb_to_array(rb_tag_expr_agg(bm, tag, $1)), rb_tag_expr_count_agg(bm, tag, $1) FROM aud_bm'
      INTO am, cm USING c.pmin;
    EXECUTE format('SELECT rb_to_array(rb_tag_expr_agg(bm, tag, %L)), rb_tag_expr_count_agg(bm, tag, %L) FROM aud_bm',
                   c.pext, c.pext) INTO ae, ce;
    EXECUTE 'SELECT rb_to_array(rb_tag_expr_agg(bm, tag, $1)), rb_tag_expr_count_agg(bm, tag, $1) '
            'FROM aud_bm WHERE tag = ANY(rb_tag_expr_tags($1))' INTO af, cf USING c.pmin;
    UPDATE cases SET sql_arr = s, agg_min = am, agg_ext = ae, cnt_min = cm, cnt_ext = ce,
                     agg_filt = af, cnt_filt = cf,
                     tags_min = rb_tag_expr_tags(c.pmin), tags_ext = rb_tag_expr_tags(c.pext)
      WHERE id = c.id;
  END LOOP;
END $$;

-- ---------------------------------------------------------- assertions

SELECT cmp_ok((SELECT count(*) FROM cases WHERE kind = 'tree'), '>=', 300::bigint,
  'at least 300 random expression trees');
SELECT is((SELECT count(*) FROM cases WHERE kind = 'chain' AND cardinality(leaves) > 17), 12::bigint,
  '12 right-nested chains deeper than 16');

SELECT diag(format('mismatch #%s: %s  sql=%s  agg=%s', id, pmin, sql_arr, agg_min))
  FROM cases WHERE agg_min IS DISTINCT FROM sql_arr ORDER BY id LIMIT 3;
SELECT is((SELECT count(*) FROM cases WHERE kind = 'tree' AND agg_min IS DISTINCT FROM sql_arr), 0::bigint,
  'rb_tag_expr_agg (minimal parentheses) = plain SQL set operations, element by element');
SELECT is((SELECT count(*) FROM cases WHERE kind = 'tree' AND agg_ext IS DISTINCT FROM sql_arr), 0::bigint,
  'rb_tag_expr_agg (extra parentheses) = plain SQL set operations');
SELECT is((SELECT count(*) FROM cases WHERE kind = 'tree' AND cnt_min IS DISTINCT FROM cardinality(sql_arr)::bigint), 0::bigint,
  'rb_tag_expr_count_agg (minimal parentheses) = plain SQL count');
SELECT is((SELECT count(*) FROM cases WHERE kind = 'tree' AND cnt_ext IS DISTINCT FROM cardinality(sql_arr)::bigint), 0::bigint,
  'rb_tag_expr_count_agg (extra parentheses) = plain SQL count');
SELECT is((SELECT count(*) FROM cases WHERE kind = 'tree'
            AND (agg_filt IS DISTINCT FROM sql_arr OR cnt_filt IS DISTINCT FROM cardinality(sql_arr)::bigint)), 0::bigint,
  'with WHERE tag = ANY(rb_tag_expr_tags(expr)): same answers');
SELECT is((SELECT count(*) FROM cases WHERE kind = 'chain'
            AND (agg_min IS DISTINCT FROM sql_arr OR agg_ext IS DISTINCT FROM sql_arr
                 OR cnt_min IS DISTINCT FROM cardinality(sql_arr)::bigint
                 OR cnt_ext IS DISTINCT FROM cardinality(sql_arr)::bigint
                 OR agg_filt IS DISTINCT FROM sql_arr)), 0::bigint,
  'deep right-nested chains: rb_tag_expr_agg and rb_tag_expr_count_agg = plain SQL');

SELECT is((SELECT count(*) FROM cases
            WHERE tags_min IS DISTINCT FROM
                  array(SELECT x FROM unnest(leaves) WITH ORDINALITY u(x, n) GROUP BY x ORDER BY min(n))),
  0::bigint, 'rb_tag_expr_tags (minimal form) = distinct tags in order of first appearance');
SELECT is((SELECT count(*) FROM cases WHERE tags_ext IS DISTINCT FROM tags_min), 0::bigint,
  'rb_tag_expr_tags does not depend on parentheses, whitespace or quoting');

-- the random data really exercises what it should
SELECT cmp_ok((SELECT count(*) FROM cases WHERE cardinality(sql_arr) = 0), '>=', 5::bigint,
  'some expressions are empty');
SELECT cmp_ok((SELECT count(*) FROM cases WHERE cardinality(sql_arr) > 0), '>=', 200::bigint,
  'most expressions are not empty');
SELECT cmp_ok((SELECT count(DISTINCT cardinality(sql_arr)) FROM cases), '>=', 100::bigint,
  'many different audience sizes');
SELECT cmp_ok((SELECT count(*) FROM cases WHERE sql_arr && ARRAY[-2147483648, -1, 2147483647, 0]), '>=', 20::bigint,
  'results include the extreme ids 0, -1, 2^31-1, -2^31');
SELECT cmp_ok((SELECT count(*) FROM cases WHERE EXISTS (SELECT FROM unnest(sql_arr) x WHERE x < 0)), '>=', 100::bigint,
  'results include negative ids');
SELECT cmp_ok((SELECT count(*) FROM cases WHERE cardinality(sql_arr) > 5000), '>=', 10::bigint,
  'results include the dense runs');
SELECT cmp_ok((SELECT count(*) FROM cases WHERE leaves && ARRAY['ghost', 'no rows at all', '城市:广州']), '>=', 30::bigint,
  'many expressions name a tag with no rows');
SELECT is((SELECT count(*) FROM vocab v WHERE NOT EXISTS (SELECT FROM cases WHERE v.name = ANY(leaves))), 0::bigint,
  'every tag of the vocabulary is used');
SELECT is((SELECT count(*) FROM unnest(ARRAY['&', '-', '^', '|']) o WHERE NOT EXISTS (SELECT FROM cases WHERE pmin LIKE '%' || o || '%')),
  0::bigint, 'every operator is used');
SELECT is((SELECT count(*) FROM unnest(ARRAY['"say ""hi"""', '"age 18-24"', '城市:上海', 'geo:city.sh', '""""', '""',
                                             '"t1"', '"a|b&c"', '"(paren)"', 'emoji🎉', E'\t', E'\n', '(('])  s
            WHERE NOT EXISTS (SELECT FROM cases WHERE pmin LIKE '%' || s || '%' OR pext LIKE '%' || s || '%')),
  0::bigint, 'every spelling form is used');
SELECT cmp_ok((SELECT count(*) FROM cases WHERE pmin ~ '[A-Za-z0-9_.:]-'), '>=', 1::bigint,
  'some expressions have "-" right after a bare tag, without space');

-- ------------------------------------------------- explicit spot checks

SELECT is((SELECT rb_tag_expr_count_agg(bm, tag, 't1') FROM aud_bm),
          (SELECT count(DISTINCT user_id) FROM aud_raw WHERE tag = 't1'),
  'a bare tag is its rows OR-ed (tags t10, "t1 ", T1 are other tags)');
SELECT is((SELECT rb_to_array(rb_tag_expr_agg(bm, tag, '"say ""hi"""')) FROM aud_bm),
          (SELECT array_agg(u ORDER BY u::bigint & 4294967295) FROM (SELECT DISTINCT user_id FROM aud_raw WHERE tag = 'say "hi"') s(u)),
  'a quoted tag with "" is the tag with a quote');
SELECT is((SELECT rb_to_array(rb_tag_expr_agg(bm, tag, '城市:上海 | "城市:上海"')) FROM aud_bm),
          (SELECT array_agg(u ORDER BY u::bigint & 4294967295) FROM (SELECT DISTINCT user_id FROM aud_raw WHERE tag = '城市:上海') s(u)),
  'a UTF-8 tag bare and quoted is the same tag');
SELECT is((SELECT rb_tag_expr_count_agg(bm, tag, 't2 - ghost | ghost & t1') FROM aud_bm),
          (SELECT count(DISTINCT user_id) FROM aud_raw WHERE tag = 't2'),
  'a tag with no rows is the empty set');
SELECT is((SELECT rb_tag_expr_count_agg(bm, tag, '""') FROM aud_bm),
          (SELECT count(DISTINCT user_id) FROM aud_raw WHERE tag = ''),
  '"" is the empty tag');
SELECT is((SELECT rb_tag_expr_count_agg(bm, tag, 'ghost | "no rows at all"') FROM aud_bm), 0::bigint,
  'only tags with no rows: 0');
SELECT is((SELECT rb_to_array(rb_tag_expr_agg(bm, tag, 'ghost')) FROM aud_bm), '{}'::int[],
  'only tags with no rows: the empty bitmap (not NULL)');

-- precedence, on small sets with known answers
CREATE TEMP TABLE small (tag text, bm roaringbitmap);
INSERT INTO small VALUES ('a', rb_build('{1,2}')), ('b', rb_build('{3,4,5,6}')), ('a', rb_build('{3,4}')),
                         ('c', rb_build('{1,4,6,7,8}')), ('d', NULL), (NULL, rb_build('{9}'));
-- a = {1,2,3,4}  b = {3,4,5,6}  c = {1,4,6,7,8}
CREATE FUNCTION pg_temp.ev(e text) RETURNS int[] LANGUAGE sql AS
$$ SELECT rb_to_array(rb_tag_expr_agg(bm, tag, e)) FROM small $$;
CREATE FUNCTION pg_temp.evc(e text) RETURNS bigint LANGUAGE sql AS
$$ SELECT rb_tag_expr_count_agg(bm, tag, e) FROM small $$;

SELECT is(pg_temp.ev('a | b & c'), '{1,2,3,4,6}'::int[], 'a | b & c = a | (b & c)');
SELECT is(pg_temp.ev('(a | b) & c'), '{1,4,6}'::int[], '(a | b) & c');
SELECT is(pg_temp.ev('a - b & c'), '{1}'::int[], 'a - b & c = (a - b) & c');
SELECT is(pg_temp.ev('a - (b & c)'), '{1,2,3}'::int[], 'a - (b & c)');
SELECT is(pg_temp.ev('a ^ b | c'), '{1,2,4,5,6,7,8}'::int[], 'a ^ b | c = (a ^ b) | c');
SELECT is(pg_temp.ev('a ^ (b | c)'), '{2,5,6,7,8}'::int[], 'a ^ (b | c)');
SELECT is(pg_temp.ev('a | b ^ c'), '{1,2,3,4,5,7,8}'::int[], 'a | b ^ c = a | (b ^ c)');
SELECT is(pg_temp.ev('(a | b) ^ c'), '{2,3,5,7,8}'::int[], '(a | b) ^ c');
SELECT is(ARRAY[pg_temp.ev('a - b - c')::text, pg_temp.ev('a-(b-c)')::text, pg_temp.ev('a ^ b & c')::text,
                pg_temp.ev('c-a^b')::text, pg_temp.ev('a & b | c - a')::text, pg_temp.ev('a&b&c|d')::text],
          ARRAY['{2}', '{1,2,4}', '{1,2,3,6}', '{3,4,5,7,8}', '{3,4,6,7,8}', '{4}'],
  'a - b - c = (a - b) - c; a ^ b & c = a ^ (b & c); c - a ^ b = (c - a) ^ b; a & b | c - a; d (NULL bitmap) is empty');
SELECT is(ARRAY[pg_temp.evc('a | b & c'), pg_temp.evc('a - b & c'), pg_temp.evc('a ^ b | c'), pg_temp.evc('a | b ^ c'),
                pg_temp.evc('a - b - c'), pg_temp.evc('c-a^b')],
          ARRAY[5, 1, 7, 7, 1, 5]::bigint[],
  'rb_tag_expr_count_agg follows the same precedence');

SELECT * FROM finish();
ROLLBACK;
