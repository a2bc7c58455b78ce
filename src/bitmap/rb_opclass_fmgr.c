/*
 * rb_opclass_fmgr.c — btree and hash support, which pg_roaringbitmap lacks, so
 * that DISTINCT, GROUP BY, UNION, merge and hash joins work on bitmaps.
 *
 * Both are defined on the set, not the bytes: the same set may be stored
 * with different container choices (run or not), so ordering and hashing
 * walk the canonical stream of maximal intervals.  The order is
 * lexicographic on the elements in unsigned order: {1,2} < {1,3} < {2}.
 */
#include "bitmap/bitmap_fmgr.h"

static int
compare_args(FunctionCallInfo fcinfo)
{
	RbArg		a,
				b;
	bool		broken;
	int			cmp;

	a.exp = NULL;
	a.flat = PG_GETARG_BYTEA_P(0);
	b.flat = PG_GETARG_BYTEA_P(1);
	if (!rb_view_init(&a.view, VARDATA(a.flat), VARSIZE(a.flat) - VARHDRSZ) ||
		!rb_view_init(&b.view, VARDATA(b.flat), VARSIZE(b.flat) - VARHDRSZ))
		rb_corrupt_error();
	cmp = rb_view_compare(&a.view, &b.view, &broken);
	if (broken)
		rb_corrupt_error();
	return cmp;
}

PG_FUNCTION_INFO_V1(rb_cmp);
Datum
rb_cmp(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(compare_args(fcinfo));
}

PG_FUNCTION_INFO_V1(rb_lt);
Datum
rb_lt(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(compare_args(fcinfo) < 0);
}

PG_FUNCTION_INFO_V1(rb_le);
Datum
rb_le(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(compare_args(fcinfo) <= 0);
}

PG_FUNCTION_INFO_V1(rb_gt);
Datum
rb_gt(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(compare_args(fcinfo) > 0);
}

PG_FUNCTION_INFO_V1(rb_ge);
Datum
rb_ge(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(compare_args(fcinfo) >= 0);
}

static uint64
hash_arg(FunctionCallInfo fcinfo, uint64 seed)
{
	bytea	   *b = PG_GETARG_BYTEA_P(0);
	rb_view		v;
	bool		broken;
	uint64		h;

	if (!rb_view_init(&v, VARDATA(b), VARSIZE(b) - VARHDRSZ))
		rb_corrupt_error();
	h = rb_view_hash(&v, seed, &broken);
	if (broken)
		rb_corrupt_error();
	return h;
}

PG_FUNCTION_INFO_V1(rb_hash);
Datum
rb_hash(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32((int32) hash_arg(fcinfo, 0));
}

PG_FUNCTION_INFO_V1(rb_hash_extended);
Datum
rb_hash_extended(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64((int64) hash_arg(fcinfo, (uint64) PG_GETARG_INT64(1)));
}
