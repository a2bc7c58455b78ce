-- funnels, retention and event sequences.
--
-- window is an interval.  ClickHouse's windowFunnel takes seconds; here
-- window_funnel(604800, ...) is PostgreSQL's "function does not exist" (42883):
-- write interval '604800 seconds' or '7 days'.  There is no integer overload that
-- fails with a hint: with an interval and an integer version, an untyped literal
-- (window_funnel('1 hour', ...), the usual call) would match both and become
-- "function is not unique".

-- per-user event aggregates: the state is the group's packed event run
CREATE FUNCTION window_funnel_trans(internal, interval, timestamptz, VARIADIC boolean[]) RETURNS internal
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION window_funnel_trans(internal, interval, text, timestamptz, VARIADIC boolean[]) RETURNS internal
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION sequence_trans(internal, text, timestamptz, VARIADIC boolean[]) RETURNS internal
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION ev_state_combine(internal, internal) RETURNS internal
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION ev_state_serialize(internal) RETURNS bytea
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION ev_state_deserialize(bytea, internal) RETURNS internal
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION window_funnel_final(internal) RETURNS int
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION window_funnel_path_final(internal) RETURNS timestamptz[]
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION sequence_match_final(internal) RETURNS boolean
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION sequence_count_final(internal) RETURNS bigint
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION window_funnel_trans(internal, interval, timestamptz, boolean[]) IS 'Transition function of window_funnel and window_funnel_path (aggregate use only)';
COMMENT ON FUNCTION window_funnel_trans(internal, interval, text, timestamptz, boolean[]) IS 'Transition function of window_funnel and window_funnel_path with a mode (aggregate use only)';
COMMENT ON FUNCTION sequence_trans(internal, text, timestamptz, boolean[]) IS 'Transition function of sequence_match and sequence_count (aggregate use only)';
COMMENT ON FUNCTION ev_state_combine(internal, internal) IS 'Combine function of the per-user event aggregates: concatenates event runs (aggregate use only)';
COMMENT ON FUNCTION ev_state_serialize(internal) IS 'Serializes a per-user event run for parallel aggregation';
COMMENT ON FUNCTION ev_state_deserialize(bytea, internal) IS 'Deserializes a per-user event run for parallel aggregation';
COMMENT ON FUNCTION window_funnel_final(internal) IS 'Final function of window_funnel: sorts the run and scans it';
COMMENT ON FUNCTION window_funnel_path_final(internal) IS 'Final function of window_funnel_path: the step times of the first chain that reached the highest level';
COMMENT ON FUNCTION sequence_match_final(internal) IS 'Final function of sequence_match';
COMMENT ON FUNCTION sequence_count_final(internal) IS 'Final function of sequence_count';

-- SSPACE: a per-user state is 128 bytes (plus its events beyond four).  Without
-- it the planner assumes 8 kB per internal state, so a GROUP BY user over a
-- million users spilled to disk even with work_mem = 1GB.
CREATE AGGREGATE window_funnel("window" interval, ts timestamptz, VARIADIC conds boolean[]) (
  SFUNC = window_funnel_trans, STYPE = internal, FINALFUNC = window_funnel_final,
  COMBINEFUNC = ev_state_combine, SSPACE = 160, SERIALFUNC = ev_state_serialize, DESERIALFUNC = ev_state_deserialize,
  PARALLEL = SAFE);
