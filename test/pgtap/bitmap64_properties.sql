-- Property tests of roaringbitmap64: every function and operator on
-- deterministic random data spread over the whole unsigned 64-bit range
-- (several high keys, values >= 2^63 shown negative), against an
-- independent computation in plain SQL on bigint[] / unnest.  Unsigned
-- order is ORDER BY x # -9223372036854775808 (flipping the sign bit maps
-- unsigned order onto signed order).
BEGIN;
SELECT plan(47);

SET LOCAL client_min_messages = warning;
SET LOCAL persona.output_format = 'bytea';

CREATE FUNCTION pg_temp.k(x bigint) RETURNS bigint LANGUAGE sql IMMUTABLE AS
$$ SELECT x # (-9223372036854775808)::bigint $$;
-- the unsigned value, as numeric
CREATE FUNCTION pg_temp.u(x bigint) RETURNS numeric LANGUAGE sql IMMUTABLE AS
$$ SELECT x::numeric + CASE WHEN x < 0 THEN 18446744073709551616 ELSE 0 END $$;
-- unsigned numeric back to bigint, and x + d modulo 2^64
CREATE FUNCTION pg_temp.fromu(n numeric) RETURNS bigint LANGUAGE sql IMMUTABLE AS
$$ SELECT (CASE WHEN n >= 9223372036854775808 THEN n - 18446744073709551616 ELSE n END)::bigint $$;
CREATE FUNCTION pg_temp.add(x bigint, d bigint) RETURNS bigint LANGUAGE sql IMMUTABLE AS
$$ SELECT pg_temp.fromu(mod(pg_temp.u(x) + d + 18446744073709551616, 18446744073709551616)) $$;
CREATE FUNCTION pg_temp.usort(a bigint[]) RETURNS bigint[] LANGUAGE sql IMMUTABLE AS
$$ SELECT coalesce(array_agg(x ORDER BY pg_temp.k(x)), '{}') FROM (SELECT DISTINCT x FROM unnest(a) x) s $$;
CREATE FUNCTION pg_temp.rnd(lo bigint, hi bigint) RETURNS bigint LANGUAGE sql VOLATILE AS
$$ SELECT lo + floor(random() * (hi - lo + 1))::bigint $$;
CREATE FUNCTION pg_temp.rnd_low() RETURNS bigint LANGUAGE sql VOLATILE AS
$$ SELECT floor(random() * 4294967296)::bigint $$;
-- a high key: a few shared ones (0, 1, 2^31 - 1, 2^31, 2^32 - 2, 2^32 - 1) or random
CREATE FUNCTION pg_temp.rnd_key() RETURNS bigint LANGUAGE sql VOLATILE AS
$$ SELECT CASE WHEN random() < 0.8 THEN (array[0, 1, 2147483647, 2147483648, 4294967294, 4294967295])[pg_temp.rnd(1, 6)]
               ELSE pg_temp.rnd_low() END $$;
CREATE FUNCTION pg_temp.v(hk bigint, low bigint) RETURNS bigint LANGUAGE sql IMMUTABLE AS
$$ SELECT (hk << 32) | low $$;

CREATE FUNCTION pg_temp.gen_set(kind int) RETURNS bigint[] LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  r bigint[] := '{}';
  s bigint;
  hk bigint;
  len int;
  p float8;
