-- persona: the extension script is assembled by the Makefile from this
-- header and each module's .sql, in the order the Makefile lists them.
\echo Use "CREATE EXTENSION persona" to load this file. \quit
-- roaringbitmap: sets of int4 ids, drop-in compatible with pg_roaringbitmap 1.2.

CREATE TYPE roaringbitmap;

CREATE FUNCTION roaringbitmap_in(cstring) RETURNS roaringbitmap
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION roaringbitmap_out(roaringbitmap) RETURNS cstring
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION roaringbitmap_recv(internal) RETURNS roaringbitmap
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION roaringbitmap_send(roaringbitmap) RETURNS bytea
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;

-- external storage: large values stay uncompressed out of line, so that a
-- function needing a few containers can fetch only those slices.
CREATE TYPE roaringbitmap (
  INTERNALLENGTH = VARIABLE,
  INPUT = roaringbitmap_in,
  OUTPUT = roaringbitmap_out,
  RECEIVE = roaringbitmap_recv,
  SEND = roaringbitmap_send,
  ALIGNMENT = int4,
  STORAGE = external
);
COMMENT ON TYPE roaringbitmap IS 'Compressed set of int4 ids (Roaring bitmap), compatible with pg_roaringbitmap';
COMMENT ON FUNCTION roaringbitmap_in(cstring) IS 'Text input: {1,2,3} or \x hex of the Roaring portable serialization (validated)';
COMMENT ON FUNCTION roaringbitmap_out(roaringbitmap) IS 'Text output, as persona.output_format says: bytea (\x hex) or array ({1,2,3})';
COMMENT ON FUNCTION roaringbitmap_recv(internal) IS 'Binary input: the Roaring portable serialization, fully validated';
COMMENT ON FUNCTION roaringbitmap_send(roaringbitmap) IS 'Binary output: the Roaring portable serialization';

CREATE FUNCTION roaringbitmap(bytea) RETURNS roaringbitmap
  AS 'MODULE_PATHNAME', 'roaringbitmap_from_bytea' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION roaringbitmap(bytea) IS 'Bitmap from its Roaring portable serialization (validated); also the bytea cast';
CREATE CAST (roaringbitmap AS bytea) WITHOUT FUNCTION;
CREATE CAST (bytea AS roaringbitmap) WITH FUNCTION roaringbitmap(bytea);

-- construction and conversion

CREATE FUNCTION rb_build(integer[]) RETURNS roaringbitmap
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb_build(integer[]) IS 'Bitmap of the elements of an int4 array (NULL elements are an error)';
CREATE FUNCTION rb_to_array(roaringbitmap) RETURNS integer[]
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb_to_array(roaringbitmap) IS 'Elements as an int4 array, in order 0 .. 2147483647, -2147483648 .. -1';
CREATE CAST (integer[] AS roaringbitmap) WITH FUNCTION rb_build(integer[]);
CREATE CAST (roaringbitmap AS integer[]) WITH FUNCTION rb_to_array(roaringbitmap);
CREATE FUNCTION rb_iterate(roaringbitmap) RETURNS SETOF integer
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE ROWS 1000;
COMMENT ON FUNCTION rb_iterate(roaringbitmap) IS 'Elements as rows, streamed (works for any cardinality)';

-- set algebra

