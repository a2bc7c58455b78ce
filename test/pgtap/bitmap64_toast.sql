-- roaringbitmap64 point lookups on large values stored out of line read
-- TOAST slices bucket by bucket; they must answer as the full read does.
BEGIN;
SELECT plan(3);
SET LOCAL client_min_messages = warning;
SELECT setseed(0.5);
CREATE TEMP TABLE big64 (id int, bm roaringbitmap64);
INSERT INTO big64 SELECT 1, rb64_build_agg(((g % 3)::bigint * 1610612736 << 32) | (g * 7)) FROM generate_series(1, 300000) g;
INSERT INTO big64 SELECT 2, rb64_build_agg(g::bigint << 20) FROM generate_series(1, 100000) g;          -- 25 buckets
INSERT INTO big64 SELECT 3, rb64_build_agg(((g % 2)::bigint * 3221225472 << 32) | (g * 3)) FROM generate_series(1, 200000) g;
-- a few TOAST chunks: 20 buckets of arrays, and 400 buckets of one run each
INSERT INTO big64 SELECT 4, rb64_build_agg((k::bigint << 32) | (j * 11)) FROM generate_series(0, 19) k, generate_series(0, 299) j;
INSERT INTO big64 SELECT 5, rb64_runoptimize(rb64_build_agg((k::bigint << 33) | j)) FROM generate_series(0, 399) k, generate_series(0, 299) j;
SELECT ok((SELECT bool_and(pg_column_size(bm) > 3 * 1996) FROM big64), 'the values are large enough to be read in slices');
CREATE TEMP TABLE probes AS
SELECT b.id, v
FROM big64 b, LATERAL (SELECT unnest(array[0, 7, 14, 21, 8, 11, 12, 3289, 3290, (19::bigint << 32) | 3289, (20::bigint << 32),
                                          (399::bigint << 33) | 299, (399::bigint << 33) | 300, (238::bigint << 33) | 150, (1610612736::bigint << 32) | 7, (1610612736::bigint << 32) | 8,
                                          (3221225472::bigint << 32) | 21, (3221225472::bigint << 32) | 22, -1,
                                          1::bigint << 20, 99999::bigint << 20, 100001::bigint << 20, (5::bigint << 20) + 1,
                                          (3221225472::bigint << 32) | 3, (3221225472::bigint << 32) | 6]) v
                      UNION ALL SELECT x FROM rb64_iterate(b.bm) x WHERE random() < 0.01
                      UNION ALL SELECT x + 1 FROM rb64_iterate(b.bm) x WHERE random() < 0.01) q(v);
CREATE TEMP TABLE els AS SELECT id, x FROM big64, rb64_iterate(bm) x;
CREATE INDEX ON els (id, x);
ANALYZE els;
SELECT is((SELECT count(*) FROM probes p JOIN big64 b USING (id)
           WHERE rb64_contains(b.bm, p.v) <> EXISTS (SELECT 1 FROM els e WHERE e.id = p.id AND e.x = p.v)
              OR (p.v <@ b.bm) <> rb64_contains(b.bm, p.v)), 0::bigint,
          'sliced rb64_contains / <@ answer as membership among the elements');
SELECT ok((SELECT count(*) FILTER (WHERE rb64_contains(b.bm, p.v)) FROM probes p JOIN big64 b USING (id)) > 500
          AND (SELECT count(*) FILTER (WHERE NOT rb64_contains(b.bm, p.v)) FROM probes p JOIN big64 b USING (id)) > 500,
          'probes hit and miss');
SELECT * FROM finish();
ROLLBACK;
