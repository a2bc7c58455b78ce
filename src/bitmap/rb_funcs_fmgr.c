/*
 * rb_funcs_fmgr.c — ranges, order statistics, selection and shifts.
 *
 * Range arguments are [range_start, range_end) as bigint, clamped to
 * [0, 2^32) the way pg_roaringbitmap clamps them, so that callers can pass
 * 4294967296 for "to the end".
 */
#include "bitmap/bitmap_fmgr.h"

/* Number of elements <= x. */
static uint64
arg_rank(RbArg *a, uint32 x)
{
	bool		broken;
	uint64		r;

	if (a->exp)
		return roaring_bitmap_rank(rb_arg_roaring(a), x);
	r = rb_view_rank(&a->view, x, &broken);
	if (broken)
		rb_corrupt_error();
	return r;
}

/* Number of elements in [start, end), after clamping. */
static uint64
arg_range_cardinality(RbArg *a, int64 start, int64 end)
{
	if (start >= end)
		return 0;
	return arg_rank(a, (uint32) (end - 1)) -
		(start > 0 ? arg_rank(a, (uint32) (start - 1)) : 0);
}

typedef enum
{
	RANGE_FILL,
	RANGE_CLEAR,
	RANGE_FLIP,
	RANGE_KEEP
} RangeOp;

static Datum
range_op(FunctionCallInfo fcinfo, RangeOp op)
{
	int64		start = PG_GETARG_INT64(1);
	int64		end = PG_GETARG_INT64(2);
	RbArg		a;
	RbOwned    *o;

	rb_clamp_range(&start, &end);
	rb_arg_get(fcinfo, 0, &a);
	o = rb_arg_roaring_copy(&a);
	switch (op)
	{
		case RANGE_FILL:
			if (start < end)
				roaring_bitmap_add_range_closed(o->r, (uint32) start, (uint32) (end - 1));
			break;
		case RANGE_CLEAR:
			if (start < end)
				roaring_bitmap_remove_range_closed(o->r, (uint32) start, (uint32) (end - 1));
			break;
		case RANGE_FLIP:
			if (start < end)
				roaring_bitmap_flip_inplace(o->r, (uint64) start, (uint64) end);
			break;
		case RANGE_KEEP:
			if (start >= end)
				roaring_bitmap_clear(o->r);
			else
			{
				if (start > 0)
					roaring_bitmap_remove_range_closed(o->r, 0, (uint32) (start - 1));
				if (end < RB_RANGE_END)
					roaring_bitmap_remove_range_closed(o->r, (uint32) end, UINT32_MAX);
			}
			break;
	}
	PG_RETURN_BYTEA_P(rb_serialize_free(o));
}

PG_FUNCTION_INFO_V1(rb_fill);
Datum
rb_fill(PG_FUNCTION_ARGS)
{
	return range_op(fcinfo, RANGE_FILL);
}

PG_FUNCTION_INFO_V1(rb_clear);
Datum
rb_clear(PG_FUNCTION_ARGS)
{
	return range_op(fcinfo, RANGE_CLEAR);
}

PG_FUNCTION_INFO_V1(rb_flip);
Datum
rb_flip(PG_FUNCTION_ARGS)
{
	return range_op(fcinfo, RANGE_FLIP);
}

PG_FUNCTION_INFO_V1(rb_range);
Datum
rb_range(PG_FUNCTION_ARGS)
{
	return range_op(fcinfo, RANGE_KEEP);
}

PG_FUNCTION_INFO_V1(rb_range_cardinality);
Datum
rb_range_cardinality(PG_FUNCTION_ARGS)
{
	int64		start = PG_GETARG_INT64(1);
	int64		end = PG_GETARG_INT64(2);
	RbArg		a;

	rb_clamp_range(&start, &end);
	rb_arg_get(fcinfo, 0, &a);
	PG_RETURN_INT64((int64) arg_range_cardinality(&a, start, end));
}

