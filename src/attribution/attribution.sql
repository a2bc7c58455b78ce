-- attribution: journeys, rule-based models, Markov removal effects and Shapley values.

CREATE TYPE attribution_credit AS (channel text, conversions float8, value float8);
COMMENT ON TYPE attribution_credit IS 'Credit of one channel: fractional conversions and value (channel NULL: conversions with no touch in their path)';

-- journey: one user's touches and conversions, sorted once
CREATE TYPE journey;
CREATE FUNCTION journey_in(cstring) RETURNS journey
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION journey_out(journey) RETURNS cstring
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION journey_recv(internal) RETURNS journey
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION journey_send(journey) RETURNS bytea
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
CREATE TYPE journey (
  INTERNALLENGTH = VARIABLE,
  INPUT = journey_in, OUTPUT = journey_out,
  RECEIVE = journey_recv, SEND = journey_send,
  ALIGNMENT = int4, STORAGE = extended);
COMMENT ON TYPE journey IS 'A user''s journey: channel names and the touches and conversions in time order (built by journey_agg)';
COMMENT ON FUNCTION journey_in(cstring) IS 'Text input of journey (\x hex, validated)';
COMMENT ON FUNCTION journey_out(journey) IS 'Text output of journey (\x hex)';
COMMENT ON FUNCTION journey_recv(internal) IS 'Binary input of journey (validated)';
COMMENT ON FUNCTION journey_send(journey) IS 'Binary output of journey';

CREATE FUNCTION journey_agg_trans(internal, timestamptz, text, boolean, float8) RETURNS internal
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION journey_agg_trans(internal, timestamptz, text, boolean, float8) IS 'Transition function of journey_agg (aggregate use only)';
CREATE FUNCTION journey_agg_final(internal) RETURNS journey
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION journey_agg_final(internal) IS 'Final function of journey_agg: sorts the events once';
CREATE FUNCTION journey_agg_combine(internal, internal) RETURNS internal
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION journey_agg_combine(internal, internal) IS 'Combine function of journey_agg: merges the events (aggregate use only)';
CREATE FUNCTION journey_agg_serial(internal) RETURNS bytea
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION journey_agg_serial(internal) IS 'Serialization function of journey_agg (aggregate use only)';
CREATE FUNCTION journey_agg_deserial(bytea, internal) RETURNS internal
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION journey_agg_deserial(bytea, internal) IS 'Deserialization function of journey_agg (aggregate use only)';
CREATE AGGREGATE journey_agg(ts timestamptz, channel text, is_conversion boolean, value float8) (
  SFUNC = journey_agg_trans, STYPE = internal, FINALFUNC = journey_agg_final,
  COMBINEFUNC = journey_agg_combine, SERIALFUNC = journey_agg_serial,
  DESERIALFUNC = journey_agg_deserial, PARALLEL = SAFE);
COMMENT ON AGGREGATE journey_agg(timestamptz, text, boolean, float8) IS 'A user''s journey: rows with is_conversion are conversions worth value (NULL = 0), other rows with a channel are touches; rows with a NULL ts are skipped';

CREATE FUNCTION attribute(j journey, model text, options jsonb DEFAULT '{}')
  RETURNS SETOF attribution_credit
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE ROWS 10;
COMMENT ON FUNCTION attribute(journey, text, jsonb) IS 'Credits per channel for a journey''s conversions under a rule-based model: first_touch, last_touch, last_non_direct, linear, position_based, time_decay; options lookback, collapse_repeats, direct_channels, first, last, half_life';

CREATE FUNCTION journey_paths(j journey, options jsonb DEFAULT '{}')
  RETURNS TABLE (path text[], converted boolean, value float8)
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE ROWS 3;
COMMENT ON FUNCTION journey_paths(journey, jsonb) IS 'A journey''s paths: one per conversion (touches after the previous conversion within the lookback), then the touches after the last conversion; options lookback, collapse_repeats';

