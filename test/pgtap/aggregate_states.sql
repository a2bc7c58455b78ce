-- Every aggregate of persona, checked from the catalog: parallel safe with a
-- combine function, serial/deserial functions for internal states, and the
-- aggregates the spec names (bitmaps, cardinalities, Markov, Shapley, funnel
-- counts, points) with a concrete state type.  Then, for every aggregate with a
-- concrete state, what Citus does with it: partial states per shard, shipped
-- as text and as binary COPY, combined and finalized on the coordinator, must
-- give the answer of one aggregate over all rows; an empty state round-trips.
BEGIN;
SELECT plan(7);
SET LOCAL client_min_messages = warning;

CREATE TEMP VIEW persona_aggs AS
SELECT a.*, p.proname, p.proparallel, p.oid AS fn
FROM pg_aggregate a
JOIN pg_proc p ON p.oid = a.aggfnoid
JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'persona';

SELECT ok((SELECT count(*) FROM persona_aggs) >= 9, 'persona has aggregates to check');
SELECT is((SELECT string_agg(fn::regprocedure::text, ', ') FROM persona_aggs WHERE proparallel <> 's'), NULL,
          'every aggregate is PARALLEL SAFE');
SELECT is((SELECT string_agg(fn::regprocedure::text, ', ') FROM persona_aggs WHERE aggcombinefn = 0), NULL,
          'every aggregate has a combine function');
SELECT is((SELECT string_agg(fn::regprocedure::text, ', ') FROM persona_aggs
           WHERE aggtranstype = 'internal'::regtype AND (aggserialfn = 0 OR aggdeserialfn = 0)), NULL,
          'every internal-state aggregate has serial and deserial functions');
-- SPEC: concrete states for what is combined across shards
SELECT is((SELECT string_agg(fn::regprocedure::text, ', ') FROM persona_aggs
           WHERE aggtranstype = 'internal'::regtype
             AND proname ~ '^(rb_|rb64_|markov_agg$|shapley_agg$|funnel_counts_agg$|points_agg$)'), NULL,
          'bitmap, cardinality, Markov, Shapley, funnel-count and points aggregates have concrete state types');

-- Sample rows: a group, a shard (part), and one column per argument kind.
CREATE TABLE st_rows AS
SELECT g % 4 AS grp, g % 3 AS part,
       (hashint4(g) & 1048575) AS x,
       rb_build(ARRAY[g, g * 7 % 100003, (g * 65537) % 2000000]) AS bm,
       'tag_' || (g % 5) AS tag,
       rb64_build(ARRAY[g::bigint, (g::bigint << 33) + 5, -g::bigint]) AS b64,
       g % 6 AS lvl,
       ARRAY['ch' || (g % 3), 'ch' || (g % 5)] AS path,
       g % 4 = 0 AS conv,
       (g % 7)::float8 AS val,
       timestamptz '2026-01-01 00:00+00' + g * interval '1 hour' AS ts,
       CASE WHEN g % 5 = 0 THEN -(g % 50) ELSE g % 100 END::numeric AS delta
FROM generate_series(1, 3000) g;
-- stored states, for the aggregates that roll states up
ALTER TABLE st_rows ADD COLUMN mc markov_chain, ADD COLUMN cs channel_sets, ADD COLUMN pl points_ledger;
UPDATE st_rows SET
  mc = (SELECT markov_agg(p, c, v) FROM (VALUES (path, conv, val)) r(p, c, v)),
  cs = (SELECT shapley_agg(p, c, v) FROM (VALUES (path, conv, val)) r(p, c, v)),
  pl = (SELECT points_agg(t, d, interval '90 days') FROM (VALUES (ts, delta)) r(t, d));

