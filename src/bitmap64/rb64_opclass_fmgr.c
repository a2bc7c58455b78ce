/*
 * rb64_opclass_fmgr.c — btree and hash support on the set, independent of the
 * container layout.  The order is lexicographic on the elements in
 * unsigned 64-bit order, as roaringbitmap's is on 32-bit elements.
 */
#include "bitmap64/bitmap64_fmgr.h"

/* Is s's set exactly the first |s| elements of l's? */
static bool
is_prefix(const rb_view *s, const rb_view *l)
{
	uint64		cs = rb_view_cardinality(s);
	bool		broken = false;
	rb_container c;
	uint32		maxs;

	if (rb_view_and_cardinality(s, l, &broken) != cs || broken)
		return false;
	if (!rb_view_container(s, s->n - 1, &c))
		rb64_corrupt_error();
	maxs = ((uint32) c.key << 16) | rb_container_max(&c);
	return rb_view_rank(l, maxs, &broken) == cs && !broken;
}

static int
compare_args(FunctionCallInfo fcinfo)
{
	Rb64Arg		a,
				b;
	int64		i;

	rb64_arg_from_bytea(PG_GETARG_BYTEA_P(0), &a);
	rb64_arg_from_bytea(PG_GETARG_BYTEA_P(1), &b);
	for (i = 0; i < a.n && i < b.n; i++)
	{
		bool		broken;
		int			cmp;

		/* the next element of the lower bucket is the smaller one */
		if (a.b[i].key != b.b[i].key)
			return a.b[i].key < b.b[i].key ? -1 : 1;
		cmp = rb_view_compare(&a.b[i].view, &b.b[i].view, &broken);
		if (broken)
			rb64_corrupt_error();
		if (cmp == 0)
			continue;
		/*
		 * When one inner set is a prefix of the other, the shorter side
		 * continues in its next bucket, whose elements are greater.
		 */
		if (cmp < 0 && is_prefix(&a.b[i].view, &b.b[i].view))
			return i + 1 < a.n ? 1 : -1;
		if (cmp > 0 && is_prefix(&b.b[i].view, &a.b[i].view))
			return i + 1 < b.n ? -1 : 1;
		return cmp;
	}
	if (a.n == b.n)
		return 0;
	return a.n < b.n ? -1 : 1;
}

PG_FUNCTION_INFO_V1(rb64_cmp);
Datum
rb64_cmp(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(compare_args(fcinfo));
}

PG_FUNCTION_INFO_V1(rb64_lt);
Datum
rb64_lt(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(compare_args(fcinfo) < 0);
}

PG_FUNCTION_INFO_V1(rb64_le);
Datum
rb64_le(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(compare_args(fcinfo) <= 0);
}

PG_FUNCTION_INFO_V1(rb64_gt);
Datum
rb64_gt(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(compare_args(fcinfo) > 0);
}

PG_FUNCTION_INFO_V1(rb64_ge);
Datum
rb64_ge(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(compare_args(fcinfo) >= 0);
}

static uint64
mix64(uint64 h)
{
	h ^= h >> 33;
	h *= UINT64CONST(0xff51afd7ed558ccd);
	h ^= h >> 33;
	h *= UINT64CONST(0xc4ceb9fe1a85ec53);
	h ^= h >> 33;
	return h;
}

static uint64
hash_arg(FunctionCallInfo fcinfo, uint64 seed)
{
	Rb64Arg		a;
	uint64		h = mix64(seed ^ UINT64CONST(0x9e3779b97f4a7c15));

	rb64_arg_from_bytea(PG_GETARG_BYTEA_P(0), &a);
	for (int64 i = 0; i < a.n; i++)
	{
		bool		broken;

		h = mix64(h ^ a.b[i].key);
		h = mix64(h + rb_view_hash(&a.b[i].view, h, &broken));
		if (broken)
			rb64_corrupt_error();
	}
	return h;
}

PG_FUNCTION_INFO_V1(rb64_hash);
Datum
rb64_hash(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32((int32) hash_arg(fcinfo, 0));
}

PG_FUNCTION_INFO_V1(rb64_hash_extended);
Datum
rb64_hash_extended(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64((int64) hash_arg(fcinfo, (uint64) PG_GETARG_INT64(1)));
}