-- attribution_agg: the whole report in one aggregate
CREATE FUNCTION attribution_agg_trans(internal, bigint, timestamptz, text, boolean, float8, text, jsonb) RETURNS internal
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION attribution_agg_trans(internal, bigint, timestamptz, text, boolean, float8, text, jsonb) IS 'Transition function of attribution_agg (aggregate use only)';
CREATE FUNCTION attribution_agg_final(internal) RETURNS attribution_credit[]
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION attribution_agg_final(internal) IS 'Final function of attribution_agg: credits every journey, users in id order';
CREATE FUNCTION attribution_agg_combine(internal, internal) RETURNS internal
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION attribution_agg_combine(internal, internal) IS 'Combine function of attribution_agg (aggregate use only)';
CREATE FUNCTION attribution_agg_serial(internal) RETURNS bytea
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION attribution_agg_serial(internal) IS 'Serialization function of attribution_agg (aggregate use only)';
CREATE FUNCTION attribution_agg_deserial(bytea, internal) RETURNS internal
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION attribution_agg_deserial(bytea, internal) IS 'Deserialization function of attribution_agg (aggregate use only)';
CREATE AGGREGATE attribution_agg(user_id bigint, ts timestamptz, channel text, is_conversion boolean,
                                 value float8, model text, options jsonb) (
  SFUNC = attribution_agg_trans, STYPE = internal, FINALFUNC = attribution_agg_final,
  COMBINEFUNC = attribution_agg_combine, SERIALFUNC = attribution_agg_serial,
  DESERIALFUNC = attribution_agg_deserial, PARALLEL = SAFE);
COMMENT ON AGGREGATE attribution_agg(bigint, timestamptz, text, boolean, float8, text, jsonb) IS 'Credits of attribute(journey_agg(...), model, options) summed over all users, channel by channel (sorted by channel, NULL last), grouping by user itself';

-- markov_chain: transition counts of the paths, order k
CREATE TYPE markov_chain;
CREATE FUNCTION markov_chain_in(cstring) RETURNS markov_chain
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION markov_chain_out(markov_chain) RETURNS cstring
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION markov_chain_recv(internal) RETURNS markov_chain
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION markov_chain_send(markov_chain) RETURNS bytea
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
CREATE TYPE markov_chain (
  INTERNALLENGTH = VARIABLE,
  INPUT = markov_chain_in, OUTPUT = markov_chain_out,
  RECEIVE = markov_chain_recv, SEND = markov_chain_send,
  ALIGNMENT = int4, STORAGE = extended);
COMMENT ON TYPE markov_chain IS 'State of markov_agg: the order, the channel names and the transition counts between START, channel tuples, CONVERSION and NULL';
COMMENT ON FUNCTION markov_chain_in(cstring) IS 'Text input of markov_chain (\x hex, validated)';
COMMENT ON FUNCTION markov_chain_out(markov_chain) IS 'Text output of markov_chain (\x hex)';
COMMENT ON FUNCTION markov_chain_recv(internal) IS 'Binary input of markov_chain (validated)';
COMMENT ON FUNCTION markov_chain_send(markov_chain) IS 'Binary output of markov_chain';

CREATE FUNCTION markov_agg_trans(markov_chain, text[], boolean, float8, int) RETURNS markov_chain
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION markov_agg_trans(markov_chain, text[], boolean, float8, int) IS 'Transition function of markov_agg (aggregate use only)';
CREATE FUNCTION markov_agg_trans(markov_chain, text[], boolean, float8) RETURNS markov_chain
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION markov_agg_trans(markov_chain, text[], boolean, float8) IS 'Transition function of markov_agg of order 1 (aggregate use only)';
CREATE FUNCTION markov_agg_combine(markov_chain, markov_chain) RETURNS markov_chain
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION markov_agg_combine(markov_chain, markov_chain) IS 'Combine function of markov_agg: adds transition counts; also rolls up stored states';
CREATE FUNCTION markov_chain_final(markov_chain) RETURNS markov_chain
  AS 'MODULE_PATHNAME', 'at_state_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION markov_chain_final(markov_chain) IS 'Final function of markov_agg: the flat state';
CREATE AGGREGATE markov_agg(path text[], converted boolean, value float8, "order" int) (
  SFUNC = markov_agg_trans, STYPE = markov_chain, FINALFUNC = markov_chain_final,
  COMBINEFUNC = markov_agg_combine, PARALLEL = SAFE);
COMMENT ON AGGREGATE markov_agg(text[], boolean, float8, int) IS 'Markov chain of order k (1 to 8) over paths: transition counts between START, tuples of the last k channels, CONVERSION and NULL';
CREATE AGGREGATE markov_agg(path text[], converted boolean, value float8) (
  SFUNC = markov_agg_trans, STYPE = markov_chain, FINALFUNC = markov_chain_final,
  COMBINEFUNC = markov_agg_combine, PARALLEL = SAFE);
