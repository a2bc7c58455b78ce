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

# The workloads, for any extension with pg_roaringbitmap's names: "name|runs|query".
# Each is timed in persona and in pg_roaringbitmap back to back (alternating which
# goes first), so the noise of a shared machine falls on both alike.
q1() { psql -X -qAt -v ON_ERROR_STOP=1 -c "$1"; }
big=$(q1 "SELECT tag_id FROM bench_tags ORDER BY size DESC LIMIT 1")
mid=$(q1 "SELECT tag_id FROM bench_tags ORDER BY abs(size - 50000.0 * (SELECT max(size) FROM bench_tags) / 5000000.0) LIMIT 1")
small=$(q1 "SELECT tag_id FROM bench_tags WHERE size >= 300 ORDER BY size LIMIT 1")
workload_list() {
	cat <<W
a) build 2000 bitmaps|3|SELECT sum(octet_length(bm::bytea)) FROM (SELECT tag_id, rb_build_agg(user_id) AS bm FROM user_tags GROUP BY tag_id) s
b) union of all tags|7|SELECT rb_cardinality(rb_or_agg(bm)) FROM tag_bitmaps
c) and-card big & mid|7|SELECT rb_and_cardinality(a.bm, b.bm) FROM tag_bitmaps a, tag_bitmaps b WHERE a.tag_id = $big AND b.tag_id = $mid
c) and-card big & small|7|SELECT rb_and_cardinality(a.bm, b.bm) FROM tag_bitmaps a, tag_bitmaps b WHERE a.tag_id = $big AND b.tag_id = $small
c) AND of 10 tags|7|SELECT rb_cardinality(rb_and_agg(bm)) FROM tag_bitmaps WHERE tag_id IN (1,2,3,4,5,6,7,8,9,10)
d) segment profile, 2000 tags|7|SELECT sum(rb_and_cardinality(bm, (SELECT bm FROM tag_bitmaps WHERE tag_id = 5))) FROM tag_bitmaps
e) point lookup rb_contains|7|SELECT count(*) FROM tag_bitmaps WHERE rb_contains(bm, 4242)
f) text output, mid bitmap|7|SELECT length(bm::text) FROM tag_bitmaps WHERE tag_id = $mid
f) COPY out, text|7|COPY tag_bitmaps TO '$out/t.txt'
f) COPY out, binary|7|COPY tag_bitmaps TO '$out/t.bin'  WITH (FORMAT binary)
f) bytea round trip|7|SELECT sum(octet_length(bm::bytea::roaringbitmap::bytea)) FROM tag_bitmaps
f) COPY in, binary|7|TRUNCATE bench_copy_in; COPY bench_copy_in FROM '$out/t.bin' WITH (FORMAT binary)
W
}
# answers, to check the extensions agree
answers() {	# $1 = label
	psql -X -qAt -v ON_ERROR_STOP=1 -c "SELECT '$1', 'answers',
	  (SELECT rb_cardinality(rb_or_agg(bm)) FROM tag_bitmaps) || ' ' ||
	  (SELECT rb_and_cardinality(a.bm, b.bm) FROM tag_bitmaps a, tag_bitmaps b WHERE a.tag_id = $big AND b.tag_id = $mid) || ' ' ||
	  (SELECT rb_cardinality(rb_and_agg(bm)) FROM tag_bitmaps WHERE tag_id IN (1,2,3,4,5,6,7,8,9,10)) || ' ' ||
	  (SELECT sum(rb_and_cardinality(bm, (SELECT bm FROM tag_bitmaps WHERE tag_id = 5))) FROM tag_bitmaps) || ' ' ||
	  (SELECT string_agg(tag_id::text, ',' ORDER BY tag_id) FROM tag_bitmaps WHERE rb_contains(bm, 4242))" | tr '|' '\t'
	psql -X -qAt -c "SELECT '$1', 'g) on-disk size, MB', pg_total_relation_size('tag_bitmaps') / 1048576.0" | tr '|' '\t'
}
timed() {	# $1 = label, $2 = runs, $3 = workload name, $4 = query
	local ms
	ms=$(psql -X -qAt -v ON_ERROR_STOP=1 -c "SELECT bench_median(\$q\$$4\$q\$, $2)")
	printf '%s\t%s\t%s\n' "$1" "$3" "$ms"
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
	prb=""
	# pg_roaringbitmap, when installed: same data, its own database
	if [ -f "$($PG_BIN/pg_config --sharedir)/extension/roaringbitmap.control" ]; then
		prb=${BENCH_DB}_prb
		if ! psql -X -qAt -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$prb'" | grep -q 1; then
			psql -X -q -d postgres -c "CREATE DATABASE $prb"
			psql -X -q -d $prb -c "CREATE EXTENSION roaringbitmap"
			psql -X -q -d $prb -v scale="$SCALE" -f test/bench/data.sql >/dev/null
		fi
		PGDATABASE=$prb psql -X -q -f - <<< "$(psql -X -qAt -c "SELECT pg_get_functiondef('bench_median'::regproc)")" >/dev/null
	fi
	for db in $BENCH_DB $prb; do
		PGDATABASE=$db psql -X -q -c "DROP TABLE IF EXISTS bench_copy_in" -c "CREATE TABLE bench_copy_in (LIKE tag_bitmaps)"
	done
	i=0
	while IFS='|' read -r name runs query; do
		i=$((i + 1))
		if [ -n "$prb" ] && [ $((i % 2)) = 0 ]; then
			PGDATABASE=$prb timed pg_roaringbitmap "$runs" "$name" "$query"
			timed persona "$runs" "$name" "$query"
		else
			timed persona "$runs" "$name" "$query"
			[ -z "$prb" ] || PGDATABASE=$prb timed pg_roaringbitmap "$runs" "$name" "$query"
		fi
	done < <(workload_list)
	answers persona
	[ -z "$prb" ] || PGDATABASE=$prb answers pg_roaringbitmap
	for db in $BENCH_DB $prb; do PGDATABASE=$db psql -X -q -c "DROP TABLE bench_copy_in"; done
	if [ -z "${SKIP_PLAIN:-}" ]; then plain_sql; fi
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
