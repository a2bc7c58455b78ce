-- roaringbitmap64: sets of 64-bit ids (bigint), pg_roaringbitmap 1.2's 64-bit type, built
-- from 32-bit bitmaps keyed by the high 32 bits (src/bitmap64/).

CREATE TYPE roaringbitmap64;

CREATE FUNCTION roaringbitmap64_in(cstring) RETURNS roaringbitmap64
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION roaringbitmap64_out(roaringbitmap64) RETURNS cstring
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION roaringbitmap64_recv(internal) RETURNS roaringbitmap64
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION roaringbitmap64_send(roaringbitmap64) RETURNS bytea
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;

-- external storage: large values stay uncompressed out of line, so that a
-- function needing a few containers can fetch only those slices.
CREATE TYPE roaringbitmap64 (
  INTERNALLENGTH = VARIABLE,
  INPUT = roaringbitmap64_in,
  OUTPUT = roaringbitmap64_out,
  RECEIVE = roaringbitmap64_recv,
  SEND = roaringbitmap64_send,
  ALIGNMENT = int4,
  STORAGE = external
);
COMMENT ON TYPE roaringbitmap64 IS 'Compressed set of 64-bit ids shown as bigint (unsigned order: 0 .. 2^63-1, then -2^63 .. -1), compatible with pg_roaringbitmap 1.2''s roaringbitmap64';
COMMENT ON FUNCTION roaringbitmap64_in(cstring) IS 'Text input: {1,2,3} or \x hex of the portable 64-bit Roaring serialization (validated)';
COMMENT ON FUNCTION roaringbitmap64_out(roaringbitmap64) IS 'Text output, as persona.output_format says: bytea (\x hex) or array ({1,2,3})';
COMMENT ON FUNCTION roaringbitmap64_recv(internal) IS 'Binary input: the portable 64-bit Roaring serialization, fully validated';
COMMENT ON FUNCTION roaringbitmap64_send(roaringbitmap64) IS 'Binary output: the portable 64-bit Roaring serialization';

CREATE FUNCTION roaringbitmap64(bytea) RETURNS roaringbitmap64
  AS 'MODULE_PATHNAME', 'roaringbitmap64_from_bytea' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION roaringbitmap64(bytea) IS 'Bitmap from its portable 64-bit Roaring serialization (validated); also the bytea cast';
-- values of several buckets are stored with a bucket directory; the bytea
-- form is portable, so this cast converts (src/bitmap64/rb64_format.h)
CREATE FUNCTION rb64_to_bytea(roaringbitmap64) RETURNS bytea
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb64_to_bytea(roaringbitmap64) IS 'The portable 64-bit Roaring serialization of the bitmap (the binary form); also the bytea cast';
CREATE CAST (roaringbitmap64 AS bytea) WITH FUNCTION rb64_to_bytea(roaringbitmap64);
CREATE CAST (bytea AS roaringbitmap64) WITH FUNCTION roaringbitmap64(bytea);

-- construction and conversion

CREATE FUNCTION rb64_build(bigint[]) RETURNS roaringbitmap64
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb64_build(bigint[]) IS 'Bitmap of the elements of a bigint array (NULL elements are an error)';
CREATE FUNCTION rb64_to_array(roaringbitmap64) RETURNS bigint[]
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb64_to_array(roaringbitmap64) IS 'Elements as a bigint array, in unsigned order 0 .. 9223372036854775807, -9223372036854775808 .. -1';
CREATE CAST (bigint[] AS roaringbitmap64) WITH FUNCTION rb64_build(bigint[]);
CREATE CAST (roaringbitmap64 AS bigint[]) WITH FUNCTION rb64_to_array(roaringbitmap64);

