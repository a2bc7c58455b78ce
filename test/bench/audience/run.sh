#!/usr/bin/env bash
# Audience benchmark: a 5-tag expression count and a TGI profile over 2,000 tags,
# persona against the best plain-SQL formulations on an indexed user_tags.
#   SCALE=1 (10 million users, ~94 million rows; default) or SCALE=0.01 for a quick run
set -euo pipefail
. "$(dirname "$0")/../common.sh"
bench_setup
# tags 1, 4, 7, 13 are spread uniformly, tag 2 is clustered (see data.sql)
expr='tag_1 & tag_4 & (tag_7 | tag_2) - tag_13'
psql -X -q -v ON_ERROR_STOP=1 -v expr="$expr" <<'SQL'
\pset footer off
SELECT :'expr' AS expr \gset
DROP TABLE IF EXISTS members;
-- the whole membership, the base of the TGI
CREATE TABLE members AS SELECT rb_fill('{}', 0, (SELECT max(user_id) + 1 FROM user_tags)) AS bm;
ANALYZE members;

-- the same answer three ways
CREATE TEMP TABLE answers AS
SELECT (SELECT rb_tag_expr_count_agg(bm, tag, :'expr') FROM tag_bitmaps
        WHERE tag = ANY (rb_tag_expr_tags(:'expr'))) AS persona,
       (SELECT count(*) FROM (
          ((SELECT user_id FROM user_tags WHERE tag_id = 1
            INTERSECT SELECT user_id FROM user_tags WHERE tag_id = 4)
           INTERSECT (SELECT user_id FROM user_tags WHERE tag_id = 7
                      UNION SELECT user_id FROM user_tags WHERE tag_id = 2))
          EXCEPT SELECT user_id FROM user_tags WHERE tag_id = 13) s) AS sql_setops,
       (SELECT count(*) FROM (
          SELECT user_id FROM user_tags WHERE tag_id IN (1, 4, 7, 2, 13) GROUP BY user_id
          HAVING bool_or(tag_id = 1) AND bool_or(tag_id = 4) AND (bool_or(tag_id = 7) OR bool_or(tag_id = 2))
             AND NOT bool_or(tag_id = 13)) s) AS sql_groupby;
SELECT * FROM answers;
SELECT CASE WHEN persona = sql_setops AND persona = sql_groupby THEN 'answers agree'
            ELSE 'ANSWERS DIFFER' END AS check FROM answers;

-- the TGI profile two ways: the same tags, overlaps and TGIs
CREATE TEMP TABLE tgi_persona AS
WITH aud AS (SELECT rb_tag_expr_agg(bm, tag, :'expr') AS a FROM tag_bitmaps WHERE tag = ANY (rb_tag_expr_tags(:'expr')))
SELECT t.tag_id, s.overlap, rb_tgi(aud.a, t.bm, m.bm) AS tgi
FROM tag_bitmaps t CROSS JOIN aud CROSS JOIN members m
CROSS JOIN LATERAL (SELECT rb_and_cardinality(t.bm, aud.a) AS overlap) s WHERE s.overlap >= 30;
CREATE TEMP TABLE tgi_sql AS
WITH aud AS (SELECT user_id FROM user_tags WHERE tag_id IN (1, 4, 7, 2, 13) GROUP BY user_id
          HAVING bool_or(tag_id = 1) AND bool_or(tag_id = 4) AND (bool_or(tag_id = 7) OR bool_or(tag_id = 2))
             AND NOT bool_or(tag_id = 13)),
     n AS (SELECT count(*) AS n FROM aud),
     sizes AS (SELECT tag_id, count(*) AS size FROM user_tags GROUP BY tag_id),
     ov AS (SELECT ut.tag_id, count(*) AS overlap FROM user_tags ut JOIN aud USING (user_id) GROUP BY ut.tag_id)
SELECT ov.tag_id, ov.overlap,
       100.0 * (ov.overlap::float8 / n.n) / (sizes.size::float8 / (SELECT max(user_id) + 1 FROM user_tags)) AS tgi