BEGIN
  CASE kind
  WHEN 0 THEN r := '{}';
  WHEN 1 THEN   -- sparse over the whole 64-bit range
    r := array(SELECT pg_temp.v(pg_temp.rnd_key(), pg_temp.rnd_low()) FROM generate_series(1, pg_temp.rnd(1, 300)::int));
  WHEN 2 THEN   -- a run crossing from one high key into the next (also -1 -> 0)
    hk := (array[0, 1, 2147483648, 4294967295, 77])[pg_temp.rnd(1, 5)];
    len := pg_temp.rnd(1000, 40000)::int;
    s := pg_temp.v(hk, 4294967296 - pg_temp.rnd(1, len));
    r := array(SELECT s + g FROM generate_series(0, len - 1) g)
      || array(SELECT pg_temp.v(pg_temp.rnd_key(), pg_temp.rnd_low()) FROM generate_series(1, pg_temp.rnd(0, 20)::int));
  WHEN 3 THEN   -- dense random subset of one 2^16 chunk (bitset container)
    p := 0.1 + random() * 0.5;
    s := pg_temp.v(pg_temp.rnd_key(), pg_temp.rnd(0, 65535) * 65536);
    r := array(SELECT s + g FROM generate_series(0, 65535) g WHERE random() < p);
  WHEN 4 THEN   -- special values and sparse ones
    r := array[0, 1, -1, 9223372036854775807, -9223372036854775808, 4294967295, 4294967296, -4294967296, 2147483648]
      || array(SELECT pg_temp.v(pg_temp.rnd_key(), pg_temp.rnd_low()) FROM generate_series(1, pg_temp.rnd(0, 50)::int));
  WHEN 5 THEN   -- the same low halves under several high keys
    r := array(SELECT pg_temp.v(hk2, l)
               FROM (SELECT pg_temp.rnd_low() AS l FROM generate_series(1, pg_temp.rnd(1, 200)::int)) ls,
                    (SELECT DISTINCT pg_temp.rnd_key() AS hk2 FROM generate_series(1, 3)) ks);
  WHEN 6 THEN   -- small universe: heavy overlap between independent sets
    p := random();
    r := array(SELECT g FROM generate_series(0, 2000) g WHERE random() < p)
      || array(SELECT g FROM generate_series(-20, -1) g WHERE random() < p)
      || array(SELECT 4294967296 + g FROM generate_series(0, 50) g WHERE random() < p);
  WHEN 7 THEN   -- one container with 4095..4097 values (array/bitset edge)
    s := pg_temp.v(pg_temp.rnd_key(), pg_temp.rnd(0, 65535) * 65536);
    r := array(SELECT s + g FROM
               (SELECT g FROM generate_series(0, 65535) g ORDER BY random() LIMIT pg_temp.rnd(4095, 4097)) q);
  END CASE;
  IF random() < 0.3 AND cardinality(r) > 0 THEN
    r := array(SELECT x FROM unnest(r || r[1:10]) x ORDER BY random());
  END IF;
  RETURN r;
END $$;

CREATE FUNCTION pg_temp.gen_partner(a bigint[], kind int) RETURNS bigint[] LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  c float8 := random();
  p float8 := random();
BEGIN
  IF c < 0.2 THEN RETURN pg_temp.gen_set(pg_temp.rnd(0, 7)::int);
  ELSIF c < 0.35 THEN RETURN array(SELECT x FROM unnest(a) x ORDER BY random());
  ELSIF c < 0.55 THEN RETURN array(SELECT x FROM unnest(a) x WHERE random() < p);
  ELSIF c < 0.7 THEN RETURN a || pg_temp.gen_set(pg_temp.rnd(0, 7)::int);
  ELSIF c < 0.85 THEN RETURN array(SELECT x FROM unnest(a) x WHERE random() < p) || pg_temp.gen_set(kind);
  ELSE RETURN pg_temp.gen_set(kind);
  END IF;
END $$;

SELECT setseed(0.2424);
CREATE TEMP TABLE pairs AS
SELECT id, a, b FROM (
  SELECT id, a, pg_temp.gen_partner(a, kind) AS b
  FROM (SELECT id, kind, pg_temp.gen_set(kind) AS a
        FROM (SELECT g AS id, (g % 8) AS kind FROM generate_series(1, 120) g) k
        ORDER BY id) s
  ORDER BY id) t;

CREATE FUNCTION pg_temp.valid(b roaringbitmap64) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  PERFORM b::bytea::roaringbitmap64;
  RETURN true;
EXCEPTION WHEN others THEN
  RETURN false;
END $$;

CREATE TEMP TABLE t AS
SELECT id, a, b, pg_temp.usort(a) AS sa, pg_temp.usort(b) AS sb,
       CASE id % 3 WHEN 0 THEN rb64_build(a)
                   WHEN 1 THEN rb64_runoptimize(rb64_build(a))
                   ELSE pg_temp.usort(a)::text::roaringbitmap64 END AS ra,
       CASE id % 4 WHEN 0 THEN rb64_runoptimize(b::roaringbitmap64)
                   ELSE b::roaringbitmap64 END AS rb
FROM pairs;
ALTER TABLE t ADD PRIMARY KEY (id);

CREATE TEMP TABLE ex AS
SELECT id,
  pg_temp.usort(array(SELECT unnest(a) INTERSECT SELECT unnest(b))) AS e_and,
  pg_temp.usort(a || b) AS e_or,
  pg_temp.usort(array((SELECT unnest(a) EXCEPT SELECT unnest(b))
                      UNION ALL (SELECT unnest(b) EXCEPT SELECT unnest(a)))) AS e_xor,
  pg_temp.usort(array(SELECT unnest(a) EXCEPT SELECT unnest(b))) AS e_andnot