CREATE FUNCTION rb_and(roaringbitmap, roaringbitmap) RETURNS roaringbitmap
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb_and(roaringbitmap, roaringbitmap) IS 'Intersection (operator &)';
CREATE FUNCTION rb_or(roaringbitmap, roaringbitmap) RETURNS roaringbitmap
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb_or(roaringbitmap, roaringbitmap) IS 'Union (operator |)';
CREATE FUNCTION rb_xor(roaringbitmap, roaringbitmap) RETURNS roaringbitmap
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb_xor(roaringbitmap, roaringbitmap) IS 'Symmetric difference (operator #)';
CREATE FUNCTION rb_andnot(roaringbitmap, roaringbitmap) RETURNS roaringbitmap
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb_andnot(roaringbitmap, roaringbitmap) IS 'Difference: elements of the first not in the second (operator -)';
CREATE FUNCTION rb_and_cardinality(roaringbitmap, roaringbitmap) RETURNS bigint
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb_and_cardinality(roaringbitmap, roaringbitmap) IS 'Size of the intersection, without building it';
CREATE FUNCTION rb_or_cardinality(roaringbitmap, roaringbitmap) RETURNS bigint
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb_or_cardinality(roaringbitmap, roaringbitmap) IS 'Size of the union, without building it';
CREATE FUNCTION rb_xor_cardinality(roaringbitmap, roaringbitmap) RETURNS bigint
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb_xor_cardinality(roaringbitmap, roaringbitmap) IS 'Size of the symmetric difference, without building it';
CREATE FUNCTION rb_andnot_cardinality(roaringbitmap, roaringbitmap) RETURNS bigint
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb_andnot_cardinality(roaringbitmap, roaringbitmap) IS 'Size of the difference, without building it';
CREATE FUNCTION rb_jaccard_dist(roaringbitmap, roaringbitmap) RETURNS float8
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb_jaccard_dist(roaringbitmap, roaringbitmap) IS 'Jaccard similarity |A∩B| / |A∪B| (named as in pg_roaringbitmap; NaN for two empty sets)';

-- predicates

CREATE FUNCTION rb_cardinality(roaringbitmap) RETURNS bigint
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb_cardinality(roaringbitmap) IS 'Number of elements';
CREATE FUNCTION rb_is_empty(roaringbitmap) RETURNS boolean
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb_is_empty(roaringbitmap) IS 'True when the bitmap has no elements';
CREATE FUNCTION rb_contains(roaringbitmap, roaringbitmap) RETURNS boolean
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb_contains(roaringbitmap, roaringbitmap) IS 'True when the first bitmap contains every element of the second (operator @>)';
CREATE FUNCTION rb_contains(roaringbitmap, integer) RETURNS boolean
  AS 'MODULE_PATHNAME', 'rb_contains_int' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb_contains(roaringbitmap, integer) IS 'True when the bitmap contains the element (operator @>)';
CREATE FUNCTION rb_containedby(roaringbitmap, roaringbitmap) RETURNS boolean
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb_containedby(roaringbitmap, roaringbitmap) IS 'True when every element of the first bitmap is in the second (operator <@)';
CREATE FUNCTION rb_containedby(integer, roaringbitmap) RETURNS boolean
  AS 'MODULE_PATHNAME', 'rb_containedby_int' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb_containedby(integer, roaringbitmap) IS 'True when the element is in the bitmap (operator <@)';
CREATE FUNCTION rb_intersect(roaringbitmap, roaringbitmap) RETURNS boolean
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb_intersect(roaringbitmap, roaringbitmap) IS 'True when the bitmaps share an element (operator &&)';
CREATE FUNCTION rb_equals(roaringbitmap, roaringbitmap) RETURNS boolean
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb_equals(roaringbitmap, roaringbitmap) IS 'True when both bitmaps hold the same set (operator =)';
CREATE FUNCTION rb_not_equals(roaringbitmap, roaringbitmap) RETURNS boolean
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb_not_equals(roaringbitmap, roaringbitmap) IS 'True when the bitmaps hold different sets (operator <>)';

-- single elements and ranges; ranges are [range_start, range_end) as bigint

CREATE FUNCTION rb_add(roaringbitmap, integer) RETURNS roaringbitmap
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb_add(roaringbitmap, integer) IS 'The bitmap with the element added (operator |)';
CREATE FUNCTION rb_add(integer, roaringbitmap) RETURNS roaringbitmap
  AS 'MODULE_PATHNAME', 'rb_add_int_bitmap' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb_add(integer, roaringbitmap) IS 'The bitmap with the element added (operator |)';
