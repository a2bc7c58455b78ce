-- persona 0.4.0 → 0.5.0 (released 2026-12-08; frozen: never edited again).
-- test/cluster/upgrade.sh compares a database updated with it against a fresh install.
\echo Use "ALTER EXTENSION persona UPDATE" to load this file. \quit

-- == signatures (points_lots, tier_timeline) ==
-- RETURNS TABLE, as SPEC §5 declares them, instead of OUT parameters and SETOF record.
-- The same result row type, so CREATE OR REPLACE may switch the parameter modes
-- (o -> t); the functions, their comments and privileges are kept.
CREATE OR REPLACE FUNCTION points_lots(l points_ledger, as_of timestamptz)
  RETURNS TABLE(earned_at timestamptz, expires_at timestamptz, earned numeric, remaining numeric)
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE ROWS 10;
CREATE OR REPLACE FUNCTION tier_timeline(ts timestamptz[], points numeric[], policy jsonb)
  RETURNS TABLE(tier int, tier_name text, valid_from timestamptz, valid_to timestamptz)
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT STABLE PARALLEL SAFE ROWS 5;


-- == search_path: SQL-language functions qualified ==
-- lifecycle_stage, the only SQL-language function: its operators qualified with
-- pg_catalog (the body is parsed with the caller's search_path).
CREATE OR REPLACE FUNCTION lifecycle_stage(first_ts timestamptz, last_ts timestamptz, as_of timestamptz,
    new_within interval, active_within interval, dormant_within interval) RETURNS text
  LANGUAGE sql STRICT STABLE PARALLEL SAFE
  AS $$
    SELECT CASE WHEN first_ts OPERATOR(pg_catalog.>=) (as_of OPERATOR(pg_catalog.-) new_within) THEN 'new'
                WHEN last_ts OPERATOR(pg_catalog.>=) (as_of OPERATOR(pg_catalog.-) active_within) THEN 'active'
                WHEN last_ts OPERATOR(pg_catalog.>=) (as_of OPERATOR(pg_catalog.-) dormant_within) THEN 'dormant'
                ELSE 'churned' END
  $$;


-- == friendlier errors: int8 and integer-window overloads ==
-- No overloads: int8 versions of the rb_ functions would make smallint arguments and
-- untyped literals ambiguous, an integer window_funnel would make
-- window_funnel('1 hour', ...) ambiguous.  The comments name what to use instead.
COMMENT ON TYPE roaringbitmap IS 'Compressed set of int4 ids (Roaring bitmap), compatible with pg_roaringbitmap; bigint ids: roaringbitmap64 and the rb64_ functions';
COMMENT ON FUNCTION rb_build(integer[]) IS 'Bitmap of the elements of an int4 array (NULL elements are an error); bigint[]: rb64_build';
COMMENT ON AGGREGATE rb_build_agg(integer) IS 'Bitmap of the non-NULL int4 values (NULL over no rows); bigint values: rb64_build_agg';
COMMENT ON AGGREGATE window_funnel(interval, timestamptz, VARIADIC boolean[]) IS 'Funnel level: the highest step a chain of events reaches, each step within window (an interval: ''7 days'', not seconds) of the chain''s first (ClickHouse windowFunnel)';
COMMENT ON AGGREGATE window_funnel(interval, text, timestamptz, VARIADIC boolean[]) IS 'Funnel level with a mode: a comma-separated set of strict_deduplication, strict_order, strict_increase ('''' is the default); window is an interval, not seconds';


-- == dictionary, caller SQL read-only, sequences, cancellation ==
-- No SQL change: dict_encode's id limit, lock and SQL path, the read-only caller
-- queries of identity_resolve and connected_components, the sequence semantics and
-- the interrupt checks are all in the library.

