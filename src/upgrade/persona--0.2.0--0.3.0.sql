-- persona 0.2.0 → 0.3.0: step-name and period forms of the event aggregates, their
-- state size for the planner, and roaringbitmap64's bytea cast (the stored form
-- gained a bucket directory; the binary form stays portable).  Frozen at the
-- release of 0.3.0: never edit; later changes go in a new upgrade script.
\echo Use "ALTER EXTENSION persona UPDATE" to load this file. \quit

-- events: step-name forms of the funnel and sequence aggregates, period forms of retention

-- Step-name forms: (event text, steps text[]) in place of the conditions.
-- Condition i is `event = steps[i]` compared byte for byte, matched in C
-- against a table built once per call site: one expression per row instead of
-- one per step.  Same transition functions as the boolean forms.
CREATE FUNCTION window_funnel_trans(internal, interval, timestamptz, text, text[]) RETURNS internal
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION window_funnel_trans(internal, interval, text, timestamptz, text, text[]) RETURNS internal
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION sequence_trans(internal, text, timestamptz, text, text[]) RETURNS internal
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION window_funnel_counts_trans(internal, bigint, interval, timestamptz, text, text[]) RETURNS internal
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION window_funnel_counts_trans(internal, bigint, interval, text, timestamptz, text, text[]) RETURNS internal
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION window_funnel_trans(internal, interval, timestamptz, text, text[]) IS 'Transition function of window_funnel and window_funnel_path with step names (aggregate use only)';
COMMENT ON FUNCTION window_funnel_trans(internal, interval, text, timestamptz, text, text[]) IS 'Transition function of window_funnel and window_funnel_path with a mode and step names (aggregate use only)';
COMMENT ON FUNCTION sequence_trans(internal, text, timestamptz, text, text[]) IS 'Transition function of sequence_match and sequence_count with step names (aggregate use only)';
COMMENT ON FUNCTION window_funnel_counts_trans(internal, bigint, interval, timestamptz, text, text[]) IS 'Transition function of window_funnel_counts with step names (aggregate use only)';
COMMENT ON FUNCTION window_funnel_counts_trans(internal, bigint, interval, text, timestamptz, text, text[]) IS 'Transition function of window_funnel_counts with a mode and step names (aggregate use only)';

CREATE AGGREGATE window_funnel("window" interval, ts timestamptz, event text, steps text[]) (
  SFUNC = window_funnel_trans, STYPE = internal, FINALFUNC = window_funnel_final,
  COMBINEFUNC = ev_state_combine, SSPACE = 160, SERIALFUNC = ev_state_serialize, DESERIALFUNC = ev_state_deserialize,
  PARALLEL = SAFE);
CREATE AGGREGATE window_funnel("window" interval, mode text, ts timestamptz, event text, steps text[]) (
  SFUNC = window_funnel_trans, STYPE = internal, FINALFUNC = window_funnel_final,
  COMBINEFUNC = ev_state_combine, SSPACE = 160, SERIALFUNC = ev_state_serialize, DESERIALFUNC = ev_state_deserialize,
  PARALLEL = SAFE);
CREATE AGGREGATE window_funnel_path("window" interval, ts timestamptz, event text, steps text[]) (
  SFUNC = window_funnel_trans, STYPE = internal, FINALFUNC = window_funnel_path_final,
  COMBINEFUNC = ev_state_combine, SSPACE = 160, SERIALFUNC = ev_state_serialize, DESERIALFUNC = ev_state_deserialize,
  PARALLEL = SAFE);
CREATE AGGREGATE window_funnel_path("window" interval, mode text, ts timestamptz, event text, steps text[]) (
  SFUNC = window_funnel_trans, STYPE = internal, FINALFUNC = window_funnel_path_final,
  COMBINEFUNC = ev_state_combine, SSPACE = 160, SERIALFUNC = ev_state_serialize, DESERIALFUNC = ev_state_deserialize,
  PARALLEL = SAFE);
CREATE AGGREGATE sequence_match(pattern text, ts timestamptz, event text, steps text[]) (
  SFUNC = sequence_trans, STYPE = internal, FINALFUNC = sequence_match_final,
  COMBINEFUNC = ev_state_combine, SSPACE = 160, SERIALFUNC = ev_state_serialize, DESERIALFUNC = ev_state_deserialize,
  PARALLEL = SAFE);
CREATE AGGREGATE sequence_count(pattern text, ts timestamptz, event text, steps text[]) (
  SFUNC = sequence_trans, STYPE = internal, FINALFUNC = sequence_count_final,
  COMBINEFUNC = ev_state_combine, SSPACE = 160, SERIALFUNC = ev_state_serialize, DESERIALFUNC = ev_state_deserialize,
  PARALLEL = SAFE);