CREATE FUNCTION rb_remove(roaringbitmap, integer) RETURNS roaringbitmap
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb_remove(roaringbitmap, integer) IS 'The bitmap without the element (operator -)';
CREATE FUNCTION rb_fill(roaringbitmap, range_start bigint, range_end bigint) RETURNS roaringbitmap
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb_fill(roaringbitmap, bigint, bigint) IS 'The bitmap with every value in [range_start, range_end) added (range clamped to 0 .. 4294967296)';
CREATE FUNCTION rb_clear(roaringbitmap, range_start bigint, range_end bigint) RETURNS roaringbitmap
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb_clear(roaringbitmap, bigint, bigint) IS 'The bitmap with every value in [range_start, range_end) removed';
CREATE FUNCTION rb_flip(roaringbitmap, range_start bigint, range_end bigint) RETURNS roaringbitmap
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb_flip(roaringbitmap, bigint, bigint) IS 'The bitmap with membership of every value in [range_start, range_end) negated';
CREATE FUNCTION rb_range(roaringbitmap, range_start bigint, range_end bigint) RETURNS roaringbitmap
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb_range(roaringbitmap, bigint, bigint) IS 'The elements in [range_start, range_end)';
CREATE FUNCTION rb_range_cardinality(roaringbitmap, range_start bigint, range_end bigint) RETURNS bigint
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb_range_cardinality(roaringbitmap, bigint, bigint) IS 'Number of elements in [range_start, range_end)';
CREATE FUNCTION rb_min(roaringbitmap) RETURNS integer
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb_min(roaringbitmap) IS 'Smallest element in unsigned order (NULL when empty)';
CREATE FUNCTION rb_max(roaringbitmap) RETURNS integer
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb_max(roaringbitmap) IS 'Largest element in unsigned order (NULL when empty)';
CREATE FUNCTION rb_rank(roaringbitmap, integer) RETURNS bigint
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb_rank(roaringbitmap, integer) IS 'Number of elements less than or equal to the value (unsigned order)';
CREATE FUNCTION rb_index(roaringbitmap, integer) RETURNS bigint
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb_index(roaringbitmap, integer) IS '0-based position of the element, or -1 when absent';
CREATE FUNCTION rb_select(roaringbitmap, bitset_limit bigint, bitset_offset bigint = 0,
                          reverse boolean = false, range_start bigint = 0,
                          range_end bigint = 4294967296) RETURNS roaringbitmap
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb_select(roaringbitmap, bigint, bigint, boolean, bigint, bigint) IS 'Up to bitset_limit elements of [range_start, range_end), skipping bitset_offset, from the end when reverse';
CREATE FUNCTION rb_shiftright(roaringbitmap, bigint) RETURNS roaringbitmap
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb_shiftright(roaringbitmap, bigint) IS 'Every element plus the distance; elements leaving 0 .. 4294967295 are dropped (operator >>)';
CREATE FUNCTION rb_shiftleft(roaringbitmap, bigint) RETURNS roaringbitmap
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb_shiftleft(roaringbitmap, bigint) IS 'Every element minus the distance; elements leaving 0 .. 4294967295 are dropped (operator <<)';
CREATE FUNCTION rb_runoptimize(roaringbitmap) RETURNS roaringbitmap
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb_runoptimize(roaringbitmap) IS 'The same set with run-length containers wherever they are smaller';

-- operators

