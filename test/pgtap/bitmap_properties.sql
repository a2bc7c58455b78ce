-- Property tests of the roaringbitmap type: every function and operator is
-- checked on deterministic random data against an independent computation in
-- plain SQL on int4[] / unnest.  Unsigned element order is
-- ORDER BY x::bigint & 4294967295 (0 .. 2147483647, -2147483648 .. -1).
BEGIN;
SELECT plan(73);

SET LOCAL client_min_messages = warning;
SET LOCAL persona.output_format = 'bytea';

CREATE FUNCTION pg_temp.to_i(u bigint) RETURNS int LANGUAGE sql IMMUTABLE AS
$$ SELECT (CASE WHEN u >= 2147483648 THEN u - 4294967296 ELSE u END)::int $$;
CREATE FUNCTION pg_temp.u(x int) RETURNS bigint LANGUAGE sql IMMUTABLE AS
$$ SELECT x::bigint & 4294967295 $$;
-- distinct elements sorted in unsigned order
CREATE FUNCTION pg_temp.usort(a int[]) RETURNS int[] LANGUAGE sql IMMUTABLE AS
$$ SELECT coalesce(array_agg(x ORDER BY x::bigint & 4294967295), '{}') FROM (SELECT DISTINCT x FROM unnest(a) x) s $$;
CREATE FUNCTION pg_temp.le16(x int) RETURNS text LANGUAGE sql IMMUTABLE AS
$$ SELECT lpad(to_hex(x & 255), 2, '0') || lpad(to_hex((x >> 8) & 255), 2, '0') $$;
CREATE FUNCTION pg_temp.rnd_u() RETURNS bigint LANGUAGE sql VOLATILE AS
$$ SELECT floor(random() * 4294967296)::bigint $$;
CREATE FUNCTION pg_temp.rnd(lo bigint, hi bigint) RETURNS bigint LANGUAGE sql VOLATILE AS
$$ SELECT lo + floor(random() * (hi - lo + 1))::bigint $$;

CREATE FUNCTION pg_temp.gen_set(kind int) RETURNS int[] LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  r int[] := '{}';
  s bigint;
  len int;
  p float8;
BEGIN
  CASE kind
  WHEN 0 THEN r := '{}';
  WHEN 1 THEN   -- sparse, whole int4 range
    r := array(SELECT pg_temp.to_i(pg_temp.rnd_u()) FROM generate_series(1, pg_temp.rnd(1, 300)::int));
  WHEN 2 THEN   -- one long run of consecutive ints (may wrap past 2^32), plus a few sparse
    s := CASE WHEN random() < 0.3 THEN 2147483648 - pg_temp.rnd(0, 40000) ELSE pg_temp.rnd_u() END;
    len := pg_temp.rnd(1000, 40000)::int;
    r := array(SELECT pg_temp.to_i((s + g) % 4294967296) FROM generate_series(0, len - 1) g)
      || array(SELECT pg_temp.to_i(pg_temp.rnd_u()) FROM generate_series(1, pg_temp.rnd(0, 20)::int));
  WHEN 3 THEN   -- dense random subset of one or two 2^16 chunks (bitset containers)
    p := 0.1 + random() * 0.5;
    s := pg_temp.rnd(0, 65535) * 65536;
    r := array(SELECT pg_temp.to_i(s + g) FROM generate_series(0, 65535) g WHERE random() < p);
    IF random() < 0.5 THEN
      s := (s + 65536) % 4294967296;
      r := r || array(SELECT pg_temp.to_i(s + g) FROM generate_series(0, 65535) g WHERE random() < p / 3);
    END IF;
  WHEN 4 THEN   -- special values, sparse values and short runs
    r := array[0, 1, 2147483647, -2147483648, -1, 65535, 65536, -65536]
      || array(SELECT pg_temp.to_i(pg_temp.rnd_u()) FROM generate_series(1, pg_temp.rnd(0, 50)::int));
    FOR i IN 1 .. pg_temp.rnd(0, 5)::int LOOP
      s := pg_temp.rnd_u();
      r := r || array(SELECT pg_temp.to_i((s + g) % 4294967296) FROM generate_series(0, pg_temp.rnd(1, 3000)::int) g);
    END LOOP;
  WHEN 5 THEN   -- around the 2^31 boundary (positive -> negative) and around 0 / -1
    p := random();
    r := array(SELECT pg_temp.to_i(2147483648 + g) FROM generate_series(-6000, 5999) g WHERE random() < p)
      || array(SELECT g FROM generate_series(-300, 300) g WHERE random() < p);
  WHEN 6 THEN   -- small universe: heavy overlap between independent sets
    p := random();
    r := array(SELECT g FROM generate_series(0, 2000) g WHERE random() < p)
      || array(SELECT g FROM generate_series(-20, -1) g WHERE random() < p);
  WHEN 7 THEN   -- one container with exactly 4095..4097 values (array/bitset edge)
    s := pg_temp.rnd(0, 65535) * 65536;
    r := array(SELECT pg_temp.to_i(s + g) FROM
               (SELECT g FROM generate_series(0, 65535) g ORDER BY random() LIMIT pg_temp.rnd(4095, 4097)) q);
  END CASE;
  -- add duplicates and shuffle sometimes: rb_build must not care
  IF random() < 0.3 AND cardinality(r) > 0 THEN
    r := array(SELECT x FROM unnest(r || r[1:10]) x ORDER BY random());
  END IF;
  RETURN r;
END $$;

-- a variant of set a for the second member of a pair
CREATE FUNCTION pg_temp.gen_partner(a int[], kind int) RETURNS int[] LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  c float8 := random();
  p float8 := random();
BEGIN
  IF c < 0.2 THEN RETURN pg_temp.gen_set(pg_temp.rnd(0, 7)::int);            -- independent
  ELSIF c < 0.35 THEN RETURN array(SELECT x FROM unnest(a) x ORDER BY random()); -- same set
  ELSIF c < 0.55 THEN RETURN array(SELECT x FROM unnest(a) x WHERE random() < p); -- subset
  ELSIF c < 0.7 THEN RETURN a || pg_temp.gen_set(pg_temp.rnd(0, 7)::int);    -- superset
  ELSIF c < 0.85 THEN                                                         -- overlap
    RETURN array(SELECT x FROM unnest(a) x WHERE random() < p) || pg_temp.gen_set(kind);
  ELSE RETURN pg_temp.gen_set(kind);                                          -- same shape
  END IF;
END $$;