FROM pairs;
ALTER TABLE ex ADD PRIMARY KEY (id);

CREATE TEMP TABLE ea AS SELECT id, pg_temp.k(x) AS k, x FROM t, unnest(t.sa) x;
CREATE INDEX ON ea (id, k);
ANALYZE t; ANALYZE ex; ANALYZE ea;

CREATE TEMP TABLE probes AS
SELECT id, v FROM (
  SELECT id, unnest(array[0, -1, 9223372036854775807, -9223372036854775808, 4294967296,
                          pg_temp.v(pg_temp.rnd_key(), pg_temp.rnd_low()),
                          sa[pg_temp.rnd(1, greatest(cardinality(sa), 1))::int],
                          sa[pg_temp.rnd(1, greatest(cardinality(sa), 1))::int],
                          pg_temp.add(sa[pg_temp.rnd(1, greatest(cardinality(sa), 1))::int], 1),
                          pg_temp.add(sa[pg_temp.rnd(1, greatest(cardinality(sa), 1))::int], -1)]) AS v
  FROM (SELECT * FROM t ORDER BY id) q) s
WHERE v IS NOT NULL;

CREATE TEMP TABLE probe_ex AS
SELECT p.id, p.v, x.inset,
       (SELECT count(*) FROM ea WHERE ea.id = p.id AND ea.k <= pg_temp.k(p.v)) AS e_rank,
       CASE WHEN x.inset THEN (SELECT count(*) FROM ea WHERE ea.id = p.id AND ea.k < pg_temp.k(p.v))
            ELSE -1 END AS e_index,
       CASE WHEN x.inset THEN t.sa
            ELSE array(SELECT ea.x FROM ea WHERE ea.id = p.id AND ea.k < pg_temp.k(p.v) ORDER BY ea.k) || p.v
                 || array(SELECT ea.x FROM ea WHERE ea.id = p.id AND ea.k > pg_temp.k(p.v) ORDER BY ea.k) END AS e_add,
       array_remove(t.sa, p.v) AS e_remove
FROM probes p JOIN t USING (id),
     LATERAL (SELECT EXISTS (SELECT 1 FROM ea WHERE ea.id = p.id AND ea.k = pg_temp.k(p.v)) AS inset) x;

-- ranges [s, e) as unsigned values (bigint, negative = 2^63 and above; e = 0 is 2^64)
CREATE FUNCTION pg_temp.gen_ranges(sa bigint[]) RETURNS TABLE(kind int, s bigint, e bigint)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  base bigint;
BEGIN
  FOR k IN 1 .. 8 LOOP
    kind := k;
    base := CASE WHEN cardinality(sa) > 0 THEN sa[pg_temp.rnd(1, cardinality(sa))::int]
                 ELSE pg_temp.v(pg_temp.rnd_key(), pg_temp.rnd_low()) END;
    CASE k
    WHEN 1 THEN s := pg_temp.v(pg_temp.rnd_key(), pg_temp.rnd_low()); e := pg_temp.v(pg_temp.rnd_key(), pg_temp.rnd_low());
    WHEN 2 THEN s := pg_temp.add(base, -pg_temp.rnd(0, 2000)); e := pg_temp.add(s, pg_temp.rnd(0, 70000));
    WHEN 3 THEN s := pg_temp.add((base >> 32) << 32, -pg_temp.rnd(0, 100)); e := pg_temp.add(s, pg_temp.rnd(0, 1000));  -- across a high key
    WHEN 4 THEN s := base; e := 0;      -- to the end
    WHEN 5 THEN s := 0; e := base;
    WHEN 6 THEN s := base; e := base;   -- empty
    WHEN 7 THEN s := base; e := pg_temp.add(base, 1);
    WHEN 8 THEN s := 0; e := 0;         -- everything
    END CASE;
    RETURN NEXT;
  END LOOP;
END $$;
CREATE TEMP TABLE ranges AS
SELECT id, r.kind, r.s, r.e, pg_temp.u(r.s) AS us,
       CASE WHEN r.e = 0 THEN 18446744073709551616 ELSE pg_temp.u(r.e) END AS ue,
       pg_temp.k(r.s) AS ks, CASE WHEN r.e = 0 THEN NULL ELSE pg_temp.k(r.e) END AS ke