-- between the two bitmap types (explicit, as pg_roaringbitmap's)
CREATE FUNCTION rb64_from_roaringbitmap(roaringbitmap) RETURNS roaringbitmap64
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb64_from_roaringbitmap(roaringbitmap) IS 'The same values as a roaringbitmap64 (int4 -1 becomes bigint -1, as pg_roaringbitmap converts); also the cast';
CREATE FUNCTION rb64_to_roaringbitmap(roaringbitmap64) RETURNS roaringbitmap
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb64_to_roaringbitmap(roaringbitmap64) IS 'The same values as a roaringbitmap; error 22003 when an element is outside the int4 range; also the cast';
CREATE CAST (roaringbitmap AS roaringbitmap64) WITH FUNCTION rb64_from_roaringbitmap(roaringbitmap);
CREATE CAST (roaringbitmap64 AS roaringbitmap) WITH FUNCTION rb64_to_roaringbitmap(roaringbitmap64);
CREATE FUNCTION rb64_iterate(roaringbitmap64) RETURNS SETOF bigint
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE ROWS 1000;
COMMENT ON FUNCTION rb64_iterate(roaringbitmap64) IS 'Elements as rows, streamed (works for any cardinality)';

-- set algebra

CREATE FUNCTION rb64_and(roaringbitmap64, roaringbitmap64) RETURNS roaringbitmap64
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb64_and(roaringbitmap64, roaringbitmap64) IS 'Intersection (operator &)';
CREATE FUNCTION rb64_or(roaringbitmap64, roaringbitmap64) RETURNS roaringbitmap64
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb64_or(roaringbitmap64, roaringbitmap64) IS 'Union (operator |)';
CREATE FUNCTION rb64_xor(roaringbitmap64, roaringbitmap64) RETURNS roaringbitmap64
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb64_xor(roaringbitmap64, roaringbitmap64) IS 'Symmetric difference (operator #)';
CREATE FUNCTION rb64_andnot(roaringbitmap64, roaringbitmap64) RETURNS roaringbitmap64
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb64_andnot(roaringbitmap64, roaringbitmap64) IS 'Difference: elements of the first not in the second (operator -)';
CREATE FUNCTION rb64_and_cardinality(roaringbitmap64, roaringbitmap64) RETURNS bigint
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb64_and_cardinality(roaringbitmap64, roaringbitmap64) IS 'Size of the intersection, without building it';
CREATE FUNCTION rb64_or_cardinality(roaringbitmap64, roaringbitmap64) RETURNS bigint
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb64_or_cardinality(roaringbitmap64, roaringbitmap64) IS 'Size of the union, without building it';
CREATE FUNCTION rb64_xor_cardinality(roaringbitmap64, roaringbitmap64) RETURNS bigint
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb64_xor_cardinality(roaringbitmap64, roaringbitmap64) IS 'Size of the symmetric difference, without building it';
CREATE FUNCTION rb64_andnot_cardinality(roaringbitmap64, roaringbitmap64) RETURNS bigint
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb64_andnot_cardinality(roaringbitmap64, roaringbitmap64) IS 'Size of the difference, without building it';
CREATE FUNCTION rb64_jaccard_dist(roaringbitmap64, roaringbitmap64) RETURNS float8
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb64_jaccard_dist(roaringbitmap64, roaringbitmap64) IS 'Jaccard similarity |A∩B| / |A∪B| (named as in pg_roaringbitmap64; NaN for two empty sets)';

-- predicates

CREATE FUNCTION rb64_cardinality(roaringbitmap64) RETURNS bigint
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb64_cardinality(roaringbitmap64) IS 'Number of elements';
CREATE FUNCTION rb64_is_empty(roaringbitmap64) RETURNS boolean
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb64_is_empty(roaringbitmap64) IS 'True when the bitmap has no elements';
CREATE FUNCTION rb64_contains(roaringbitmap64, roaringbitmap64) RETURNS boolean
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb64_contains(roaringbitmap64, roaringbitmap64) IS 'True when the first bitmap contains every element of the second (operator @>)';
CREATE FUNCTION rb64_contains(roaringbitmap64, bigint) RETURNS boolean
  AS 'MODULE_PATHNAME', 'rb64_contains_bigint' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb64_contains(roaringbitmap64, bigint) IS 'True when the bitmap contains the element (operator @>)';
CREATE FUNCTION rb64_containedby(roaringbitmap64, roaringbitmap64) RETURNS boolean
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb64_containedby(roaringbitmap64, roaringbitmap64) IS 'True when every element of the first bitmap is in the second (operator <@)';
CREATE FUNCTION rb64_containedby(bigint, roaringbitmap64) RETURNS boolean
  AS 'MODULE_PATHNAME', 'rb64_containedby_bigint' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb64_containedby(bigint, roaringbitmap64) IS 'True when the element is in the bitmap (operator <@)';
CREATE FUNCTION rb64_intersect(roaringbitmap64, roaringbitmap64) RETURNS boolean
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb64_intersect(roaringbitmap64, roaringbitmap64) IS 'True when the bitmaps share an element (operator &&)';
CREATE FUNCTION rb64_equals(roaringbitmap64, roaringbitmap64) RETURNS boolean
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb64_equals(roaringbitmap64, roaringbitmap64) IS 'True when both bitmaps hold the same set (operator =)';
CREATE FUNCTION rb64_not_equals(roaringbitmap64, roaringbitmap64) RETURNS boolean
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb64_not_equals(roaringbitmap64, roaringbitmap64) IS 'True when the bitmaps hold different sets (operator <>)';

-- single elements and ranges; ranges are [range_start, range_end) of unsigned values passed
-- as bigint (negative = 2^63 and above); range_end = 0 means 2^64, as in pg_roaringbitmap

CREATE FUNCTION rb64_add(roaringbitmap64, bigint) RETURNS roaringbitmap64
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb64_add(roaringbitmap64, bigint) IS 'The bitmap with the element added (operator |)';
CREATE FUNCTION rb64_add(bigint, roaringbitmap64) RETURNS roaringbitmap64
  AS 'MODULE_PATHNAME', 'rb64_add_bigint_bitmap' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb64_add(bigint, roaringbitmap64) IS 'The bitmap with the element added (operator |)';
CREATE FUNCTION rb64_remove(roaringbitmap64, bigint) RETURNS roaringbitmap64
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb64_remove(roaringbitmap64, bigint) IS 'The bitmap without the element (operator -)';
CREATE FUNCTION rb64_fill(roaringbitmap64, range_start bigint, range_end bigint) RETURNS roaringbitmap64
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb64_fill(roaringbitmap64, bigint, bigint) IS 'The bitmap with every value in [range_start, range_end) added (unsigned; range_end 0 = 2^64; at most 1024 blocks of 2^32)';
CREATE FUNCTION rb64_clear(roaringbitmap64, range_start bigint, range_end bigint) RETURNS roaringbitmap64
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb64_clear(roaringbitmap64, bigint, bigint) IS 'The bitmap with every value in [range_start, range_end) removed';
CREATE FUNCTION rb64_flip(roaringbitmap64, range_start bigint, range_end bigint) RETURNS roaringbitmap64
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb64_flip(roaringbitmap64, bigint, bigint) IS 'The bitmap with membership of every value in [range_start, range_end) negated';
CREATE FUNCTION rb64_range(roaringbitmap64, range_start bigint, range_end bigint) RETURNS roaringbitmap64
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb64_range(roaringbitmap64, bigint, bigint) IS 'The elements in [range_start, range_end)';
CREATE FUNCTION rb64_range_cardinality(roaringbitmap64, range_start bigint, range_end bigint) RETURNS bigint
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb64_range_cardinality(roaringbitmap64, bigint, bigint) IS 'Number of elements in [range_start, range_end)';
CREATE FUNCTION rb64_min(roaringbitmap64) RETURNS bigint
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb64_min(roaringbitmap64) IS 'Smallest element in unsigned order (NULL when empty)';
CREATE FUNCTION rb64_max(roaringbitmap64) RETURNS bigint
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb64_max(roaringbitmap64) IS 'Largest element in unsigned order (NULL when empty)';
CREATE FUNCTION rb64_rank(roaringbitmap64, bigint) RETURNS bigint
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb64_rank(roaringbitmap64, bigint) IS 'Number of elements less than or equal to the value (unsigned order)';
CREATE FUNCTION rb64_index(roaringbitmap64, bigint) RETURNS bigint
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb64_index(roaringbitmap64, bigint) IS '0-based position of the element, or -1 when absent';
CREATE FUNCTION rb64_select(roaringbitmap64, bitset_limit bigint, bitset_offset bigint = 0,
                          reverse boolean = false, range_start bigint = 0,
                          range_end bigint = 0) RETURNS roaringbitmap64
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb64_select(roaringbitmap64, bigint, bigint, boolean, bigint, bigint) IS 'Up to bitset_limit elements of [range_start, range_end) (range_end 0 = to the end), skipping bitset_offset, from the end when reverse';
CREATE FUNCTION rb64_shiftright(roaringbitmap64, bigint) RETURNS roaringbitmap64
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb64_shiftright(roaringbitmap64, bigint) IS 'Every element plus the distance; elements leaving 0 .. 2^64-1 (unsigned) are dropped (operator >>)';
CREATE FUNCTION rb64_shiftleft(roaringbitmap64, bigint) RETURNS roaringbitmap64
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb64_shiftleft(roaringbitmap64, bigint) IS 'Every element minus the distance; elements leaving 0 .. 2^64-1 (unsigned) are dropped (operator <<)';
CREATE FUNCTION rb64_runoptimize(roaringbitmap64) RETURNS roaringbitmap64
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb64_runoptimize(roaringbitmap64) IS 'The same set with run-length containers wherever they are smaller';

-- operators

CREATE OPERATOR & (LEFTARG = roaringbitmap64, RIGHTARG = roaringbitmap64, PROCEDURE = rb64_and, COMMUTATOR = &);
CREATE OPERATOR | (LEFTARG = roaringbitmap64, RIGHTARG = roaringbitmap64, PROCEDURE = rb64_or, COMMUTATOR = |);
CREATE OPERATOR | (LEFTARG = roaringbitmap64, RIGHTARG = bigint, PROCEDURE = rb64_add);
CREATE OPERATOR | (LEFTARG = bigint, RIGHTARG = roaringbitmap64, PROCEDURE = rb64_add);
CREATE OPERATOR # (LEFTARG = roaringbitmap64, RIGHTARG = roaringbitmap64, PROCEDURE = rb64_xor, COMMUTATOR = #);
CREATE OPERATOR - (LEFTARG = roaringbitmap64, RIGHTARG = roaringbitmap64, PROCEDURE = rb64_andnot);
CREATE OPERATOR - (LEFTARG = roaringbitmap64, RIGHTARG = bigint, PROCEDURE = rb64_remove);
CREATE OPERATOR << (LEFTARG = roaringbitmap64, RIGHTARG = bigint, PROCEDURE = rb64_shiftleft);
CREATE OPERATOR >> (LEFTARG = roaringbitmap64, RIGHTARG = bigint, PROCEDURE = rb64_shiftright);
CREATE OPERATOR @> (LEFTARG = roaringbitmap64, RIGHTARG = roaringbitmap64, PROCEDURE = rb64_contains,
  COMMUTATOR = <@, RESTRICT = contsel, JOIN = contjoinsel);
CREATE OPERATOR @> (LEFTARG = roaringbitmap64, RIGHTARG = bigint, PROCEDURE = rb64_contains,
  COMMUTATOR = <@, RESTRICT = contsel, JOIN = contjoinsel);
CREATE OPERATOR <@ (LEFTARG = roaringbitmap64, RIGHTARG = roaringbitmap64, PROCEDURE = rb64_containedby,
  COMMUTATOR = @>, RESTRICT = contsel, JOIN = contjoinsel);
CREATE OPERATOR <@ (LEFTARG = bigint, RIGHTARG = roaringbitmap64, PROCEDURE = rb64_containedby,
  COMMUTATOR = @>, RESTRICT = contsel, JOIN = contjoinsel);
CREATE OPERATOR && (LEFTARG = roaringbitmap64, RIGHTARG = roaringbitmap64, PROCEDURE = rb64_intersect,
  COMMUTATOR = &&, RESTRICT = contsel, JOIN = contjoinsel);

-- equality and order on the set (pg_roaringbitmap has = and <> only)

CREATE FUNCTION rb64_cmp(roaringbitmap64, roaringbitmap64) RETURNS integer
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb64_cmp(roaringbitmap64, roaringbitmap64) IS 'Three-way order of two sets: lexicographic on their elements in unsigned 64-bit order (btree support)';
CREATE FUNCTION rb64_lt(roaringbitmap64, roaringbitmap64) RETURNS boolean
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb64_lt(roaringbitmap64, roaringbitmap64) IS 'Set order: less than (operator <)';
CREATE FUNCTION rb64_le(roaringbitmap64, roaringbitmap64) RETURNS boolean
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb64_le(roaringbitmap64, roaringbitmap64) IS 'Set order: less than or equal (operator <=)';
CREATE FUNCTION rb64_gt(roaringbitmap64, roaringbitmap64) RETURNS boolean
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb64_gt(roaringbitmap64, roaringbitmap64) IS 'Set order: greater than (operator >)';
CREATE FUNCTION rb64_ge(roaringbitmap64, roaringbitmap64) RETURNS boolean
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb64_ge(roaringbitmap64, roaringbitmap64) IS 'Set order: greater than or equal (operator >=)';
CREATE FUNCTION rb64_hash(roaringbitmap64) RETURNS integer
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb64_hash(roaringbitmap64) IS 'Hash of the set, independent of container layout (hash support)';
CREATE FUNCTION rb64_hash_extended(roaringbitmap64, bigint) RETURNS bigint
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb64_hash_extended(roaringbitmap64, bigint) IS 'Seeded 64-bit hash of the set (hash support)';

CREATE OPERATOR = (LEFTARG = roaringbitmap64, RIGHTARG = roaringbitmap64, PROCEDURE = rb64_equals,
  COMMUTATOR = =, NEGATOR = <>, RESTRICT = eqsel, JOIN = eqjoinsel, HASHES, MERGES);
CREATE OPERATOR <> (LEFTARG = roaringbitmap64, RIGHTARG = roaringbitmap64, PROCEDURE = rb64_not_equals,
  COMMUTATOR = <>, NEGATOR = =, RESTRICT = neqsel, JOIN = neqjoinsel);
CREATE OPERATOR < (LEFTARG = roaringbitmap64, RIGHTARG = roaringbitmap64, PROCEDURE = rb64_lt,
  COMMUTATOR = >, NEGATOR = >=, RESTRICT = scalarltsel, JOIN = scalarltjoinsel);
CREATE OPERATOR <= (LEFTARG = roaringbitmap64, RIGHTARG = roaringbitmap64, PROCEDURE = rb64_le,
  COMMUTATOR = >=, NEGATOR = >, RESTRICT = scalarlesel, JOIN = scalarlejoinsel);
CREATE OPERATOR > (LEFTARG = roaringbitmap64, RIGHTARG = roaringbitmap64, PROCEDURE = rb64_gt,
  COMMUTATOR = <, NEGATOR = <=, RESTRICT = scalargtsel, JOIN = scalargtjoinsel);
CREATE OPERATOR >= (LEFTARG = roaringbitmap64, RIGHTARG = roaringbitmap64, PROCEDURE = rb64_ge,
  COMMUTATOR = <=, NEGATOR = <, RESTRICT = scalargesel, JOIN = scalargejoinsel);

CREATE OPERATOR CLASS roaringbitmap64_ops DEFAULT FOR TYPE roaringbitmap64 USING btree AS
  OPERATOR 1 <, OPERATOR 2 <=, OPERATOR 3 =, OPERATOR 4 >=, OPERATOR 5 >,
  FUNCTION 1 rb64_cmp(roaringbitmap64, roaringbitmap64);
CREATE OPERATOR CLASS roaringbitmap64_ops DEFAULT FOR TYPE roaringbitmap64 USING hash AS
  OPERATOR 1 =,
  FUNCTION 1 rb64_hash(roaringbitmap64),
  FUNCTION 2 rb64_hash_extended(roaringbitmap64, bigint);

-- aggregates: the state is a roaringbitmap64 (expanded in memory), so Citus
-- and parallel workers combine partial states with the same functions.

CREATE FUNCTION rb64_or_trans(roaringbitmap64, roaringbitmap64) RETURNS roaringbitmap64
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb64_or_trans(roaringbitmap64, roaringbitmap64) IS 'Transition and combine function of rb64_or_agg and rb64_build_agg (aggregate use only)';
CREATE FUNCTION rb64_and_trans(roaringbitmap64, roaringbitmap64) RETURNS roaringbitmap64
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb64_and_trans(roaringbitmap64, roaringbitmap64) IS 'Transition and combine function of rb64_and_agg (aggregate use only)';
CREATE FUNCTION rb64_xor_trans(roaringbitmap64, roaringbitmap64) RETURNS roaringbitmap64
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb64_xor_trans(roaringbitmap64, roaringbitmap64) IS 'Transition and combine function of rb64_xor_agg (aggregate use only)';
CREATE FUNCTION rb64_build_trans(roaringbitmap64, bigint) RETURNS roaringbitmap64
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb64_build_trans(roaringbitmap64, bigint) IS 'Transition function of rb64_build_agg (aggregate use only)';

CREATE AGGREGATE rb64_build_agg(bigint) (
  SFUNC = rb64_build_trans, STYPE = roaringbitmap64, COMBINEFUNC = rb64_or_trans, PARALLEL = SAFE);
COMMENT ON AGGREGATE rb64_build_agg(bigint) IS 'Bitmap of the non-NULL values (NULL over no rows)';
CREATE AGGREGATE rb64_or_agg(roaringbitmap64) (
  SFUNC = rb64_or_trans, STYPE = roaringbitmap64, COMBINEFUNC = rb64_or_trans, PARALLEL = SAFE);
COMMENT ON AGGREGATE rb64_or_agg(roaringbitmap64) IS 'Union of the bitmaps (NULL over no rows)';
CREATE AGGREGATE rb64_and_agg(roaringbitmap64) (
  SFUNC = rb64_and_trans, STYPE = roaringbitmap64, COMBINEFUNC = rb64_and_trans, PARALLEL = SAFE);
COMMENT ON AGGREGATE rb64_and_agg(roaringbitmap64) IS 'Intersection of the bitmaps (NULL over no rows)';
CREATE AGGREGATE rb64_xor_agg(roaringbitmap64) (
  SFUNC = rb64_xor_trans, STYPE = roaringbitmap64, COMBINEFUNC = rb64_xor_trans, PARALLEL = SAFE);
COMMENT ON AGGREGATE rb64_xor_agg(roaringbitmap64) IS 'Symmetric difference of the bitmaps (NULL over no rows)';
CREATE AGGREGATE rb64_or_cardinality_agg(roaringbitmap64) (
  SFUNC = rb64_or_trans, STYPE = roaringbitmap64, FINALFUNC = rb64_cardinality,
  COMBINEFUNC = rb64_or_trans, PARALLEL = SAFE);
COMMENT ON AGGREGATE rb64_or_cardinality_agg(roaringbitmap64) IS 'Size of the union of the bitmaps (NULL over no rows)';
CREATE AGGREGATE rb64_and_cardinality_agg(roaringbitmap64) (
  SFUNC = rb64_and_trans, STYPE = roaringbitmap64, FINALFUNC = rb64_cardinality,
  COMBINEFUNC = rb64_and_trans, PARALLEL = SAFE);
COMMENT ON AGGREGATE rb64_and_cardinality_agg(roaringbitmap64) IS 'Size of the intersection of the bitmaps (NULL over no rows)';
CREATE AGGREGATE rb64_xor_cardinality_agg(roaringbitmap64) (
  SFUNC = rb64_xor_trans, STYPE = roaringbitmap64, FINALFUNC = rb64_cardinality,
  COMBINEFUNC = rb64_xor_trans, PARALLEL = SAFE);
COMMENT ON AGGREGATE rb64_xor_cardinality_agg(roaringbitmap64) IS 'Size of the symmetric difference of the bitmaps (NULL over no rows)';