COMMENT ON AGGREGATE markov_agg(text[], boolean, float8) IS 'Markov chain of order 1 over paths (markov_agg with order 1)';
CREATE AGGREGATE markov_agg(markov_chain) (
  SFUNC = markov_agg_combine, STYPE = markov_chain, FINALFUNC = markov_chain_final,
  COMBINEFUNC = markov_agg_combine, PARALLEL = SAFE);
COMMENT ON AGGREGATE markov_agg(markov_chain) IS 'Rolls up stored Markov chains (daily states into one): adds their transition counts';

CREATE FUNCTION markov_attribution(m markov_chain)
  RETURNS TABLE (channel text, removal_effect float8, conversions float8, value float8)
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE ROWS 10;
COMMENT ON FUNCTION markov_attribution(markov_chain) IS 'Removal-effect attribution: removal_effect = 1 - P_removed / P, solved exactly; conversions and value shared in proportion (channel NULL: converting paths with no touch)';
CREATE FUNCTION markov_transitions(m markov_chain)
  RETURNS TABLE (from_state text, to_state text, count bigint, probability float8)
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE ROWS 100;
COMMENT ON FUNCTION markov_transitions(markov_chain) IS 'The fitted chain: transition counts and probabilities, states in order (START, channel tuples as ''a > b'', CONVERSION, NULL)';

-- channel_sets: paths, conversions and value per distinct channel set
CREATE TYPE channel_sets;
CREATE FUNCTION channel_sets_in(cstring) RETURNS channel_sets
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION channel_sets_out(channel_sets) RETURNS cstring
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION channel_sets_recv(internal) RETURNS channel_sets
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION channel_sets_send(channel_sets) RETURNS bytea
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
CREATE TYPE channel_sets (
  INTERNALLENGTH = VARIABLE,
  INPUT = channel_sets_in, OUTPUT = channel_sets_out,
  RECEIVE = channel_sets_recv, SEND = channel_sets_send,
  ALIGNMENT = int4, STORAGE = extended);
COMMENT ON TYPE channel_sets IS 'State of shapley_agg: per distinct channel set, its paths, converting paths and their value';
COMMENT ON FUNCTION channel_sets_in(cstring) IS 'Text input of channel_sets (\x hex, validated)';
COMMENT ON FUNCTION channel_sets_out(channel_sets) IS 'Text output of channel_sets (\x hex)';
COMMENT ON FUNCTION channel_sets_recv(internal) IS 'Binary input of channel_sets (validated)';
COMMENT ON FUNCTION channel_sets_send(channel_sets) IS 'Binary output of channel_sets';

CREATE FUNCTION shapley_agg_trans(channel_sets, text[], boolean, float8) RETURNS channel_sets
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION shapley_agg_trans(channel_sets, text[], boolean, float8) IS 'Transition function of shapley_agg (aggregate use only)';
CREATE FUNCTION shapley_agg_combine(channel_sets, channel_sets) RETURNS channel_sets
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION shapley_agg_combine(channel_sets, channel_sets) IS 'Combine function of shapley_agg: adds the counts per set; also rolls up stored states';
CREATE FUNCTION channel_sets_final(channel_sets) RETURNS channel_sets
  AS 'MODULE_PATHNAME', 'at_state_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION channel_sets_final(channel_sets) IS 'Final function of shapley_agg: the flat state';
CREATE AGGREGATE shapley_agg(path text[], converted boolean, value float8) (
  SFUNC = shapley_agg_trans, STYPE = channel_sets, FINALFUNC = channel_sets_final,
  COMBINEFUNC = shapley_agg_combine, PARALLEL = SAFE);
COMMENT ON AGGREGATE shapley_agg(text[], boolean, float8) IS 'Channel sets of paths (the distinct channels of each) with their path, conversion and value totals, for shapley_attribution';
CREATE AGGREGATE shapley_agg(channel_sets) (
  SFUNC = shapley_agg_combine, STYPE = channel_sets, FINALFUNC = channel_sets_final,
  COMBINEFUNC = shapley_agg_combine, PARALLEL = SAFE);
COMMENT ON AGGREGATE shapley_agg(channel_sets) IS 'Rolls up stored channel_sets states (daily states into one)';

CREATE FUNCTION shapley_attribution(s channel_sets)
  RETURNS TABLE (channel text, conversions float8, value float8)
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE ROWS 10;
COMMENT ON FUNCTION shapley_attribution(channel_sets) IS 'Exact Shapley attribution: per converting channel set P (at most 20 channels), Shapley values of v(S) = conversion rate of paths with set exactly S, negatives as 0, normalised, split P''s conversions and value';