FROM (SELECT * FROM t ORDER BY id) q, LATERAL pg_temp.gen_ranges(q.sa) r;
CREATE TEMP TABLE range_ex AS
SELECT r.*, array(SELECT x FROM ea WHERE ea.id = r.id AND ea.k >= r.ks AND (r.ke IS NULL OR ea.k < r.ke) ORDER BY k) AS e_range,
       greatest(r.ue - r.us, 0) AS len
FROM ranges r;

SELECT ok((SELECT count(*) FROM t) = 120 AND (SELECT count(*) FROM probes) > 900, 'test data generated');
SELECT ok((SELECT count(*) FROM t WHERE EXISTS (SELECT 1 FROM unnest(sa) x WHERE x < 0)
           AND EXISTS (SELECT 1 FROM unnest(sa) x WHERE x > 4294967295)) >= 20
          AND (SELECT count(*) FROM t WHERE cardinality(sa) = 0) >= 5
          AND (SELECT count(*) FROM t WHERE (SELECT count(DISTINCT x >> 32) FROM unnest(sa) x) >= 3) >= 20
          AND (SELECT count(*) FROM t WHERE sa = sb) >= 10
          AND (SELECT count(*) FROM probe_ex WHERE inset) > 250,
          'test data covers values >= 2^63, several high keys, empty sets, equal sets, members');

-- construction and conversion
SELECT is((SELECT count(*) FROM t WHERE rb64_to_array(ra) IS DISTINCT FROM sa
                                     OR rb64_to_array(rb) IS DISTINCT FROM sb), 0::bigint,
          'rb64_build / bigint[] cast / text input then rb64_to_array give the distinct elements in unsigned order');
SELECT is((SELECT count(*) FROM t WHERE ra::bigint[] IS DISTINCT FROM sa
                                     OR rb64_to_array(rb64_runoptimize(rb)) IS DISTINCT FROM sb), 0::bigint,
          'roaringbitmap64::bigint[] cast and rb64_runoptimize keep the set');
SELECT is((SELECT count(*) FROM t WHERE rb64_cardinality(ra) <> cardinality(sa) OR rb64_is_empty(ra) <> (cardinality(sa) = 0)),
          0::bigint, 'rb64_cardinality and rb64_is_empty');
SELECT is((SELECT count(*) FROM t
           WHERE array(SELECT x FROM rb64_iterate(ra) WITH ORDINALITY r(x, n) ORDER BY n) IS DISTINCT FROM sa),
          0::bigint, 'rb64_iterate yields the elements once each in unsigned order');
SELECT is((SELECT count(*) FROM t WHERE ra::text::roaringbitmap64 <> ra OR ra::bytea::roaringbitmap64 <> ra
                                     OR ra::text <> ra::bytea::text::roaringbitmap64::text), 0::bigint,
          'text and bytea round trips');
SET LOCAL persona.output_format = 'array';
SELECT is((SELECT count(*) FROM t WHERE ra::text IS DISTINCT FROM replace(replace(sa::text, '{', '{'), ' ', '')
                                     OR ra::text::roaringbitmap64 <> ra), 0::bigint,
          'array text output lists the elements in unsigned order and reads back');
