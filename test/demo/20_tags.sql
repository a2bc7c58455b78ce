-- 2. Tags -> bitmaps over persons: the tags each system put on its records land on the
-- resolved person (person_of), one roaringbitmap of person ids per tag.
\pset footer off
\pset null '-'
SET client_min_messages = warning;

\echo
\echo '== 2. Tags -> one bitmap of person ids per tag (rb_build_agg)'
\echo 'Each system tags its own records (record_tags): purchases on CRM and store'
\echo 'records, views on the app, interests on WeChat. Through person_of a tag on any'
\echo 'record of a person is a tag on the person; then one bitmap per tag:'
CREATE TABLE person_tags AS
SELECT DISTINCT p.person_id, rt.tag_id FROM record_tags rt JOIN person_of p USING (record_id);
ALTER TABLE person_tags ADD PRIMARY KEY (tag_id, person_id);
CREATE TABLE tag_bitmaps AS
SELECT t.tag_id, t.tag, rb_build_agg(pt.person_id) AS bm
FROM tags t JOIN person_tags pt USING (tag_id)
GROUP BY t.tag_id, t.tag;
ALTER TABLE tag_bitmaps ADD PRIMARY KEY (tag_id);
VACUUM (ANALYZE) person_tags, tag_bitmaps;

SELECT v.tbl AS "table", to_char(v.n, 'FM9,999,999') AS "rows"
FROM (VALUES (1, 'record_tags (record, tag)', (SELECT count(*) FROM record_tags)),
             (2, 'person_tags (person, tag)', (SELECT count(*) FROM person_tags)),
             (3, 'tag_bitmaps (one per tag)', (SELECT count(*) FROM tag_bitmaps))) v(n0, tbl, n)
ORDER BY v.n0;

\echo 'Who do we know, and where from? Persons per source and their overlaps, from the'
\echo 'src: tag bitmaps (rb_cardinality, rb_and_cardinality, rb_andnot_cardinality):'
WITH s AS (
    SELECT rb_or_agg(bm) FILTER (WHERE tag = 'src:crm') AS crm,
           rb_or_agg(bm) FILTER (WHERE tag = 'src:app') AS app,
           rb_or_agg(bm) FILTER (WHERE tag IN ('src:wechat', 'src:mini_program')) AS wechat,
           rb_or_agg(bm) FILTER (WHERE tag = 'src:store') AS store
    FROM tag_bitmaps WHERE tag LIKE 'src:%'
)
SELECT v.segment, v.persons,
       round(100.0 * v.persons / rb_cardinality(s.crm | s.app | s.wechat | s.store), 1) || '%' AS share
FROM s
CROSS JOIN LATERAL (VALUES
    ('all persons',                 rb_cardinality(s.crm | s.app | s.wechat | s.store)),
    ('CRM',                         rb_cardinality(s.crm)),
    ('app',                         rb_cardinality(s.app)),
    ('WeChat or mini program',      rb_cardinality(s.wechat)),
    ('store',                       rb_cardinality(s.store)),
    ('CRM and app',                 rb_and_cardinality(s.crm, s.app)),
    ('CRM and WeChat',              rb_and_cardinality(s.crm, s.wechat)),
    ('app and WeChat',              rb_and_cardinality(s.app, s.wechat)),
    ('CRM, app and WeChat',         rb_cardinality(s.crm & s.app & s.wechat)),
    ('WeChat only',                 rb_andnot_cardinality(s.wechat, s.crm | s.app | s.store))
) v(segment, persons);

\echo 'Storage: one bitmap per tag against one row per (person, tag):'
SELECT v.tbl AS "table", v.size
FROM (VALUES (1, 'person_tags (rows + primary key)', pg_size_pretty(pg_total_relation_size('person_tags'))),
             (2, 'tag_bitmaps (one roaringbitmap per tag)', pg_size_pretty(pg_total_relation_size('tag_bitmaps'))),
             (3, 'ratio', round(pg_total_relation_size('person_tags')::numeric
                                / pg_total_relation_size('tag_bitmaps')) || ' x smaller')) v(n, tbl, size)
ORDER BY v.n;
