/*
 * rb64_funcs_fmgr.c — ranges, order statistics, selection and shifts.
 *
 * Ranges are [range_start, range_end) of unsigned 64-bit values passed as
 * bigint (negative = 2^63 and above), and range_end = 0 means "to the
 * end", 2^64, as in pg_roaringbitmap 1.2.  Buckets outside a range are
 * copied as bytes; the ones it touches go through CRoaring.
 */
#include "bitmap64/bitmap64_fmgr.h"

#include "miscadmin.h"

/* Filling 1024 whole buckets already makes a value near the 1 GB limit. */
#define RB64_MAX_FILL_BUCKETS 1024

typedef enum
{
	RANGE_FILL,
	RANGE_CLEAR,
	RANGE_FLIP,
	RANGE_KEEP
} RangeOp;

/*
 * Every whole block a fill creates shares one serialization of the full
 * 32-bit set, so that filling many blocks costs the output and no
 * CRoaring bitmap per block.
 */
static const rb_view *
full_block(rb_view *v, bytea **holder)
{
	if (*holder == NULL)
	{
		RbOwned    *o = rb_new_owned();

		roaring_bitmap_add_range_closed(o->r, 0, UINT32_MAX);
		roaring_bitmap_run_optimize(o->r);
		*holder = rb_serialize_free(o);
		if (!rb_view_init(v, VARDATA(*holder), VARSIZE(*holder) - VARHDRSZ))
			rb64_corrupt_error();
	}
	return v;
}

static bytea *
range_apply(const Rb64Arg *a, RangeOp op, Rb64Range r)
{
	rb_view		fullv;
	bytea	   *full = NULL;
	Rb64Out		o;
	int64		i = 0;
	uint64		khi = r.start >> 32,
				kend = r.last >> 32,
				rk = khi;
	bool		creates = !r.empty && (op == RANGE_FILL || op == RANGE_FLIP);

	if (creates && kend - khi + 1 > RB64_MAX_FILL_BUCKETS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("range spans " UINT64_FORMAT " high keys (blocks of 2^32 values); at most %d can be filled or flipped",
						kend - khi + 1, RB64_MAX_FILL_BUCKETS),
				 errdetail("The result would exceed the 1 GB limit of a PostgreSQL value."),
				 errhint("Use a narrower range (range_end = 0 means 2^64).")));
	rb64out_init(&o);
	for (;;)
	{
		uint64		key = UINT64_MAX;
		bool		has,
					in_range;
		uint32		lo_s,
					lo_e;
		RbOwned    *x = NULL;

		if (i < a->n)
			key = a->b[i].key;
		if (creates && rk <= kend && rk < key)
			key = rk;
		if (key == UINT64_MAX)
			break;
		CHECK_FOR_INTERRUPTS();
		has = i < a->n && a->b[i].key == key;
		in_range = !r.empty && key >= khi && key <= kend;
		if (!in_range)
		{
			if (op != RANGE_KEEP)
				rb64out_view(&o, (uint32) key, &a->b[i].view);
			i++;
			continue;
		}
		lo_s = key == khi ? (uint32) r.start : 0;
		lo_e = key == kend ? (uint32) r.last : UINT32_MAX;
		switch (op)
		{
			case RANGE_CLEAR:
				if (lo_s > 0 || lo_e < UINT32_MAX)
				{
					x = rb64_bucket_roaring(&a->b[i]);
					roaring_bitmap_remove_range_closed(x->r, lo_s, lo_e);
				}
				break;
			case RANGE_KEEP:
				if (lo_s == 0 && lo_e == UINT32_MAX)
					rb64out_view(&o, (uint32) key, &a->b[i].view);
				else
				{
					x = rb64_bucket_roaring(&a->b[i]);
					if (lo_s > 0)
						roaring_bitmap_remove_range_closed(x->r, 0, lo_s - 1);
					if (lo_e < UINT32_MAX)
						roaring_bitmap_remove_range_closed(x->r, lo_e + 1, UINT32_MAX);
				}
				break;
			case RANGE_FILL:
				if (lo_s == 0 && lo_e == UINT32_MAX)
				{
					rb64out_view(&o, (uint32) key, full_block(&fullv, &full));
					break;
				}
				x = has ? rb64_bucket_roaring(&a->b[i]) : rb_new_owned();
				roaring_bitmap_add_range_closed(x->r, lo_s, lo_e);
				break;
			case RANGE_FLIP:
				if (!has && lo_s == 0 && lo_e == UINT32_MAX)
				{
					rb64out_view(&o, (uint32) key, full_block(&fullv, &full));
					break;
				}
				x = has ? rb64_bucket_roaring(&a->b[i]) : rb_new_owned();
				roaring_bitmap_flip_inplace(x->r, lo_s, (uint64) lo_e + 1);
				break;
		}
		if (x)
			rb64out_bitmap(&o, (uint32) key, x);
		if (has)
			i++;
		if (creates && key == rk)
			rk++;
	}
	return rb64out_finish(&o);
}

