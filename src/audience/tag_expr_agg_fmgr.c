/*
 * tag_expr_agg_fmgr.c — rb_tag_expr_agg, rb_tag_expr_count_agg, rb_tag_expr_tags
 * and rb_tgi.
 *
 * The aggregate state keeps, for each tag the expression names, the OR of
 * the bitmaps of that tag's rows; the expression is evaluated once, at the
 * end.  Rows whose tag the expression does not name cost a hash probe and
 * are never detoasted.  The state is a concrete type (rb_tag_expr_state,
 * with text and binary I/O) so Citus can combine partial states; in memory
 * it is an expanded object, so rows never re-serialize it.
 */
#include "audience/audience_fmgr.h"

#include "catalog/pg_type.h"
#include "utils/array.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#define TE_STATE_MAGIC 0x31455450	/* "PTE1" little-endian */

static void *
pg_te_alloc(void *ctx, size_t size)
{
	return MemoryContextAlloc((MemoryContext) ctx, size ? size : 1);
}

static void
pg_te_release(void *ctx, void *p)
{
	(void) ctx;
	pfree(p);
}

/* Long expressions are cut in messages, at a character boundary. */
static char *
abbreviate(const char *s, size_t len)
{
	size_t		cut = len;

	if (len <= 200)
		return pnstrdup(s, len);
	cut = pg_mbcliplen(s, (int) len, 200);
	return psprintf("%s...", pnstrdup(s, cut));
}

/* Compile or report the error with its position (22023). */
static tag_expr *
compile_or_error(const char *text, size_t len, MemoryContext cxt)
{
	te_alloc	a = {pg_te_alloc, pg_te_release, cxt};
	te_error	err;
	tag_expr   *e = te_compile(text, len, &a, &err);

	if (e == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid tag expression: %s at character %d", err.message, err.position),
				 errdetail("Expression: %s", abbreviate(text, len)),
				 errhint("Combine tags with & (and), - (and not), ^ (xor), | (or) and parentheses; quote tags with other characters, as \"age:18-24\".")));
	return e;
}

/* ---- the state ---- */

typedef struct TeState
{
	ExpandedObjectHeader hdr;
	char	   *expr;
	size_t		exprlen;
	tag_expr   *prog;
	RbOwned   **sets;			/* one per tag; NULL until a row of it */
	bool	   *lazy;
	Size		flat_size;
	struct varlena *raw_expr;	/* the expression argument exactly as last passed */
} TeState;

static Size te_get_flat_size(ExpandedObjectHeader *eohptr);
static void te_flatten_into(ExpandedObjectHeader *eohptr, void *result, Size allocated_size);

static const ExpandedObjectMethods te_methods = {te_get_flat_size, te_flatten_into};

static bool
is_te_state(Datum d)
{
	return VARATT_IS_EXTERNAL_EXPANDED(DatumGetPointer(d)) &&
		DatumGetEOHP(d)->eoh_methods == &te_methods;
}

static TeState *
te_state_new(const char *expr, size_t len, MemoryContext parent)
{
	MemoryContext cxt = AllocSetContextCreate(parent, "rb_tag_expr state", ALLOCSET_SMALL_SIZES);
	TeState    *st = MemoryContextAllocZero(cxt, sizeof(TeState));

	EOH_init_header(&st->hdr, &te_methods, cxt);
	st->expr = MemoryContextAlloc(cxt, len + 1);
	memcpy(st->expr, expr, len);
	st->expr[len] = '\0';
	st->exprlen = len;
	st->prog = compile_or_error(expr, len, cxt);
	st->sets = MemoryContextAllocZero(cxt, sizeof(RbOwned *) * Max(st->prog->ntags, 1));
	st->lazy = MemoryContextAllocZero(cxt, sizeof(bool) * Max(st->prog->ntags, 1));
	return st;
}

static roaring_bitmap_t *
te_set_ready(TeState *st, int i)
{
	if (st->sets[i] == NULL)
		return NULL;
	if (st->lazy[i])
	{
		roaring_bitmap_repair_after_lazy(st->sets[i]->r);
		st->lazy[i] = false;
	}
	return st->sets[i]->r;
}

