#!/usr/bin/env bash
# roaringbitmap64 against roaringbitmap on the bitmap benchmark's tag data
# (workloads b-e).  Every user id u maps to the 64-bit id
#   ((u >> 16) % 3 * 0x60000000) << 32 | u
# a bijection (the low half is u) that keeps the 2^16-blocks of u intact and
# deals them over three high keys, the last one >= 2^63 (shown negative), at
# every SCALE: cardinalities and overlaps are the 32-bit ones, so the answers
# must be equal.  Runs are
# interleaved (32-bit, 64-bit, 32-bit, ...) and the medians compared.
#   SCALE=1 (10 million users; default) or SCALE=0.1 for a quicker run
set -euo pipefail
. "$(dirname "$0")/../common.sh"
bench_setup
psql -X -q -v ON_ERROR_STOP=1 <<'SQL'
\set QUIET 1
CREATE OR REPLACE FUNCTION bench_id64(u int) RETURNS bigint LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT ((((u >> 16) % 3)::bigint * 1610612736) << 32) | u $$;
DO $$
DECLARE
  rebuild boolean := to_regclass('tag_bitmaps64') IS NULL OR to_regclass('tag_bitmaps64_v2') IS NULL;
BEGIN
  -- rebuilt when the tag data was regenerated (another SCALE)
  IF NOT rebuild THEN
    EXECUTE 'SELECT (SELECT count(*) FROM tag_bitmaps64) <> (SELECT count(*) FROM tag_bitmaps)
                 OR (SELECT sum(rb64_cardinality(bm)) FROM tag_bitmaps64) <> (SELECT sum(rb_cardinality(bm)) FROM tag_bitmaps)'
      INTO rebuild;
  END IF;
  IF rebuild THEN
    DROP TABLE IF EXISTS tag_bitmaps64;
    CREATE TABLE tag_bitmaps64 AS
    SELECT tag_id, tag, (SELECT rb64_build_agg(bench_id64(x)) FROM rb_iterate(bm) x) AS bm FROM tag_bitmaps;
    ALTER TABLE tag_bitmaps64 ADD PRIMARY KEY (tag_id);
    DROP TABLE IF EXISTS tag_bitmaps64_v2;
    CREATE TABLE tag_bitmaps64_v2 ();  -- marks the id mapping in use
    ANALYZE tag_bitmaps64;
  END IF;
END $$;
SQL

psql -X -q -v ON_ERROR_STOP=1 <<'SQL'
\set QUIET 1
SELECT tag_id AS big FROM bench_tags ORDER BY size DESC LIMIT 1 \gset
SELECT tag_id AS mid FROM bench_tags ORDER BY abs(size - 50000.0 * (SELECT max(size) FROM bench_tags) / 5000000.0) LIMIT 1 \gset
SELECT tag_id AS small FROM bench_tags WHERE size >= 300 ORDER BY size LIMIT 1 \gset
CREATE TEMP TABLE w (workload text, q32 text, q64 text, runs int);
INSERT INTO w VALUES
 ('b) union of all tags', 'SELECT rb_cardinality(rb_or_agg(bm)) FROM tag_bitmaps',
                          'SELECT rb64_cardinality(rb64_or_agg(bm)) FROM tag_bitmaps64', 7),
 ('c) and-card big & mid', format('SELECT rb_and_cardinality(a.bm, b.bm) FROM tag_bitmaps a, tag_bitmaps b WHERE a.tag_id = %s AND b.tag_id = %s', :big, :mid),
                           format('SELECT rb64_and_cardinality(a.bm, b.bm) FROM tag_bitmaps64 a, tag_bitmaps64 b WHERE a.tag_id = %s AND b.tag_id = %s', :big, :mid), 7),
 ('c) and-card big & small', format('SELECT rb_and_cardinality(a.bm, b.bm) FROM tag_bitmaps a, tag_bitmaps b WHERE a.tag_id = %s AND b.tag_id = %s', :big, :small),
                             format('SELECT rb64_and_cardinality(a.bm, b.bm) FROM tag_bitmaps64 a, tag_bitmaps64 b WHERE a.tag_id = %s AND b.tag_id = %s', :big, :small), 7),
 ('c) AND of 10 tags', 'SELECT rb_cardinality(rb_and_agg(bm)) FROM tag_bitmaps WHERE tag_id IN (1,2,3,4,5,6,7,8,9,10)',
                       'SELECT rb64_cardinality(rb64_and_agg(bm)) FROM tag_bitmaps64 WHERE tag_id IN (1,2,3,4,5,6,7,8,9,10)', 7),
 ('d) segment profile, 2000 tags', 'SELECT sum(rb_and_cardinality(bm, (SELECT bm FROM tag_bitmaps WHERE tag_id = 5))) FROM tag_bitmaps',
                                   'SELECT sum(rb64_and_cardinality(bm, (SELECT bm FROM tag_bitmaps64 WHERE tag_id = 5))) FROM tag_bitmaps64', 7),
 ('e) point lookup contains', 'SELECT count(*) FROM tag_bitmaps WHERE rb_contains(bm, 4242)',
                              'SELECT count(*) FROM tag_bitmaps64 WHERE rb64_contains(bm, bench_id64(4242))', 7),
 ('e) point lookup, id >= 2^63', 'SELECT count(*) FROM tag_bitmaps WHERE rb_contains(bm, 135314)',
                                 'SELECT count(*) FROM tag_bitmaps64 WHERE rb64_contains(bm, bench_id64(135314))', 7);