static Datum
range_op(FunctionCallInfo fcinfo, RangeOp op)
{
	Rb64Arg		a;

	rb64_arg_get(fcinfo, 0, &a);
	PG_RETURN_BYTEA_P(range_apply(&a, op, rb64_range_arg(PG_GETARG_INT64(1), PG_GETARG_INT64(2))));
}

PG_FUNCTION_INFO_V1(rb64_fill);
Datum
rb64_fill(PG_FUNCTION_ARGS)
{
	return range_op(fcinfo, RANGE_FILL);
}

PG_FUNCTION_INFO_V1(rb64_clear);
Datum
rb64_clear(PG_FUNCTION_ARGS)
{
	return range_op(fcinfo, RANGE_CLEAR);
}

PG_FUNCTION_INFO_V1(rb64_flip);
Datum
rb64_flip(PG_FUNCTION_ARGS)
{
	return range_op(fcinfo, RANGE_FLIP);
}

PG_FUNCTION_INFO_V1(rb64_range);
Datum
rb64_range(PG_FUNCTION_ARGS)
{
	return range_op(fcinfo, RANGE_KEEP);
}

static uint64
range_cardinality(const Rb64Arg *a, Rb64Range r)
{
	if (r.empty)
		return 0;
	return rb64_rank_of(a, r.last) - (r.start > 0 ? rb64_rank_of(a, r.start - 1) : 0);
}

PG_FUNCTION_INFO_V1(rb64_range_cardinality);
Datum
rb64_range_cardinality(PG_FUNCTION_ARGS)
{
	Rb64Arg		a;

	rb64_arg_get(fcinfo, 0, &a);
	PG_RETURN_INT64((int64) range_cardinality(&a, rb64_range_arg(PG_GETARG_INT64(1), PG_GETARG_INT64(2))));
}

static Datum
min_or_max(FunctionCallInfo fcinfo, bool want_max)
{
	Rb64Arg		a;
	const rb64_bucket *b;
	rb_container c;

	rb64_arg_get(fcinfo, 0, &a);
	if (a.n == 0)
		PG_RETURN_NULL();
	b = &a.b[want_max ? a.n - 1 : 0];
	if (!rb_view_container(&b->view, want_max ? b->view.n - 1 : 0, &c))
		rb64_corrupt_error();
	PG_RETURN_INT64((int64) rb64_join(b->key, ((uint32) c.key << 16) |
									  (want_max ? rb_container_max(&c) : rb_container_min(&c))));
}

PG_FUNCTION_INFO_V1(rb64_min);
Datum
rb64_min(PG_FUNCTION_ARGS)
{
	return min_or_max(fcinfo, false);
}

PG_FUNCTION_INFO_V1(rb64_max);
Datum
rb64_max(PG_FUNCTION_ARGS)
{
	return min_or_max(fcinfo, true);
}

PG_FUNCTION_INFO_V1(rb64_rank);
Datum
rb64_rank(PG_FUNCTION_ARGS)
{
	Rb64Arg		a;

	rb64_arg_get(fcinfo, 0, &a);
	PG_RETURN_INT64((int64) rb64_rank_of(&a, (uint64) PG_GETARG_INT64(1)));
}

PG_FUNCTION_INFO_V1(rb64_index);
Datum
rb64_index(PG_FUNCTION_ARGS)
{
	Rb64Arg		a;
	uint64		x = (uint64) PG_GETARG_INT64(1);

	rb64_arg_get(fcinfo, 0, &a);
	if (!rb64_contains_value(&a, x))
		PG_RETURN_INT64(-1);
	PG_RETURN_INT64((int64) rb64_rank_of(&a, x) - 1);
}

/* The element at 0-based position pos (pos < cardinality). */
static uint64
select_at(const Rb64Arg *a, uint64 pos)
{
	for (int64 i = 0; i < a->n; i++)
	{
		uint64		card = rb_view_cardinality(&a->b[i].view);

		CHECK_FOR_INTERRUPTS();

		if (pos < card)
		{
			RbOwned    *r = rb64_bucket_roaring(&a->b[i]);
			uint32		v;

			if (!roaring_bitmap_select(r->r, (uint32) pos, &v))
				rb64_corrupt_error();
			rb_owned_free(r);
			return rb64_join(a->b[i].key, v);
		}
		pos -= card;
	}
	rb64_corrupt_error();
}

/*
 * A window of the elements in the range, by position, counted as
 * pg_roaringbitmap 1.2's rb64_select counts it (reverse included).
 */