FROM ov JOIN sizes USING (tag_id) CROSS JOIN n WHERE ov.overlap >= 30;
SELECT count(*) AS profiled_tags,
       CASE WHEN count(*) = (SELECT count(*) FROM tgi_sql)
             AND coalesce(bool_and(s.overlap = p.overlap AND abs(s.tgi - p.tgi) < 1e-9 * greatest(1, s.tgi)), true)
            THEN 'TGI profiles agree' ELSE 'TGI PROFILES DIFFER' END AS check
FROM tgi_persona p LEFT JOIN tgi_sql s USING (tag_id);

CREATE TEMP TABLE timings (workload text, way text, ms float8);
INSERT INTO timings VALUES
 ('expression count (5 tags)', 'persona rb_tag_expr_count_agg',
  bench_median(format($q$SELECT rb_tag_expr_count_agg(bm, tag, %L) FROM tag_bitmaps WHERE tag = ANY (rb_tag_expr_tags(%L))$q$, :'expr', :'expr'))),
 ('expression count (5 tags)', 'plain SQL INTERSECT/UNION/EXCEPT',
  bench_median($q$SELECT count(*) FROM (((SELECT user_id FROM user_tags WHERE tag_id = 1
            INTERSECT SELECT user_id FROM user_tags WHERE tag_id = 4)
           INTERSECT (SELECT user_id FROM user_tags WHERE tag_id = 7
                      UNION SELECT user_id FROM user_tags WHERE tag_id = 2))
          EXCEPT SELECT user_id FROM user_tags WHERE tag_id = 13) s$q$)),
 ('expression count (5 tags)', 'plain SQL GROUP BY/HAVING',
  bench_median($q$SELECT count(*) FROM (SELECT user_id FROM user_tags WHERE tag_id IN (1, 4, 7, 2, 13) GROUP BY user_id
          HAVING bool_or(tag_id = 1) AND bool_or(tag_id = 4) AND (bool_or(tag_id = 7) OR bool_or(tag_id = 2))
             AND NOT bool_or(tag_id = 13)) s$q$)),
 ('TGI profile, 2000 tags', 'persona recipe (README)',
  bench_median(format($q$WITH aud AS (SELECT rb_tag_expr_agg(bm, tag, %L) AS a FROM tag_bitmaps
                                  WHERE tag = ANY (rb_tag_expr_tags(%L)))
    SELECT t.tag, s.overlap, rb_tgi(aud.a, t.bm, m.bm) AS tgi
    FROM tag_bitmaps t CROSS JOIN aud CROSS JOIN members m
    CROSS JOIN LATERAL (SELECT rb_and_cardinality(t.bm, aud.a) AS overlap) s
    WHERE s.overlap >= 30 ORDER BY tgi DESC$q$, :'expr', :'expr'))),
 ('TGI profile, 2000 tags', 'plain SQL (audience join user_tags)',
  bench_median($q$WITH aud AS (SELECT user_id FROM user_tags WHERE tag_id IN (1, 4, 7, 2, 13) GROUP BY user_id
          HAVING bool_or(tag_id = 1) AND bool_or(tag_id = 4) AND (bool_or(tag_id = 7) OR bool_or(tag_id = 2))
             AND NOT bool_or(tag_id = 13)),
         n AS (SELECT count(*) AS n FROM aud),
         sizes AS (SELECT tag_id, count(*) AS size FROM user_tags GROUP BY tag_id),
         ov AS (SELECT ut.tag_id, count(*) AS overlap FROM user_tags ut JOIN aud USING (user_id) GROUP BY ut.tag_id)
    SELECT ov.tag_id, ov.overlap,
           100.0 * (ov.overlap::float8 / n.n) / (sizes.size::float8 / (SELECT max(user_id) + 1 FROM user_tags)) AS tgi
    FROM ov JOIN sizes USING (tag_id) CROSS JOIN n WHERE ov.overlap >= 30 ORDER BY tgi DESC$q$));

SELECT t.workload, t.way, round(t.ms::numeric, 1) AS ms,
       round((min(t.ms) FILTER (WHERE t.way NOT LIKE 'persona%') OVER w / t.ms)::numeric, 1) AS "best plain SQL / this"
FROM timings t WINDOW w AS (PARTITION BY t.workload)
ORDER BY t.workload, t.ms;
SQL
say "machine: $(machine); SCALE=$SCALE"
