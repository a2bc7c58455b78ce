-- btree and hash support: DISTINCT, GROUP BY, UNION, ORDER BY, joins on bitmaps
SET persona.output_format = 'array';

CREATE TEMP TABLE s (id int, bm roaringbitmap);
INSERT INTO s VALUES (1, '{1,2}'), (2, '{1,3}'), (3, '{2}'), (4, '{1}'), (5, '{}'), (6, '{1,2}'),
                     (7, '{-1}'), (8, '{2147483647}'), (9, rb_runoptimize(rb_fill('{}', 1, 3)));
-- lexicographic on elements in unsigned order; {} first; {1,2} three times (one a run container)
SELECT bm, count(*) FROM s GROUP BY bm ORDER BY bm;
SELECT DISTINCT bm FROM s ORDER BY bm DESC;
SELECT '{1,2}'::roaringbitmap < '{1,3}', '{1}'::roaringbitmap < '{1,2}', '{2}'::roaringbitmap > '{1,9}',
       '{}'::roaringbitmap <= '{}', '{-1}'::roaringbitmap > '{2147483647}', rb_cmp('{5}', '{5}');
SET enable_sort = off;
SELECT bm, count(*) FROM s GROUP BY bm ORDER BY 2 DESC, 1 LIMIT 2;
RESET enable_sort;
SET enable_hashagg = off;
SELECT bm, count(*) FROM s GROUP BY bm ORDER BY 2 DESC, 1 LIMIT 2;
RESET enable_hashagg;
SELECT bm FROM s WHERE id < 3 UNION SELECT bm FROM s WHERE id > 5 ORDER BY 1;
-- equal sets hash equally whatever their layout
SELECT rb_hash(rb_fill('{}', 0, 5000)) = rb_hash(rb_runoptimize(rb_fill('{}', 0, 5000))) AS same_hash,
       rb_hash_extended('{1}', 7) = rb_hash_extended('{1}', 7) AS same_seeded,
       rb_hash_extended('{1}', 7) <> rb_hash_extended('{1}', 8) AS seed_matters;
SET enable_mergejoin = off; SET enable_nestloop = off;
EXPLAIN (COSTS OFF) SELECT a.id, b.id FROM s a JOIN s b ON a.bm = b.bm;
SELECT a.id, b.id FROM s a JOIN s b ON a.bm = b.bm AND a.id < b.id ORDER BY 1, 2;
RESET ALL;
CREATE INDEX ON s (bm);
SET enable_seqscan = off;
SELECT id FROM s WHERE bm = '{1,2}' ORDER BY id;