PG_FUNCTION_INFO_V1(rb64_select);
Datum
rb64_select(PG_FUNCTION_ARGS)
{
	int64		limit = PG_GETARG_INT64(1);
	int64		offset = PG_GETARG_INT64(2);
	bool		reverse = PG_GETARG_BOOL(3);
	Rb64Range	range = rb64_range_arg(PG_GETARG_INT64(4), PG_GETARG_INT64(5));
	Rb64Arg		a;
	int64		total,
				lo = 0,
				hi = 0;
	uint64		before;
	Rb64Range	keep;

	/* pg_roaringbitmap 1.2's rb64_select reads a negative offset as 0 */
	if (offset < 0)
		offset = 0;
	rb64_arg_get(fcinfo, 0, &a);
	total = (int64) range_cardinality(&a, range);
	before = !range.empty && range.start > 0 ? rb64_rank_of(&a, range.start - 1) : 0;
	if (limit > 0)
	{
		__int128	l,
					h;

		if (!reverse)
			l = offset;
		else if (total > offset)
			l = Max((__int128) total - offset - limit, 0);
		else
			l = total;
		h = Min((__int128) l + limit, (__int128) total);
		l = Max(l, 0);
		lo = (int64) Min(l, (__int128) total);
		hi = (int64) Max(h, 0);
	}
	if (lo >= hi)
		PG_RETURN_BYTEA_P(rb64_empty());
	keep.start = select_at(&a, before + lo);
	keep.last = select_at(&a, before + hi - 1);
	keep.empty = false;
	PG_RETURN_BYTEA_P(range_apply(&a, RANGE_KEEP, keep));
}

/* Add [lo, hi] (closed, unsigned) to the set, split by high key. */
static void
set_add_range(Rb64Set *s, uint64 lo, uint64 hi)
{
	for (;;)
	{
		uint32		key = (uint32) (lo >> 32);
		uint64		bucket_end = ((uint64) key << 32) | UINT32_MAX;
		uint64		e = Min(hi, bucket_end);
		roaring_bitmap_t *r = rb64set_slot(s, key);

		rb64_oom_check(r);
		if (lo == e)
			roaring_bitmap_add(r, (uint32) lo);
		else
			roaring_bitmap_add_range_closed(r, (uint32) lo, (uint32) e);
		if (e == hi)
			break;
		lo = e + 1;
	}
}

/* Every element moves by distance; those leaving [0, 2^64) are dropped. */
static Datum
shift_by(FunctionCallInfo fcinfo, __int128 distance)
{
	Rb64Arg		a;
	Rb64Set    *s;
	bytea	   *result;
	const __int128 top = (__int128) UINT64_MAX;

	rb64_arg_get(fcinfo, 0, &a);
	if (distance == 0)			/* a copy: a.flat may be the call site's cache */
		PG_RETURN_BYTEA_P(DatumGetByteaPCopy(PointerGetDatum(a.flat)));
	s = rb64set_new(CurrentMemoryContext);
	for (int64 i = 0; i < a.n; i++)
	{
		rb_interval_iter it;
		uint32		st,
					en;

		rb_interval_iter_init(&it, &a.b[i].view);
		while (rb_interval_next(&it, &st, &en))
		{
			__int128	ns = (__int128) rb64_join(a.b[i].key, st) + distance;
			__int128	ne = (__int128) rb64_join(a.b[i].key, en) + distance;

			if (ns < 0)
				ns = 0;
			if (ne > top)
				ne = top;
			if (ns <= ne)
				set_add_range(s, (uint64) ns, (uint64) ne);
		}
		if (it.broken)
			rb64_corrupt_error();
		CHECK_FOR_INTERRUPTS();
	}
	result = rb64_serialize_set(s, false);
	rb64set_free(s);
	PG_RETURN_BYTEA_P(result);
}

PG_FUNCTION_INFO_V1(rb64_shiftright);
Datum
rb64_shiftright(PG_FUNCTION_ARGS)
{
	return shift_by(fcinfo, (__int128) PG_GETARG_INT64(1));
}

PG_FUNCTION_INFO_V1(rb64_shiftleft);
Datum
rb64_shiftleft(PG_FUNCTION_ARGS)
{
	return shift_by(fcinfo, -(__int128) PG_GETARG_INT64(1));
}

PG_FUNCTION_INFO_V1(rb64_runoptimize);
Datum
rb64_runoptimize(PG_FUNCTION_ARGS)
{
	Rb64Arg		a;
	Rb64Out		o;

	rb64_arg_get(fcinfo, 0, &a);
	rb64out_init(&o);
	for (int64 i = 0; i < a.n; i++)
	{
		RbOwned    *r;

		CHECK_FOR_INTERRUPTS();
		r = rb64_bucket_roaring(&a.b[i]);
		roaring_bitmap_run_optimize(r->r);
		rb64out_bitmap(&o, a.b[i].key, r);
	}
	PG_RETURN_BYTEA_P(rb64out_finish(&o));
}
