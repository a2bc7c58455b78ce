-- test/demo/questions.sql — marketing questions answered with persona's roaring bitmaps.
-- Run after data.sql:  psql -X -q -v ON_ERROR_STOP=1 -f test/demo/questions.sql

\pset footer off
\pset null '-'
SET client_min_messages = warning;

\echo
\echo '== 1. Who do we know, and where from?'
\echo 'Records per source, distinct people (rb_cardinality of rb_build_agg) and how'
\echo 'often each identifier is filled in:'
SELECT source,
       count(*)                                        AS records,
       rb_cardinality(rb_build_agg(member_id))         AS people,
       round(100.0 * count(phone) / count(*)) || '%'   AS phone,
       round(100.0 * count(email) / count(*)) || '%'   AS email,
       round(100.0 * count(openid) / count(*)) || '%'  AS openid
FROM member_records
GROUP BY source
ORDER BY source;

\echo 'Overlap of CRM, app and WeChat (rb_and_cardinality, rb_andnot_cardinality, &):'
WITH s AS (
    SELECT rb_build_agg(member_id) FILTER (WHERE source = 'crm')    AS crm,
           rb_build_agg(member_id) FILTER (WHERE source = 'app')    AS app,
           rb_build_agg(member_id) FILTER (WHERE source = 'wechat') AS wechat
    FROM member_records
)
SELECT v.segment, v.people,
       round(100.0 * v.people / rb_or_cardinality(s.crm, s.app | s.wechat), 1) || '%' AS share
FROM s
CROSS JOIN LATERAL (VALUES
    ('all people',           rb_cardinality((s.crm | s.app) | s.wechat)),
    ('CRM only',             rb_andnot_cardinality(s.crm, s.app | s.wechat)),
    ('app only',             rb_andnot_cardinality(s.app, s.crm | s.wechat)),
    ('WeChat only',          rb_andnot_cardinality(s.wechat, s.crm | s.app)),
    ('CRM and app',          rb_and_cardinality(s.crm, s.app)),
    ('CRM and WeChat',       rb_and_cardinality(s.crm, s.wechat)),
    ('app and WeChat',       rb_and_cardinality(s.app, s.wechat)),
    ('all three',            rb_cardinality((s.crm & s.app) & s.wechat))
) v(segment, people);

\echo
\echo '== 2. Audience: women with children who bought a purifier but no filter,'
\echo '==    in Shanghai or Hangzhou, not at churn risk'
\echo 'Built from tag_bitmaps with & | - . SQL gives - a higher precedence than & and |,'
\echo 'so the expression is parenthesized explicitly. Each step narrows the audience:'
CREATE TEMP TABLE audience_steps AS
WITH t AS (
    SELECT rb_or_agg(bm) FILTER (WHERE tag = 'gender:female')                    AS women,
           rb_or_agg(bm) FILTER (WHERE tag = 'has_children')                     AS parents,
           rb_or_agg(bm) FILTER (WHERE tag = 'bought:purifier')                  AS purifier,
           rb_or_agg(bm) FILTER (WHERE tag = 'bought:filter')                    AS filter,
           rb_or_agg(bm) FILTER (WHERE tag IN ('city:Shanghai', 'city:Hangzhou')) AS sh_hz,
           rb_or_agg(bm) FILTER (WHERE tag = 'churn_risk')                       AS churn
    FROM tag_bitmaps
)
SELECT v.step, v.description, v.bm
FROM t
CROSS JOIN LATERAL (VALUES
    (1, 'women',                          t.women),
    (2, '  & has_children',               t.women & t.parents),
    (3, '  & bought:purifier',            (t.women & t.parents) & t.purifier),
    (4, '  - bought:filter',              ((t.women & t.parents) & t.purifier) - t.filter),
    (5, '  & (city:Shanghai | Hangzhou)', (((t.women & t.parents) & t.purifier) - t.filter) & t.sh_hz),
    (6, '  - churn_risk',                 ((((t.women & t.parents) & t.purifier) - t.filter) & t.sh_hz) - t.churn)
) v(step, description, bm);

CREATE TEMP TABLE audience AS SELECT bm FROM audience_steps WHERE step = 6;

SELECT step, description, rb_cardinality(bm) AS people FROM audience_steps ORDER BY step;

\echo 'The same audience as one tag expression (rb_tag_expr_agg): & and - bind tighter than |'
\echo 'there, as in set algebra, and only the tags it names are read:'
\set expr 'gender:female & has_children & bought:purifier - bought:filter & (city:Shanghai | city:Hangzhou) - churn_risk'
SELECT :'expr' AS expression,
       rb_tag_expr_count_agg(bm, tag, :'expr') AS people,
       rb_tag_expr_agg(bm, tag, :'expr') = (SELECT bm FROM audience) AS same_as_the_steps
