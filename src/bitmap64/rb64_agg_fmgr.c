/*
 * rb64_agg_fmgr.c — roaringbitmap64 aggregates.
 *
 * As for roaringbitmap, the state type is the value type itself (concrete:
 * Citus and parallel workers ship it with its send/recv, and the
 * transition functions double as combine functions).  Within a backend
 * the state is an expanded object in the aggregate context — one CRoaring
 * bitmap per high key — modified in place: a row costs one 32-bit set
 * operation per bucket it touches, never a re-serialization.
 */
#include "bitmap64/bitmap64_fmgr.h"

static Rb64Expanded *
expand(Datum d, MemoryContext aggctx)
{
	if (rb64_datum_is_expanded(d))
	{
		/* a read-only state of another aggregate: copy through the flat form */
		Rb64Expanded *src = (Rb64Expanded *) DatumGetEOHP(d);
		MemoryContext old = MemoryContextSwitchTo(aggctx);
		bytea	   *flat = rb64_serialize_set(rb64_expanded_ready(src), false);
		Rb64Expanded *e;

		MemoryContextSwitchTo(old);
		e = rb64_expanded_from_flat(flat, aggctx);
		pfree(flat);
		return e;
	}
	return rb64_expanded_from_flat((bytea *) PG_DETOAST_DATUM(d), aggctx);
}

static inline Rb64Expanded *
state_of(FunctionCallInfo fcinfo, MemoryContext aggctx)
{
	Datum		d = PG_GETARG_DATUM(0);

	if (rb64_datum_is_expanded(d) && VARATT_IS_EXTERNAL_EXPANDED_RW(DatumGetPointer(d)))
		return (Rb64Expanded *) DatumGetEOHP(d);
	return expand(d, aggctx);
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
	Rb64Expanded *st;
	Rb64Set    *s;
	Rb64Arg		in;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	if (PG_ARGISNULL(0))
	{
		st = expand(PG_GETARG_DATUM(1), aggctx);
		PG_RETURN_DATUM(EOHPGetRWDatum(&st->hdr));
	}
	st = state_of(fcinfo, aggctx);
	st->flat_size = 0;
	if (op != FOLD_OR)
		rb64_expanded_ready(st);
	s = st->set;
	/* an empty intersection stays empty: the row need not be read */
	if (op == FOLD_AND && s->n == 0)
		PG_RETURN_DATUM(EOHPGetRWDatum(&st->hdr));
	rb64_arg_get(fcinfo, 1, &in);
	switch (op)
	{
		case FOLD_OR:
			if (in.n > 0)
			{
				MemoryContext old = MemoryContextSwitchTo(st->hdr.eoh_context);
				uint32	   *keys = palloc(in.n * sizeof(uint32));

				MemoryContextSwitchTo(old);
				for (int64 i = 0; i < in.n; i++)
					keys[i] = in.b[i].key;
				/* pending adds first, so that they land in the same buckets */
				if (st->npending)
					rb64_expanded_ready(st);
				rb64set_check(rb64set_ensure_keys(s, keys, in.n));
				pfree(keys);
				for (int64 i = 0, j = 0; i < in.n; i++)
				{
					CHECK_FOR_INTERRUPTS();
					while (s->keys[j] != in.b[i].key)
						j++;
					/* lazy: bitset cardinalities are recounted once, at the end */
					if (!rb_lazy_or_view(s->bms[j], &in.b[i].view))
						rb64_corrupt_error();
				}
				st->lazy = true;
			}
			break;
		case FOLD_AND:
			{
				int64		j = 0;

				for (int32 i = 0; i < s->n; i++)
				{
					CHECK_FOR_INTERRUPTS();
					while (j < in.n && in.b[j].key < s->keys[i])
						j++;
					if (j < in.n && in.b[j].key == s->keys[i])
					{
						if (!rb_and_view(s->bms[i], &in.b[j].view))
							rb64_corrupt_error();
					}
					else
						roaring_bitmap_clear(s->bms[i]);
				}
				rb64set_compact(s);
			}
			break;
		case FOLD_XOR:
			{
				MemoryContext old = MemoryContextSwitchTo(st->hdr.eoh_context);
				uint32	   *keys = palloc(Max(in.n, 1) * sizeof(uint32));

				MemoryContextSwitchTo(old);
				for (int64 i = 0; i < in.n; i++)
					keys[i] = in.b[i].key;
				rb64set_check(rb64set_ensure_keys(s, keys, in.n));
				pfree(keys);
				for (int64 i = 0, j = 0; i < in.n; i++)
				{
					RbOwned    *w;

					CHECK_FOR_INTERRUPTS();
					w = rb64_bucket_roaring(&in.b[i]);

					while (s->keys[j] != in.b[i].key)
						j++;
					roaring_bitmap_xor_inplace(s->bms[j], w->r);
					rb_owned_free(w);
				}
				rb64set_compact(s);
			}
			break;
	}
	PG_RETURN_DATUM(EOHPGetRWDatum(&st->hdr));
}

PG_FUNCTION_INFO_V1(rb64_or_trans);
Datum
rb64_or_trans(PG_FUNCTION_ARGS)
{
	return fold(fcinfo, FOLD_OR, "rb64_or_trans");
}

PG_FUNCTION_INFO_V1(rb64_and_trans);
Datum
rb64_and_trans(PG_FUNCTION_ARGS)
{
	return fold(fcinfo, FOLD_AND, "rb64_and_trans");
}

PG_FUNCTION_INFO_V1(rb64_xor_trans);
Datum
rb64_xor_trans(PG_FUNCTION_ARGS)
{
	return fold(fcinfo, FOLD_XOR, "rb64_xor_trans");
}

PG_FUNCTION_INFO_V1(rb64_build_trans);
Datum
rb64_build_trans(PG_FUNCTION_ARGS)
{
	MemoryContext aggctx = persona_agg_context(fcinfo, "rb64_build_trans");
	Rb64Expanded *st;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	st = PG_ARGISNULL(0) ? rb64_expanded_new(aggctx) : state_of(fcinfo, aggctx);
	rb64_expanded_add(st, (uint64) PG_GETARG_INT64(1));
	PG_RETURN_DATUM(EOHPGetRWDatum(&st->hdr));
}