-- answers first: both types must agree
CREATE FUNCTION pg_temp.answer(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE r text; BEGIN EXECUTE q INTO r; RETURN r; END $$;
\pset footer off
SELECT string_agg(format('%s: %s', h, rb64_range_cardinality(u, h << 32, (h + 1) << 32)), ', ') AS "users per high key"
FROM (SELECT rb64_or_agg(bm) AS u FROM tag_bitmaps64) s, (VALUES (0::bigint), (1610612736), (3221225472)) k(h);
CREATE TEMP TABLE r (workload text, ms32 float8, ms64 float8, a32 text, a64 text);
INSERT INTO r SELECT workload, NULL, NULL, pg_temp.answer(q32), pg_temp.answer(q64) FROM w;
-- interleaved medians: one run of each side per round
CREATE FUNCTION pg_temp.interleaved(q32 text, q64 text, runs int) RETURNS float8[] LANGUAGE plpgsql AS $$
DECLARE t timestamptz; m32 float8[] := '{}'; m64 float8[] := '{}';
BEGIN
  FOR i IN 1 .. runs LOOP
    t := clock_timestamp(); EXECUTE q32; m32 := m32 || extract(epoch FROM clock_timestamp() - t) * 1000;
    t := clock_timestamp(); EXECUTE q64; m64 := m64 || extract(epoch FROM clock_timestamp() - t) * 1000;
  END LOOP;
  RETURN array[(SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY x) FROM unnest(m32) x),
               (SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY x) FROM unnest(m64) x)];
END $$;
UPDATE r SET ms32 = m[1], ms64 = m[2]
FROM (SELECT workload, pg_temp.interleaved(q32, q64, runs) AS m FROM w) x WHERE x.workload = r.workload;
\pset footer off
SELECT workload, round(ms32::numeric, 2) AS roaringbitmap_ms, round(ms64::numeric, 2) AS roaringbitmap64_ms,
       round((ms64 / nullif(ms32, 0))::numeric, 2) AS "64/32", a32 AS answer,
       CASE WHEN a32 IS NOT DISTINCT FROM a64 THEN 'same' ELSE 'DIFFERENT: ' || a64 END AS "64-bit answer"
FROM r ORDER BY workload;
SELECT pg_size_pretty(pg_total_relation_size('tag_bitmaps')) AS size_32, pg_size_pretty(pg_total_relation_size('tag_bitmaps64')) AS size_64;
SQL
say "times in ms, server-side medians of 7 interleaved runs; machine: $(machine); SCALE=$SCALE"