CREATE OPERATOR & (LEFTARG = roaringbitmap, RIGHTARG = roaringbitmap, PROCEDURE = rb_and, COMMUTATOR = &);
CREATE OPERATOR | (LEFTARG = roaringbitmap, RIGHTARG = roaringbitmap, PROCEDURE = rb_or, COMMUTATOR = |);
CREATE OPERATOR | (LEFTARG = roaringbitmap, RIGHTARG = integer, PROCEDURE = rb_add);
CREATE OPERATOR | (LEFTARG = integer, RIGHTARG = roaringbitmap, PROCEDURE = rb_add);
CREATE OPERATOR # (LEFTARG = roaringbitmap, RIGHTARG = roaringbitmap, PROCEDURE = rb_xor, COMMUTATOR = #);
CREATE OPERATOR - (LEFTARG = roaringbitmap, RIGHTARG = roaringbitmap, PROCEDURE = rb_andnot);
CREATE OPERATOR - (LEFTARG = roaringbitmap, RIGHTARG = integer, PROCEDURE = rb_remove);
CREATE OPERATOR << (LEFTARG = roaringbitmap, RIGHTARG = bigint, PROCEDURE = rb_shiftleft);
CREATE OPERATOR >> (LEFTARG = roaringbitmap, RIGHTARG = bigint, PROCEDURE = rb_shiftright);
CREATE OPERATOR @> (LEFTARG = roaringbitmap, RIGHTARG = roaringbitmap, PROCEDURE = rb_contains,
  COMMUTATOR = <@, RESTRICT = contsel, JOIN = contjoinsel);
CREATE OPERATOR @> (LEFTARG = roaringbitmap, RIGHTARG = integer, PROCEDURE = rb_contains,
  COMMUTATOR = <@, RESTRICT = contsel, JOIN = contjoinsel);
CREATE OPERATOR <@ (LEFTARG = roaringbitmap, RIGHTARG = roaringbitmap, PROCEDURE = rb_containedby,
  COMMUTATOR = @>, RESTRICT = contsel, JOIN = contjoinsel);
CREATE OPERATOR <@ (LEFTARG = integer, RIGHTARG = roaringbitmap, PROCEDURE = rb_containedby,
  COMMUTATOR = @>, RESTRICT = contsel, JOIN = contjoinsel);
CREATE OPERATOR && (LEFTARG = roaringbitmap, RIGHTARG = roaringbitmap, PROCEDURE = rb_intersect,
  COMMUTATOR = &&, RESTRICT = contsel, JOIN = contjoinsel);

-- equality and order on the set (pg_roaringbitmap has = and <> only)

CREATE FUNCTION rb_cmp(roaringbitmap, roaringbitmap) RETURNS integer
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb_cmp(roaringbitmap, roaringbitmap) IS 'Three-way order of two sets: lexicographic on their elements in unsigned order (btree support)';
CREATE FUNCTION rb_lt(roaringbitmap, roaringbitmap) RETURNS boolean
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb_lt(roaringbitmap, roaringbitmap) IS 'Set order: less than (operator <)';
CREATE FUNCTION rb_le(roaringbitmap, roaringbitmap) RETURNS boolean
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb_le(roaringbitmap, roaringbitmap) IS 'Set order: less than or equal (operator <=)';
CREATE FUNCTION rb_gt(roaringbitmap, roaringbitmap) RETURNS boolean
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb_gt(roaringbitmap, roaringbitmap) IS 'Set order: greater than (operator >)';
CREATE FUNCTION rb_ge(roaringbitmap, roaringbitmap) RETURNS boolean
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb_ge(roaringbitmap, roaringbitmap) IS 'Set order: greater than or equal (operator >=)';
CREATE FUNCTION rb_hash(roaringbitmap) RETURNS integer
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb_hash(roaringbitmap) IS 'Hash of the set, independent of container layout (hash support)';
CREATE FUNCTION rb_hash_extended(roaringbitmap, bigint) RETURNS bigint
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb_hash_extended(roaringbitmap, bigint) IS 'Seeded 64-bit hash of the set (hash support)';

CREATE OPERATOR = (LEFTARG = roaringbitmap, RIGHTARG = roaringbitmap, PROCEDURE = rb_equals,
  COMMUTATOR = =, NEGATOR = <>, RESTRICT = eqsel, JOIN = eqjoinsel, HASHES, MERGES);
CREATE OPERATOR <> (LEFTARG = roaringbitmap, RIGHTARG = roaringbitmap, PROCEDURE = rb_not_equals,
  COMMUTATOR = <>, NEGATOR = =, RESTRICT = neqsel, JOIN = neqjoinsel);
