-- member tiers, points ledgers and lifecycle stages.

-- tiers --------------------------------------------------------------------

CREATE FUNCTION tier_rank(points numeric, thresholds numeric[]) RETURNS int
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION tier_rank(numeric, numeric[]) IS
  'How many thresholds are <= points (thresholds strictly ascending, else error): 0 below the first tier';

CREATE FUNCTION tier_name(points numeric, thresholds numeric[], names text[]) RETURNS text
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION tier_name(numeric, numeric[], text[]) IS
  'names[tier_rank(points, thresholds)], NULL at rank 0; one name per threshold';

CREATE FUNCTION points_to_next_tier(points numeric, thresholds numeric[]) RETURNS numeric
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION points_to_next_tier(numeric, numeric[]) IS
  'The next threshold minus points; NULL at the top tier';

-- the points ledger type -----------------------------------------------------

CREATE TYPE points_ledger;

CREATE FUNCTION points_ledger_in(cstring) RETURNS points_ledger
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION points_ledger_out(points_ledger) RETURNS cstring
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION points_ledger_recv(internal) RETURNS points_ledger
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION points_ledger_send(points_ledger) RETURNS bytea
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;

-- double alignment: the 24-byte events are read in place
CREATE TYPE points_ledger (
  INTERNALLENGTH = VARIABLE,
  INPUT = points_ledger_in,
  OUTPUT = points_ledger_out,
  RECEIVE = points_ledger_recv,
  SEND = points_ledger_send,
  ALIGNMENT = double,
  STORAGE = extended
);
COMMENT ON TYPE points_ledger IS
  'One member''s points history (earnings with their expiry, redemptions), sorted and merged; read it with points_balance, points_expired, points_expiring, points_next_expiry, points_lots';
COMMENT ON FUNCTION points_ledger_in(cstring) IS
  'Text input: {ts:amount@expiry,ts:amount,...} in canonical order, times in microseconds since 2000-01-01 UTC (validated)';
COMMENT ON FUNCTION points_ledger_out(points_ledger) IS
  'Text output: {ts:amount@expiry,ts:amount,...}, times in microseconds since 2000-01-01 UTC, expiry inf = never';
COMMENT ON FUNCTION points_ledger_recv(internal) IS
  'Binary input: version, count, then (ts, amount x 10^4, expiry) int64 triples (validated)';
COMMENT ON FUNCTION points_ledger_send(points_ledger) IS
  'Binary output: version, count, then (ts, amount x 10^4, expiry) int64 triples';

-- points_agg ---------------------------------------------------------------

CREATE FUNCTION points_agg_trans(points_ledger, timestamptz, numeric, interval) RETURNS points_ledger
  AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION points_agg_trans(points_ledger, timestamptz, numeric, interval) IS
  'Transition function of points_agg: records one earning (expiring at ts + expire_after) or redemption';

CREATE FUNCTION points_agg_combine(points_ledger, points_ledger) RETURNS points_ledger
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION points_agg_combine(points_ledger, points_ledger) IS
  'Combine function of points_agg: the ledger of both histories';

CREATE AGGREGATE points_agg(ts timestamptz, delta numeric, expire_after interval) (
  SFUNC = points_agg_trans, STYPE = points_ledger,
  COMBINEFUNC = points_agg_combine, PARALLEL = SAFE);
COMMENT ON AGGREGATE points_agg(timestamptz, numeric, interval) IS
  'A member''s points ledger: delta > 0 earns a lot expiring at ts + expire_after (NULL: never), delta < 0 redeems; rows with NULL ts or delta are skipped (NULL over no rows)';

CREATE AGGREGATE points_agg(ledger points_ledger) (
  SFUNC = points_agg_combine, STYPE = points_ledger,
  COMBINEFUNC = points_agg_combine, PARALLEL = SAFE);
COMMENT ON AGGREGATE points_agg(points_ledger) IS
  'Merges ledgers (per day, per source) into one: the same ledger as aggregating all their rows at once';

-- accessors ------------------------------------------------------------------

CREATE FUNCTION points_balance(l points_ledger, as_of timestamptz) RETURNS numeric
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION points_balance(points_ledger, timestamptz) IS
  'Points available at as_of: unexpired lots minus unrepaid debt (negative while in debt)';

CREATE FUNCTION points_expired(l points_ledger, as_of timestamptz) RETURNS numeric
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION points_expired(points_ledger, timestamptz) IS
  'Points that expired unredeemed up to as_of (a lot expiring at as_of counts)';

CREATE FUNCTION points_expiring(l points_ledger, as_of timestamptz, within interval) RETURNS numeric
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT STABLE PARALLEL SAFE;
COMMENT ON FUNCTION points_expiring(points_ledger, timestamptz, interval) IS
  'Unredeemed points whose expiry falls in (as_of, as_of + within]';

CREATE FUNCTION points_next_expiry(l points_ledger, as_of timestamptz) RETURNS timestamptz
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION points_next_expiry(points_ledger, timestamptz) IS
  'When the next unredeemed points expire after as_of; NULL when none will';

CREATE FUNCTION points_lots(l points_ledger, as_of timestamptz)
  RETURNS TABLE(earned_at timestamptz, expires_at timestamptz, earned numeric, remaining numeric)
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE ROWS 10;
COMMENT ON FUNCTION points_lots(points_ledger, timestamptz) IS
  'The unexpired lots still holding points at as_of, in redemption order (expires_at NULL = never; earned is before debt repayment)';

-- tier timelines and lifecycle -------------------------------------------------

CREATE FUNCTION tier_timeline(ts timestamptz[], points numeric[], policy jsonb)
  RETURNS TABLE(tier int, tier_name text, valid_from timestamptz, valid_to timestamptz)
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT STABLE PARALLEL SAFE ROWS 5;
COMMENT ON FUNCTION tier_timeline(timestamptz[], numeric[], jsonb) IS
  'A member''s tier over time from qualifying-point events; policy {thresholds, names, period: lifetime|calendar_year|rolling, window, hold, as_of}';

-- A SQL function's body is parsed with the caller's search_path: every operator is
-- written OPERATOR(pg_catalog.op), so that an operator someone created in a schema
-- the caller searches first is never picked (the body calls no persona function,
-- which could be anywhere: the extension is relocatable).  Not inlined, as before:
-- PostgreSQL does not inline a STRICT function whose body is a CASE.
CREATE FUNCTION lifecycle_stage(first_ts timestamptz, last_ts timestamptz, as_of timestamptz,
    new_within interval, active_within interval, dormant_within interval) RETURNS text
  LANGUAGE sql STRICT STABLE PARALLEL SAFE
  AS $$
    SELECT CASE WHEN first_ts OPERATOR(pg_catalog.>=) (as_of OPERATOR(pg_catalog.-) new_within) THEN 'new'
                WHEN last_ts OPERATOR(pg_catalog.>=) (as_of OPERATOR(pg_catalog.-) active_within) THEN 'active'
                WHEN last_ts OPERATOR(pg_catalog.>=) (as_of OPERATOR(pg_catalog.-) dormant_within) THEN 'dormant'
                ELSE 'churned' END
  $$;
COMMENT ON FUNCTION lifecycle_stage(timestamptz, timestamptz, timestamptz, interval, interval, interval) IS
  'new (first_ts within new_within of as_of), else active (last_ts within active_within), else dormant (within dormant_within), else churned';
