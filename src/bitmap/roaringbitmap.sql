-- roaringbitmap: sets of int4 ids, drop-in compatible with pg_roaringbitmap 1.2.
--
-- bigint ids belong in roaringbitmap64 (the rb64_ functions).  A bigint given to
-- an rb_ function (rb_build_agg(bigint)) is PostgreSQL's "function does not exist"
-- (42883); the comments of the type, rb_build and rb_build_agg name the rb64_
-- equivalent.  There are no int8 overloads that fail with a hint: with both int4
-- and int8 versions a smallint argument and an untyped literal ('5') match both
-- and become "function is not unique", where they resolve to int4 today.

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
COMMENT ON TYPE roaringbitmap IS 'Compressed set of int4 ids (Roaring bitmap), compatible with pg_roaringbitmap; bigint ids: roaringbitmap64 and the rb64_ functions';
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
COMMENT ON FUNCTION rb_build(integer[]) IS 'Bitmap of the elements of an int4 array (NULL elements are an error); bigint[]: rb64_build';
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
COMMENT ON AGGREGATE rb_build_agg(integer) IS 'Bitmap of the non-NULL int4 values (NULL over no rows); bigint values: rb64_build_agg';
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
