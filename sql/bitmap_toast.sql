-- large bitmaps stored out of line: point lookups read slices, repeated
-- arguments are detoasted once per call site
CREATE TABLE big_bm (id int, bm roaringbitmap);
INSERT INTO big_bm
SELECT 1, rb_build_agg(i * 3) FROM generate_series(0, 300000) i            -- bitset containers
UNION ALL
SELECT 2, rb_build_agg(i * 97) FROM generate_series(0, 200000) i           -- array containers
UNION ALL
SELECT 3, rb_runoptimize(rb_build_agg(i)) FROM generate_series(0, 655359) i WHERE i % 20 < 10  -- run containers
UNION ALL
SELECT 4, rb_build_agg(i) FROM generate_series(-2000000, -1) i            -- up to 2^32 - 1
UNION ALL
SELECT 5, rb_runoptimize(rb_build_agg(i)) FROM generate_series(0, 3276799) i WHERE i % 100 < 50  -- run containers wider than a TOAST chunk
UNION ALL
SELECT 6, rb_runoptimize(rb_build_agg(k * 65536 + j))                       -- 1000 one-run containers: a header
FROM generate_series(0, 999) k, generate_series(0, 299) j                   -- longer than a TOAST chunk
UNION ALL
SELECT 7, rb_build_agg(i * 1009) FROM generate_series(0, 5000) i;          -- a few TOAST chunks of arrays
SELECT id, pg_column_size(bm) > 65536 AS out_of_line_and_big, pg_column_size(bm) > 3 * 1996 AS sliced,
       rb_cardinality(bm) FROM big_bm ORDER BY id;

-- every probe against arithmetic: multiples of 3 up to 900000, of 97 up to 19400000,
-- x % 20 < 10 below 655360, and the last two million unsigned values
SELECT id, count(*) AS probes,
       count(*) FILTER (WHERE rb_contains(bm, x) <> CASE id
           WHEN 1 THEN x >= 0 AND x % 3 = 0 AND x <= 900000
           WHEN 2 THEN x >= 0 AND x % 97 = 0 AND x <= 19400000
           WHEN 3 THEN x >= 0 AND x % 20 < 10 AND x < 655360
           WHEN 5 THEN x >= 0 AND x % 100 < 50 AND x < 3276800
           WHEN 6 THEN x >= 0 AND x % 65536 < 300 AND x < 1000 * 65536
           WHEN 7 THEN x >= 0 AND x % 1009 = 0 AND x <= 5000 * 1009
           ELSE x < 0 AND x >= -2000000 END) AS wrong,
       count(*) FILTER (WHERE (x <@ bm) <> rb_contains(bm, x)) AS containedby_differs
FROM big_bm, (SELECT generate_series(-2100000, 20000000, 997) AS x
              UNION ALL SELECT unnest(ARRAY[0, 3, 97, 9, 19, 20, 655359, -1, -2000000, -2000001, 2147483647, -2147483648,
                                            49, 50, 3276749, 3276750, 299, 300, 65535, 65536 * 999 + 299, 65536 * 1000,
                                            1009, 5045000, 5046009])
              UNION ALL SELECT k * 65536 + j FROM generate_series(0, 1000, 37) k, unnest(ARRAY[0, 299, 300]) j
              UNION ALL SELECT k * 100 + j FROM generate_series(0, 32768, 101) k, unnest(ARRAY[0, 49, 50, 99]) j) p
GROUP BY id ORDER BY id;

-- one segment against every row: the same TOAST value on every call
SELECT a.id, rb_and_cardinality(a.bm, (SELECT bm FROM big_bm WHERE id = 1)) AS with_1,
       rb_cardinality(rb_and(a.bm, (SELECT bm FROM big_bm WHERE id = 1))) AS via_and,
       rb_and_cardinality(a.bm, (SELECT bm FROM big_bm WHERE id = 2)) AS with_2
FROM big_bm a ORDER BY a.id;
-- arguments that change every row
SET enable_hashjoin = off; SET enable_mergejoin = off;
SELECT a.id, b.id, rb_and_cardinality(a.bm, b.bm) = rb_cardinality(rb_and(a.bm, b.bm)) AS agrees,
       rb_or_cardinality(a.bm, b.bm) = rb_cardinality(rb_or(a.bm, b.bm)) AS or_agrees
FROM big_bm a, big_bm b ORDER BY 1, 2;
RESET ALL;
-- multiples of both 3 and 97 up to 900000, in plain arithmetic
SELECT count(*) FROM generate_series(0, 900000, 291) x;
DROP TABLE big_bm;

-- values built per row in memory: equal size and equal ends, different middles;
-- a repeated-argument cache must compare content, not just size and ends
SELECT k, rb_and_cardinality(v.bm, p.probe) AS overlap, CASE WHEN k % 2 = 0 THEN least(4000, (15998 - k) / 4 + 1) ELSE 0 END AS expected,
       octet_length(v.bm::bytea) AS bytes
FROM generate_series(0, 5) k
CROSS JOIN LATERAL (
  SELECT rb_build(array(SELECT j * 3 FROM generate_series(0, 3999) j)
                  || array(SELECT 65536 + k + 4 * j FROM generate_series(0, 3999) j)
                  || array(SELECT 131072 + j * 3 FROM generate_series(0, 3999) j)) AS bm) v
CROSS JOIN (SELECT rb_build(array(SELECT 65536 + 2 * j FROM generate_series(0, 7999) j)) AS probe) p
ORDER BY k;
-- an audience from a CTE against every row: the same bytes at each call
WITH aud AS (SELECT rb_build(array(SELECT j * 5 FROM generate_series(0, 200000) j)) AS a)
SELECT count(*) AS rows, sum(rb_and_cardinality(t.bm, aud.a)) AS overlaps,
       sum(rb_cardinality(rb_and(t.bm, aud.a))) AS via_and
FROM (SELECT rb_build(array(SELECT j * g FROM generate_series(0, 100000) j)) AS bm
      FROM generate_series(1, 12) g) t CROSS JOIN aud;
-- multiples of lcm(g, 5) up to min(100000 g, 1000000), for g = 1 .. 12, in arithmetic
SELECT sum((least(100000 * g, 1000000) / (g * 5 / gcd(g, 5))) + 1) AS expected
FROM generate_series(1, 12) g;
