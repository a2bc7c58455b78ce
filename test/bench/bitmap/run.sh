#!/usr/bin/env bash
# Bitmap benchmark (pg_roaringbitmap's own workloads): persona, the best plain SQL on an
# indexed user_tags, and pg_roaringbitmap 1.2 when it is installed (in its own database,
# since both define the type roaringbitmap).  Server-side medians: 7 runs of each
# extension workload (3 of the build), 3 of each plain-SQL query.
#   SCALE=1 (10 million users, ~94 million rows; default) or SCALE=0.01 for a quick run
set -euo pipefail
. "$(dirname "$0")/../common.sh"
bench_setup
out=$(mktemp -d); chmod 777 "$out"; trap 'rm -rf "$out"' EXIT

# the workloads, for any extension with pg_roaringbitmap's names
workloads() {	# $1 = label
	psql -X -q -v ON_ERROR_STOP=1 -v label="$1" -v out="$out" <<'SQL'
\set QUIET 1
SELECT tag_id AS big FROM bench_tags ORDER BY size DESC LIMIT 1 \gset
SELECT tag_id AS mid FROM bench_tags ORDER BY abs(size - 50000.0 * (SELECT max(size) FROM bench_tags) / 5000000.0) LIMIT 1 \gset
SELECT tag_id AS small FROM bench_tags WHERE size >= 300 ORDER BY size LIMIT 1 \gset
CREATE TEMP TABLE r (workload text, ms float8);
INSERT INTO r VALUES
 ('a) build 2000 bitmaps', bench_median('SELECT sum(octet_length(bm::bytea)) FROM (SELECT tag_id, rb_build_agg(user_id) AS bm FROM user_tags GROUP BY tag_id) s')),
 ('b) union of all tags', bench_median('SELECT rb_cardinality(rb_or_agg(bm)) FROM tag_bitmaps', 7)),
 ('c) and-card big & mid', bench_median(format('SELECT rb_and_cardinality(a.bm, b.bm) FROM tag_bitmaps a, tag_bitmaps b WHERE a.tag_id = %s AND b.tag_id = %s', :big, :mid), 7)),
 ('c) and-card big & small', bench_median(format('SELECT rb_and_cardinality(a.bm, b.bm) FROM tag_bitmaps a, tag_bitmaps b WHERE a.tag_id = %s AND b.tag_id = %s', :big, :small), 7)),
 ('c) AND of 10 tags', bench_median('SELECT rb_cardinality(rb_and_agg(bm)) FROM tag_bitmaps WHERE tag_id IN (1,2,3,4,5,6,7,8,9,10)', 7)),
 ('d) segment profile, 2000 tags', bench_median('SELECT sum(rb_and_cardinality(bm, (SELECT bm FROM tag_bitmaps WHERE tag_id = 5))) FROM tag_bitmaps', 7)),
 ('e) point lookup rb_contains', bench_median('SELECT count(*) FROM tag_bitmaps WHERE rb_contains(bm, 4242)', 7)),
 ('f) text output, mid bitmap', bench_median(format('SELECT length(bm::text) FROM tag_bitmaps WHERE tag_id = %s', :mid), 7)),
 ('f) COPY out, text', bench_median(format('COPY tag_bitmaps TO %L', :'out' || '/t.txt'), 7)),
 ('f) COPY out, binary', bench_median(format('COPY tag_bitmaps TO %L WITH (FORMAT binary)', :'out' || '/t.bin'), 7)),
 ('f) bytea round trip', bench_median('SELECT sum(octet_length(bm::bytea::roaringbitmap::bytea)) FROM tag_bitmaps', 7));
CREATE TEMP TABLE copy_in (LIKE tag_bitmaps);
INSERT INTO r VALUES ('f) COPY in, binary', bench_median(format('TRUNCATE copy_in; COPY copy_in FROM %L WITH (FORMAT binary)', :'out' || '/t.bin'), 7));
INSERT INTO r VALUES ('g) on-disk size, MB', pg_total_relation_size('tag_bitmaps') / 1048576.0);
-- answers, to check the extensions agree
CREATE TEMP TABLE ans AS SELECT
  (SELECT rb_cardinality(rb_or_agg(bm)) FROM tag_bitmaps) AS union_all,
  (SELECT rb_and_cardinality(a.bm, b.bm) FROM tag_bitmaps a, tag_bitmaps b WHERE a.tag_id = :big AND b.tag_id = :mid) AS big_mid,
  (SELECT rb_cardinality(rb_and_agg(bm)) FROM tag_bitmaps WHERE tag_id IN (1,2,3,4,5,6,7,8,9,10)) AS and10,
  (SELECT sum(rb_and_cardinality(bm, (SELECT bm FROM tag_bitmaps WHERE tag_id = 5))) FROM tag_bitmaps) AS profile_sum,
  (SELECT string_agg(tag_id::text, ',' ORDER BY tag_id) FROM tag_bitmaps WHERE rb_contains(bm, 4242)) AS contains_4242;
COPY (SELECT :'label', workload, ms FROM r) TO STDOUT;
COPY (SELECT :'label', 'answers', union_all || ' ' || big_mid || ' ' || and10 || ' ' || profile_sum || ' ' || contains_4242 FROM ans) TO STDOUT;
SQL
}