CREATE OPERATOR < (LEFTARG = roaringbitmap, RIGHTARG = roaringbitmap, PROCEDURE = rb_lt,
  COMMUTATOR = >, NEGATOR = >=, RESTRICT = scalarltsel, JOIN = scalarltjoinsel);
CREATE OPERATOR <= (LEFTARG = roaringbitmap, RIGHTARG = roaringbitmap, PROCEDURE = rb_le,
  COMMUTATOR = >=, NEGATOR = >, RESTRICT = scalarlesel, JOIN = scalarlejoinsel);
CREATE OPERATOR > (LEFTARG = roaringbitmap, RIGHTARG = roaringbitmap, PROCEDURE = rb_gt,
  COMMUTATOR = <, NEGATOR = <=, RESTRICT = scalargtsel, JOIN = scalargtjoinsel);
CREATE OPERATOR >= (LEFTARG = roaringbitmap, RIGHTARG = roaringbitmap, PROCEDURE = rb_ge,
  COMMUTATOR = <=, NEGATOR = <, RESTRICT = scalargesel, JOIN = scalargejoinsel);

CREATE OPERATOR CLASS roaringbitmap_ops DEFAULT FOR TYPE roaringbitmap USING btree AS
  OPERATOR 1 <, OPERATOR 2 <=, OPERATOR 3 =, OPERATOR 4 >=, OPERATOR 5 >,
  FUNCTION 1 rb_cmp(roaringbitmap, roaringbitmap);
CREATE OPERATOR CLASS roaringbitmap_ops DEFAULT FOR TYPE roaringbitmap USING hash AS
  OPERATOR 1 =,
  FUNCTION 1 rb_hash(roaringbitmap),
  FUNCTION 2 rb_hash_extended(roaringbitmap, bigint);

-- aggregates: the state is a roaringbitmap (expanded in memory), so Citus
-- and parallel workers combine partial states with the same functions.

CREATE FUNCTION rb_or_trans(roaringbitmap, roaringbitmap) RETURNS roaringbitmap
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb_or_trans(roaringbitmap, roaringbitmap) IS 'Transition and combine function of rb_or_agg and rb_build_agg (aggregate use only)';
CREATE FUNCTION rb_and_trans(roaringbitmap, roaringbitmap) RETURNS roaringbitmap
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb_and_trans(roaringbitmap, roaringbitmap) IS 'Transition and combine function of rb_and_agg (aggregate use only)';
CREATE FUNCTION rb_xor_trans(roaringbitmap, roaringbitmap) RETURNS roaringbitmap
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb_xor_trans(roaringbitmap, roaringbitmap) IS 'Transition and combine function of rb_xor_agg (aggregate use only)';
CREATE FUNCTION rb_build_trans(roaringbitmap, integer) RETURNS roaringbitmap
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb_build_trans(roaringbitmap, integer) IS 'Transition function of rb_build_agg (aggregate use only)';

CREATE AGGREGATE rb_build_agg(integer) (
  SFUNC = rb_build_trans, STYPE = roaringbitmap, COMBINEFUNC = rb_or_trans, PARALLEL = SAFE);
COMMENT ON AGGREGATE rb_build_agg(integer) IS 'Bitmap of the non-NULL values (NULL over no rows)';
CREATE AGGREGATE rb_or_agg(roaringbitmap) (
  SFUNC = rb_or_trans, STYPE = roaringbitmap, COMBINEFUNC = rb_or_trans, PARALLEL = SAFE);
COMMENT ON AGGREGATE rb_or_agg(roaringbitmap) IS 'Union of the bitmaps (NULL over no rows)';
CREATE AGGREGATE rb_and_agg(roaringbitmap) (
  SFUNC = rb_and_trans, STYPE = roaringbitmap, COMBINEFUNC = rb_and_trans, PARALLEL = SAFE);
