/*
 * rb_agg_fmgr.c — bitmap aggregates.
 *
 * The state type is roaringbitmap itself (concrete, so Citus can run these
 * as partial aggregates and parallel workers can ship states without a
 * serialfunc).  Within one backend the state is our expanded object, owned
 * by the aggregate context and modified in place: rows cost one CRoaring
 * operation, never a re-serialization.  The transition functions double as
 * combine functions, since combining two states is the same set operation
 * as folding in one more bitmap.
 */
#include "bitmap/bitmap_fmgr.h"

/* The per-row path of rb_build_agg: one store, the rest out of line. */
static inline void
rb_expanded_add_fast(RbExpanded *e, uint32 x)
{
	if (likely(e->pending != NULL && e->npending < RB_PENDING_MAX))
	{
		e->pending[e->npending++] = x;
		e->flat_size = 0;
	}
	else
		rb_expanded_add(e, x);
}

/* The state as our read-write expanded object; expanded on first use. */
static inline RbExpanded *
state_of(FunctionCallInfo fcinfo, MemoryContext aggctx)
{
	Datum		d = PG_GETARG_DATUM(0);

	if (rb_datum_is_expanded(d) && VARATT_IS_EXTERNAL_EXPANDED_RW(DatumGetPointer(d)))
		return (RbExpanded *) DatumGetEOHP(d);
	return rb_expanded_from_datum(d, aggctx);
}

typedef enum
{
	FOLD_OR,
	FOLD_AND,
	FOLD_XOR
} FoldOp;

static Datum
fold(FunctionCallInfo fcinfo, FoldOp op, const char *fname)
{
	MemoryContext aggctx = persona_agg_context(fcinfo, fname);
	RbExpanded *st;
	RbArg		in = {0};
	roaring_bitmap_t *r;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	if (PG_ARGISNULL(0))
	{
		/* an intersection may need little of its first row: keep it flat */
		if (op == FOLD_AND && !rb_datum_is_expanded(PG_GETARG_DATUM(1)))
			st = rb_expanded_deferred(PG_GETARG_BYTEA_P(1), aggctx);
		else
			st = rb_expanded_from_datum(PG_GETARG_DATUM(1), aggctx);
		PG_RETURN_DATUM(EOHPGetRWDatum(&st->hdr));
	}
	st = state_of(fcinfo, aggctx);
	st->flat_size = 0;
	switch (op)
	{
		case FOLD_OR:
			rb_arg_get(fcinfo, 1, &in);
			if (rb_arg_cardinality(&in) > 0)
			{
				/* lazy: bitset cardinalities are recounted once, at the end */
				rbx_flush_pending(st);
				if (in.flat)
				{
					if (!rb_lazy_or_view(st->own->r, &in.view))
						rb_corrupt_error();
				}
				else
					roaring_bitmap_lazy_or_inplace(st->own->r, rb_arg_roaring(&in), false);
				st->lazy = true;
			}
			break;
		case FOLD_AND:
			if (st->first)
			{
				rb_view		fv;

				rb_arg_get(fcinfo, 1, &in);
				if (in.flat)
				{
					if (!rb_view_init(&fv, VARDATA(st->first), VARSIZE(st->first) - VARHDRSZ))
						rb_corrupt_error();
					st->own->r = rb_and_views(&fv, &in.view);
					if (st->own->r == NULL)
						rb_corrupt_error();
					pfree(st->first);
					st->first = NULL;
					break;
				}
			}
			r = rb_expanded_ready(st);
			if (!roaring_bitmap_is_empty(r))
			{
				rb_arg_get(fcinfo, 1, &in);
				if (in.flat)
				{
					if (!rb_and_view(r, &in.view))
						rb_corrupt_error();
				}
				else
					roaring_bitmap_and_inplace(r, rb_arg_roaring(&in));
			}
			break;
		case FOLD_XOR:
			r = rb_expanded_ready(st);
			rb_arg_get(fcinfo, 1, &in);
			roaring_bitmap_xor_inplace(r, rb_arg_roaring(&in));
			break;
	}
	rb_arg_release(&in);
	PG_RETURN_DATUM(EOHPGetRWDatum(&st->hdr));
}

PG_FUNCTION_INFO_V1(rb_or_trans);
Datum
rb_or_trans(PG_FUNCTION_ARGS)
{
	return fold(fcinfo, FOLD_OR, "rb_or_trans");
}

PG_FUNCTION_INFO_V1(rb_and_trans);
Datum
rb_and_trans(PG_FUNCTION_ARGS)
{
	return fold(fcinfo, FOLD_AND, "rb_and_trans");
}

PG_FUNCTION_INFO_V1(rb_xor_trans);
Datum
rb_xor_trans(PG_FUNCTION_ARGS)
{
	return fold(fcinfo, FOLD_XOR, "rb_xor_trans");
}

PG_FUNCTION_INFO_V1(rb_build_trans);
Datum
rb_build_trans(PG_FUNCTION_ARGS)
{
	MemoryContext aggctx = persona_agg_context(fcinfo, "rb_build_trans");
	RbExpanded *st;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	st = PG_ARGISNULL(0) ? rb_expanded_new(aggctx) : state_of(fcinfo, aggctx);
	rb_expanded_add_fast(st, (uint32) PG_GETARG_INT32(1));
	PG_RETURN_DATUM(EOHPGetRWDatum(&st->hdr));
}