-- aggregate -> its arguments over st_rows
CREATE TEMP TABLE st_cases (agg regprocedure, args text);
INSERT INTO st_cases VALUES
  ('rb_build_agg(integer)', 'x'),
  ('rb_or_agg(roaringbitmap)', 'bm'),
  ('rb_and_agg(roaringbitmap)', 'rb_or(bm, rb_build(ARRAY[5, 6]))'),
  ('rb_xor_agg(roaringbitmap)', 'bm'),
  ('rb_or_cardinality_agg(roaringbitmap)', 'bm'),
  ('rb_and_cardinality_agg(roaringbitmap)', 'rb_or(bm, rb_build(ARRAY[5, 6]))'),
  ('rb_xor_cardinality_agg(roaringbitmap)', 'bm'),
  ('rb_tag_expr_agg(roaringbitmap,text,text)', $$bm, tag, 'tag_1 | tag_2 - tag_3'$$),
  ('rb_tag_expr_count_agg(roaringbitmap,text,text)', $$bm, tag, '(tag_0 ^ tag_4) | tag_2'$$),
  ('rb64_build_agg(bigint)', '(x::bigint << 31) * (x % 3 - 1)'),
  ('rb64_or_agg(roaringbitmap64)', 'b64'),
  ('rb64_and_agg(roaringbitmap64)', 'rb64_or(b64, rb64_build(ARRAY[5, 6, -7]::bigint[]))'),
  ('rb64_xor_agg(roaringbitmap64)', 'b64'),
  ('rb64_or_cardinality_agg(roaringbitmap64)', 'b64'),
  ('rb64_and_cardinality_agg(roaringbitmap64)', 'rb64_or(b64, rb64_build(ARRAY[5, 6, -7]::bigint[]))'),
  ('rb64_xor_cardinality_agg(roaringbitmap64)', 'b64'),
  ('funnel_counts_agg(integer,integer)', 'lvl, 5'),
  ('retention(boolean[])', 'VARIADIC ARRAY[x % 2 = 0, x % 3 = 0, x % 5 = 0]'),
  ('retention(timestamp with time zone,timestamp with time zone,interval,integer)', $$ts, timestamptz '2026-01-01 00:00+00', interval '7 hours', 6$$),
  ('markov_agg(text[],boolean,double precision,integer)', 'path, conv, val, 2'),
  ('markov_agg(text[],boolean,double precision)', 'path, conv, val'),
  ('markov_agg(markov_chain)', 'mc'),
  ('shapley_agg(text[],boolean,double precision)', 'path, conv, val'),
  ('shapley_agg(channel_sets)', 'cs'),
  ('points_agg(timestamp with time zone,numeric,interval)', $$ts, delta, interval '90 days'$$),
  ('points_agg(points_ledger)', 'pl');
-- retention's overloads with 1 to 8 separate conditions
INSERT INTO st_cases
SELECT format('retention(%s)', string_agg('boolean', ','))::regprocedure, string_agg(format('x %% %s = 0', k + 1), ', ' ORDER BY k)
FROM generate_series(1, 8) n, generate_series(1, n) k GROUP BY n;

-- NULL when the two-level (Citus) evaluation equals the direct one, else what differs.
CREATE FUNCTION pg_temp.two_level(agg regprocedure, args text) RETURNS text LANGUAGE plpgsql AS $fn$
DECLARE
  a record;
  argtypes text;
  direct text;
  via_text text;
  via_binary text;
  empty_state text;
  empty_back text;
  f text := '/tmp/persona_states_' || pg_backend_pid() || '.bin';