FROM tag_bitmaps WHERE tag = ANY (rb_tag_expr_tags(:'expr'));

\echo 'The audience, and its first 10 member ids (rb_to_array(rb_select(bm, 10))):'
SELECT rb_cardinality(bm) AS audience_size,
       rb_min(bm) AS min_id, rb_max(bm) AS max_id,
       rb_to_array(rb_select(bm, 10)) AS first_10_member_ids
FROM audience;

\echo
\echo '== 3. What else characterizes this audience? Top 10 tags by TGI'
\echo 'coverage = |audience & tag| / |audience|;  TGI = rb_tgi(audience, tag, everyone)'
\echo '      = 100 * coverage / (|tag| / |everyone|)'
\echo '(tags used to define the audience left out; at least 30 audience members per tag)'
WITH a AS (SELECT bm, rb_cardinality(bm)::numeric AS n FROM audience),
     everyone AS (SELECT rb_or_agg(bm) AS bm FROM tag_bitmaps),
     o AS (
         SELECT b.tag, b.bm, t.kind, rb_cardinality(b.bm) AS tag_size,
                rb_and_cardinality(b.bm, a.bm) AS overlap, a.n AS audience_n
         FROM tag_bitmaps b
         JOIN tags t USING (tag_id)
         CROSS JOIN a
         WHERE b.tag NOT IN ('gender:female', 'has_children', 'bought:purifier', 'bought:filter',
                             'city:Shanghai', 'city:Hangzhou', 'churn_risk')
     )
SELECT o.tag, o.kind, o.tag_size, o.overlap,
       round(100 * o.overlap / o.audience_n, 1) AS coverage_pct,
       round(rb_tgi(a.bm, o.bm, everyone.bm)) AS tgi
FROM o CROSS JOIN a CROSS JOIN everyone
WHERE o.overlap >= 30
ORDER BY tgi DESC, o.tag
LIMIT 10;

\echo
\echo '== 4. Retargeting: viewed a purifier, never bought one, active in the last 30 days'
\echo '==    - where are they? (top 5 cities)'
WITH r AS (
    SELECT (rb_or_agg(bm) FILTER (WHERE tag = 'viewed:purifier')
            - rb_or_agg(bm) FILTER (WHERE tag = 'bought:purifier'))
           & rb_or_agg(bm) FILTER (WHERE tag = 'active_30d') AS bm
    FROM tag_bitmaps
)
SELECT substr(c.tag, 6) AS city, rb_and_cardinality(c.bm, r.bm) AS retarget,
       rb_cardinality(c.bm) AS city_size,
       round(100.0 * rb_and_cardinality(c.bm, r.bm) / rb_cardinality(c.bm), 1) AS pct_of_city
FROM tag_bitmaps c CROSS JOIN r
WHERE c.tag LIKE 'city:%'
ORDER BY retarget DESC, city
LIMIT 5;

\echo
\echo '== 5. Check: the bitmap answer (question 2) equals plain SQL over user_tags'
CREATE TEMP TABLE plain AS
SELECT ut.member_id
FROM user_tags ut
JOIN tags t USING (tag_id)
WHERE t.tag IN ('gender:female', 'has_children', 'bought:purifier', 'bought:filter',
                'city:Shanghai', 'city:Hangzhou', 'churn_risk')
GROUP BY ut.member_id
HAVING bool_or(t.tag = 'gender:female') AND bool_or(t.tag = 'has_children')
   AND bool_or(t.tag = 'bought:purifier') AND NOT bool_or(t.tag = 'bought:filter')
   AND bool_or(t.tag IN ('city:Shanghai', 'city:Hangzhou')) AND NOT bool_or(t.tag = 'churn_risk');

SELECT (SELECT rb_cardinality(bm) FROM audience) AS bitmap_count,
       (SELECT count(*) FROM plain) AS plain_sql_count,
       (SELECT bm FROM audience) = (SELECT rb_build_agg(member_id) FROM plain) AS same_members;

\echo
\echo '== 6. Storage: one bitmap per tag vs one row per (member, tag)'
SELECT 'user_tags (rows + primary key)' AS "table",
       (SELECT count(*) FROM user_tags) AS "rows",
       pg_size_pretty(pg_total_relation_size('user_tags')) AS total_size
UNION ALL
SELECT 'tag_bitmaps (one roaringbitmap per tag)',
       (SELECT count(*) FROM tag_bitmaps),
       pg_size_pretty(pg_total_relation_size('tag_bitmaps'))
UNION ALL
SELECT 'ratio', NULL,
       round(pg_total_relation_size('user_tags')::numeric / pg_total_relation_size('tag_bitmaps')) || ' x smaller';