/* OR a bitmap into the set of tag i (taking ownership of nothing). */
static void
te_state_or(TeState *st, int i, const roaring_bitmap_t *r)
{
	if (st->sets[i] == NULL)
	{
		RbOwned    *o = rb_owned_new(st->hdr.eoh_context);

		o->r = roaring_bitmap_copy(r);
		if (o->r == NULL)
			ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
		st->sets[i] = o;
	}
	else
	{
		roaring_bitmap_lazy_or_inplace(st->sets[i]->r, r, false);
		st->lazy[i] = true;
	}
	st->flat_size = 0;
}

/* OR a row's bitmap into tag i's set, straight from its stored bytes. */
static void
te_state_or_arg(TeState *st, int i, RbArg *in)
{
	if (in->exp)
	{
		te_state_or(st, i, rb_arg_roaring(in));
		return;
	}
	if (st->sets[i] == NULL)
	{
		RbOwned    *o = rb_owned_new(st->hdr.eoh_context);

		o->r = roaring_bitmap_create();
		if (o->r == NULL)
			ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
		st->sets[i] = o;
	}
	if (!rb_lazy_or_view(st->sets[i]->r, &in->view))
		rb_corrupt_error();
	st->lazy[i] = true;
	st->flat_size = 0;
}

/*
 * Flat form: magic, expression length and bytes, tag count, then per tag a
 * length (0 = no rows) and a portable bitmap; little-endian integers, read
 * and written through base/bytes.h.
 */
static Size
te_get_flat_size(ExpandedObjectHeader *eohptr)
{
	TeState    *st = (TeState *) eohptr;
	uint64		size;

	if (st->flat_size)
		return st->flat_size;
	size = VARHDRSZ + 4 + 4 + st->exprlen + 4;
	for (int i = 0; i < st->prog->ntags; i++)
	{
		roaring_bitmap_t *r;

		/* an expression can name hundreds of thousands of tags */
		CHECK_FOR_INTERRUPTS();
		r = te_set_ready(st, i);

		size += 4;
		if (r)
		{
			roaring_bitmap_run_optimize(r);
			if (!rb_canonicalize(r))
				ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
			size += roaring_bitmap_portable_size_in_bytes(r);
		}
	}
	rb_check_result_size(size);
	st->flat_size = size;
	return size;
}

static void
te_flatten_into(ExpandedObjectHeader *eohptr, void *result, Size allocated_size)
{
	TeState    *st = (TeState *) eohptr;
	byte_writer w = {(uint8_t *) VARDATA(result), 0};

	bw_u32(&w, TE_STATE_MAGIC);
	bw_u32(&w, (uint32) st->exprlen);
	bw_bytes(&w, st->expr, st->exprlen);
	bw_u32(&w, (uint32) st->prog->ntags);
	for (int i = 0; i < st->prog->ntags; i++)
	{
		roaring_bitmap_t *r;

		CHECK_FOR_INTERRUPTS();
		r = te_set_ready(st, i);

		if (r == NULL)
		{
			bw_u32(&w, 0);
			continue;
		}
		bw_u32(&w, (uint32) roaring_bitmap_portable_size_in_bytes(r));
		w.len += roaring_bitmap_portable_serialize(r, (char *) w.p + w.len);
	}
	Assert(VARHDRSZ + w.len == allocated_size);
	SET_VARSIZE(result, allocated_size);
}

static void
state_corrupt(const char *why, int sqlstate)
{
	ereport(ERROR,
			(errcode(sqlstate),
			 errmsg("invalid rb_tag_expr_state data: %s", why),
			 errhint("States are written by rb_tag_expr_agg and rb_tag_expr_count_agg.")));
}

/*
 * Parse (and, with validate, fully check) a flat state into an expanded one.
 * Stored and transferred states were checked when they came in, so the
 * aggregate's own paths skip the bitmap validation.
 */
