-- persona 0.2.0 → 0.3.0.  Until 0.3.0 is released this script collects every SQL
-- change made to the module files since 0.2.0 (test/cluster/upgrade.sh fails when
-- an update leaves the catalog different from a fresh install); frozen at release.
\echo Use "ALTER EXTENSION persona UPDATE" to load this file. \quit

-- bitmap64: a bucket directory in the stored form; the bytea cast converts to the portable form
DROP CAST (roaringbitmap64 AS bytea);
CREATE FUNCTION rb64_to_bytea(roaringbitmap64) RETURNS bytea
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb64_to_bytea(roaringbitmap64) IS 'The portable 64-bit Roaring serialization of the bitmap (the binary form); also the bytea cast';
CREATE CAST (roaringbitmap64 AS bytea) WITH FUNCTION rb64_to_bytea(roaringbitmap64);