CREATE AGGREGATE window_funnel_counts(user_id bigint, "window" interval, ts timestamptz, event text, steps text[]) (
  SFUNC = window_funnel_counts_trans, STYPE = internal, FINALFUNC = window_funnel_counts_final,
  COMBINEFUNC = window_funnel_counts_combine,
  SERIALFUNC = window_funnel_counts_serialize, DESERIALFUNC = window_funnel_counts_deserialize,
  PARALLEL = SAFE);
CREATE AGGREGATE window_funnel_counts(user_id bigint, "window" interval, mode text, ts timestamptz, event text, steps text[]) (
  SFUNC = window_funnel_counts_trans, STYPE = internal, FINALFUNC = window_funnel_counts_final,
  COMBINEFUNC = window_funnel_counts_combine,
  SERIALFUNC = window_funnel_counts_serialize, DESERIALFUNC = window_funnel_counts_deserialize,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE window_funnel(interval, timestamptz, text, text[]) IS 'Funnel level with step names: condition i is event = steps[i] (byte equality)';
COMMENT ON AGGREGATE window_funnel(interval, text, timestamptz, text, text[]) IS 'Funnel level with a mode and step names: condition i is event = steps[i] (byte equality)';
COMMENT ON AGGREGATE window_funnel_path(interval, timestamptz, text, text[]) IS 'Step times of the first chain that reached window_funnel''s level, with step names';
COMMENT ON AGGREGATE window_funnel_path(interval, text, timestamptz, text, text[]) IS 'Step times of the first chain that reached window_funnel''s level, with a mode and step names';
COMMENT ON AGGREGATE sequence_match(text, timestamptz, text, text[]) IS 'Whether the events match a ClickHouse sequence pattern; (?N) is an event named steps[N]';
COMMENT ON AGGREGATE sequence_count(text, timestamptz, text, text[]) IS 'Number of non-overlapping matches of a ClickHouse sequence pattern; (?N) is an event named steps[N]';
COMMENT ON AGGREGATE window_funnel_counts(bigint, interval, timestamptz, text, text[]) IS 'window_funnel_counts with step names: condition i is event = steps[i] (byte equality)';
COMMENT ON AGGREGATE window_funnel_counts(bigint, interval, text, timestamptz, text, text[]) IS 'window_funnel_counts with a mode and step names: condition i is event = steps[i] (byte equality)';

-- Period forms of retention: condition i is
-- origin + (i-1) * period <= ts < origin + i * period, i = 1 .. periods, the
-- boundaries computed once by PostgreSQL's timestamptz + interval (STABLE: it
-- depends on the session time zone when the period has days or months).
CREATE FUNCTION retention_trans(bigint, timestamptz, timestamptz, interval, int) RETURNS bigint
  AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION retention_counts_trans(internal, bigint, timestamptz, timestamptz, interval, int) RETURNS internal
  AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION retention_trans(bigint, timestamptz, timestamptz, interval, int) IS 'Transition function of retention by periods (aggregate use only)';
COMMENT ON FUNCTION retention_counts_trans(internal, bigint, timestamptz, timestamptz, interval, int) IS 'Transition function of retention_counts by periods (aggregate use only)';
CREATE AGGREGATE retention(ts timestamptz, origin timestamptz, period interval, periods int) (
  SFUNC = retention_trans, STYPE = bigint, INITCOND = '0', FINALFUNC = retention_final,
  COMBINEFUNC = retention_combine, PARALLEL = SAFE);
CREATE AGGREGATE retention_counts(user_id bigint, ts timestamptz, origin timestamptz, period interval, periods int) (
  SFUNC = retention_counts_trans, STYPE = internal, FINALFUNC = retention_counts_final,
  COMBINEFUNC = retention_counts_combine,
  SERIALFUNC = retention_counts_serialize, DESERIALFUNC = retention_counts_deserialize,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE retention(timestamptz, timestamptz, interval, int) IS 'Retention by periods: condition i is origin + (i-1)*period <= ts < origin + i*period, i = 1 .. periods';
COMMENT ON AGGREGATE retention_counts(bigint, timestamptz, timestamptz, interval, int) IS 'Retention counts by periods: condition i is origin + (i-1)*period <= ts < origin + i*period, i = 1 .. periods';

-- events: the per-user aggregates' state size for the planner (SSPACE = 160 in
-- events.sql): without it a GROUP BY user over a million users spills to disk.
-- ALTER AGGREGATE cannot set it; the catalog row of each 0.2.0 aggregate is updated.
UPDATE pg_catalog.pg_aggregate SET aggtransspace = 160
WHERE aggcombinefn = 'ev_state_combine(internal, internal)'::regprocedure;
-- bitmap64: a bucket directory in the stored form; the bytea cast converts to the portable form
DROP CAST (roaringbitmap64 AS bytea);
CREATE FUNCTION rb64_to_bytea(roaringbitmap64) RETURNS bytea
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb64_to_bytea(roaringbitmap64) IS 'The portable 64-bit Roaring serialization of the bitmap (the binary form); also the bytea cast';
CREATE CAST (roaringbitmap64 AS bytea) WITH FUNCTION rb64_to_bytea(roaringbitmap64);