static TeState *
te_state_from_flat(const char *data, size_t len, MemoryContext parent, bool validate, int sqlstate)
{
	byte_reader r;
	const uint8_t *expr;
	uint32		magic,
				exprlen,
				ntags;
	TeState    *st;

	br_init(&r, data, len);
	if (!br_u32(&r, &magic) || magic != TE_STATE_MAGIC)
		state_corrupt("bad header", sqlstate);
	if (!br_u32(&r, &exprlen) || (expr = br_skip(&r, exprlen)) == NULL)
		state_corrupt("truncated expression", sqlstate);
	st = te_state_new((const char *) expr, exprlen, parent);
	if (!br_u32(&r, &ntags) || ntags != (uint32) st->prog->ntags)
		state_corrupt("tag count does not match the expression", sqlstate);
	for (uint32 i = 0; i < ntags; i++)
	{
		uint32		blen;
		const char *p;
		RbOwned    *o;

		CHECK_FOR_INTERRUPTS();
		if (!br_u32(&r, &blen) || (p = (const char *) br_skip(&r, blen)) == NULL)
			state_corrupt("truncated bitmap", sqlstate);
		if (blen == 0)
			continue;
		if (validate)
			rb_validate_or_error(p, blen, sqlstate);
		o = rb_owned_new(st->hdr.eoh_context);
		o->r = roaring_bitmap_portable_deserialize_safe(p, blen);
		if (o->r == NULL)
			state_corrupt("unreadable bitmap", sqlstate);
		st->sets[i] = o;
	}
	if (br_left(&r) != 0)
		state_corrupt("trailing bytes", sqlstate);
	return st;
}

static TeState *
te_state_of(Datum d, MemoryContext parent, bool need_rw)
{
	bytea	   *flat;
	TeState    *st;

	if (is_te_state(d) && (!need_rw || VARATT_IS_EXTERNAL_EXPANDED_RW(DatumGetPointer(d))))
		return (TeState *) DatumGetEOHP(d);
	flat = (bytea *) PG_DETOAST_DATUM(d);
	st = te_state_from_flat(VARDATA(flat), VARSIZE(flat) - VARHDRSZ, parent, false,
							ERRCODE_DATA_CORRUPTED);
	return st;
}

/*
 * Every row passes the expression again.  Comparing the argument as passed
 * (a TOAST pointer, compressed bytes or plain text) with the last one seen
 * settles the common case without detoasting; only a difference in form
 * falls back to comparing the text.
 */
static void
same_expression(TeState *st, Datum arg)
{
	struct varlena *raw = (struct varlena *) DatumGetPointer(arg);
	Size		rawlen = VARSIZE_ANY(raw);
	text	   *expr;

	if (st->raw_expr && VARSIZE_ANY(st->raw_expr) == rawlen &&
		memcmp(st->raw_expr, raw, rawlen) == 0)
		return;
	expr = (text *) PG_DETOAST_DATUM_PACKED(arg);
	if ((size_t) VARSIZE_ANY_EXHDR(expr) != st->exprlen ||
		memcmp(VARDATA_ANY(expr), st->expr, st->exprlen) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the tag expression must be the same for every row of a group"),
				 errdetail("Saw \"%s\" and then \"%s\".", abbreviate(st->expr, st->exprlen),
						   abbreviate(VARDATA_ANY(expr), VARSIZE_ANY_EXHDR(expr)))));
	if (st->raw_expr)
		pfree(st->raw_expr);
	st->raw_expr = MemoryContextAlloc(st->hdr.eoh_context, rawlen);
	memcpy(st->raw_expr, raw, rawlen);
}

/* ---- SQL-callable ---- */

