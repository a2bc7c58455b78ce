-- Declarations: points_lots and tier_timeline are RETURNS TABLE (SPEC §5);
-- SQL-language functions do not depend on the caller's search_path (an
-- operator created in a schema searched before pg_catalog is never called);
-- a bigint for a 32-bit bitmap function and seconds for window_funnel's window
-- fail with PostgreSQL's 42883 while every existing call resolves as before,
-- and the comments name what to write instead.
BEGIN;
SELECT plan(20);

-- RETURNS TABLE, not OUT parameters
SELECT is((SELECT proargmodes::text FROM pg_proc WHERE proname = 'points_lots'), '{i,i,t,t,t,t}',
  'points_lots is declared RETURNS TABLE');
SELECT is((SELECT pg_get_function_result(oid) FROM pg_proc WHERE proname = 'points_lots'),
  'TABLE(earned_at timestamp with time zone, expires_at timestamp with time zone, earned numeric, remaining numeric)',
  'points_lots returns TABLE(earned_at, expires_at, earned, remaining)');
SELECT is((SELECT proargmodes::text FROM pg_proc WHERE proname = 'tier_timeline'), '{i,i,i,t,t,t,t}',
  'tier_timeline is declared RETURNS TABLE');
SELECT is((SELECT pg_get_function_result(oid) FROM pg_proc WHERE proname = 'tier_timeline'),
  'TABLE(tier integer, tier_name text, valid_from timestamp with time zone, valid_to timestamp with time zone)',
  'tier_timeline returns TABLE(tier, tier_name, valid_from, valid_to)');

-- search_path: the extension's SQL-language functions are the ones checked below
SELECT is((SELECT array_agg(p.proname::text ORDER BY p.proname)
           FROM pg_depend d JOIN pg_proc p ON p.oid = d.objid JOIN pg_language l ON l.oid = p.prolang
           WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e' AND d.classid = 'pg_proc'::regclass
             AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'persona')
             AND l.lanname NOT IN ('c', 'internal')),
  ARRAY['lifecycle_stage'], 'lifecycle_stage is the only function not written in C');

-- operators for lifecycle_stage's argument types, in a schema searched first
CREATE SCHEMA persona_evil;
CREATE FUNCTION persona_evil.ge(timestamptz, timestamptz) RETURNS boolean LANGUAGE plpgsql AS
$$ BEGIN RAISE EXCEPTION 'persona_evil.>= called'; END $$;
CREATE FUNCTION persona_evil.minus(timestamptz, interval) RETURNS timestamptz LANGUAGE plpgsql AS
$$ BEGIN RAISE EXCEPTION 'persona_evil.- called'; END $$;
CREATE OPERATOR persona_evil.>= (LEFTARG = timestamptz, RIGHTARG = timestamptz, FUNCTION = persona_evil.ge);
CREATE OPERATOR persona_evil.- (LEFTARG = timestamptz, RIGHTARG = interval, FUNCTION = persona_evil.minus);
CREATE TEMP TABLE stages (first_ts timestamptz, last_ts timestamptz, want text);
INSERT INTO stages VALUES ('2026-03-01', '2026-03-09', 'new'), ('2025-01-01', '2026-03-01', 'active'),
  ('2025-01-01', '2026-01-20', 'dormant'), ('2025-01-01', '2025-06-01', 'churned');

-- (pg_catalog is searched first unless it is listed)
SET LOCAL search_path = persona_evil, pg_catalog, public;
SELECT throws_ok($$SELECT timestamptz '2026-03-10' >= timestamptz '2026-03-10'$$, 'P0001', 'persona_evil.>= called',
  'the planted >= is found before pg_catalog''s');
SELECT throws_ok($$SELECT timestamptz '2026-03-10' - interval '1 day'$$, 'P0001', 'persona_evil.- called',
  'the planted - is found before pg_catalog''s');
SELECT is((SELECT string_agg(lifecycle_stage(first_ts, last_ts, '2026-03-10', '30 days', '30 days', '90 days'), ',' ORDER BY want)
           FROM stages),
  'active,churned,dormant,new', 'lifecycle_stage does not call the planted operators');
SELECT is((SELECT count(*)::int FROM stages
           WHERE lifecycle_stage(first_ts, last_ts, '2026-03-10', '30 days', '30 days', '90 days') = want), 4,
  '... and answers as with pg_catalog''s');
RESET search_path;

-- bigint ids and seconds: 42883, and every existing call resolves as before
CREATE TEMP TABLE ints (s int2, i int4, b int8);
INSERT INTO ints VALUES (1, 2, 3), (4, 5, 6);
SELECT is((SELECT rb_to_array(rb_build_agg(s)) FROM ints), '{1,4}', 'rb_build_agg(smallint) is the int4 aggregate');
SELECT is((SELECT rb_to_array(rb_build_agg(7)) FROM ints), '{7}', 'rb_build_agg(int4 literal)');
SELECT is(rb_to_array(rb_build_agg('5')), '{5}', 'rb_build_agg(untyped literal) is the int4 aggregate');
SELECT throws_ok($$SELECT rb_build_agg(b) FROM ints$$, '42883', NULL, 'rb_build_agg(bigint) does not exist');
SELECT alike(obj_description('rb_build_agg(int4)'::regprocedure, 'pg_proc'), '%bigint values: rb64_build_agg%',
  'rb_build_agg''s comment names rb64_build_agg');
SELECT alike(obj_description('rb_build(int4[])'::regprocedure, 'pg_proc'), '%bigint[]: rb64_build%',
  'rb_build''s comment names rb64_build');
SELECT alike(obj_description('roaringbitmap'::regtype, 'pg_type'), '%bigint ids: roaringbitmap64%',
  'roaringbitmap''s comment names roaringbitmap64');
SELECT is((SELECT window_funnel('1 hour', ts, true) FROM (VALUES (timestamptz '2026-01-01')) v(ts)), 1,
  'window_funnel(untyped literal, ...) is the interval aggregate');
SELECT throws_ok($$SELECT window_funnel(604800, now(), true)$$, '42883', NULL, 'window_funnel(integer, ...) does not exist');
SELECT alike(obj_description('window_funnel(interval, timestamptz, boolean[])'::regprocedure, 'pg_proc'), '%an interval%not seconds%',
  'window_funnel''s comment says the window is an interval, not seconds');
SELECT alike(obj_description('window_funnel(interval, text, timestamptz, boolean[])'::regprocedure, 'pg_proc'), '%interval, not seconds%',
  '... also with a mode');

SELECT * FROM finish();
ROLLBACK;
