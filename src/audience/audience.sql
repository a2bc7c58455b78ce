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