COMMENT ON AGGREGATE rb_and_agg(roaringbitmap) IS 'Intersection of the bitmaps (NULL over no rows)';
CREATE AGGREGATE rb_xor_agg(roaringbitmap) (
  SFUNC = rb_xor_trans, STYPE = roaringbitmap, COMBINEFUNC = rb_xor_trans, PARALLEL = SAFE);
COMMENT ON AGGREGATE rb_xor_agg(roaringbitmap) IS 'Symmetric difference of the bitmaps (NULL over no rows)';
CREATE AGGREGATE rb_or_cardinality_agg(roaringbitmap) (
  SFUNC = rb_or_trans, STYPE = roaringbitmap, FINALFUNC = rb_cardinality,
  COMBINEFUNC = rb_or_trans, PARALLEL = SAFE);
COMMENT ON AGGREGATE rb_or_cardinality_agg(roaringbitmap) IS 'Size of the union of the bitmaps (NULL over no rows)';
CREATE AGGREGATE rb_and_cardinality_agg(roaringbitmap) (
  SFUNC = rb_and_trans, STYPE = roaringbitmap, FINALFUNC = rb_cardinality,
  COMBINEFUNC = rb_and_trans, PARALLEL = SAFE);
COMMENT ON AGGREGATE rb_and_cardinality_agg(roaringbitmap) IS 'Size of the intersection of the bitmaps (NULL over no rows)';
CREATE AGGREGATE rb_xor_cardinality_agg(roaringbitmap) (
  SFUNC = rb_xor_trans, STYPE = roaringbitmap, FINALFUNC = rb_cardinality,
  COMBINEFUNC = rb_xor_trans, PARALLEL = SAFE);
COMMENT ON AGGREGATE rb_xor_cardinality_agg(roaringbitmap) IS 'Size of the symmetric difference of the bitmaps (NULL over no rows)';
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
-- audiences: tag expressions over tag bitmaps, and the Target Group Index.

CREATE TYPE rb_tag_expr_state;
CREATE FUNCTION rb_tag_expr_state_in(cstring) RETURNS rb_tag_expr_state
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION rb_tag_expr_state_out(rb_tag_expr_state) RETURNS cstring
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION rb_tag_expr_state_recv(internal) RETURNS rb_tag_expr_state
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION rb_tag_expr_state_send(rb_tag_expr_state) RETURNS bytea
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
CREATE TYPE rb_tag_expr_state (
  INTERNALLENGTH = VARIABLE,
  INPUT = rb_tag_expr_state_in, OUTPUT = rb_tag_expr_state_out,
  RECEIVE = rb_tag_expr_state_recv, SEND = rb_tag_expr_state_send,
  ALIGNMENT = int4, STORAGE = external);
COMMENT ON TYPE rb_tag_expr_state IS 'Partial state of rb_tag_expr_agg: the expression and, per tag it names, the union of that tag''s bitmaps';
COMMENT ON FUNCTION rb_tag_expr_state_in(cstring) IS 'Text input of rb_tag_expr_state (\x hex, validated)';
COMMENT ON FUNCTION rb_tag_expr_state_out(rb_tag_expr_state) IS 'Text output of rb_tag_expr_state (\x hex)';
COMMENT ON FUNCTION rb_tag_expr_state_recv(internal) IS 'Binary input of rb_tag_expr_state (validated)';
COMMENT ON FUNCTION rb_tag_expr_state_send(rb_tag_expr_state) IS 'Binary output of rb_tag_expr_state';