SET LOCAL persona.output_format = 'bytea';
SELECT is((SELECT count(*) FROM t
           WHERE NOT (pg_temp.valid(ra & rb) AND pg_temp.valid(ra | rb) AND pg_temp.valid(ra # rb)
                      AND pg_temp.valid(ra - rb) AND pg_temp.valid(rb - ra) AND pg_temp.valid(rb64_runoptimize(ra)))), 0::bigint,
          'results of & | # - and rb64_runoptimize are valid portable 64-bit serializations');

-- set algebra
SELECT is((SELECT count(*) FROM t JOIN ex USING (id) WHERE rb64_to_array(rb64_and(ra, rb)) IS DISTINCT FROM e_and
                                                        OR rb64_to_array(ra & rb) IS DISTINCT FROM e_and), 0::bigint,
          'rb64_and and & match INTERSECT');
SELECT is((SELECT count(*) FROM t JOIN ex USING (id) WHERE rb64_to_array(rb64_or(ra, rb)) IS DISTINCT FROM e_or
                                                        OR rb64_to_array(ra | rb) IS DISTINCT FROM e_or), 0::bigint,
          'rb64_or and | match UNION');
SELECT is((SELECT count(*) FROM t JOIN ex USING (id) WHERE rb64_to_array(rb64_xor(ra, rb)) IS DISTINCT FROM e_xor
                                                        OR rb64_to_array(ra # rb) IS DISTINCT FROM e_xor), 0::bigint,
          'rb64_xor and # match the symmetric difference');
SELECT is((SELECT count(*) FROM t JOIN ex USING (id) WHERE rb64_to_array(rb64_andnot(ra, rb)) IS DISTINCT FROM e_andnot
                                                        OR rb64_to_array(ra - rb) IS DISTINCT FROM e_andnot), 0::bigint,
          'rb64_andnot and - match EXCEPT');
SELECT is((SELECT count(*) FROM t JOIN ex USING (id)
           WHERE rb64_and_cardinality(ra, rb) <> cardinality(e_and) OR rb64_or_cardinality(ra, rb) <> cardinality(e_or)
              OR rb64_xor_cardinality(ra, rb) <> cardinality(e_xor) OR rb64_andnot_cardinality(ra, rb) <> cardinality(e_andnot)),
          0::bigint, 'rb64_and/or/xor/andnot_cardinality');
SELECT is((SELECT count(*) FROM t JOIN ex USING (id)
           WHERE rb64_jaccard_dist(ra, rb) IS DISTINCT FROM
                 CASE WHEN cardinality(e_or) = 0 THEN 'NaN'::float8
                      ELSE cardinality(e_and)::float8 / cardinality(e_or)::float8 END), 0::bigint,
          'rb64_jaccard_dist = |A∩B| / |A∪B| (NaN for two empty sets)');

-- predicates
CREATE TEMP TABLE pred AS
SELECT id, NOT EXISTS (SELECT unnest(b) EXCEPT SELECT unnest(a)) AS a_has_b,
           NOT EXISTS (SELECT unnest(a) EXCEPT SELECT unnest(b)) AS b_has_a,
           EXISTS (SELECT unnest(a) INTERSECT SELECT unnest(b)) AS meet
FROM pairs;
SELECT ok((SELECT count(*) FROM pred WHERE a_has_b) BETWEEN 15 AND 110
          AND (SELECT count(*) FROM pred WHERE meet) BETWEEN 15 AND 110, 'predicates have both answers in the data');
SELECT is((SELECT count(*) FROM t JOIN pred USING (id)
           WHERE rb64_contains(ra, rb) <> a_has_b OR (ra @> rb) <> a_has_b
              OR rb64_contains(rb, ra) <> b_has_a OR (rb @> ra) <> b_has_a), 0::bigint,
          'rb64_contains(bitmap, bitmap) and @> match set inclusion');
SELECT is((SELECT count(*) FROM t JOIN pred USING (id)
           WHERE rb64_containedby(rb, ra) <> a_has_b OR (rb <@ ra) <> a_has_b
              OR rb64_containedby(ra, rb) <> b_has_a OR (ra <@ rb) <> b_has_a), 0::bigint,
          'rb64_containedby and <@ match set inclusion');
SELECT is((SELECT count(*) FROM t JOIN pred USING (id)
           WHERE rb64_intersect(ra, rb) <> meet OR (ra && rb) <> meet), 0::bigint,
          'rb64_intersect and && match a non-empty INTERSECT');
SELECT is((SELECT count(*) FROM t
           WHERE rb64_equals(ra, rb) <> (sa = sb) OR (ra = rb) <> (sa = sb)
              OR rb64_not_equals(ra, rb) <> (sa <> sb) OR (ra <> rb) <> (sa <> sb)), 0::bigint,
          'rb64_equals, rb64_not_equals, = and <> match equality of the sets');
SELECT ok((SELECT count(*) FROM t WHERE ra = rb AND ra::bytea <> rb::bytea) > 0,
          'some equal sets have different bytes (so = compares sets, not bytes)');

-- order and hash
SELECT is((SELECT count(*) FROM t
           WHERE sign(rb64_cmp(ra, rb)) <> CASE WHEN (SELECT array_agg(pg_temp.u(x) ORDER BY pg_temp.k(x)) FROM unnest(sa) x) IS NOT DISTINCT FROM
                                                     (SELECT array_agg(pg_temp.u(x) ORDER BY pg_temp.k(x)) FROM unnest(sb) x) THEN 0
                                                WHEN coalesce((SELECT array_agg(pg_temp.u(x) ORDER BY pg_temp.k(x)) FROM unnest(sa) x), '{}') <
                                                     coalesce((SELECT array_agg(pg_temp.u(x) ORDER BY pg_temp.k(x)) FROM unnest(sb) x), '{}') THEN -1
                                                ELSE 1 END
              OR (ra < rb) <> (rb64_cmp(ra, rb) < 0) OR (ra <= rb) <> (rb64_cmp(ra, rb) <= 0)
              OR (ra > rb) <> (rb64_cmp(ra, rb) > 0) OR (ra >= rb) <> (rb64_cmp(ra, rb) >= 0)), 0::bigint,
          'rb64_cmp and < <= > >= order sets lexicographically on their unsigned elements');
SELECT is((SELECT count(*) FROM t a1 JOIN t a2 ON a1.id < a2.id AND a1.id % 7 = 0
           WHERE sign(rb64_cmp(a1.ra, a2.ra)) <> CASE WHEN a1.sa = a2.sa THEN 0
                   WHEN (SELECT coalesce(array_agg(pg_temp.u(x) ORDER BY pg_temp.k(x)), '{}') FROM unnest(a1.sa) x) <
                        (SELECT coalesce(array_agg(pg_temp.u(x) ORDER BY pg_temp.k(x)), '{}') FROM unnest(a2.sa) x) THEN -1 ELSE 1 END),
          0::bigint, 'rb64_cmp on unrelated pairs (different high keys, prefixes across buckets)');
SELECT is((SELECT count(*) FROM t WHERE ra = rb AND (rb64_hash(ra) <> rb64_hash(rb)
                                                  OR rb64_hash_extended(ra, 42) <> rb64_hash_extended(rb, 42))), 0::bigint,
          'equal sets hash equally whatever their bytes');
SELECT is((SELECT count(DISTINCT rb64_hash(ra)) FROM t), (SELECT count(DISTINCT sa) FROM t),
          'distinct sets get distinct hashes on this data');
SELECT is((SELECT count(*) FROM (SELECT DISTINCT ra FROM t) s), (SELECT count(DISTINCT sa) FROM t),
          'DISTINCT on roaringbitmap64 (btree / hash opclass) counts distinct sets');

-- elements
SELECT is((SELECT count(*) FROM t
           WHERE rb64_min(ra) IS DISTINCT FROM sa[1] OR rb64_max(ra) IS DISTINCT FROM sa[cardinality(sa)]
              OR rb64_min(rb) IS DISTINCT FROM sb[1] OR rb64_max(rb) IS DISTINCT FROM sb[cardinality(sb)]), 0::bigint,
          'rb64_min / rb64_max in unsigned order, NULL when empty');
SELECT is((SELECT count(*) FROM probe_ex p JOIN t USING (id) WHERE rb64_rank(ra, p.v) <> p.e_rank),
          0::bigint, 'rb64_rank = number of elements <= value (unsigned) on random probes');
SELECT is((SELECT count(*) FROM probe_ex p JOIN t USING (id) WHERE rb64_index(ra, p.v) <> p.e_index),
          0::bigint, 'rb64_index = 0-based unsigned position or -1');
SELECT is((SELECT count(*) FROM probe_ex p JOIN t USING (id)
           WHERE rb64_contains(ra, p.v) <> p.inset OR (ra @> p.v) <> p.inset
              OR rb64_containedby(p.v, ra) <> p.inset OR (p.v <@ ra) <> p.inset),
          0::bigint, 'rb64_contains(bitmap, bigint), @>, rb64_containedby(bigint, bitmap), <@ on random probes');
SELECT is((SELECT count(*) FROM probe_ex p JOIN t USING (id)
           WHERE rb64_to_array(rb64_add(ra, p.v)) IS DISTINCT FROM p.e_add
              OR rb64_to_array(ra | p.v) IS DISTINCT FROM p.e_add
              OR rb64_to_array(p.v | ra) IS DISTINCT FROM p.e_add
              OR rb64_to_array(rb64_add(p.v, ra)) IS DISTINCT FROM p.e_add),
          0::bigint, 'rb64_add and | bigint (both sides)');
SELECT is((SELECT count(*) FROM probe_ex p JOIN t USING (id)
           WHERE rb64_to_array(rb64_remove(ra, p.v)) IS DISTINCT FROM p.e_remove
              OR rb64_to_array(ra - p.v) IS DISTINCT FROM p.e_remove),
          0::bigint, 'rb64_remove and - bigint');

-- ranges
SELECT is((SELECT count(*) FROM range_ex r JOIN t USING (id)
           WHERE rb64_range_cardinality(ra, r.s, r.e) <> cardinality(r.e_range)), 0::bigint,
          'rb64_range_cardinality on random unsigned ranges (across high keys, to the end with 0, empty)');
SELECT is((SELECT count(*) FROM range_ex r JOIN t USING (id)
           WHERE rb64_to_array(rb64_range(ra, r.s, r.e)) IS DISTINCT FROM r.e_range
              OR rb64_to_array(rb64_range(ra, range_end => r.e, range_start => r.s)) IS DISTINCT FROM r.e_range), 0::bigint,
          'rb64_range on random ranges, named arguments too');
SELECT is((SELECT count(*) FROM range_ex r JOIN t USING (id)
           WHERE rb64_to_array(rb64_clear(ra, r.s, r.e)) IS DISTINCT FROM
                 array(SELECT x FROM ea WHERE ea.id = r.id AND (ea.k < r.ks OR ea.k >= r.ke) ORDER BY k)), 0::bigint,
          'rb64_clear on random ranges');
SELECT is((SELECT count(*) FROM range_ex r JOIN t USING (id)
           WHERE r.len <= 70000 AND rb64_to_array(rb64_fill(ra, r.s, r.e)) IS DISTINCT FROM
                 pg_temp.usort(sa || array(SELECT pg_temp.fromu(g) FROM generate_series(r.us, r.ue - 1) g))), 0::bigint,
          'rb64_fill on random ranges up to 70000 values');
SELECT is((SELECT count(*) FROM range_ex r JOIN t USING (id)
           WHERE r.len <= 70000 AND rb64_to_array(rb64_flip(ra, r.s, r.e)) IS DISTINCT FROM
                 pg_temp.usort(array(SELECT x FROM ea WHERE ea.id = r.id AND (ea.k < r.ks OR ea.k >= r.ke))
                   || array(SELECT pg_temp.fromu(g) FROM generate_series(r.us, r.ue - 1) g
                            WHERE NOT EXISTS (SELECT 1 FROM ea WHERE ea.id = r.id AND ea.k = pg_temp.k(pg_temp.fromu(g)))))), 0::bigint,
          'rb64_flip on random ranges up to 70000 values');
SELECT is((SELECT count(*) FROM range_ex r JOIN t USING (id)
           WHERE r.len <= 4398046511104
             AND (rb64_cardinality(rb64_fill(ra, r.s, r.e)) <> cardinality(sa) + r.len - cardinality(r.e_range)
                  OR rb64_cardinality(rb64_flip(ra, r.s, r.e)) <> cardinality(sa) + r.len - 2 * cardinality(r.e_range))),
          0::bigint, 'rb64_fill / rb64_flip cardinalities on every range up to 1024 high keys');
SELECT is((SELECT count(*) FROM range_ex r JOIN t USING (id)
           WHERE r.len <= 70000
             AND NOT (pg_temp.valid(rb64_fill(ra, r.s, r.e)) AND pg_temp.valid(rb64_clear(ra, r.s, r.e))
                      AND pg_temp.valid(rb64_flip(ra, r.s, r.e)) AND pg_temp.valid(rb64_range(ra, r.s, r.e)))),
          0::bigint, 'results of the range functions are valid portable 64-bit serializations');

-- rb64_select: windows by position, reverse counted as pg_roaringbitmap does
CREATE TEMP TABLE sel AS
SELECT r.id, r.s, r.e, l.lim, l.off, l.rev, r.e_range
FROM range_ex r,
     LATERAL (SELECT (array[0, 1, 5, 100, 100000, -1])[1 + (r.id + r.kind) % 6]::bigint AS lim,
                     (array[0, 0, 3, 50, -2])[1 + (r.id * 3 + r.kind) % 5]::bigint AS off,
                     (r.id + r.kind) % 2 = 0 AS rev) l;
SELECT is((SELECT count(*) FROM sel JOIN t USING (id)
           WHERE rb64_to_array(rb64_select(ra, sel.lim, sel.off, sel.rev, sel.s, sel.e)) IS DISTINCT FROM
                 CASE WHEN sel.lim <= 0 THEN '{}'::bigint[]
                      WHEN NOT sel.rev THEN coalesce(sel.e_range[greatest(sel.off, 0) + 1 : greatest(sel.off, 0) + sel.lim], '{}')
                      WHEN cardinality(sel.e_range) > greatest(sel.off, 0)
                      THEN coalesce(sel.e_range[greatest(cardinality(sel.e_range) - greatest(sel.off, 0) - sel.lim, 0) + 1 :
                                                greatest(cardinality(sel.e_range) - greatest(sel.off, 0) - sel.lim, 0) + sel.lim], '{}')
                      ELSE '{}' END), 0::bigint,
          'rb64_select windows (limit, offset, reverse, range; a negative offset counts as 0, as pg_roaringbitmap 1.2) match array slices');
SELECT is((SELECT count(*) FROM t WHERE rb64_to_array(rb64_select(ra, 3)) IS DISTINCT FROM coalesce(sa[1:3], '{}')),
          0::bigint, 'rb64_select defaults: from the start, the whole range');

-- shifts: elements move, those leaving 0 .. 2^64-1 (unsigned) drop
SELECT is((SELECT count(*) FROM t, (VALUES (1::bigint), (4294967296), (-7), (9223372036854775807), (-9223372036854775807)) d(n)
           WHERE cardinality(sa) <= 5000 AND (rb64_to_array(ra >> d.n) IS DISTINCT FROM
                 pg_temp.usort(array(SELECT (pg_temp.u(x) + d.n - CASE WHEN pg_temp.u(x) + d.n >= 9223372036854775808 THEN 18446744073709551616 ELSE 0 END)::bigint
                                     FROM unnest(sa) x WHERE pg_temp.u(x) + d.n BETWEEN 0 AND 18446744073709551615))
              OR rb64_to_array(ra << d.n) IS DISTINCT FROM
                 pg_temp.usort(array(SELECT (pg_temp.u(x) - d.n - CASE WHEN pg_temp.u(x) - d.n >= 9223372036854775808 THEN 18446744073709551616 ELSE 0 END)::bigint
                                     FROM unnest(sa) x WHERE pg_temp.u(x) - d.n BETWEEN 0 AND 18446744073709551615)))),
          0::bigint, 'rb64_shiftright (>>) and rb64_shiftleft (<<) against unsigned arithmetic (sets up to 5000 elements)');

-- casts with roaringbitmap: values keep what SQL shows (int4 -1 is bigint -1)
SELECT is((SELECT count(*) FROM t
           WHERE (SELECT bool_and(x BETWEEN -2147483648 AND 2147483647) FROM unnest(sa) x) IS NOT FALSE
             AND (rb64_to_array(ra::roaringbitmap::roaringbitmap64) IS DISTINCT FROM sa
                  OR pg_temp.usort(rb_to_array(ra::roaringbitmap)::bigint[]) IS DISTINCT FROM pg_temp.usort(sa))), 0::bigint,
          'roaringbitmap64 -> roaringbitmap -> roaringbitmap64 keeps every set that fits int4');
SELECT ok((SELECT count(*) FROM t WHERE (SELECT bool_and(x BETWEEN -2147483648 AND 2147483647) FROM unnest(sa) x) IS NOT FALSE) >= 10
          AND (SELECT count(*) FROM t WHERE (SELECT bool_and(x BETWEEN -2147483648 AND 2147483647) FROM unnest(sa) x) = false) >= 10,
          'both fitting and non-fitting sets are in the data');
CREATE FUNCTION pg_temp.cast_err(b roaringbitmap64) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  PERFORM b::roaringbitmap;
  RETURN NULL;
EXCEPTION WHEN others THEN
  RETURN SQLSTATE;
END $$;
SELECT is((SELECT count(*) FROM t
           WHERE pg_temp.cast_err(ra) IS DISTINCT FROM
                 CASE WHEN (SELECT bool_and(x BETWEEN -2147483648 AND 2147483647) FROM unnest(sa) x) IS NOT FALSE
                      THEN NULL ELSE '22003' END), 0::bigint,
          'roaringbitmap64::roaringbitmap is 22003 exactly when an element is outside int4');
SELECT is((SELECT count(*) FROM generate_series(1, 40) g,
                  LATERAL (SELECT array(SELECT (random() * 4294967295 - 2147483648)::int FROM generate_series(1, g * 10)) AS a) q
           WHERE rb64_to_array(rb_build(q.a)::roaringbitmap64) IS DISTINCT FROM pg_temp.usort(q.a::bigint[])), 0::bigint,
          'roaringbitmap::roaringbitmap64 keeps the int4 values');
SELECT is((SELECT count(*) FROM t WHERE rb64_from_roaringbitmap(rb_build('{1,-1}')) <> '{1,-1}'::roaringbitmap64), 0::bigint,
          'int4 -1 becomes bigint -1, as in pg_roaringbitmap');

SELECT * FROM finish();
ROLLBACK;