PG_FUNCTION_INFO_V1(rb_tag_expr_trans);
Datum
rb_tag_expr_trans(PG_FUNCTION_ARGS)
{
	MemoryContext aggctx;
	TeState    *st;
	text	   *tag;
	text	   *expr;
	int32		i;
	RbArg		in;

	aggctx = persona_agg_context(fcinfo, "rb_tag_expr_trans");
	if (PG_ARGISNULL(3))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("the tag expression must not be NULL")));
	if (PG_ARGISNULL(0))
	{
		expr = PG_GETARG_TEXT_PP(3);
		st = te_state_new(VARDATA_ANY(expr), VARSIZE_ANY_EXHDR(expr), aggctx);
	}
	else
		st = te_state_of(PG_GETARG_DATUM(0), aggctx, true);
	same_expression(st, PG_GETARG_DATUM(3));
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		PG_RETURN_DATUM(EOHPGetRWDatum(&st->hdr));
	tag = PG_GETARG_TEXT_PP(2);
	i = te_find_tag(st->prog, VARDATA_ANY(tag), VARSIZE_ANY_EXHDR(tag));
	if (i >= 0)
	{
		rb_arg_get(fcinfo, 1, &in);
		te_state_or_arg(st, i, &in);
	}
	PG_RETURN_DATUM(EOHPGetRWDatum(&st->hdr));
}

PG_FUNCTION_INFO_V1(rb_tag_expr_combine);
Datum
rb_tag_expr_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggctx;
	TeState    *a,
			   *b;

	aggctx = persona_combine_context(fcinfo, "rb_tag_expr_combine");
	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	b = te_state_of(PG_GETARG_DATUM(1), CurrentMemoryContext, false);
	if (PG_ARGISNULL(0))
		a = te_state_new(b->expr, b->exprlen, aggctx);
	else
		a = te_state_of(PG_GETARG_DATUM(0), aggctx, true);
	if (a->exprlen != b->exprlen || memcmp(a->expr, b->expr, a->exprlen) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot combine states of different tag expressions"),
				 errdetail("\"%s\" and \"%s\".", abbreviate(a->expr, a->exprlen),
						   abbreviate(b->expr, b->exprlen))));
	for (int i = 0; i < a->prog->ntags; i++)
	{
		roaring_bitmap_t *r;

		CHECK_FOR_INTERRUPTS();
		r = te_set_ready(b, i);

		if (r)
			te_state_or(a, i, r);
	}
	PG_RETURN_DATUM(EOHPGetRWDatum(&a->hdr));
}

/* te_eval's poll: a cancel (or another interrupt) waits to be handled */
static bool
interrupt_pending(void)
{
	return INTERRUPTS_PENDING_CONDITION() && INTERRUPTS_CAN_BE_PROCESSED();
}

/*
 * te_eval stopped: for an interrupt, handle it (a cancel leaves with its
 * error; anything else returns, and the caller evaluates again); otherwise
 * CRoaring ran out of memory.
 */
static void
eval_failed(void)
{
	if (!interrupt_pending())
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	CHECK_FOR_INTERRUPTS();
}

/* Each tag's bitmap, ready to read (NULL: no rows). */
static roaring_bitmap_t **
ready_sets(TeState *st)
{
	roaring_bitmap_t **sets = palloc0(sizeof(roaring_bitmap_t *) * Max(st->prog->ntags, 1));

	for (int i = 0; i < st->prog->ntags; i++)
	{
		CHECK_FOR_INTERRUPTS();
		sets[i] = te_set_ready(st, i);
	}
	return sets;
}

/* Over no rows there is no expression to evaluate: the empty audience. */
PG_FUNCTION_INFO_V1(rb_tag_expr_final);
Datum
rb_tag_expr_final(PG_FUNCTION_ARGS)
{
	TeState    *st;
	RbOwned    *o;
	roaring_bitmap_t **sets;

	if (PG_ARGISNULL(0))
	{
		o = rb_new_owned();
		PG_RETURN_BYTEA_P(rb_serialize_free(o));
	}
	st = te_state_of(PG_GETARG_DATUM(0), CurrentMemoryContext, false);
	sets = ready_sets(st);
	o = rb_owned_new(CurrentMemoryContext);
	te_stop_requested = interrupt_pending;
	while ((o->r = te_eval(st->prog, sets)) == NULL)
		eval_failed();
	PG_RETURN_BYTEA_P(rb_serialize_free(o));
}

PG_FUNCTION_INFO_V1(rb_tag_expr_count_final);
Datum
rb_tag_expr_count_final(PG_FUNCTION_ARGS)
{
	TeState    *st;
	roaring_bitmap_t **sets;
	uint64		count;

	if (PG_ARGISNULL(0))
		PG_RETURN_INT64(0);
	st = te_state_of(PG_GETARG_DATUM(0), CurrentMemoryContext, false);
	sets = ready_sets(st);
	te_stop_requested = interrupt_pending;
	while (!te_eval_count(st->prog, sets, &count))
		eval_failed();
	PG_RETURN_INT64((int64) count);
}