plain_sql() {
	psql -X -q -v ON_ERROR_STOP=1 <<'SQL'
\set QUIET 1
CREATE INDEX IF NOT EXISTS user_tags_user_tag ON user_tags (user_id, tag_id);
SELECT tag_id AS big FROM bench_tags ORDER BY size DESC LIMIT 1 \gset
SELECT tag_id AS mid FROM bench_tags ORDER BY abs(size - 50000.0 * (SELECT max(size) FROM bench_tags) / 5000000.0) LIMIT 1 \gset
SELECT tag_id AS small FROM bench_tags WHERE size >= 300 ORDER BY size LIMIT 1 \gset
CREATE TEMP TABLE r (workload text, ms float8);
INSERT INTO r VALUES
 ('b) union of all tags', bench_median('SELECT count(DISTINCT user_id) FROM user_tags')),
 ('c) and-card big & mid', bench_median(format('SELECT count(*) FROM (SELECT user_id FROM user_tags WHERE tag_id = %s INTERSECT SELECT user_id FROM user_tags WHERE tag_id = %s) s', :big, :mid))),
 ('c) and-card big & small', bench_median(format('SELECT count(*) FROM (SELECT user_id FROM user_tags WHERE tag_id = %s INTERSECT SELECT user_id FROM user_tags WHERE tag_id = %s) s', :big, :small))),
 ('c) AND of 10 tags', bench_median('SELECT count(*) FROM (SELECT user_id FROM user_tags WHERE tag_id IN (1,2,3,4,5,6,7,8,9,10) GROUP BY user_id HAVING count(*) = 10) s')),
 ('d) segment profile, 2000 tags', bench_median('SELECT sum(n) FROM (SELECT tag_id, count(*) AS n FROM user_tags WHERE user_id IN (SELECT user_id FROM user_tags WHERE tag_id = 5) GROUP BY tag_id) s')),
 ('e) point lookup rb_contains', bench_median('SELECT count(*) FROM user_tags WHERE user_id = 4242')),
 ('g) on-disk size, MB', pg_total_relation_size('user_tags') / 1048576.0);
COPY (SELECT 'plain SQL', workload, ms FROM r) TO STDOUT;
COPY (SELECT 'plain SQL', 'answers', (SELECT count(DISTINCT user_id) FROM user_tags) || ' ' || (SELECT count(*) FROM (SELECT user_id FROM user_tags WHERE tag_id = :big INTERSECT SELECT user_id FROM user_tags WHERE tag_id = :mid) s) || ' ' || (SELECT count(*) FROM (SELECT user_id FROM user_tags WHERE tag_id IN (1,2,3,4,5,6,7,8,9,10) GROUP BY user_id HAVING count(*) = 10) s) || ' ' || (SELECT count(*) FROM user_tags WHERE user_id IN (SELECT user_id FROM user_tags WHERE tag_id = 5)) || ' ' || (SELECT string_agg(tag_id::text, ',' ORDER BY tag_id) FROM user_tags WHERE user_id = 4242)) TO STDOUT;
SQL
}

{
	workloads persona
	if [ -z "${SKIP_PLAIN:-}" ]; then plain_sql; fi
	# pg_roaringbitmap, when installed: same data, its own database
	if [ -f "$($PG_BIN/pg_config --sharedir)/extension/roaringbitmap.control" ]; then
		prb=${BENCH_DB}_prb
		if ! psql -X -qAt -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$prb'" | grep -q 1; then
			psql -X -q -d postgres -c "CREATE DATABASE $prb"
			psql -X -q -d $prb -c "CREATE EXTENSION roaringbitmap"
			psql -X -q -d $prb -v scale="$SCALE" -f test/bench/data.sql >/dev/null
		fi
		PGDATABASE=$prb psql -X -q -f - <<< "$(psql -X -qAt -c "SELECT pg_get_functiondef('bench_median'::regproc)")" >/dev/null
		PGDATABASE=$prb workloads pg_roaringbitmap
	fi
} > "$out/results.tsv"

psql -X -q -c "DROP TABLE IF EXISTS bench_results" -c "CREATE TABLE bench_results (way text, workload text, v text)" \
	-c "\\copy bench_results FROM '$out/results.tsv'"
psql -X -q <<'SQL'
CREATE TEMP VIEW res AS SELECT * FROM bench_results;
\pset footer off
SELECT workload,
       round(max(v::float8) FILTER (WHERE way = 'persona')::numeric, 1) AS persona,
       round(max(v::float8) FILTER (WHERE way = 'plain SQL')::numeric, 1) AS plain_sql,
       round(max(v::float8) FILTER (WHERE way = 'pg_roaringbitmap')::numeric, 1) AS pg_roaringbitmap,
       round((max(v::float8) FILTER (WHERE way = 'plain SQL') / nullif(max(v::float8) FILTER (WHERE way = 'persona'), 0))::numeric, 1) AS "plain/persona",
       round((max(v::float8) FILTER (WHERE way = 'pg_roaringbitmap') / nullif(max(v::float8) FILTER (WHERE way = 'persona'), 0))::numeric, 2) AS "prb/persona"
FROM res WHERE workload <> 'answers' GROUP BY workload ORDER BY workload;
SELECT way, v AS "union, big&mid, and10, profile sum, tags with 4242" FROM res WHERE workload = 'answers';
SELECT CASE WHEN count(DISTINCT v) = 1 THEN 'all ways agree' ELSE 'ANSWERS DIFFER' END AS check FROM res WHERE workload = 'answers';
SQL
say "times in ms (size in MB); machine: $(machine); SCALE=$SCALE"