static bool
arg_min_max(RbArg *a, bool want_max, uint32 *result)
{
	rb_container c;

	if (a->exp)
	{
		const roaring_bitmap_t *r = rb_arg_roaring(a);

		if (roaring_bitmap_is_empty(r))
			return false;
		*result = want_max ? roaring_bitmap_maximum(r) : roaring_bitmap_minimum(r);
		return true;
	}
	if (a->view.n == 0)
		return false;
	if (!rb_view_container(&a->view, want_max ? a->view.n - 1 : 0, &c))
		rb_corrupt_error();
	*result = ((uint32) c.key << 16) |
		(want_max ? rb_container_max(&c) : rb_container_min(&c));
	return true;
}

PG_FUNCTION_INFO_V1(rb_min);
Datum
rb_min(PG_FUNCTION_ARGS)
{
	RbArg		a;
	uint32		x;

	rb_arg_get(fcinfo, 0, &a);
	if (!arg_min_max(&a, false, &x))
		PG_RETURN_NULL();
	PG_RETURN_INT32((int32) x);
}

PG_FUNCTION_INFO_V1(rb_max);
Datum
rb_max(PG_FUNCTION_ARGS)
{
	RbArg		a;
	uint32		x;

	rb_arg_get(fcinfo, 0, &a);
	if (!arg_min_max(&a, true, &x))
		PG_RETURN_NULL();
	PG_RETURN_INT32((int32) x);
}

PG_FUNCTION_INFO_V1(rb_rank);
Datum
rb_rank(PG_FUNCTION_ARGS)
{
	RbArg		a;

	rb_arg_get(fcinfo, 0, &a);
	PG_RETURN_INT64((int64) arg_rank(&a, (uint32) PG_GETARG_INT32(1)));
}

PG_FUNCTION_INFO_V1(rb_index);
Datum
rb_index(PG_FUNCTION_ARGS)
{
	RbArg		a;
	uint32		x = (uint32) PG_GETARG_INT32(1);

	rb_arg_get(fcinfo, 0, &a);
	if (!rb_arg_contains_value(&a, x))
		PG_RETURN_INT64(-1);
	PG_RETURN_INT64((int64) arg_rank(&a, x) - 1);
}

/*
 * rb_select: a window of the elements in [range_start, range_end), by
 * position.  Positions [offset, offset + limit) of the range; with reverse,
 * the window is counted from the end exactly as pg_roaringbitmap 1.2 counts
 * it (start = max(0, total - offset - limit), then limit positions), so
 * that migrated queries return the same rows.
 */
PG_FUNCTION_INFO_V1(rb_select);
Datum
rb_select(PG_FUNCTION_ARGS)
{
	int64		limit = PG_GETARG_INT64(1);
	int64		offset = PG_GETARG_INT64(2);
	bool		reverse = PG_GETARG_BOOL(3);
	int64		start = PG_GETARG_INT64(4);
	int64		end = PG_GETARG_INT64(5);
	RbArg		a;
	RbOwned    *o;
	int64		total,
				lo,
				hi;
	uint64		before;

	rb_clamp_range(&start, &end);
	rb_arg_get(fcinfo, 0, &a);
	total = (int64) arg_range_cardinality(&a, start, end);
	before = start > 0 && start < end ? arg_rank(&a, (uint32) (start - 1)) : 0;

	/* 128-bit so that any bigint offset and limit behave exactly */
	lo = hi = 0;
	if (limit > 0)
	{
		__int128	l,
					h;

		if (!reverse)
			l = offset;
		else if (total > offset)
			l = Max((__int128) total - offset - limit, 0);
		else
			l = total;			/* nothing */
		h = Min((__int128) l + limit, (__int128) total);
		l = Max(l, 0);
		lo = (int64) Min(l, (__int128) total);
		hi = (int64) Max(h, 0);
	}

	o = rb_owned_new(CurrentMemoryContext);
	if (lo >= hi)
	{
		o->r = roaring_bitmap_create();
	}
	else
	{
		const roaring_bitmap_t *r = rb_arg_roaring(&a);
		uint32		vlo,
					vhi;

		if (!roaring_bitmap_select(r, (uint32) (before + lo), &vlo) ||
			!roaring_bitmap_select(r, (uint32) (before + hi - 1), &vhi))
			rb_corrupt_error();
		o->r = roaring_bitmap_copy(r);
		if (vlo > 0)
			roaring_bitmap_remove_range_closed(o->r, 0, vlo - 1);
		if (vhi < UINT32_MAX)
			roaring_bitmap_remove_range_closed(o->r, vhi + 1, UINT32_MAX);
	}
	if (o->r == NULL)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	rb_arg_release(&a);
	PG_RETURN_BYTEA_P(rb_serialize_free(o));
}

