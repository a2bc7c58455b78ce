-- Identity properties on deterministic random data, each against an
-- independent computation written here:
--   connected_components  vs  label propagation in SQL until no label changes;
--   identity_resolve      vs  a plpgsql transcription of SPEC §2 (one join at a
--                             time, limits counted with SQL over the person's rows);
--   previous_sql          vs  the spec's id-stability rules written in SQL;
-- plus the stability stories (rerun, merge, split, new persons) and order
-- independence.
BEGIN;
SELECT plan(63);

SET LOCAL client_min_messages = warning;
SELECT setseed(0.4242);

CREATE FUNCTION pg_temp.rnd(lo int, hi int) RETURNS int LANGUAGE sql VOLATILE AS
$$ SELECT lo + floor(random() * (hi - lo + 1))::int $$;

-- ---------------------------------------------------------------------------
-- connected components
CREATE TEMP TABLE edges (a bigint, b bigint);

CREATE FUNCTION pg_temp.gen_graph(nodes int, nedges int) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE edges;
  INSERT INTO edges
  SELECT CASE WHEN random() < 0.03 THEN NULL ELSE (pg_temp.rnd(1, nodes) - nodes / 2) * 1000003::bigint END,
         CASE WHEN random() < 0.03 THEN NULL ELSE (pg_temp.rnd(1, nodes) - nodes / 2) * 1000003::bigint END
  FROM generate_series(1, nedges);
END $$;

-- label propagation: every node starts with its own label and takes the
-- smallest label among its neighbours until nothing changes
CREATE FUNCTION pg_temp.cc_reference() RETURNS TABLE(node bigint, component bigint) LANGUAGE plpgsql AS $$
#variable_conflict use_column
BEGIN
  DROP TABLE IF EXISTS lbl;
  CREATE TEMP TABLE lbl AS
    SELECT DISTINCT n AS node, n AS label FROM (SELECT a FROM edges UNION ALL SELECT b FROM edges) s(n) WHERE n IS NOT NULL;
  LOOP
    UPDATE lbl SET label = m.ml
    FROM (SELECT e.x AS node, min(l.label) AS ml
          FROM (SELECT a, b FROM edges UNION ALL SELECT b, a FROM edges) e(x, y)
          JOIN lbl l ON l.node = e.y GROUP BY e.x) m
    WHERE m.node = lbl.node AND m.ml < lbl.label;
    EXIT WHEN NOT FOUND;
  END LOOP;
  RETURN QUERY SELECT l.node, l.label FROM lbl l ORDER BY l.label, l.node;
END $$;

CREATE FUNCTION pg_temp.cc_case(nodes int, nedges int) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  got text;
  want text;
BEGIN
  PERFORM pg_temp.gen_graph(nodes, nedges);
  -- the function's own row order must already be (component, node)
  SELECT string_agg(node || ':' || component, ',' ORDER BY o) INTO got
  FROM connected_components('SELECT a, b FROM edges') WITH ORDINALITY c(node, component, o);
  SELECT string_agg(node || ':' || component, ',') INTO want FROM pg_temp.cc_reference();
  RETURN CASE WHEN got IS NOT DISTINCT FROM want THEN 'same' ELSE 'got ' || got || ' want ' || want END;
END $$;

SELECT is(pg_temp.cc_case(n, e), 'same', format('connected_components = label propagation (%s nodes, %s edges)', n, e))
FROM (VALUES (1, 1), (5, 3), (20, 10), (20, 30), (60, 40), (60, 80), (100, 60), (100, 200),
             (200, 150), (300, 290), (40, 400), (500, 300)) v(n, e);

SELECT is((SELECT count(*) FROM connected_components('SELECT a::int, b::smallint FROM (VALUES (1, 2), (3, 4)) v(a, b)'))::int, 4,
          'any integer column types');
SELECT is((SELECT string_agg(node || ':' || component, ',') FROM connected_components(
             'SELECT * FROM (VALUES (5, NULL), (NULL, 7), (NULL::int, NULL::int)) v(a, b)')),
          '5:5,7:7', 'a row with one NULL end makes the other node appear alone');
SELECT is((SELECT count(*) FROM connected_components('SELECT 1, 2 WHERE false'))::int, 0, 'no edges, no rows');

-- ---------------------------------------------------------------------------
-- identity_resolve against the reference
CREATE TEMP TABLE ids (record_id text, id_type text, id_value text);

-- SPEC §2 step by step.  Values that link nothing (NULL, blank, blocked, over
-- max_records) count toward no limit, as in persona.
CREATE FUNCTION pg_temp.ref_resolve(rules jsonb) RETURNS TABLE(record_id text, person_id bigint) LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  t record;
  v record;
  r record;
  first_rec text;
  pa text;
  pb text;
  ok boolean;
  lt record;
BEGIN
  DROP TABLE IF EXISTS ref_person, ref_link, ref_types;
  CREATE TEMP TABLE ref_person AS SELECT DISTINCT i.record_id, i.record_id AS person FROM ids i;
  -- priority and per-type settings
  CREATE TEMP TABLE ref_types AS
    WITH listed AS (
      SELECT e->>'name' AS name, o AS prio, (e->>'limit')::bigint AS lim,
             coalesce((e->>'max_records')::bigint, (rules->>'max_records')::bigint) AS maxr
      FROM jsonb_array_elements(coalesce(rules->'types', '[]')) WITH ORDINALITY x(e, o)),
    others AS (
      SELECT DISTINCT i.id_type AS name FROM ids i WHERE i.id_type IS NOT NULL
      AND i.id_type NOT IN (SELECT name FROM listed))
    SELECT name, prio, lim, maxr FROM listed
    UNION ALL
    SELECT name, 1000000 + row_number() OVER (ORDER BY name COLLATE "C"), NULL, (rules->>'max_records')::bigint FROM others;
  -- (type, value, record) rows that link
  CREATE TEMP TABLE ref_link AS
    SELECT DISTINCT i.id_type, i.id_value, i.record_id FROM ids i JOIN ref_types ty ON ty.name = i.id_type
    WHERE i.id_value IS NOT NULL
      AND btrim(i.id_value, E' \t\n\r\f\u000b\u3000') <> ''
      AND NOT (i.id_value = ANY (ARRAY(SELECT jsonb_array_elements_text(coalesce(rules->'blocked_values', '[]')))))
      AND (ty.maxr IS NULL OR (SELECT count(DISTINCT j.record_id) FROM ids j
                               WHERE j.id_type = i.id_type AND j.id_value = i.id_value) <= ty.maxr);
  FOR t IN SELECT * FROM ref_types ORDER BY prio LOOP
    FOR v IN SELECT d.id_value FROM (SELECT DISTINCT l.id_value FROM ref_link l WHERE l.id_type = t.name) d ORDER BY d.id_value COLLATE "C" LOOP
      first_rec := NULL;
      FOR r IN SELECT l.record_id FROM ref_link l WHERE l.id_type = t.name AND l.id_value = v.id_value
               ORDER BY l.record_id COLLATE "C" LOOP
        IF first_rec IS NULL THEN
          first_rec := r.record_id;
          CONTINUE;
        END IF;
        SELECT person INTO pa FROM ref_person WHERE ref_person.record_id = first_rec;
        SELECT person INTO pb FROM ref_person WHERE ref_person.record_id = r.record_id;
        CONTINUE WHEN pa = pb;
        ok := true;
        FOR lt IN SELECT * FROM ref_types WHERE lim IS NOT NULL LOOP
          IF (SELECT count(DISTINCT l.id_value) FROM ref_link l JOIN ref_person p ON p.record_id = l.record_id
              WHERE p.person IN (pa, pb) AND l.id_type = lt.name) > lt.lim THEN
            ok := false;
          END IF;
        END LOOP;
        IF ok THEN
          UPDATE ref_person SET person = pa WHERE person = pb;
        END IF;
      END LOOP;
    END LOOP;
  END LOOP;
  RETURN QUERY
    WITH firsts AS (SELECT p.person, min(p.record_id COLLATE "C") AS m FROM ref_person p GROUP BY p.person),
         num AS (SELECT f.person, row_number() OVER (ORDER BY f.m COLLATE "C") AS pid FROM firsts f)
    SELECT p.record_id, n.pid FROM ref_person p JOIN num n USING (person);
END $$;

-- random records from CRM, app and WeChat: few values, so records collide
CREATE FUNCTION pg_temp.gen_ids(nrec int, nrows int, nvals int) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE ids;
  INSERT INTO ids
  SELECT (ARRAY['crm:', 'app:', 'wx:', 'Crm:', 'crm:0'])[pg_temp.rnd(1, 5)] || pg_temp.rnd(1, nrec),
         CASE WHEN random() < 0.03 THEN NULL ELSE (ARRAY['crm_id', 'phone', 'email', 'device', 'unionid', 'Phone'])[pg_temp.rnd(1, 6)] END,
         CASE WHEN random() < 0.03 THEN NULL WHEN random() < 0.03 THEN ' ' WHEN random() < 0.02 THEN ''
              ELSE (ARRAY['v', 'V', 'v0', 'é', '张'])[pg_temp.rnd(1, 5)] || pg_temp.rnd(1, nvals) END
  FROM generate_series(1, nrows);
END $$;

CREATE FUNCTION pg_temp.resolve_case(nrec int, nrows int, nvals int, rules jsonb) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  got text;
  want text;
BEGIN
  PERFORM pg_temp.gen_ids(nrec, nrows, nvals);
  SELECT string_agg(record_id || '=' || person_id, ',' ORDER BY record_id COLLATE "C") INTO got
  FROM identity_resolve('SELECT record_id, id_type, id_value FROM ids ORDER BY random()', rules);
  SELECT string_agg(record_id || '=' || person_id, ',' ORDER BY record_id COLLATE "C") INTO want
  FROM pg_temp.ref_resolve(rules);
  RETURN CASE WHEN got IS NOT DISTINCT FROM want THEN 'same' ELSE 'got ' || got || E'\nwant ' || want END;
END $$;

SELECT is(pg_temp.resolve_case(nrec, nrows, nvals, rules::jsonb), 'same',
          format('identity_resolve = reference (%s records, %s rows, rules %s)', nrec, nrows, rules))
FROM (VALUES
  (10, 15, 5, '{}'),
  (30, 60, 10, '{}'),
  (30, 60, 10, '{"types": [{"name": "crm_id", "limit": 1}]}'),
  (30, 80, 8, '{"types": [{"name": "crm_id", "limit": 1}, {"name": "phone", "limit": 2}]}'),
  (40, 90, 6, '{"types": [{"name": "phone", "limit": 1}, {"name": "crm_id", "limit": 1}, {"name": "email", "limit": 2}]}'),
  (40, 90, 6, '{"types": [{"name": "device", "max_records": 2}, {"name": "crm_id", "limit": 1}]}'),
  (40, 90, 6, '{"max_records": 3, "types": [{"name": "email", "limit": 1, "max_records": 5}]}'),
  (40, 90, 6, '{"blocked_values": ["v1", "V2", "张3"], "types": [{"name": "unionid"}, {"name": "phone", "limit": 1}]}'),
  (40, 90, 6, '{"blocked_values": ["v2"], "max_records": 4, "types": [{"name": "crm_id", "limit": 0}]}'),
  (25, 100, 4, '{"types": [{"name": "email", "limit": 3}, {"name": "device", "limit": 1, "max_records": 6}]}'),
  (60, 120, 12, '{"types": [{"name": "crm_id", "limit": 1}, {"name": "phone", "limit": 2, "max_records": 4}], "blocked_values": ["v3"]}'),
  (60, 120, 12, '{"types": [{"name": "Phone", "limit": 1}, {"name": "phone", "limit": 1}], "max_records": 5}'),
  (80, 150, 20, '{"types": [{"name": "crm_id", "limit": 1}, {"name": "email", "limit": 1}, {"name": "phone", "limit": 1}]}'),
  (15, 80, 3, '{"types": [{"name": "unionid", "limit": 2}, {"name": "device", "limit": 2}]}'),
  (50, 100, 10, '{"types": [{"name": "nosuchtype", "limit": 1}, {"name": "crm_id", "limit": 1}]}'),
  (50, 100, 10, '{"max_records": 0}'),
  (100, 200, 30, '{"types": [{"name": "crm_id", "limit": 1}, {"name": "unionid", "limit": 1}], "max_records": 6, "blocked_values": ["v7", ""]}'),
  (100, 200, 30, '{}'),
  (120, 260, 25, '{"types": [{"name": "phone", "limit": 2}, {"name": "email", "limit": 2}, {"name": "crm_id", "limit": 1}], "max_records": 8}'),
  (120, 260, 25, '{"types": [{"name": "device", "limit": 1}], "blocked_values": ["v1", "v2", "v3"]}'),
  -- dense: many records per value, so limits and max_records bite often
  (20, 150, 3, '{"types": [{"name": "crm_id", "limit": 1}, {"name": "phone", "limit": 2, "max_records": 3}], "max_records": 2}'),
  (30, 200, 5, '{"types": [{"name": "email", "limit": 1}, {"name": "unionid", "limit": 2, "max_records": 9}], "max_records": 7}'),
  (30, 200, 5, '{"types": [{"name": "device", "limit": 3}, {"name": "phone", "limit": 1}], "blocked_values": ["V1"]}')
) c(nrec, nrows, nvals, rules);

-- ---------------------------------------------------------------------------
-- previous_sql: the stability rules against SQL
CREATE TEMP TABLE prev (record_id text, person_id bigint);

-- the spec's rules, as joins and windows (base = a fresh numbering)
CREATE FUNCTION pg_temp.ref_stable() RETURNS TABLE(record_id text, person_id bigint) LANGUAGE sql AS $$
  WITH base AS (SELECT * FROM identity_resolve('SELECT record_id, id_type, id_value FROM ids')),
  held AS (SELECT b.person_id AS person, p.person_id AS old, count(*) AS n
           FROM base b JOIN prev p ON p.record_id = b.record_id WHERE p.person_id IS NOT NULL GROUP BY 1, 2),
  proposal AS (SELECT DISTINCT ON (person) person, old, n FROM held ORDER BY person, n DESC, old),
  -- base person numbers are in ascending order of smallest record_id
  winner AS (SELECT DISTINCT ON (old) old, person FROM proposal ORDER BY old, n DESC, person),
  lost AS (SELECT DISTINCT b.person_id AS person FROM base b WHERE b.person_id NOT IN (SELECT person FROM winner)),
  fresh AS (SELECT person, coalesce((SELECT max(person_id) FROM prev), 0) + row_number() OVER (ORDER BY person) AS id FROM lost),
  final AS (SELECT person, old AS id FROM winner UNION ALL SELECT person, id FROM fresh)
  SELECT b.record_id, f.id FROM base b JOIN final f ON f.person = b.person_id
$$;

CREATE FUNCTION pg_temp.stable_case(nrec int, nrows int, nvals int, nprev int, maxold int) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  got text;
  want text;
BEGIN
  PERFORM pg_temp.gen_ids(nrec, nrows, nvals);
  TRUNCATE prev;
  -- earlier ids: some records known, some gone, some ids shared, duplicates allowed
  INSERT INTO prev
  SELECT CASE WHEN random() < 0.8 THEN (SELECT record_id FROM ids OFFSET pg_temp.rnd(0, nrows - 1) LIMIT 1)
              ELSE 'gone:' || g END,
         CASE WHEN random() < 0.05 THEN NULL ELSE pg_temp.rnd(1, maxold) END
  FROM generate_series(1, nprev) g;
  SELECT string_agg(record_id || '=' || person_id, ',' ORDER BY record_id COLLATE "C") INTO got
  FROM identity_resolve('SELECT record_id, id_type, id_value FROM ids', '{}', 'SELECT record_id, person_id FROM prev');
  SELECT string_agg(record_id || '=' || person_id, ',' ORDER BY record_id COLLATE "C") INTO want
  FROM pg_temp.ref_stable();
  RETURN CASE WHEN got IS NOT DISTINCT FROM want THEN 'same' ELSE 'got ' || got || E'\nwant ' || want END;
END $$;

SELECT is(pg_temp.stable_case(nrec, nrows, nvals, nprev, maxold), 'same',
          format('previous_sql = the spec''s rules (%s records, %s earlier rows, ids up to %s)', nrec, nprev, maxold))
FROM (VALUES (10, 20, 5, 5, 3), (30, 60, 10, 30, 10), (30, 60, 10, 60, 4), (50, 100, 15, 40, 100),
             (80, 150, 20, 120, 30), (80, 150, 40, 10, 1000), (100, 200, 30, 200, 50), (40, 60, 10, 0, 1)) v(nrec, nrows, nvals, nprev, maxold);

-- the stability stories on a fixed example
TRUNCATE ids;
INSERT INTO ids VALUES
  ('a1', 'phone', 'p1'), ('a2', 'phone', 'p1'), ('a3', 'phone', 'p1'),
  ('b1', 'phone', 'p2'), ('b2', 'phone', 'p2'),
  ('c1', 'email', 'e1');
CREATE TEMP TABLE run1 AS SELECT * FROM identity_resolve('SELECT * FROM ids');
SELECT is((SELECT string_agg(record_id || '=' || person_id, ',' ORDER BY record_id) FROM run1),
          'a1=1,a2=1,a3=1,b1=2,b2=2,c1=3', 'first run: persons numbered by smallest record_id');
SELECT is((SELECT count(*) FROM identity_resolve('SELECT * FROM ids', '{}', 'SELECT * FROM run1') n
           JOIN run1 o USING (record_id) WHERE n.person_id <> o.person_id)::int, 0,
          'a rerun with previous_sql keeps every id');
-- swap the ids of run1 so that numbering by record_id would differ
CREATE TEMP TABLE run1x AS SELECT record_id, 10 - person_id AS person_id FROM run1;
SELECT is((SELECT string_agg(record_id || '=' || person_id, ',' ORDER BY record_id)
           FROM identity_resolve('SELECT * FROM ids', '{}', 'SELECT * FROM run1x')),
          'a1=9,a2=9,a3=9,b1=8,b2=8,c1=7', 'earlier ids win over fresh numbering');
-- merge: a (3 records) and b (2 records) become one person, which keeps a's id
INSERT INTO ids VALUES ('b1', 'email', 'shared'), ('a3', 'email', 'shared');
SELECT is((SELECT string_agg(DISTINCT person_id::text, ',') FROM identity_resolve('SELECT * FROM ids', '{}', 'SELECT * FROM run1x')
           WHERE record_id IN ('a1', 'b1')), '9', 'a merge keeps the id held by most records');
SELECT ok((SELECT bool_and(person_id <> 8) FROM identity_resolve('SELECT * FROM ids', '{}', 'SELECT * FROM run1x')),
          'the merged-away id is not handed to anyone else');
-- split: a1, a2 keep p1; a3 now alone (the smaller part) gets a new id above the old max
DELETE FROM ids WHERE record_id = 'a3';
INSERT INTO ids VALUES ('a3', 'phone', 'p3');
DELETE FROM ids WHERE id_value = 'shared';
SELECT is((SELECT string_agg(record_id || '=' || person_id, ',' ORDER BY record_id)
           FROM identity_resolve('SELECT * FROM ids', '{}', 'SELECT * FROM run1x')),
          'a1=9,a2=9,a3=10,b1=8,b2=8,c1=7', 'a split gives the smaller part a new id, above the old max');
-- new persons: above the old max, in order of smallest record_id
INSERT INTO ids VALUES ('z9', 'phone', 'p9'), ('d0', 'phone', 'p8');
SELECT is((SELECT string_agg(record_id || '=' || person_id, ',' ORDER BY record_id)
           FROM identity_resolve('SELECT * FROM ids', '{}', 'SELECT * FROM run1x') WHERE person_id > 9),
          'a3=10,d0=11,z9=12', 'new persons get ids above the old max, by smallest record_id');
-- a tie between two persons for one earlier id: the person with the smaller smallest record_id wins
TRUNCATE ids;
INSERT INTO ids VALUES ('x1', 't', '1'), ('y1', 't', '2');
SELECT is((SELECT string_agg(record_id || '=' || person_id, ',' ORDER BY record_id)
           FROM identity_resolve('SELECT * FROM ids', '{}', $$VALUES ('x1', 5::bigint), ('y1', 5)$$)),
          'x1=5,y1=6', 'an id claimed equally by two persons goes to the smaller smallest record_id');
SELECT is((SELECT string_agg(record_id || '=' || person_id, ',' ORDER BY record_id)
           FROM identity_resolve('SELECT * FROM ids', '{}', $$VALUES ('x1', 5::bigint), ('y1', 5), ('y1', 5)$$)),
          'x1=6,y1=5', '... unless the other holds it more often');
SELECT is((SELECT string_agg(record_id || '=' || person_id, ',' ORDER BY record_id)
           FROM identity_resolve($$VALUES ('x1', 't', '1'), ('x2', 't', '1')$$, '{}', $$VALUES ('x1', 4::bigint), ('x2', 3)$$)),
          'x1=3,x2=3', 'a tie between earlier ids within a person: the smaller id');

-- order independence: the same rows in another order, the same answer
SELECT pg_temp.gen_ids(200, 500, 40);
SELECT is((SELECT string_agg(record_id || '=' || person_id, ',' ORDER BY record_id)
           FROM identity_resolve('SELECT * FROM ids ORDER BY id_value DESC, record_id', '{"types": [{"name": "phone", "limit": 1}], "max_records": 5}')),
          (SELECT string_agg(record_id || '=' || person_id, ',' ORDER BY record_id)
           FROM identity_resolve('SELECT * FROM ids ORDER BY random()', '{"types": [{"name": "phone", "limit": 1}], "max_records": 5}')),
          'the answer does not depend on row order');
SELECT is((SELECT count(DISTINCT record_id) FROM identity_resolve('SELECT * FROM ids'))::int,
          (SELECT count(DISTINCT record_id) FROM ids)::int, 'every record gets exactly one row');
SELECT is((SELECT count(*) FROM identity_resolve($$SELECT 'r1', NULL, NULL$$))::int, 1,
          'a record with only NULL identifiers is its own person');

-- without limits or max_records the joins run in arrival order (no value
-- sort); with a max_records nobody reaches, in the spec's order: same answer
SELECT is((SELECT string_agg(record_id || '=' || person_id, ',' ORDER BY record_id)
           FROM identity_resolve('SELECT * FROM ids ORDER BY random()')),
          (SELECT string_agg(record_id || '=' || person_id, ',' ORDER BY record_id)
           FROM identity_resolve('SELECT * FROM ids', '{"max_records": 1000000}')),
          'unordered joins (no rules) = ordered joins (a max_records nobody reaches)');

-- rows are read in batches of 10,000: 25,000 rows, records paired by value
SELECT is((SELECT count(DISTINCT person_id) FROM identity_resolve(
             $$SELECT 'r' || g, 't', 'v' || (g / 2) FROM generate_series(1, 25000) g$$))::int,
          (SELECT count(DISTINCT g / 2) FROM generate_series(1, 25000) g)::int,
          'across batches: 25,000 rows, persons = distinct values');

-- compressed and out-of-line (TOAST) values are read whole
CREATE TEMP TABLE toasted (record_id text, id_type text, id_value text);
INSERT INTO toasted
SELECT repeat('r', 5000) || g, 'long', (SELECT string_agg(md5(g::text || k::text), '') FROM generate_series(1, 100) k)
FROM generate_series(1, 3) g;
INSERT INTO toasted SELECT record_id || 'b', id_type, id_value FROM toasted;
SELECT is((SELECT string_agg(length(record_id) || ':' || person_id, ',' ORDER BY record_id)
           FROM identity_resolve('SELECT * FROM toasted')),
          (SELECT string_agg(length(record_id) || ':' || p, ',' ORDER BY record_id)
           FROM (SELECT record_id, dense_rank() OVER (ORDER BY first) AS p
                 FROM (SELECT record_id, min(record_id) OVER (PARTITION BY id_value) AS first FROM toasted) f) s),
          'compressed and out-of-line values: records and values compared whole');
SELECT is((SELECT count(*) FROM identity_resolve('SELECT * FROM toasted') r JOIN toasted t USING (record_id))::int, 6,
          'compressed and out-of-line record_ids come back byte for byte');

SELECT * FROM finish();
ROLLBACK;