BEGIN
  SELECT pa.*, format_type(aggtranstype, NULL) AS stype INTO a FROM persona_aggs pa WHERE fn = agg;
  SELECT string_agg(CASE WHEN i = pronargs AND provariadic <> 0 THEN 'VARIADIC ' ELSE '' END
                    || format_type(t, NULL), ', ' ORDER BY i) INTO argtypes
  FROM pg_proc, unnest(proargtypes::oid[]) WITH ORDINALITY u(t, i) WHERE pg_proc.oid = agg;
  EXECUTE format('DROP AGGREGATE IF EXISTS pg_temp.st_partial(%s)', argtypes);
  EXECUTE format('DROP AGGREGATE IF EXISTS pg_temp.st_final(%s)', a.stype);
  -- the worker side: the transition function alone, the state is the result
  EXECUTE format('CREATE AGGREGATE pg_temp.st_partial(%s) (SFUNC = %s, STYPE = %s%s)',
                 argtypes, a.aggtransfn::regproc, a.stype,
                 CASE WHEN a.agginitval IS NOT NULL THEN format(', INITCOND = %L', a.agginitval) ELSE '' END);
  -- the coordinator side: the combine function folds states, then the final function
  EXECUTE format('CREATE AGGREGATE pg_temp.st_final(%s) (SFUNC = %s, STYPE = %s%s)',
                 a.stype, a.aggcombinefn::regproc, a.stype,
                 CASE WHEN a.aggfinalfn <> 0 THEN format(', FINALFUNC = %s', a.aggfinalfn::regproc) ELSE '' END);
  EXECUTE format('SELECT string_agg(r::text, %L ORDER BY grp) FROM (SELECT grp, %s(%s) AS r FROM st_rows GROUP BY grp) s',
                 ' | ', a.aggfnoid::regproc, args) INTO direct;
  EXECUTE format('SELECT string_agg(r::text, %L ORDER BY grp) FROM (
                    SELECT grp, pg_temp.st_final(s::text::%s) AS r FROM (
                      SELECT grp, part, pg_temp.st_partial(%s) AS s FROM st_rows GROUP BY grp, part) p
                    GROUP BY grp) q', ' | ', a.stype, args) INTO via_text;
  EXECUTE format('CREATE TEMP TABLE st_states (grp int, part int, s %s) ON COMMIT DROP', a.stype);
  EXECUTE format('COPY (SELECT grp, part, pg_temp.st_partial(%s) FROM st_rows GROUP BY grp, part) TO %L WITH (FORMAT binary)', args, f);
  EXECUTE format('COPY st_states FROM %L WITH (FORMAT binary)', f);
  EXECUTE format('SELECT string_agg(r::text, %L ORDER BY grp) FROM (SELECT grp, pg_temp.st_final(s) AS r FROM st_states GROUP BY grp) q', ' | ')
    INTO via_binary;
  DROP TABLE st_states;
  -- the state of a shard without rows
  EXECUTE format('SELECT pg_temp.st_partial(%s)::text FROM st_rows WHERE false', args) INTO empty_state;
  IF empty_state IS NOT NULL THEN
    EXECUTE format('SELECT %L::%s::text', empty_state, a.stype) INTO empty_back;
  END IF;
  IF direct IS DISTINCT FROM via_text THEN
    RETURN agg || ': states through text give ' || left(via_text, 80) || ' instead of ' || left(direct, 80);
  ELSIF direct IS DISTINCT FROM via_binary THEN
    RETURN agg || ': states through binary COPY give ' || left(via_binary, 80) || ' instead of ' || left(direct, 80);
  ELSIF empty_state IS DISTINCT FROM empty_back THEN
    RETURN agg || ': the empty state does not round-trip through text';
  ELSIF direct IS NULL THEN
    RETURN agg || ': the sample produced no answer';
  END IF;
  RETURN NULL;
END $fn$;

SELECT is((SELECT string_agg(fn::regprocedure::text, ', ') FROM persona_aggs
           WHERE aggtranstype <> 'internal'::regtype AND fn NOT IN (SELECT agg FROM st_cases)), NULL,
          'every concrete-state aggregate has a two-level case below');
SELECT is((SELECT string_agg(pg_temp.two_level(agg, args), E'\n') FROM st_cases), NULL,
          'partial states through text and binary COPY, combined, equal one aggregate over all rows; empty states round-trip');

SELECT * FROM finish();
ROLLBACK;