SELECT setseed(0.4242);
CREATE TEMP TABLE pairs AS
SELECT id, a, b FROM (
  SELECT id, a, pg_temp.gen_partner(a, kind) AS b
  FROM (SELECT id, kind, pg_temp.gen_set(kind) AS a
        FROM (SELECT g AS id, (g % 8) AS kind FROM generate_series(1, 160) g) k
        ORDER BY id) s
  ORDER BY id) t;

CREATE FUNCTION pg_temp.plan_of(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  r record;
  out text := '';
BEGIN
  FOR r IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q LOOP
    out := out || r."QUERY PLAN" || E'\n';
  END LOOP;
  RETURN out;
END $$;

-- per-pair random ranges [s, e): crossing 2^31, start > end, negative start,
-- end past 2^32, empty, whole range, whole containers, anchored on elements
CREATE FUNCTION pg_temp.gen_ranges(sa int[]) RETURNS TABLE(kind int, s bigint, e bigint)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  base bigint;
BEGIN
  FOR k IN 1 .. 10 LOOP
    kind := k;
    base := CASE WHEN cardinality(sa) > 0
                 THEN pg_temp.u(sa[pg_temp.rnd(1, cardinality(sa))::int])
                 ELSE pg_temp.rnd_u() END;
    CASE k
    WHEN 1 THEN s := pg_temp.rnd(-1000000, 4294967295); e := pg_temp.rnd(-1000000, 4294967296 + 1000000);
    WHEN 2 THEN s := 2147483648 - pg_temp.rnd(0, 20000); e := 2147483648 + pg_temp.rnd(1, 20000);
    WHEN 3 THEN s := base - pg_temp.rnd(0, 2000); e := s + pg_temp.rnd(0, 70000);
    WHEN 4 THEN s := pg_temp.rnd(1000, 4294967295); e := s - pg_temp.rnd(1, 1000);
    WHEN 5 THEN s := -pg_temp.rnd(1, 1000000); e := pg_temp.rnd(-10, 20000);
    WHEN 6 THEN s := 4294967296 - pg_temp.rnd(1, 20000); e := 4294967296 + pg_temp.rnd(0, 100000);
    WHEN 7 THEN s := pg_temp.rnd_u(); e := s;
    WHEN 8 THEN s := -pg_temp.rnd(0, 5); e := 4294967296 + pg_temp.rnd(0, 5);
    WHEN 9 THEN s := (base >> 16) << 16; e := s + 65536;
    WHEN 10 THEN s := base; e := base + 1;
    END CASE;
    RETURN NEXT;
  END LOOP;
END $$;

-- true when the bytes of a bitmap pass input validation again
CREATE FUNCTION pg_temp.valid(b roaringbitmap) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  PERFORM b::bytea::roaringbitmap;
  RETURN true;
EXCEPTION WHEN others THEN
  RETURN false;
END $$;

-- the bitmaps under test, built through different paths (rb_build, cast,
-- run-optimized, text input)
CREATE TEMP TABLE t AS
SELECT id, a, b, pg_temp.usort(a) AS sa, pg_temp.usort(b) AS sb,
       CASE id % 3 WHEN 0 THEN rb_build(a)
                   WHEN 1 THEN rb_runoptimize(rb_build(a))
                   ELSE pg_temp.usort(a)::text::roaringbitmap END AS ra,
       CASE id % 4 WHEN 0 THEN rb_runoptimize(b::roaringbitmap)
                   ELSE b::roaringbitmap END AS rb
FROM pairs;
ALTER TABLE t ADD PRIMARY KEY (id);

-- expected set algebra, in plain SQL
CREATE TEMP TABLE ex AS
SELECT id,
  pg_temp.usort(array(SELECT unnest(a) INTERSECT SELECT unnest(b))) AS e_and,
  pg_temp.usort(a || b) AS e_or,
  pg_temp.usort(array((SELECT unnest(a) EXCEPT SELECT unnest(b))
                      UNION ALL (SELECT unnest(b) EXCEPT SELECT unnest(a)))) AS e_xor,
  pg_temp.usort(array(SELECT unnest(a) EXCEPT SELECT unnest(b))) AS e_andnot
FROM pairs;
ALTER TABLE ex ADD PRIMARY KEY (id);

-- elements of a, one row each, in unsigned form
CREATE TEMP TABLE ea AS SELECT id, pg_temp.u(x) AS u FROM t, unnest(t.sa) x;
CREATE INDEX ON ea (id, u);
ANALYZE t; ANALYZE ex; ANALYZE ea;

-- probe values: special values, random values, elements and their neighbours
CREATE TEMP TABLE probes AS
SELECT id, v FROM (
  SELECT id, unnest(array[0, 1, -1, 2147483647, -2147483648, 65536, -65536,
                          pg_temp.to_i(pg_temp.rnd_u()), pg_temp.to_i(pg_temp.rnd_u()),
                          sa[pg_temp.rnd(1, greatest(cardinality(sa), 1))::int],
                          sa[pg_temp.rnd(1, greatest(cardinality(sa), 1))::int],
                          pg_temp.to_i((pg_temp.u(sa[pg_temp.rnd(1, greatest(cardinality(sa), 1))::int]) + 1) % 4294967296),
                          pg_temp.to_i((pg_temp.u(sa[pg_temp.rnd(1, greatest(cardinality(sa), 1))::int]) + 4294967295) % 4294967296)]) AS v
  FROM (SELECT * FROM t ORDER BY id) q) s
WHERE v IS NOT NULL;

CREATE TEMP TABLE probe_ex AS
SELECT p.id, p.v, x.inset,
       (SELECT count(*) FROM ea WHERE ea.id = p.id AND ea.u <= pg_temp.u(p.v)) AS e_rank,
       CASE WHEN x.inset THEN (SELECT count(*) FROM ea WHERE ea.id = p.id AND ea.u < pg_temp.u(p.v))
            ELSE -1 END AS e_index,
       CASE WHEN x.inset THEN t.sa
            ELSE array(SELECT y FROM unnest(t.sa) y WHERE pg_temp.u(y) < pg_temp.u(p.v)) || p.v
                 || array(SELECT y FROM unnest(t.sa) y WHERE pg_temp.u(y) > pg_temp.u(p.v)) END AS e_add,
       array_remove(t.sa, p.v) AS e_remove
FROM probes p JOIN t USING (id),
     LATERAL (SELECT EXISTS (SELECT 1 FROM ea WHERE ea.id = p.id AND ea.u = pg_temp.u(p.v)) AS inset) x;

CREATE TEMP TABLE ranges AS
SELECT id, r.kind, r.s, r.e, greatest(r.s, 0) AS cs, least(r.e, 4294967296) AS ce
FROM (SELECT * FROM t ORDER BY id) q, LATERAL pg_temp.gen_ranges(q.sa) r;

SELECT ok((SELECT count(*) FROM t) = 160 AND (SELECT count(*) FROM probes) > 1500
          AND (SELECT count(*) FROM ranges) = 1600, 'test data generated');
SELECT ok((SELECT count(*) FROM t WHERE -1 = ANY(sa) AND 0 = ANY(sa) AND 2147483647 = ANY(sa)
           AND -2147483648 = ANY(sa)) >= 10
          AND (SELECT count(*) FROM t WHERE cardinality(sa) = 0) >= 10
          AND (SELECT count(*) FROM t WHERE cardinality(sa) > 20000) >= 10
          AND (SELECT count(*) FROM t WHERE sa = sb) >= 10
          AND (SELECT count(*) FROM t WHERE sa <> sb AND cardinality(sb) > 0
               AND NOT EXISTS (SELECT unnest(b) EXCEPT SELECT unnest(a))) >= 10
          AND (SELECT count(*) FROM probe_ex WHERE inset) > 500,
          'test data covers special values, empty sets, big sets, equal sets, subsets, members');

-- construction and conversion ------------------------------------------------

SELECT is((SELECT count(*) FROM t WHERE rb_to_array(ra) IS DISTINCT FROM sa
                                     OR rb_to_array(rb) IS DISTINCT FROM sb), 0::bigint,
          'rb_build / int4[] cast / text input then rb_to_array give the distinct elements in unsigned order');
SELECT is((SELECT count(*) FROM t WHERE ra::int[] IS DISTINCT FROM sa
                                     OR rb_to_array(rb_runoptimize(rb)) IS DISTINCT FROM sb), 0::bigint,
          'roaringbitmap::int4[] cast and rb_runoptimize keep the set');
SELECT is((SELECT count(*) FROM t WHERE rb_cardinality(ra) <> cardinality(sa)
                                     OR rb_cardinality(rb) <> cardinality(sb)), 0::bigint,
          'rb_cardinality = count of distinct elements');
SELECT is((SELECT count(*) FROM t WHERE rb_is_empty(ra) <> (cardinality(sa) = 0)
                                     OR rb_is_empty(rb) <> (cardinality(sb) = 0)), 0::bigint,
          'rb_is_empty');
SELECT is((SELECT count(*) FROM t
           WHERE array(SELECT x FROM rb_iterate(ra) WITH ORDINALITY r(x, n) ORDER BY n) IS DISTINCT FROM sa
              OR array(SELECT x FROM rb_iterate(rb) WITH ORDINALITY r(x, n) ORDER BY n) IS DISTINCT FROM sb),
          0::bigint, 'rb_iterate yields the elements of unnest, once each, in unsigned order');

-- set algebra ----------------------------------------------------------------

SELECT is((SELECT count(*) FROM t JOIN ex USING (id) WHERE rb_to_array(rb_and(ra, rb)) IS DISTINCT FROM e_and), 0::bigint,
          'rb_and matches INTERSECT on 160 random pairs');
SELECT is((SELECT count(*) FROM t JOIN ex USING (id) WHERE rb_to_array(ra & rb) IS DISTINCT FROM e_and), 0::bigint,
          'operator & matches INTERSECT');
SELECT is((SELECT count(*) FROM t JOIN ex USING (id) WHERE rb_to_array(rb_or(ra, rb)) IS DISTINCT FROM e_or), 0::bigint,
          'rb_or matches UNION on 160 random pairs');
SELECT is((SELECT count(*) FROM t JOIN ex USING (id) WHERE rb_to_array(ra | rb) IS DISTINCT FROM e_or), 0::bigint,
          'operator | matches UNION');
SELECT is((SELECT count(*) FROM t JOIN ex USING (id) WHERE rb_to_array(rb_xor(ra, rb)) IS DISTINCT FROM e_xor), 0::bigint,
          'rb_xor matches symmetric difference on 160 random pairs');
SELECT is((SELECT count(*) FROM t JOIN ex USING (id) WHERE rb_to_array(ra # rb) IS DISTINCT FROM e_xor), 0::bigint,
          'operator # matches symmetric difference');
SELECT is((SELECT count(*) FROM t JOIN ex USING (id) WHERE rb_to_array(rb_andnot(ra, rb)) IS DISTINCT FROM e_andnot), 0::bigint,
          'rb_andnot matches EXCEPT on 160 random pairs');
SELECT is((SELECT count(*) FROM t JOIN ex USING (id) WHERE rb_to_array(ra - rb) IS DISTINCT FROM e_andnot), 0::bigint,
          'operator - (bitmap) matches EXCEPT');
SELECT is((SELECT count(*) FROM t
           WHERE NOT (pg_temp.valid(ra & rb) AND pg_temp.valid(ra | rb) AND pg_temp.valid(ra # rb)
                      AND pg_temp.valid(ra - rb) AND pg_temp.valid(rb - ra))), 0::bigint,
          'results of & | # - are valid portable serializations');
SELECT is((SELECT count(*) FROM t JOIN ex USING (id) WHERE rb_and_cardinality(ra, rb) <> cardinality(e_and)), 0::bigint,
          'rb_and_cardinality');
SELECT is((SELECT count(*) FROM t JOIN ex USING (id) WHERE rb_or_cardinality(ra, rb) <> cardinality(e_or)), 0::bigint,
          'rb_or_cardinality');
SELECT is((SELECT count(*) FROM t JOIN ex USING (id) WHERE rb_xor_cardinality(ra, rb) <> cardinality(e_xor)), 0::bigint,
          'rb_xor_cardinality');
SELECT is((SELECT count(*) FROM t JOIN ex USING (id) WHERE rb_andnot_cardinality(ra, rb) <> cardinality(e_andnot)), 0::bigint,
          'rb_andnot_cardinality');
SELECT is((SELECT count(*) FROM t JOIN ex USING (id)
           WHERE rb_jaccard_dist(ra, rb) IS DISTINCT FROM
                 CASE WHEN cardinality(e_or) = 0 THEN 'NaN'::float8
                      ELSE cardinality(e_and)::float8 / cardinality(e_or)::float8 END), 0::bigint,
          'rb_jaccard_dist = |A∩B| / |A∪B| (NaN for two empty sets)');

-- predicates -----------------------------------------------------------------

CREATE TEMP TABLE pred AS
SELECT id, NOT EXISTS (SELECT unnest(b) EXCEPT SELECT unnest(a)) AS a_has_b,
           NOT EXISTS (SELECT unnest(a) EXCEPT SELECT unnest(b)) AS b_has_a,
           EXISTS (SELECT unnest(a) INTERSECT SELECT unnest(b)) AS meet
FROM pairs;
SELECT ok((SELECT count(*) FROM pred WHERE a_has_b) BETWEEN 20 AND 150
          AND (SELECT count(*) FROM pred WHERE meet) BETWEEN 20 AND 150, 'predicates have both answers in the data');
SELECT is((SELECT count(*) FROM t JOIN pred USING (id)
           WHERE rb_contains(ra, rb) <> a_has_b OR (ra @> rb) <> a_has_b
              OR rb_contains(rb, ra) <> b_has_a OR (rb @> ra) <> b_has_a), 0::bigint,
          'rb_contains(bitmap, bitmap) and @> match set inclusion');
SELECT is((SELECT count(*) FROM t JOIN pred USING (id)
           WHERE rb_containedby(rb, ra) <> a_has_b OR (rb <@ ra) <> a_has_b
              OR rb_containedby(ra, rb) <> b_has_a OR (ra <@ rb) <> b_has_a), 0::bigint,
          'rb_containedby and <@ match set inclusion');
SELECT is((SELECT count(*) FROM t JOIN pred USING (id)
           WHERE rb_intersect(ra, rb) <> meet OR (ra && rb) <> meet OR (rb && ra) <> meet), 0::bigint,
          'rb_intersect and && match a non-empty INTERSECT');
SELECT is((SELECT count(*) FROM t
           WHERE rb_equals(ra, rb) <> (sa = sb) OR (ra = rb) <> (sa = sb)
              OR rb_not_equals(ra, rb) <> (sa <> sb) OR (ra <> rb) <> (sa <> sb)), 0::bigint,
          'rb_equals, rb_not_equals, = and <> match equality of the sets');
SELECT ok((SELECT count(*) FROM t WHERE ra = rb AND ra::bytea <> rb::bytea) > 0,
          'some equal sets have different bytes (so = compares sets, not bytes)');

-- elements: min, max, rank, index, contains, add, remove ----------------------

SELECT is((SELECT count(*) FROM t
           WHERE rb_min(ra) IS DISTINCT FROM sa[1]
              OR rb_max(ra) IS DISTINCT FROM sa[cardinality(sa)]
              OR rb_min(rb) IS DISTINCT FROM sb[1]
              OR rb_max(rb) IS DISTINCT FROM sb[cardinality(sb)]), 0::bigint,
          'rb_min / rb_max in unsigned order, NULL when empty');
SELECT is((SELECT count(*) FROM probe_ex p JOIN t USING (id) WHERE rb_rank(ra, p.v) <> p.e_rank),
          0::bigint, 'rb_rank = number of elements <= value (unsigned) on random probes');
SELECT is((SELECT count(*) FROM probe_ex p JOIN t USING (id) WHERE rb_index(ra, p.v) <> p.e_index),
          0::bigint, 'rb_index = 0-based unsigned position or -1 on random probes');
SELECT is((SELECT count(*) FROM probe_ex p JOIN t USING (id)
           WHERE rb_contains(ra, p.v) <> p.inset OR (ra @> p.v) <> p.inset
              OR rb_containedby(p.v, ra) <> p.inset OR (p.v <@ ra) <> p.inset),
          0::bigint, 'rb_contains(bitmap, int4), @> int4, rb_containedby(int4, bitmap), int4 <@ on random probes');
SELECT is((SELECT count(*) FROM probe_ex p JOIN t USING (id)
           WHERE rb_to_array(rb_add(ra, p.v)) IS DISTINCT FROM p.e_add
              OR rb_to_array(ra | p.v) IS DISTINCT FROM p.e_add
              OR rb_to_array(p.v | ra) IS DISTINCT FROM p.e_add
              OR rb_to_array(rb_add(p.v, ra)) IS DISTINCT FROM p.e_add),
          0::bigint, 'rb_add and | int4 (both sides) on random probes');
SELECT is((SELECT count(*) FROM probe_ex p JOIN t USING (id)
           WHERE rb_to_array(rb_remove(ra, p.v)) IS DISTINCT FROM p.e_remove
              OR rb_to_array(ra - p.v) IS DISTINCT FROM p.e_remove),
          0::bigint, 'rb_remove and - int4 on random probes');

-- ranges -----------------------------------------------------------------------

CREATE TEMP TABLE range_ex AS
SELECT r.*, array(SELECT pg_temp.to_i(u) FROM ea WHERE ea.id = r.id AND ea.u >= r.cs AND ea.u < r.ce ORDER BY u) AS e_range,
       greatest(r.ce - r.cs, 0) AS len
FROM ranges r;

SELECT is((SELECT count(*) FROM range_ex r JOIN t USING (id)
           WHERE rb_range_cardinality(ra, r.s, r.e) <> cardinality(r.e_range)),
          0::bigint, 'rb_range_cardinality on random ranges (crossing 2^31, start > end, clamped ends)');
SELECT is((SELECT count(*) FROM range_ex r JOIN t USING (id)
           WHERE rb_to_array(rb_range(ra, r.s, r.e)) IS DISTINCT FROM r.e_range),
          0::bigint, 'rb_range on random ranges');
SELECT is((SELECT count(*) FROM range_ex r JOIN t USING (id)
           WHERE rb_to_array(rb_range(ra, range_end => r.e, range_start => r.s)) IS DISTINCT FROM r.e_range
              OR rb_range_cardinality(ra, range_end => r.e, range_start => r.s) <> cardinality(r.e_range)),
          0::bigint, 'rb_range and rb_range_cardinality with named arguments');

-- fill / clear / flip: exact sets where the clamped range is small enough to
-- spell out, cardinalities for every range
SELECT is((SELECT count(*) FROM range_ex r JOIN t USING (id)
           WHERE r.len <= 70000 AND r.id % 2 = 1 AND rb_to_array(rb_fill(ra, r.s, r.e)) IS DISTINCT FROM
                 array(SELECT x FROM unnest(sa) x WHERE pg_temp.u(x) < r.cs)
                 || array(SELECT pg_temp.to_i(g) FROM generate_series(r.cs, r.ce - 1) g)
                 || array(SELECT x FROM unnest(sa) x WHERE pg_temp.u(x) >= greatest(r.ce, r.cs))),
          0::bigint, 'rb_fill on random ranges');
SELECT is((SELECT count(*) FROM range_ex r JOIN t USING (id)
           WHERE rb_to_array(rb_clear(ra, r.s, r.e)) IS DISTINCT FROM
                 array(SELECT x FROM unnest(sa) x WHERE pg_temp.u(x) < r.cs OR pg_temp.u(x) >= r.ce)),
          0::bigint, 'rb_clear on random ranges');
SELECT is((SELECT count(*) FROM range_ex r JOIN t USING (id)
           WHERE r.len <= 70000 AND r.id % 2 = 0 AND rb_to_array(rb_flip(ra, r.s, r.e)) IS DISTINCT FROM
                 array(SELECT x FROM unnest(sa) x WHERE pg_temp.u(x) < r.cs)
                 || array(SELECT pg_temp.to_i(g) FROM (SELECT g FROM generate_series(r.cs, r.ce - 1) g
                                                       EXCEPT SELECT u FROM ea WHERE ea.id = r.id) f ORDER BY g)
                 || array(SELECT x FROM unnest(sa) x WHERE pg_temp.u(x) >= greatest(r.ce, r.cs))),
          0::bigint, 'rb_flip on random ranges');
SELECT is((SELECT count(*) FROM range_ex r JOIN t USING (id)
           WHERE rb_cardinality(rb_fill(ra, r.s, r.e)) <> cardinality(sa) + r.len - cardinality(r.e_range)
              OR rb_cardinality(rb_clear(ra, r.s, r.e)) <> cardinality(sa) - cardinality(r.e_range)
              OR rb_cardinality(rb_flip(ra, r.s, r.e)) <> cardinality(sa) + r.len - 2 * cardinality(r.e_range)),
          0::bigint, 'rb_fill / rb_clear / rb_flip cardinalities on every range, up to the whole 2^32 space');
SELECT is((SELECT count(*) FROM range_ex r JOIN t USING (id)
           WHERE r.len <= 70000
             AND NOT (pg_temp.valid(rb_fill(ra, r.s, r.e)) AND pg_temp.valid(rb_clear(ra, r.s, r.e))
                      AND pg_temp.valid(rb_flip(ra, r.s, r.e)) AND pg_temp.valid(rb_range(ra, r.s, r.e)))),
          0::bigint, 'results of rb_fill / rb_clear / rb_flip / rb_range are valid portable serializations');
SELECT is((SELECT count(*) FROM t
           WHERE id % 4 = 0
             AND (rb_cardinality(rb_fill(ra, 0, 4294967296)) <> 4294967296
                  OR rb_cardinality(rb_flip(ra, -10, 5000000000)) <> 4294967296 - cardinality(sa)
                  OR NOT rb_is_empty(rb_clear(ra, 0, 4294967296))
                  OR rb_range_cardinality(ra, -1, 1099511627776) <> cardinality(sa)
                  OR (id % 20 = 0 AND rb_to_array(rb_flip(rb_flip(ra, 0, 4294967296), 0, 4294967296)) IS DISTINCT FROM sa))),
          0::bigint, 'whole-space fill / flip / clear / range_cardinality');

-- rb_select --------------------------------------------------------------------

CREATE FUNCTION pg_temp.gen_selects(sa int[]) RETURNS TABLE(lim bigint, off bigint, rev boolean, s bigint, e bigint)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  base bigint;
  c float8;
BEGIN
  FOR k IN 1 .. 8 LOOP
    c := random();
    lim := CASE WHEN c < 0.1 THEN 0 WHEN c < 0.2 THEN 1 WHEN c < 0.5 THEN pg_temp.rnd(1, 30)
                WHEN c < 0.9 THEN pg_temp.rnd(1, 100000) ELSE -pg_temp.rnd(1, 5) END;
    c := random();
    off := CASE WHEN c < 0.3 THEN 0 WHEN c < 0.6 THEN pg_temp.rnd(0, 30)
                WHEN c < 0.9 THEN pg_temp.rnd(0, 60000) ELSE -pg_temp.rnd(1, 5) END;
    rev := random() < 0.5;
    base := CASE WHEN cardinality(sa) > 0
                 THEN pg_temp.u(sa[pg_temp.rnd(1, cardinality(sa))::int]) ELSE pg_temp.rnd_u() END;
    CASE k % 4
    WHEN 0 THEN s := 0; e := 4294967296;
    WHEN 1 THEN s := base - pg_temp.rnd(0, 1000); e := s + pg_temp.rnd(0, 100000);
    WHEN 2 THEN s := 2147483648 - pg_temp.rnd(0, 30000); e := 2147483648 + pg_temp.rnd(0, 30000);
    ELSE s := pg_temp.rnd(-1000, 4294967295); e := pg_temp.rnd(-1000, 4294967296 + 1000);
    END CASE;
    RETURN NEXT;
  END LOOP;
END $$;

CREATE TEMP TABLE sel AS
SELECT id, g.* FROM (SELECT * FROM t ORDER BY id) q, LATERAL pg_temp.gen_selects(q.sa) g;

-- pg_roaringbitmap's semantics: take the elements of [s, e) in unsigned order,
-- numbered from 0; forward keeps positions [off, off + lim); reverse (only
-- when total > off) keeps lim positions from greatest(0, total - off - lim).
CREATE TEMP TABLE sel_ex AS
SELECT q.*, array(
  SELECT pg_temp.to_i(u) FROM (
    SELECT u, row_number() OVER (ORDER BY u) - 1 AS pos, count(*) OVER () AS total
    FROM ea WHERE ea.id = q.id AND ea.u >= greatest(q.s, 0) AND ea.u < least(q.e, 4294967296)) w
  WHERE q.lim > 0 AND CASE WHEN NOT q.rev THEN pos >= q.off AND pos < q.off + q.lim
                           ELSE total > q.off AND pos >= greatest(0, total - q.off - q.lim)
                                AND pos < greatest(0, total - q.off - q.lim) + q.lim END
  ORDER BY u) AS expected
FROM sel q;

SELECT ok((SELECT count(*) FROM sel_ex WHERE cardinality(expected) > 0) > 300, 'rb_select cases mostly non-empty');
SELECT is((SELECT count(*) FROM sel_ex q JOIN t USING (id)
           WHERE rb_to_array(rb_select(ra, q.lim, q.off, q.rev, q.s, q.e)) IS DISTINCT FROM q.expected),
          0::bigint, 'rb_select with random limit / offset / reverse / range');
SELECT is((SELECT count(*) FROM sel_ex q JOIN t USING (id)
           WHERE q.s = 0 AND q.e = 4294967296
             AND (rb_to_array(rb_select(ra, q.lim, q.off, q.rev)) IS DISTINCT FROM q.expected
                  OR rb_to_array(rb_select(ra, bitset_limit => q.lim, bitset_offset => q.off, reverse => q.rev))
                     IS DISTINCT FROM q.expected
                  OR (NOT q.rev AND rb_to_array(rb_select(ra, q.lim, q.off)) IS DISTINCT FROM q.expected)
                  OR (NOT q.rev AND q.off = 0 AND rb_to_array(rb_select(ra, q.lim)) IS DISTINCT FROM q.expected))),
          0::bigint, 'rb_select defaults and named arguments');

-- shifts -----------------------------------------------------------------------

CREATE TEMP TABLE shifts AS
SELECT id, d FROM (
  SELECT id, unnest(array[0::bigint, 1, -1, pg_temp.rnd(1, 100), -pg_temp.rnd(1, 100),
                          pg_temp.rnd(1, 4294967295), -pg_temp.rnd(1, 4294967295),
                          65536, 2147483648, -2147483648, 4294967295, -4294967295,
                          -pg_temp.u(sa[1]), 4294967295 - pg_temp.u(sa[cardinality(sa)])]) AS d
  FROM (SELECT * FROM t ORDER BY id) q) s
WHERE d IS NOT NULL;
-- shifting right by d = every element plus d, kept when in [0, 2^32)
CREATE TEMP TABLE shift_ex AS
SELECT h.id, h.d, array(SELECT pg_temp.to_i(u + h.d) FROM ea WHERE ea.id = h.id
                        AND u + h.d >= 0 AND u + h.d < 4294967296 ORDER BY u) AS e_right
FROM shifts h;

SELECT is((SELECT count(*) FROM shift_ex h JOIN t USING (id)
           WHERE rb_to_array(rb_shiftright(ra, h.d)) IS DISTINCT FROM h.e_right),
          0::bigint, 'rb_shiftright adds the distance, drops elements leaving [0, 2^32)');
SELECT is((SELECT count(*) FROM shift_ex h JOIN t USING (id)
           WHERE rb_to_array(rb_shiftleft(ra, -h.d)) IS DISTINCT FROM h.e_right),
          0::bigint, 'rb_shiftleft subtracts the distance, drops elements leaving [0, 2^32)');
SELECT is((SELECT count(*) FROM shift_ex h JOIN t USING (id)
           WHERE rb_to_array(ra >> h.d) IS DISTINCT FROM h.e_right
              OR rb_to_array(ra << -h.d) IS DISTINCT FROM h.e_right),
          0::bigint, 'operators >> and <<');
SELECT is((SELECT count(*) FROM t
           WHERE NOT rb_is_empty(rb_shiftright(ra, 4294967296)) OR NOT rb_is_empty(rb_shiftleft(ra, 4294967296))
              OR NOT rb_is_empty(rb_shiftright(ra, -9223372036854775807))
              OR NOT rb_is_empty(rb_shiftleft(ra, 9223372036854775807))), 0::bigint,
          'shifting by 2^32 or more empties the bitmap');

-- container edges: results whose containers end with exactly 4096 / 4097
-- elements (array <-> bitset), full containers, run containers with many runs.
-- e4097 = {0, 2, ..., 8192} is one bitset container of 4097 elements.
CREATE TEMP TABLE edge(name text, got roaringbitmap, expected int[]);
INSERT INTO edge
WITH c AS (
  SELECT array(SELECT g FROM generate_series(0, 8192, 2) g) AS e4097,
         array(SELECT g FROM generate_series(0, 8190, 2) g) AS e4096,
         array[0, 1] || array(SELECT 3 * g FROM generate_series(2, 2048) g) || array[65000, 65001] AS manyruns,
         array(SELECT g FROM generate_series(0, 65535) g) AS full0,
         array(SELECT g FROM generate_series(0, 4094, 2) g) AS evens2048,
         -- valid input: one run container of 2048 one-element runs {0, 2, ..., 4094}
         ('\x3b30000001' || '0000ff07' || '0008'
          || (SELECT string_agg(pg_temp.le16(g) || '0000', '' ORDER BY g) FROM generate_series(0, 4094, 2) g)
         )::roaringbitmap AS runs2048
)
SELECT * FROM (VALUES
  ('rb_clear 4097 -> 4096',  (SELECT rb_clear(rb_build(e4097), 10, 11) FROM c),
                             (SELECT array_remove(e4097, 10) FROM c)),
  ('rb_clear 4097 -> 4095',  (SELECT rb_clear(rb_build(e4097), 10, 13) FROM c),
                             (SELECT array_remove(array_remove(e4097, 10), 12) FROM c)),
  ('rb_range keeps 4096 of 4097', (SELECT rb_range(rb_build(e4097), 0, 8191) FROM c),
                             (SELECT e4096 FROM c)),
  ('rb_range keeps 4096 of 4097 from the top', (SELECT rb_range(rb_build(e4097), 1, 8193) FROM c),
                             (SELECT e4097[2:] FROM c)),
  ('rb_select 4096 of 4097', (SELECT rb_select(rb_build(e4097), 4096) FROM c),
                             (SELECT e4096 FROM c)),
  ('rb_select 4096 of 4097 reverse', (SELECT rb_select(rb_build(e4097), 4096, 0, true) FROM c),
                             (SELECT e4097[2:] FROM c)),
  ('rb_select offset 1 of 4097', (SELECT rb_select(rb_build(e4097), 5000, 1) FROM c),
                             (SELECT e4097[2:] FROM c)),
  ('rb_remove 4097 -> 4096', (SELECT rb_remove(rb_build(e4097), 10) FROM c),
                             (SELECT array_remove(e4097, 10) FROM c)),
  ('rb_andnot 4097 -> 4096', (SELECT rb_andnot(rb_build(e4097), '{10}') FROM c),
                             (SELECT array_remove(e4097, 10) FROM c)),
  ('rb_xor 4097 -> 4096',    (SELECT rb_xor(rb_build(e4097), '{10}') FROM c),
                             (SELECT array_remove(e4097, 10) FROM c)),
  ('rb_and 4097 -> 4096',    (SELECT rb_and(rb_build(e4097), rb_build(e4096)) FROM c),
                             (SELECT e4096 FROM c)),
  ('rb_flip 4097 -> 4096',   (SELECT rb_flip(rb_build(e4097), 10, 11) FROM c),
                             (SELECT array_remove(e4097, 10) FROM c)),
  ('rb_shiftleft drops one of 4097', (SELECT rb_shiftleft(rb_build(e4097), 1) FROM c),
                             (SELECT array(SELECT x - 1 FROM unnest(e4097[2:]) x) FROM c)),
  ('rb_add 4096 -> 4097',    (SELECT rb_add(rb_build(e4096), 8192) FROM c),
                             (SELECT e4097 FROM c)),
  ('rb_or 4096 -> 4097',     (SELECT rb_or(rb_build(e4096), '{8192}') FROM c),
                             (SELECT e4097 FROM c)),
  ('rb_fill 4096 -> 4097',   (SELECT rb_fill(rb_build(e4096), 8192, 8193) FROM c),
                             (SELECT e4097 FROM c)),
  ('rb_fill 4095 + 2 -> 4097', (SELECT rb_fill(rb_build(e4096[2:]), 8191, 8193) FROM c),
                             (SELECT e4096[2:] || array[8191, 8192] FROM c)),
  ('rb_fill a whole container', (SELECT rb_fill(rb_build(e4097), 0, 65536) FROM c),
                             (SELECT full0 FROM c)),
  ('rb_clear one from a full container', (SELECT rb_clear(rb_fill('{}'::roaringbitmap, 0, 65536), 5, 6) FROM c),
                             (SELECT array_remove(full0, 5) FROM c)),
  ('rb_flip of a whole container', (SELECT rb_flip(rb_build(e4097), 0, 65536) FROM c),
                             array(SELECT g FROM generate_series(0, 65535) g WHERE g % 2 = 1 OR g > 8192)),
  ('rb_shiftright of a run container with 2048 runs', (SELECT rb_shiftright(rb_build(manyruns), 1) FROM c),
                             (SELECT array(SELECT x + 1 FROM unnest(manyruns) x) FROM c)),
  ('rb_shiftright of a run container with 2048 runs, by 65536', (SELECT rb_shiftright(rb_build(manyruns), 65536) FROM c),
                             (SELECT array(SELECT x + 65536 FROM unnest(manyruns) x) FROM c)),
  ('rb_shiftleft splits a bitset container', (SELECT rb_shiftleft(rb_build(e4097), -61440) FROM c),
                             (SELECT array(SELECT x + 61440 FROM unnest(e4097) x) FROM c)),
  ('rb_runoptimize of a 4097-run', (SELECT rb_runoptimize(rb_build(array(SELECT g FROM generate_series(100, 4196) g))) FROM c),
                             array(SELECT g FROM generate_series(100, 4196) g)),
  ('rb_xor of two bitsets -> 2', (SELECT rb_xor(rb_build(e4097), rb_build(e4097[2:] || 1)) FROM c), '{0,1}'),
  ('rb_andnot of two bitsets -> 1', (SELECT rb_andnot(rb_build(e4097), rb_build(e4097[2:] || 1)) FROM c), '{0}'),
  ('input with 2048 runs reads back', (SELECT runs2048 FROM c), (SELECT evens2048 FROM c)),
  ('rb_fill on a run container with 2048 runs', (SELECT rb_fill(runs2048, 60000, 60002) FROM c),
                             (SELECT evens2048 || array[60000, 60001] FROM c)),
  ('rb_fill joining runs of a run container with 2048 runs', (SELECT rb_fill(runs2048, 1, 4) FROM c),
                             (SELECT array[0, 1, 2, 3, 4] || evens2048[4:] FROM c)),
  ('rb_add to a run container with 2048 runs', (SELECT rb_add(runs2048, 60000) FROM c),
                             (SELECT evens2048 || 60000 FROM c)),
  ('rb_or with a run container with 2048 runs', (SELECT rb_or(runs2048, '{1,60000}') FROM c),
                             (SELECT array[0, 1] || evens2048[2:] || 60000 FROM c)),
  ('rb_xor with a run container with 2048 runs', (SELECT rb_xor(runs2048, '{0,1}') FROM c),
                             (SELECT array[1] || evens2048[2:] FROM c)),
  ('rb_clear in a run container with 2048 runs', (SELECT rb_clear(runs2048, 0, 3) FROM c),
                             (SELECT evens2048[3:] FROM c)),
  ('rb_flip in a run container with 2048 runs', (SELECT rb_flip(runs2048, 0, 3) FROM c),
                             (SELECT array[1] || evens2048[3:] FROM c)),
  ('rb_shiftright of a run container with 2048 runs (input)', (SELECT rb_shiftright(runs2048, 3) FROM c),
                             (SELECT array(SELECT x + 3 FROM unnest(evens2048) x) FROM c)),
  ('rb_or of two arrays -> bitset', (SELECT rb_or(rb_build(e4096), rb_build(array(SELECT g FROM generate_series(1, 8191, 2) g))) FROM c),
                             array(SELECT g FROM generate_series(0, 8191) g))
) v(name, got, expected);

SELECT is((SELECT string_agg(name, ', ') FROM edge WHERE rb_to_array(got) IS DISTINCT FROM expected), NULL,
          'container edge cases give the right sets');
SELECT is((SELECT string_agg(name, ', ') FROM edge WHERE rb_cardinality(got) <> cardinality(expected)), NULL,
          'container edge cases give the right cardinalities');
SELECT is((SELECT string_agg(name, ', ') FROM edge WHERE NOT pg_temp.valid(got)), NULL,
          'container edge cases give valid portable serializations');

-- btree order: lexicographic on the unsigned element lists --------------------

CREATE TEMP TABLE sets AS
SELECT row_number() OVER (ORDER BY ord) AS sid, arr, bm,
       array(SELECT pg_temp.u(x) FROM unnest(arr) WITH ORDINALITY o(x, n) ORDER BY n) AS ua
FROM (SELECT id * 10 AS ord, sa AS arr, ra AS bm FROM t
      UNION ALL SELECT id * 10 + 1, sb, rb FROM t
      UNION ALL SELECT 5000 + n, pg_temp.usort(x), rb_build(x)
      FROM (VALUES (1, '{}'::int[]), (2, '{0}'), (3, '{0,1}'), (4, '{1}'), (5, '{-1}'),
                   (6, '{2147483647}'), (7, '{-2147483648}'), (8, '{0,-1}'), (9, '{0,2147483647}'),
                   (10, '{0,-2147483648}'), (11, '{1,2}'), (12, '{1,2,3}'), (13, '{65536}'),
                   (14, '{65535,65536}'), (15, '{0,1,2,3,4,5}'), (16, '{-2,-1}'), (17, '{-1,-2}')) v(n, x)) q;
ANALYZE sets;

SELECT is(array(SELECT sid FROM sets ORDER BY bm, sid),
          array(SELECT sid FROM sets ORDER BY ua, sid),
          'ORDER BY bitmap = lexicographic order of the unsigned element lists');
SELECT is(array(SELECT sid FROM sets ORDER BY bm DESC, sid),
          array(SELECT sid FROM sets ORDER BY ua DESC, sid),
          'ORDER BY bitmap DESC');
SELECT is((SELECT count(*) FROM sets x, sets y
           WHERE (x.sid % 5 = 0 OR x.sid > 320) AND (y.sid % 4 = 0 OR y.sid > 320)
             AND ((x.bm < y.bm) <> (x.ua < y.ua) OR (x.bm <= y.bm) <> (x.ua <= y.ua)
              OR (x.bm > y.bm) <> (x.ua > y.ua) OR (x.bm >= y.bm) <> (x.ua >= y.ua)
              OR (x.bm = y.bm) <> (x.ua = y.ua) OR (x.bm <> y.bm) <> (x.ua <> y.ua)
              OR sign(rb_cmp(x.bm, y.bm)) <> CASE WHEN x.ua < y.ua THEN -1 WHEN x.ua > y.ua THEN 1 ELSE 0 END)),
          0::bigint, '< <= > >= = <> and rb_cmp on pairs of sets');

-- btree index (on the bitmaps small enough for an index tuple)
CREATE TEMP TABLE small_sets AS SELECT * FROM sets WHERE length(bm::bytea) < 2000;
CREATE INDEX small_sets_bm ON small_sets (bm);
ANALYZE small_sets;
SET LOCAL enable_seqscan = off;
SET LOCAL enable_bitmapscan = off;
SELECT matches(pg_temp.plan_of('SELECT * FROM small_sets WHERE bm < ''{5}''::roaringbitmap'), 'Index',
               'comparisons can use the btree index');
SELECT is((SELECT count(*) FROM small_sets x
           WHERE (SELECT count(*) FROM small_sets y WHERE y.bm = x.bm) <> (SELECT count(*) FROM small_sets y WHERE y.ua = x.ua)
              OR (SELECT count(*) FROM small_sets y WHERE y.bm < x.bm) <> (SELECT count(*) FROM small_sets y WHERE y.ua < x.ua)
              OR (SELECT count(*) FROM small_sets y WHERE y.bm >= x.bm) <> (SELECT count(*) FROM small_sets y WHERE y.ua >= x.ua)),
          0::bigint, 'btree index scans (=, <, >=) find the right rows');
RESET enable_seqscan;
RESET enable_bitmapscan;

-- hash: equal sets with different container layouts hash alike ----------------

CREATE TEMP TABLE variants AS
SELECT sid, ua, v FROM sets, LATERAL (VALUES (bm), (rb_runoptimize(bm)), (rb_build(arr)),
                                              (rb_build(array(SELECT x FROM unnest(arr) x ORDER BY x DESC)))) l(v);
ANALYZE variants;

SELECT ok((SELECT count(*) FROM (SELECT sid FROM variants GROUP BY sid
                                  HAVING count(DISTINCT v::bytea) > 1) d) >= 20,
          'test data has equal sets with different byte layouts (run vs array/bitset containers)');
SELECT is((SELECT count(*) FROM (SELECT sid, count(DISTINCT rb_hash(v)) AS h1,
                                         count(DISTINCT rb_hash_extended(v, 42)) AS h2
                                  FROM variants GROUP BY sid) d WHERE h1 <> 1 OR h2 <> 1),
          0::bigint, 'rb_hash and rb_hash_extended do not depend on the container layout');

SET LOCAL enable_sort = off;
SELECT matches(pg_temp.plan_of('SELECT DISTINCT v FROM variants'), 'HashAggregate',
               'DISTINCT on bitmaps can use a hash aggregate');
SELECT is((SELECT count(*) FROM (SELECT DISTINCT v FROM variants) d),
          (SELECT count(DISTINCT ua) FROM sets), 'hashed DISTINCT puts equal sets with different layouts together');
SELECT is((SELECT count(*) FROM (SELECT v, count(DISTINCT ua) AS c FROM variants GROUP BY v) g WHERE c <> 1),
          0::bigint, 'hashed GROUP BY: each group holds one set');
SELECT is((SELECT count(*) FROM (SELECT v FROM variants UNION SELECT v FROM variants) u),
          (SELECT count(DISTINCT ua) FROM sets), 'hashed UNION');
SET LOCAL enable_mergejoin = off;
SET LOCAL enable_nestloop = off;
SELECT matches(pg_temp.plan_of('SELECT 1 FROM variants x JOIN variants y ON x.v = y.v'), 'Hash Join',
               'joins on bitmaps can be hash joins');
SELECT is((SELECT count(*) FROM variants x JOIN variants y ON x.v = y.v),
          (SELECT count(*) FROM variants x JOIN variants y ON x.ua = y.ua), 'hash join on bitmaps');
RESET enable_mergejoin;
RESET enable_nestloop;
RESET enable_sort;
SET LOCAL enable_hashagg = off;
SELECT is((SELECT count(*) FROM (SELECT DISTINCT v FROM variants) d),
          (SELECT count(DISTINCT ua) FROM sets), 'sorted DISTINCT');
RESET enable_hashagg;

-- binary and text round trips --------------------------------------------------

SELECT is((SELECT count(*) FROM variants JOIN sets USING (sid)
           WHERE NOT (v::bytea::roaringbitmap = v AND roaringbitmap(v::bytea) = v)
              OR rb_to_array(v::bytea::roaringbitmap) IS DISTINCT FROM arr),
          0::bigint, 'bytea round trip');
SELECT is((SELECT count(*) FROM variants
           WHERE (get_byte(v::bytea, 0) + 256 * get_byte(v::bytea, 1)) NOT IN (12346, 12347)),
          0::bigint, 'binary form starts with a portable-format cookie');
SELECT is(current_setting('persona.output_format'), 'bytea', 'output format is bytea');
SELECT is((SELECT count(*) FROM variants JOIN sets USING (sid)
           WHERE v::text !~ '^\\x[0-9a-f]+$' OR v::text::roaringbitmap <> v
              OR v::text <> '\x' || encode(v::bytea, 'hex')
              OR rb_to_array(v::text::roaringbitmap) IS DISTINCT FROM arr),
          0::bigint, 'text round trip with persona.output_format = bytea');
SET LOCAL persona.output_format = 'array';
SELECT is((SELECT count(*) FROM variants JOIN sets USING (sid)
           WHERE v::text <> arr::text OR v::text::roaringbitmap <> v),
          0::bigint, 'text round trip with persona.output_format = array (same text as int4[])');
SELECT is(rb_build('{5,-1,0,2147483647,-2147483648,5}')::text, '{0,5,2147483647,-2147483648,-1}',
          'array output format spells elements in unsigned order');
SET LOCAL persona.output_format = 'bytea';
SELECT is(rb_build('{1}')::text, '\x3a3000000100000000000000100000000100', 'bytea output format of {1}');

SELECT * FROM finish();
ROLLBACK;