PG_FUNCTION_INFO_V1(rb_tag_expr_state_in);
Datum
rb_tag_expr_state_in(PG_FUNCTION_ARGS)
{
	char	   *input = PG_GETARG_CSTRING(0);
	bytea	   *b;

	if (input[0] != '\\' || input[1] != 'x')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type rb_tag_expr_state"),
				 errhint("The text form is \\x followed by the hex of the binary form.")));
	b = rb_hex_decode(input, "rb_tag_expr_state");
	/* validates everything; the expanded copy is dropped with the context */
	te_state_from_flat(VARDATA(b), VARSIZE(b) - VARHDRSZ, CurrentMemoryContext, true,
					   ERRCODE_INVALID_TEXT_REPRESENTATION);
	PG_RETURN_BYTEA_P(b);
}

PG_FUNCTION_INFO_V1(rb_tag_expr_state_out);
Datum
rb_tag_expr_state_out(PG_FUNCTION_ARGS)
{
	return DirectFunctionCall1(byteaout, PointerGetDatum(PG_GETARG_BYTEA_P(0)));
}

PG_FUNCTION_INFO_V1(rb_tag_expr_state_recv);
Datum
rb_tag_expr_state_recv(PG_FUNCTION_ARGS)
{
	bytea	   *result = rb_recv_raw((StringInfo) PG_GETARG_POINTER(0));

	te_state_from_flat(VARDATA(result), VARSIZE(result) - VARHDRSZ, CurrentMemoryContext, true,
					   ERRCODE_INVALID_BINARY_REPRESENTATION);
	PG_RETURN_BYTEA_P(result);
}

PG_FUNCTION_INFO_V1(rb_tag_expr_state_send);
Datum
rb_tag_expr_state_send(PG_FUNCTION_ARGS)
{
	PG_RETURN_BYTEA_P(rb_send_raw(PG_GETARG_BYTEA_P(0)));
}

PG_FUNCTION_INFO_V1(rb_tag_expr_tags);
Datum
rb_tag_expr_tags(PG_FUNCTION_ARGS)
{
	text	   *expr = PG_GETARG_TEXT_PP(0);
	tag_expr   *e = compile_or_error(VARDATA_ANY(expr), VARSIZE_ANY_EXHDR(expr),
									 CurrentMemoryContext);
	Datum	   *elems = palloc(sizeof(Datum) * Max(e->ntags, 1));

	for (int i = 0; i < e->ntags; i++)
		elems[i] = PointerGetDatum(cstring_to_text_with_len(e->tags[i], e->taglens[i]));
	PG_RETURN_ARRAYTYPE_P(construct_array(elems, e->ntags, TEXTOID, -1, false, TYPALIGN_INT));
}

/* Target Group Index: how much more often F occurs in T than in B. */
PG_FUNCTION_INFO_V1(rb_tgi);
Datum
rb_tgi(PG_FUNCTION_ARGS)
{
	RbArg		t,
				f,
				b;
	uint64		nt,
				nb,
				nbf,
				ntf;

	rb_arg_get(fcinfo, 0, &t);
	rb_arg_get(fcinfo, 1, &f);
	rb_arg_get(fcinfo, 2, &b);
	nt = rb_arg_cardinality(&t);
	if (nt == 0)
		PG_RETURN_NULL();
	nb = rb_arg_cardinality(&b);
	nbf = rb_args_and_cardinality(&b, &f);
	if (nbf == 0)
		PG_RETURN_NULL();
	ntf = rb_args_and_cardinality(&t, &f);
	/* one rounding, at the end: 100 |T&F| |B| / (|T| |B&F|), exact in 128 bits */
	PG_RETURN_FLOAT8((double) ((long double) ((unsigned __int128) 100 * ntf * nb) /
							   (long double) ((unsigned __int128) nt * nbf)));
}