CREATE AGGREGATE window_funnel("window" interval, mode text, ts timestamptz, VARIADIC conds boolean[]) (
  SFUNC = window_funnel_trans, STYPE = internal, FINALFUNC = window_funnel_final,
  COMBINEFUNC = ev_state_combine, SSPACE = 160, SERIALFUNC = ev_state_serialize, DESERIALFUNC = ev_state_deserialize,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE window_funnel(interval, timestamptz, VARIADIC boolean[]) IS 'Funnel level: the highest step a chain of events reaches, each step within window (an interval: ''7 days'', not seconds) of the chain''s first (ClickHouse windowFunnel)';
COMMENT ON AGGREGATE window_funnel(interval, text, timestamptz, VARIADIC boolean[]) IS 'Funnel level with a mode: a comma-separated set of strict_deduplication, strict_order, strict_increase ('''' is the default); window is an interval, not seconds';

CREATE AGGREGATE window_funnel_path("window" interval, ts timestamptz, VARIADIC conds boolean[]) (
  SFUNC = window_funnel_trans, STYPE = internal, FINALFUNC = window_funnel_path_final,
  COMBINEFUNC = ev_state_combine, SSPACE = 160, SERIALFUNC = ev_state_serialize, DESERIALFUNC = ev_state_deserialize,
  PARALLEL = SAFE);
CREATE AGGREGATE window_funnel_path("window" interval, mode text, ts timestamptz, VARIADIC conds boolean[]) (
  SFUNC = window_funnel_trans, STYPE = internal, FINALFUNC = window_funnel_path_final,
  COMBINEFUNC = ev_state_combine, SSPACE = 160, SERIALFUNC = ev_state_serialize, DESERIALFUNC = ev_state_deserialize,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE window_funnel_path(interval, timestamptz, VARIADIC boolean[]) IS 'Step times of the first chain that reached window_funnel''s level (as many as the level)';
COMMENT ON AGGREGATE window_funnel_path(interval, text, timestamptz, VARIADIC boolean[]) IS 'Step times of the first chain that reached window_funnel''s level, with a mode';

CREATE AGGREGATE sequence_match(pattern text, ts timestamptz, VARIADIC conds boolean[]) (
  SFUNC = sequence_trans, STYPE = internal, FINALFUNC = sequence_match_final,
  COMBINEFUNC = ev_state_combine, SSPACE = 160, SERIALFUNC = ev_state_serialize, DESERIALFUNC = ev_state_deserialize,
  PARALLEL = SAFE);
CREATE AGGREGATE sequence_count(pattern text, ts timestamptz, VARIADIC conds boolean[]) (
  SFUNC = sequence_trans, STYPE = internal, FINALFUNC = sequence_count_final,
  COMBINEFUNC = ev_state_combine, SSPACE = 160, SERIALFUNC = ev_state_serialize, DESERIALFUNC = ev_state_deserialize,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE sequence_match(text, timestamptz, VARIADIC boolean[]) IS 'Whether the events match a ClickHouse sequence pattern such as ''(?1).*(?t<=3600)(?2)''';
COMMENT ON AGGREGATE sequence_count(text, timestamptz, VARIADIC boolean[]) IS 'Number of non-overlapping matches of a ClickHouse sequence pattern';

-- funnel counts across users: a concrete state type
CREATE TYPE funnel_counts_state;
CREATE FUNCTION funnel_counts_state_in(cstring) RETURNS funnel_counts_state
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION funnel_counts_state_out(funnel_counts_state) RETURNS cstring
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION funnel_counts_state_recv(internal) RETURNS funnel_counts_state
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION funnel_counts_state_send(funnel_counts_state) RETURNS bytea
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
CREATE TYPE funnel_counts_state (
  INTERNALLENGTH = VARIABLE,
  INPUT = funnel_counts_state_in, OUTPUT = funnel_counts_state_out,
  RECEIVE = funnel_counts_state_recv, SEND = funnel_counts_state_send,
  ALIGNMENT = double, STORAGE = plain);
COMMENT ON TYPE funnel_counts_state IS 'Partial state of funnel_counts_agg: steps and, for each step i, the rows with level >= i; text form 3:{10,6,2}';
COMMENT ON FUNCTION funnel_counts_state_in(cstring) IS 'Text input of funnel_counts_state (steps:{counts}, validated)';
COMMENT ON FUNCTION funnel_counts_state_out(funnel_counts_state) IS 'Text output of funnel_counts_state';
COMMENT ON FUNCTION funnel_counts_state_recv(internal) IS 'Binary input of funnel_counts_state (validated)';
COMMENT ON FUNCTION funnel_counts_state_send(funnel_counts_state) IS 'Binary output of funnel_counts_state';

CREATE FUNCTION funnel_counts_trans(funnel_counts_state, int, int) RETURNS funnel_counts_state
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION funnel_counts_combine(funnel_counts_state, funnel_counts_state) RETURNS funnel_counts_state
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION funnel_counts_final(funnel_counts_state) RETURNS bigint[]
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION funnel_counts_trans(funnel_counts_state, int, int) IS 'Transition function of funnel_counts_agg (aggregate use only)';
COMMENT ON FUNCTION funnel_counts_combine(funnel_counts_state, funnel_counts_state) IS 'Combine function of funnel_counts_agg (aggregate use only)';
COMMENT ON FUNCTION funnel_counts_final(funnel_counts_state) IS 'The counts of a funnel_counts_state as bigint[]';
CREATE AGGREGATE funnel_counts_agg(level int, steps int) (
  SFUNC = funnel_counts_trans, STYPE = funnel_counts_state, FINALFUNC = funnel_counts_final,
  COMBINEFUNC = funnel_counts_combine, PARALLEL = SAFE);
COMMENT ON AGGREGATE funnel_counts_agg(int, int) IS 'Funnel counts across users: element i is the number of rows with level >= i, i = 1 .. steps';

-- one-pass funnel counts: groups by user inside the state
CREATE FUNCTION window_funnel_counts_trans(internal, bigint, interval, timestamptz, VARIADIC boolean[]) RETURNS internal
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION window_funnel_counts_trans(internal, bigint, interval, text, timestamptz, VARIADIC boolean[]) RETURNS internal
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION window_funnel_counts_combine(internal, internal) RETURNS internal
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION window_funnel_counts_serialize(internal) RETURNS bytea
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION window_funnel_counts_deserialize(bytea, internal) RETURNS internal
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION window_funnel_counts_final(internal) RETURNS bigint[]
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION window_funnel_counts_trans(internal, bigint, interval, timestamptz, boolean[]) IS 'Transition function of window_funnel_counts (aggregate use only)';
COMMENT ON FUNCTION window_funnel_counts_trans(internal, bigint, interval, text, timestamptz, boolean[]) IS 'Transition function of window_funnel_counts with a mode (aggregate use only)';
COMMENT ON FUNCTION window_funnel_counts_combine(internal, internal) IS 'Combine function of window_funnel_counts (aggregate use only)';
COMMENT ON FUNCTION window_funnel_counts_serialize(internal) IS 'Serializes a window_funnel_counts state for parallel aggregation';
COMMENT ON FUNCTION window_funnel_counts_deserialize(bytea, internal) IS 'Deserializes a window_funnel_counts state for parallel aggregation';
COMMENT ON FUNCTION window_funnel_counts_final(internal) IS 'Final function of window_funnel_counts: groups the events by user, scans each user''s run, counts levels';
CREATE AGGREGATE window_funnel_counts(user_id bigint, "window" interval, ts timestamptz, VARIADIC conds boolean[]) (
  SFUNC = window_funnel_counts_trans, STYPE = internal, FINALFUNC = window_funnel_counts_final,
  COMBINEFUNC = window_funnel_counts_combine,
  SERIALFUNC = window_funnel_counts_serialize, DESERIALFUNC = window_funnel_counts_deserialize,
  PARALLEL = SAFE);
CREATE AGGREGATE window_funnel_counts(user_id bigint, "window" interval, mode text, ts timestamptz, VARIADIC conds boolean[]) (
  SFUNC = window_funnel_counts_trans, STYPE = internal, FINALFUNC = window_funnel_counts_final,
  COMBINEFUNC = window_funnel_counts_combine,
  SERIALFUNC = window_funnel_counts_serialize, DESERIALFUNC = window_funnel_counts_deserialize,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE window_funnel_counts(bigint, interval, timestamptz, VARIADIC boolean[]) IS 'funnel_counts_agg(window_funnel(...), n) over users, in one aggregate that groups by user itself';
COMMENT ON AGGREGATE window_funnel_counts(bigint, interval, text, timestamptz, VARIADIC boolean[]) IS 'funnel_counts_agg(window_funnel(window, mode, ...), n) over users, in one aggregate that groups by user itself';

-- retention
CREATE FUNCTION retention_trans(bigint, VARIADIC boolean[]) RETURNS bigint
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION retention_combine(bigint, bigint) RETURNS bigint
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION retention_final(bigint) RETURNS int[]
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION retention_trans(bigint, boolean[]) IS 'Transition function of retention: the state is conditions << 32 | OR of the rows'' masks (aggregate use only)';
COMMENT ON FUNCTION retention_combine(bigint, bigint) IS 'Combine function of retention (aggregate use only)';
COMMENT ON FUNCTION retention_final(bigint) IS 'Final function of retention';
CREATE AGGREGATE retention(VARIADIC conds boolean[]) (
  SFUNC = retention_trans, STYPE = bigint, INITCOND = '0', FINALFUNC = retention_final,
  COMBINEFUNC = retention_combine, PARALLEL = SAFE);
COMMENT ON AGGREGATE retention(VARIADIC boolean[]) IS 'Retention: element 1 is 1 when condition 1 held on some row, element i when conditions 1 and i did';

CREATE FUNCTION retention_counts_trans(internal, bigint, VARIADIC boolean[]) RETURNS internal
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION retention_counts_combine(internal, internal) RETURNS internal
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION retention_counts_serialize(internal) RETURNS bytea
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION retention_counts_deserialize(bytea, internal) RETURNS internal
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION retention_counts_final(internal) RETURNS bigint[]
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION retention_counts_trans(internal, bigint, boolean[]) IS 'Transition function of retention_counts (aggregate use only)';
COMMENT ON FUNCTION retention_counts_combine(internal, internal) IS 'Combine function of retention_counts (aggregate use only)';
COMMENT ON FUNCTION retention_counts_serialize(internal) IS 'Serializes a retention_counts state for parallel aggregation';
COMMENT ON FUNCTION retention_counts_deserialize(bytea, internal) IS 'Deserializes a retention_counts state for parallel aggregation';
COMMENT ON FUNCTION retention_counts_final(internal) IS 'Final function of retention_counts';
CREATE AGGREGATE retention_counts(user_id bigint, VARIADIC conds boolean[]) (
  SFUNC = retention_counts_trans, STYPE = internal, FINALFUNC = retention_counts_final,
  COMBINEFUNC = retention_counts_combine,
  SERIALFUNC = retention_counts_serialize, DESERIALFUNC = retention_counts_deserialize,
  PARALLEL = SAFE);
COMMENT ON AGGREGATE retention_counts(bigint, VARIADIC boolean[]) IS 'Retention counts: element i is the number of users whose retention(...) element i is 1';

-- Overloads for 1 to 8 conditions passed as separate booleans: the parser
-- prefers them to the VARIADIC form, and they spare building an array per row
-- (about 15% of a 5-condition funnel's time).  Same transition functions.
DO $$
DECLARE
  k int;
  b text;
  sigs text[][] := ARRAY[
    -- aggregate, its arguments before the conditions, transition, state, final, combine, serial, deserial
    ARRAY['window_funnel', '"window" interval, ts timestamptz', 'window_funnel_trans', 'internal', 'window_funnel_final', 'ev_state_combine', 'ev_state_serialize', 'ev_state_deserialize'],
    ARRAY['window_funnel', '"window" interval, mode text, ts timestamptz', 'window_funnel_trans', 'internal', 'window_funnel_final', 'ev_state_combine', 'ev_state_serialize', 'ev_state_deserialize'],
    ARRAY['window_funnel_path', '"window" interval, ts timestamptz', 'window_funnel_trans', 'internal', 'window_funnel_path_final', 'ev_state_combine', 'ev_state_serialize', 'ev_state_deserialize'],
    ARRAY['window_funnel_path', '"window" interval, mode text, ts timestamptz', 'window_funnel_trans', 'internal', 'window_funnel_path_final', 'ev_state_combine', 'ev_state_serialize', 'ev_state_deserialize'],
    ARRAY['sequence_match', 'pattern text, ts timestamptz', 'sequence_trans', 'internal', 'sequence_match_final', 'ev_state_combine', 'ev_state_serialize', 'ev_state_deserialize'],
    ARRAY['sequence_count', 'pattern text, ts timestamptz', 'sequence_trans', 'internal', 'sequence_count_final', 'ev_state_combine', 'ev_state_serialize', 'ev_state_deserialize'],
    ARRAY['window_funnel_counts', 'user_id bigint, "window" interval, ts timestamptz', 'window_funnel_counts_trans', 'internal', 'window_funnel_counts_final', 'window_funnel_counts_combine', 'window_funnel_counts_serialize', 'window_funnel_counts_deserialize'],
    ARRAY['window_funnel_counts', 'user_id bigint, "window" interval, mode text, ts timestamptz', 'window_funnel_counts_trans', 'internal', 'window_funnel_counts_final', 'window_funnel_counts_combine', 'window_funnel_counts_serialize', 'window_funnel_counts_deserialize'],
    ARRAY['retention', '', 'retention_trans', 'bigint', 'retention_final', 'retention_combine', '', ''],
    ARRAY['retention_counts', 'user_id bigint', 'retention_counts_trans', 'internal', 'retention_counts_final', 'retention_counts_combine', 'retention_counts_serialize', 'retention_counts_deserialize']];
  s text[];
  args text;
  types text;
  ttypes text;
  i int;
BEGIN
  FOR i IN 1 .. array_length(sigs, 1) LOOP
    s := sigs[i:i][1:8];
    FOR k IN 1 .. 8 LOOP
      b := (SELECT string_agg(format('cond%s boolean', j), ', ' ORDER BY j) FROM generate_series(1, k) j);
      args := CASE WHEN s[1][2] = '' THEN b ELSE s[1][2] || ', ' || b END;
      -- the argument types alone, for the transition function and COMMENT
      types := regexp_replace(regexp_replace(args, '("window"|\w+) (\w+)', '\2', 'g'), '\s+', ' ', 'g');
      ttypes := s[1][4] || ', ' || types;
      IF to_regprocedure(format('%I(%s)', s[1][3], ttypes)) IS NULL THEN
        EXECUTE format('CREATE FUNCTION %I(%s) RETURNS %s AS %L LANGUAGE C IMMUTABLE PARALLEL SAFE',
                       s[1][3], ttypes, s[1][4], 'MODULE_PATHNAME', s[1][3]);
        EXECUTE format('COMMENT ON FUNCTION %I(%s) IS %L', s[1][3], ttypes,
                       format('Transition function of %s with %s separate conditions (aggregate use only)', s[1][1], k));
      END IF;
      EXECUTE format('CREATE AGGREGATE %I(%s) (SFUNC = %I, STYPE = %s, FINALFUNC = %I, COMBINEFUNC = %I%s%s%s, PARALLEL = SAFE)',
                     s[1][1], args, s[1][3], s[1][4], s[1][5], s[1][6],
                     CASE WHEN s[1][7] <> '' THEN format(', SERIALFUNC = %I, DESERIALFUNC = %I', s[1][7], s[1][8]) ELSE '' END,
                     CASE WHEN s[1][4] = 'bigint' THEN ', INITCOND = ''0''' ELSE '' END,
                     CASE WHEN s[1][6] = 'ev_state_combine' THEN ', SSPACE = 160' ELSE '' END);
      EXECUTE format('COMMENT ON AGGREGATE %I(%s) IS %L', s[1][1], types,
                     format('%s with %s conditions as separate arguments (same answer as the VARIADIC form, no array per row)', s[1][1], k));
    END LOOP;
  END LOOP;
END $$;

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