#define SHIFT_BUF 4096

/* Every element moves by distance; those leaving [0, 2^32) are dropped. */
static Datum
shift_by(FunctionCallInfo fcinfo, int64 distance)
{
	bytea	   *b = PG_GETARG_BYTEA_P(0);
	rb_view		v;
	rb_interval_iter it;
	uint32		s,
				e;
	uint32		buf[SHIFT_BUF];
	int			nbuf = 0;
	uint64		nintervals = 0;
	RbOwned    *o;

	if (distance == 0)
		PG_RETURN_BYTEA_P(b);
	if (!rb_view_init(&v, VARDATA(b), VARSIZE(b) - VARHDRSZ))
		rb_corrupt_error();
	o = rb_new_owned();
	rb_interval_iter_init(&it, &v);
	while (rb_interval_next(&it, &s, &e))
	{
		int64		ns = (int64) s + distance;
		int64		ne = (int64) e + distance;

		/* up to 2^31 intervals (every other value) */
		if ((++nintervals % RB_CHECK_EVERY) == 0)
			CHECK_FOR_INTERRUPTS();
		if (ns < 0)
			ns = 0;
		if (ne > (int64) UINT32_MAX)
			ne = UINT32_MAX;
		if (ns > ne)
			continue;
		if (ns == ne)
		{
			if (nbuf == SHIFT_BUF)
			{
				roaring_bitmap_add_many(o->r, nbuf, buf);
				nbuf = 0;
			}
			buf[nbuf++] = (uint32) ns;
			continue;
		}
		if (nbuf)
		{
			roaring_bitmap_add_many(o->r, nbuf, buf);
			nbuf = 0;
		}
		roaring_bitmap_add_range_closed(o->r, (uint32) ns, (uint32) ne);
	}
	if (it.broken)
		rb_corrupt_error();
	if (nbuf)
		roaring_bitmap_add_many(o->r, nbuf, buf);
	PG_RETURN_BYTEA_P(rb_serialize_free(o));
}

/* Beyond +-2^32 every element leaves the domain; clamping avoids overflow. */
static int64
clamp_distance(int64 d)
{
	if (d > RB_RANGE_END)
		return RB_RANGE_END;
	if (d < -RB_RANGE_END)
		return -RB_RANGE_END;
	return d;
}

PG_FUNCTION_INFO_V1(rb_shiftright);
Datum
rb_shiftright(PG_FUNCTION_ARGS)
{
	return shift_by(fcinfo, clamp_distance(PG_GETARG_INT64(1)));
}

PG_FUNCTION_INFO_V1(rb_shiftleft);
Datum
rb_shiftleft(PG_FUNCTION_ARGS)
{
	return shift_by(fcinfo, -clamp_distance(PG_GETARG_INT64(1)));
}

PG_FUNCTION_INFO_V1(rb_runoptimize);
Datum
rb_runoptimize(PG_FUNCTION_ARGS)
{
	RbArg		a;
	RbOwned    *o;

	rb_arg_get(fcinfo, 0, &a);
	o = rb_arg_roaring_copy(&a);
	roaring_bitmap_run_optimize(o->r);
	PG_RETURN_BYTEA_P(rb_serialize_free(o));
}
