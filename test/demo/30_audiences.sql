-- 3. Audiences: a set expression over the tag bitmaps of section 2, profiled by TGI, and
-- timed against the same question in plain SQL over person_tags.
\pset footer off
\pset null '-'
SET client_min_messages = warning;
\ir race.sql

\echo
\echo '== 3. Audience: women with children who bought a purifier but no filter,'
\echo '   in Shanghai or Hangzhou, not at churn risk'
\echo 'Built with the bitmap operators & | - over tag_bitmaps. SQL gives - a higher'
\echo 'precedence than & and |, so the expression is parenthesized. Step by step:'
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
SELECT step, description, rb_cardinality(bm) AS persons FROM audience_steps ORDER BY step;

\set expr 'gender:female & has_children & bought:purifier - bought:filter & (city:Shanghai | city:Hangzhou) - churn_risk'
\echo 'The same audience as one tag expression (rb_tag_expr_count_agg), where & and -'
\echo 'bind tighter than |, as in set algebra, and only the tags it names are read:'
\echo '   gender:female & has_children & bought:purifier - bought:filter'
\echo '   & (city:Shanghai | city:Hangzhou) - churn_risk'
SELECT rb_tag_expr_count_agg(bm, tag, :'expr') AS persons,
       rb_tag_expr_agg(bm, tag, :'expr') = (SELECT bm FROM audience) AS same_as_the_steps,
       (SELECT rb_to_array(rb_select(bm, 6)) FROM audience) AS first_6_person_ids
FROM tag_bitmaps WHERE tag = ANY (rb_tag_expr_tags(:'expr'));

\echo 'How long it takes, against plain SQL over person_tags (one row per person and'
\echo 'tag, GROUP BY person_id HAVING bool_or(...)); best of 3 runs each, in one'
\echo 'process:'
SELECT 'audience count' AS question, r.*
FROM pg_temp.race(
  format($q$SELECT rb_tag_expr_count_agg(bm, tag, %L) FROM tag_bitmaps
            WHERE tag = ANY (rb_tag_expr_tags(%L))$q$, :'expr', :'expr'),
  $q$SELECT count(*) FROM (
       SELECT pt.person_id FROM person_tags pt JOIN tags t USING (tag_id)
       WHERE t.tag IN ('gender:female', 'has_children', 'bought:purifier', 'bought:filter',
                       'city:Shanghai', 'city:Hangzhou', 'churn_risk')
       GROUP BY pt.person_id
       HAVING bool_or(t.tag = 'gender:female') AND bool_or(t.tag = 'has_children')
          AND bool_or(t.tag = 'bought:purifier') AND NOT bool_or(t.tag = 'bought:filter')
          AND bool_or(t.tag IN ('city:Shanghai', 'city:Hangzhou'))
          AND NOT bool_or(t.tag = 'churn_risk')) s$q$) r;

\echo 'What else characterizes this audience? The top 10 tags by TGI:'
\echo '   coverage = |audience & tag| / |audience|'
\echo '   TGI = rb_tgi(audience, tag, everyone) = 100 * coverage / (|tag| / |everyone|)'
\echo '(the tags that define the audience left out; at least 30 audience members a tag)'
WITH a AS (SELECT bm, rb_cardinality(bm)::numeric AS n FROM audience),
     everyone AS (SELECT rb_or_agg(bm) AS bm FROM tag_bitmaps),
     o AS (
         SELECT b.tag, b.bm, rb_cardinality(b.bm) AS tag_size,
                rb_and_cardinality(b.bm, a.bm) AS overlap, a.n AS audience_n
         FROM tag_bitmaps b
         CROSS JOIN a
         WHERE b.tag NOT IN ('gender:female', 'has_children', 'bought:purifier', 'bought:filter',
                             'city:Shanghai', 'city:Hangzhou', 'churn_risk')
     )
SELECT o.tag, o.tag_size AS persons, o.overlap AS in_audience,
       round(100 * o.overlap / o.audience_n, 1) AS coverage_pct,
       round(rb_tgi(a.bm, o.bm, everyone.bm)) AS tgi
FROM o CROSS JOIN a CROSS JOIN everyone
WHERE o.overlap >= 30
ORDER BY tgi DESC, o.tag
LIMIT 10;

\echo 'Retargeting: viewed a purifier, never bought one, active in the last 30 days.'
\echo 'Where are they? The top 5 cities:'
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
