-- aggregates: NULL handling, empty input, groups, parallel plans
SET persona.output_format = 'array';

CREATE TEMP TABLE ev (g int, uid int, bm roaringbitmap);
INSERT INTO ev VALUES (1, 1, '{1,2}'), (1, 2, '{2,3}'), (1, NULL, NULL), (2, -1, '{-1}'), (2, 2147483647, '{}'),
                      (3, NULL, NULL);

SELECT g, rb_build_agg(uid), rb_or_agg(bm), rb_and_agg(bm), rb_xor_agg(bm),
       rb_or_cardinality_agg(bm), rb_and_cardinality_agg(bm), rb_xor_cardinality_agg(bm)
FROM ev GROUP BY g ORDER BY g;

-- no rows: NULL, as pg_roaringbitmap
SELECT rb_build_agg(uid), rb_or_agg(bm), rb_and_agg(bm), rb_xor_cardinality_agg(bm) FROM ev WHERE false;

-- results usable directly by other functions and operators
SELECT rb_cardinality(rb_build_agg(i)), rb_build_agg(i) @> 5, rb_to_array(rb_build_agg(i))
FROM generate_series(1, 10) i;
SELECT rb_or_agg(x) & '{2,3,4}' FROM (VALUES ('{1,2}'::roaringbitmap), ('{3}')) v(x);

-- called outside an aggregate
SELECT rb_or_trans('{1}', '{2}');
SELECT rb_build_trans(NULL, 1);

-- as a window aggregate
SELECT i, rb_build_agg(i) OVER (ORDER BY i) FROM generate_series(1, 4) i;

-- parallel plans give the serial answers
CREATE TABLE agg_par AS
SELECT i % 7 AS g, ((i::bigint * 2654435761) % 3000000 - 1500000)::int AS uid
FROM generate_series(1, 300000) i;
CREATE TABLE agg_par_bm AS SELECT g, uid % 50 AS k, rb_build_agg(uid) AS bm FROM agg_par GROUP BY 1, 2;
ANALYZE agg_par; ANALYZE agg_par_bm;
SET max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE serial AS
SELECT (SELECT rb_build_agg(uid) FROM agg_par) AS build,
       (SELECT rb_or_agg(bm) FROM agg_par_bm) AS or_all,
       (SELECT rb_xor_agg(bm) FROM agg_par_bm) AS xor_all,
       (SELECT rb_and_agg(bm) FROM agg_par_bm WHERE k = 0) AS and_k0,
       (SELECT rb_or_cardinality_agg(bm) FROM agg_par_bm) AS or_card;
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT rb_build_agg(uid) FROM agg_par;
EXPLAIN (COSTS OFF) SELECT g, rb_or_agg(bm) FROM agg_par_bm GROUP BY g;
SELECT (SELECT rb_build_agg(uid) FROM agg_par) = build AS build_eq,
       (SELECT rb_or_agg(bm) FROM agg_par_bm) = or_all AS or_eq,
       (SELECT rb_xor_agg(bm) FROM agg_par_bm) = xor_all AS xor_eq,
       (SELECT rb_and_agg(bm) FROM agg_par_bm WHERE k = 0) = and_k0 AS and_eq,
       (SELECT rb_or_cardinality_agg(bm) FROM agg_par_bm) = or_card AS card_eq,
       rb_cardinality(build) AS n
FROM serial;
-- and the same count as plain SQL
SELECT count(DISTINCT uid) FROM agg_par;
RESET ALL;
DROP TABLE agg_par, agg_par_bm;