CREATE FUNCTION rb_tag_expr_trans(rb_tag_expr_state, roaringbitmap, text, text) RETURNS rb_tag_expr_state
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb_tag_expr_trans(rb_tag_expr_state, roaringbitmap, text, text) IS 'Transition function of rb_tag_expr_agg and rb_tag_expr_count_agg (aggregate use only)';
CREATE FUNCTION rb_tag_expr_combine(rb_tag_expr_state, rb_tag_expr_state) RETURNS rb_tag_expr_state
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb_tag_expr_combine(rb_tag_expr_state, rb_tag_expr_state) IS 'Combine function of rb_tag_expr_agg and rb_tag_expr_count_agg (aggregate use only)';
CREATE FUNCTION rb_tag_expr_final(rb_tag_expr_state) RETURNS roaringbitmap
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb_tag_expr_final(rb_tag_expr_state) IS 'Evaluates the expression of a rb_tag_expr_state (empty set for no rows)';
CREATE FUNCTION rb_tag_expr_count_final(rb_tag_expr_state) RETURNS bigint
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb_tag_expr_count_final(rb_tag_expr_state) IS 'Counts the audience of a rb_tag_expr_state (0 for no rows)';

CREATE AGGREGATE rb_tag_expr_agg(bitmap roaringbitmap, tag text, expr text) (
  SFUNC = rb_tag_expr_trans, STYPE = rb_tag_expr_state, FINALFUNC = rb_tag_expr_final,
  COMBINEFUNC = rb_tag_expr_combine, PARALLEL = SAFE);
COMMENT ON AGGREGATE rb_tag_expr_agg(roaringbitmap, text, text) IS 'Audience: evaluates a tag expression such as ''a & (b | "c d") - e'' over the bitmaps of each tag in the group';
CREATE AGGREGATE rb_tag_expr_count_agg(bitmap roaringbitmap, tag text, expr text) (
  SFUNC = rb_tag_expr_trans, STYPE = rb_tag_expr_state, FINALFUNC = rb_tag_expr_count_final,
  COMBINEFUNC = rb_tag_expr_combine, PARALLEL = SAFE);
COMMENT ON AGGREGATE rb_tag_expr_count_agg(roaringbitmap, text, text) IS 'Audience size: the cardinality of rb_tag_expr_agg, without building the final set';

CREATE FUNCTION rb_tag_expr_tags(expr text) RETURNS text[]
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb_tag_expr_tags(text) IS 'The distinct tags a tag expression names, for WHERE tag = ANY(rb_tag_expr_tags(expr))';

CREATE FUNCTION rb_tgi(target roaringbitmap, feature roaringbitmap, base roaringbitmap) RETURNS float8
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION rb_tgi(roaringbitmap, roaringbitmap, roaringbitmap) IS 'Target Group Index 100 * (|T&F|/|T|) / (|B&F|/|B|); NULL when T is empty or B&F is empty';
-- identity merging: connected components, identity resolution, the dictionary, phone and e-mail normalisation.

CREATE FUNCTION connected_components(edges_sql text)
RETURNS TABLE(node bigint, component bigint)
AS 'MODULE_PATHNAME', 'connected_components'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION connected_components(text) IS
'Connected components of the graph whose edges edges_sql returns as two integer columns; component = smallest node of the component; ordered by component, node';

CREATE FUNCTION identity_resolve(identifiers_sql text, rules jsonb DEFAULT '{}', previous_sql text DEFAULT NULL)
RETURNS TABLE(record_id text, person_id bigint)
AS 'MODULE_PATHNAME', 'identity_resolve'
LANGUAGE C CALLED ON NULL INPUT VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION identity_resolve(text, jsonb, text) IS
'Merge records that share identifiers into persons: identifiers_sql returns (record_id, id_type, id_value); rules {"types": [{"name", "limit", "max_records"}], "max_records", "blocked_values"}; previous_sql (record_id, person_id) keeps ids stable';

-- The dictionary: one row per (namespace, key).  C collation: byte order,
-- the same on every platform, and what dict_encode's index scans use.
CREATE TABLE persona_dict (
    namespace text COLLATE "C" NOT NULL,
    key       text COLLATE "C" NOT NULL,
    id        int4 NOT NULL CHECK (id > 0),
    CONSTRAINT persona_dict_pkey PRIMARY KEY (namespace, key),
    CONSTRAINT persona_dict_namespace_id_key UNIQUE (namespace, id)
);
COMMENT ON TABLE persona_dict IS
'persona dictionary: dense per-namespace int4 ids of string keys (written by dict_encode; ids are never reused or changed)';
SELECT pg_catalog.pg_extension_config_dump('persona_dict', '');

CREATE FUNCTION dict_encode(namespace text, key text) RETURNS int4
AS 'MODULE_PATHNAME', 'dict_encode'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION dict_encode(text, text) IS
'The id of key in namespace, assigning the next one (1, 2, 3, ...) the first time the key is seen; concurrent sessions get the same id';

CREATE FUNCTION dict_decode(namespace text, id int4) RETURNS text
AS 'MODULE_PATHNAME', 'dict_decode'
LANGUAGE C STRICT STABLE PARALLEL SAFE;
COMMENT ON FUNCTION dict_decode(text, int4) IS
'The key that has this id in namespace, or NULL';

CREATE FUNCTION normalize_phone(phone text, default_country text DEFAULT 'CN') RETURNS text
AS 'MODULE_PATHNAME', 'normalize_phone'
LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION normalize_phone(text, text) IS
'E.164 spelling of a phone number (+8613812345678), or NULL when implausible; spaces, dashes, brackets, +86/0086/86 prefixes accepted; default_country CN reads national numbers as Chinese mobiles';

CREATE FUNCTION normalize_email(email text) RETURNS text
AS 'MODULE_PATHNAME', 'normalize_email'
LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION normalize_email(text) IS
'Trimmed, lower-case e-mail address; Gmail addresses without dots and +tags in the local part, domain gmail.com; NULL without a single @ with text on both sides';
-- funnels, retention and event sequences.

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
COMMENT ON AGGREGATE window_funnel(interval, timestamptz, VARIADIC boolean[]) IS 'Funnel level: the highest step a chain of events reaches, each step within window of the chain''s first (ClickHouse windowFunnel)';
COMMENT ON AGGREGATE window_funnel(interval, text, timestamptz, VARIADIC boolean[]) IS 'Funnel level with a mode: a comma-separated set of strict_deduplication, strict_order, strict_increase ('''' is the default)';

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

CREATE FUNCTION points_lots(l points_ledger, as_of timestamptz,
    OUT earned_at timestamptz, OUT expires_at timestamptz, OUT earned numeric, OUT remaining numeric)
  RETURNS SETOF record
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE ROWS 10;
COMMENT ON FUNCTION points_lots(points_ledger, timestamptz) IS
  'The unexpired lots still holding points at as_of, in redemption order (expires_at NULL = never; earned is before debt repayment)';

-- tier timelines and lifecycle -------------------------------------------------

CREATE FUNCTION tier_timeline(ts timestamptz[], points numeric[], policy jsonb,
    OUT tier int, OUT tier_name text, OUT valid_from timestamptz, OUT valid_to timestamptz)
  RETURNS SETOF record
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT STABLE PARALLEL SAFE ROWS 5;
COMMENT ON FUNCTION tier_timeline(timestamptz[], numeric[], jsonb) IS
  'A member''s tier over time from qualifying-point events; policy {thresholds, names, period: lifetime|calendar_year|rolling, window, hold, as_of}';

CREATE FUNCTION lifecycle_stage(first_ts timestamptz, last_ts timestamptz, as_of timestamptz,
    new_within interval, active_within interval, dormant_within interval) RETURNS text
  LANGUAGE sql STRICT STABLE PARALLEL SAFE
  AS $$
    SELECT CASE WHEN first_ts >= as_of - new_within THEN 'new'
                WHEN last_ts >= as_of - active_within THEN 'active'
                WHEN last_ts >= as_of - dormant_within THEN 'dormant'
                ELSE 'churned' END
  $$;
COMMENT ON FUNCTION lifecycle_stage(timestamptz, timestamptz, timestamptz, interval, interval, interval) IS
  'new (first_ts within new_within of as_of), else active (last_ts within active_within), else dormant (within dormant_within), else churned';
