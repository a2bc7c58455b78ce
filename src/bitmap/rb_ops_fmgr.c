/*
 * rb_ops_fmgr.c — set algebra, cardinalities and predicates between bitmaps,
 * and single-element membership.
 */
#include "bitmap/bitmap_fmgr.h"

#include "access/detoast.h"
#include "access/heaptoast.h"

typedef roaring_bitmap_t *(*rb_binop) (const roaring_bitmap_t *, const roaring_bitmap_t *);

static Datum
apply_binop(FunctionCallInfo fcinfo, rb_binop op)
{
	RbArg		a,
				b;
	RbOwned    *o;

	rb_arg_get(fcinfo, 0, &a);
	rb_arg_get(fcinfo, 1, &b);
	o = rb_owned_new(CurrentMemoryContext);
	o->r = op(rb_arg_roaring(&a), rb_arg_roaring(&b));
	if (o->r == NULL)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	rb_arg_release(&a);
	rb_arg_release(&b);
	PG_RETURN_BYTEA_P(rb_serialize_free(o));
}

PG_FUNCTION_INFO_V1(rb_and);
Datum
rb_and(PG_FUNCTION_ARGS)
{
	return apply_binop(fcinfo, roaring_bitmap_and);
}

PG_FUNCTION_INFO_V1(rb_or);
Datum
rb_or(PG_FUNCTION_ARGS)
{
	return apply_binop(fcinfo, roaring_bitmap_or);
}

PG_FUNCTION_INFO_V1(rb_xor);
Datum
rb_xor(PG_FUNCTION_ARGS)
{
	return apply_binop(fcinfo, roaring_bitmap_xor);
}

PG_FUNCTION_INFO_V1(rb_andnot);
Datum
rb_andnot(PG_FUNCTION_ARGS)
{
	return apply_binop(fcinfo, roaring_bitmap_andnot);
}

/* |A & B| from the bytes when both are flat; the rest follows from it. */
uint64
rb_args_and_cardinality(RbArg *a, RbArg *b)
{
	if (a->flat && b->flat)
	{
		bool		broken;
		const rb_dense *d;
		uint64		n;

		/* a side that repeats row after row is probed as bitsets */
		if ((d = rb_arg_dense(a)) != NULL)
			n = rb_dense_and_cardinality(d, &b->view, &broken);
		else if ((d = rb_arg_dense(b)) != NULL)
			n = rb_dense_and_cardinality(d, &a->view, &broken);
		else
			n = rb_view_and_cardinality(&a->view, &b->view, &broken);
		if (broken)
			rb_corrupt_error();
		return n;
	}
	return roaring_bitmap_and_cardinality(rb_arg_roaring(a), rb_arg_roaring(b));
}

typedef enum
{
	CARD_AND,
	CARD_OR,
	CARD_XOR,
	CARD_ANDNOT
} CardOp;

static Datum
cardinality_of(FunctionCallInfo fcinfo, CardOp op)
{
	RbArg		a,
				b;
	uint64		both,
				ca,
				cb,
				result = 0;

	rb_arg_get(fcinfo, 0, &a);
	rb_arg_get(fcinfo, 1, &b);
	both = rb_args_and_cardinality(&a, &b);
	ca = rb_arg_cardinality(&a);
	cb = rb_arg_cardinality(&b);
	switch (op)
	{
		case CARD_AND:
			result = both;
			break;
		case CARD_OR:
			result = ca + cb - both;
			break;
		case CARD_XOR:
			result = ca + cb - 2 * both;
			break;
		case CARD_ANDNOT:
			result = ca - both;
			break;
	}
	rb_arg_release(&a);
	rb_arg_release(&b);
	PG_RETURN_INT64((int64) result);
}

PG_FUNCTION_INFO_V1(rb_and_cardinality);
Datum
rb_and_cardinality(PG_FUNCTION_ARGS)
{
	return cardinality_of(fcinfo, CARD_AND);
}

PG_FUNCTION_INFO_V1(rb_or_cardinality);
Datum
rb_or_cardinality(PG_FUNCTION_ARGS)
{
	return cardinality_of(fcinfo, CARD_OR);
}

PG_FUNCTION_INFO_V1(rb_xor_cardinality);
Datum
rb_xor_cardinality(PG_FUNCTION_ARGS)
{
	return cardinality_of(fcinfo, CARD_XOR);
}

PG_FUNCTION_INFO_V1(rb_andnot_cardinality);
Datum
rb_andnot_cardinality(PG_FUNCTION_ARGS)
{
	return cardinality_of(fcinfo, CARD_ANDNOT);
}

PG_FUNCTION_INFO_V1(rb_cardinality);
Datum
rb_cardinality(PG_FUNCTION_ARGS)
{
	RbArg		a;

	rb_arg_get(fcinfo, 0, &a);
	PG_RETURN_INT64((int64) rb_arg_cardinality(&a));
}

PG_FUNCTION_INFO_V1(rb_is_empty);
Datum
rb_is_empty(PG_FUNCTION_ARGS)
{
	RbArg		a;

	rb_arg_get(fcinfo, 0, &a);
	PG_RETURN_BOOL(rb_arg_cardinality(&a) == 0);
}

/*
 * Containment and overlap follow from |A & B| and the header counts, which
 * the kernels compute on the stored bytes.
 */
typedef enum
{
	PRED_CONTAINS,				/* b within a */
	PRED_CONTAINEDBY,			/* a within b */
	PRED_INTERSECT
} PredOp;

static bool
predicate(FunctionCallInfo fcinfo, PredOp op)
{
	RbArg		a,
				b;
	uint64		both;
	bool		result = false;

	rb_arg_get(fcinfo, 0, &a);
	rb_arg_get(fcinfo, 1, &b);
	both = rb_args_and_cardinality(&a, &b);
	switch (op)
	{
		case PRED_CONTAINS:
			result = both == rb_arg_cardinality(&b);
			break;
		case PRED_CONTAINEDBY:
			result = both == rb_arg_cardinality(&a);
			break;
		case PRED_INTERSECT:
			result = both > 0;
			break;
	}
	rb_arg_release(&a);
	rb_arg_release(&b);
	return result;
}

PG_FUNCTION_INFO_V1(rb_contains);
Datum
rb_contains(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(predicate(fcinfo, PRED_CONTAINS));
}

PG_FUNCTION_INFO_V1(rb_containedby);
Datum
rb_containedby(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(predicate(fcinfo, PRED_CONTAINEDBY));
}

PG_FUNCTION_INFO_V1(rb_intersect);
Datum
rb_intersect(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(predicate(fcinfo, PRED_INTERSECT));
}

/* Equality straight from the bytes when both sides are flat. */
bool
rb_args_equal(FunctionCallInfo fcinfo)
{
	RbArg		a,
				b;

	rb_arg_get(fcinfo, 0, &a);
	rb_arg_get(fcinfo, 1, &b);
	if (a.flat && b.flat)
	{
		bool		broken;
		int			cmp;

		if (rb_view_cardinality(&a.view) != rb_view_cardinality(&b.view))
			return false;
		cmp = rb_view_compare(&a.view, &b.view, &broken);
		if (broken)
			rb_corrupt_error();
		return cmp == 0;
	}
	return roaring_bitmap_equals(rb_arg_roaring(&a), rb_arg_roaring(&b));
}

PG_FUNCTION_INFO_V1(rb_equals);
Datum
rb_equals(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(rb_args_equal(fcinfo));
}

PG_FUNCTION_INFO_V1(rb_not_equals);
Datum
rb_not_equals(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(!rb_args_equal(fcinfo));
}

/* |A & B| / |A | B|; 0/0 (two empty sets) is NaN, as in pg_roaringbitmap. */
PG_FUNCTION_INFO_V1(rb_jaccard_dist);
Datum
rb_jaccard_dist(PG_FUNCTION_ARGS)
{
	RbArg		a,
				b;
	uint64		both;
	double		uni;

	rb_arg_get(fcinfo, 0, &a);
	rb_arg_get(fcinfo, 1, &b);
	both = rb_args_and_cardinality(&a, &b);
	uni = (double) (rb_arg_cardinality(&a) + rb_arg_cardinality(&b) - both);
	rb_arg_release(&a);
	rb_arg_release(&b);
	PG_RETURN_FLOAT8((double) both / uni);
}

/* Membership from the header and one container, no deserialization. */
bool
rb_arg_contains_value(RbArg *a, uint32 x)
{
	int32		i;
	rb_container c;

	if (a->exp)
		return roaring_bitmap_contains(rb_arg_roaring(a), x);
	i = rb_view_find(&a->view, (uint16) (x >> 16));
	if (i < 0)
		return false;
	if (!rb_view_container(&a->view, i, &c))
		rb_corrupt_error();
	return rb_container_contains(&c, (uint16) x);
}

/*
 * A point lookup in a bitmap stored out of line reads two slices (the chunk
 * with the header, then the one container) instead of every chunk.  Each
 * chunk costs a heap fetch, so slicing pays from three chunks up.
 */
#define RB_SLICE_THRESHOLD (3 * TOAST_MAX_CHUNK_SIZE)

static bool
contains_sliced(struct varlena *p, uint32 x, bool *result)
{
	struct varlena *head,
			   *hdr,
			   *cont;
	rb_view		v;
	int32		i,
				size;
	uint32		off,
				total = VARATT_EXTERNAL_GET_EXTSIZE(*(struct varatt_external *) VARDATA_EXTERNAL(p));
	size_t		hsize;
	rb_container c;

	/*
	 * The first TOAST chunk holds the header of up to about 240 containers
	 * (15 million ids); bigger headers take a second slice.  Each chunk read
	 * is a heap fetch, so ask for exactly one.
	 */
	head = detoast_attr_slice(p, 0, (int32) Min(total, TOAST_MAX_CHUNK_SIZE));
	if (VARSIZE_ANY_EXHDR(head) < 8)
		rb_corrupt_error();
	hsize = rb_header_size((const uint8 *) VARDATA_ANY(head), VARSIZE_ANY_EXHDR(head));
	if (hsize > total)
		rb_corrupt_error();
	hdr = hsize <= VARSIZE_ANY_EXHDR(head) ? head : detoast_attr_slice(p, 0, (int32) hsize);
	/* without an offset header, containers must be walked: read it all */
	if (!rb_view_init(&v, VARDATA_ANY(hdr), VARSIZE_ANY_EXHDR(hdr)) || v.offsets == NULL)
		return false;
	i = rb_view_find(&v, (uint16) (x >> 16));
	if (i < 0)
	{
		*result = false;
		return true;
	}
	off = rb_view_offset(&v, i);
	size = (int32) rb_view_payload_size(&v, i);
	if (size < 0)
	{
		/*
		 * A run container: its run count comes first.  Read on to the end
		 * of the TOAST chunk the count lies in (that costs no more than two
		 * bytes) but no further than the container can be: writers keep runs
		 * only where they are smaller than the array or the bitset.  Most
		 * containers then arrive whole in one read instead of two.
		 */
		uint64		guess = Min((uint64) 2 + 2 * (uint64) rb_view_card(&v, i), 2 + RB_BITSET_BYTES);

		guess = Min(guess, (uint64) TOAST_MAX_CHUNK_SIZE - off % TOAST_MAX_CHUNK_SIZE);
		guess = Max(guess, 2);
		guess = Min(guess, (uint64) total - off);

		if (guess < 2)
			rb_corrupt_error();
		cont = detoast_attr_slice(p, (int32) off, (int32) guess);
		if (VARSIZE_ANY_EXHDR(cont) < 2)
			rb_corrupt_error();
		size = 2 + 4 * bytes_ld16((const uint8 *) VARDATA_ANY(cont));
		if ((Size) size > VARSIZE_ANY_EXHDR(cont))
		{
			if ((uint64) off + size > total)
				rb_corrupt_error();
			cont = detoast_attr_slice(p, (int32) off, size);
		}
	}
	else
	{
		if ((uint64) off + size > total)
			rb_corrupt_error();
		cont = detoast_attr_slice(p, (int32) off, size);
	}
	if (VARSIZE_ANY_EXHDR(cont) < (Size) size)
		rb_corrupt_error();
	c.key = rb_view_key(&v, i);
	c.card = rb_view_card(&v, i);
	if (rb_view_is_run(&v, i))
	{
		c.type = RB_RUN;
		c.nruns = bytes_ld16((const uint8 *) VARDATA_ANY(cont));
		c.data = (const uint8 *) VARDATA_ANY(cont) + 2;
	}
	else
	{
		c.type = c.card > RB_ARRAY_MAX ? RB_BITSET : RB_ARRAY;
		c.nruns = 0;
		c.data = (const uint8 *) VARDATA_ANY(cont);
	}
	*result = rb_container_contains(&c, (uint16) x);
	return true;
}

static bool
datum_contains(FunctionCallInfo fcinfo, int bmarg, uint32 x)
{
	struct varlena *p = (struct varlena *) DatumGetPointer(PG_GETARG_DATUM(bmarg));
	RbArg		a;
	bool		result;

	if (VARATT_IS_EXTERNAL_ONDISK(p) && !VARATT_EXTERNAL_IS_COMPRESSED(*(struct varatt_external *) VARDATA_EXTERNAL(p)))
	{
		struct varatt_external ext;

		VARATT_EXTERNAL_GET_POINTER(ext, p);
		if (VARATT_EXTERNAL_GET_EXTSIZE(ext) > RB_SLICE_THRESHOLD &&
			contains_sliced(p, x, &result))
			return result;
	}
	rb_arg_get(fcinfo, bmarg, &a);
	return rb_arg_contains_value(&a, x);
}

PG_FUNCTION_INFO_V1(rb_contains_int);
Datum
rb_contains_int(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(datum_contains(fcinfo, 0, (uint32) PG_GETARG_INT32(1)));
}

PG_FUNCTION_INFO_V1(rb_containedby_int);
Datum
rb_containedby_int(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(datum_contains(fcinfo, 1, (uint32) PG_GETARG_INT32(0)));
}

static Datum
add_or_remove(FunctionCallInfo fcinfo, int bmarg, int intarg, bool add)
{
	RbArg		a;
	RbOwned    *o;
	uint32		x = (uint32) PG_GETARG_INT32(intarg);

	rb_arg_get(fcinfo, bmarg, &a);
	o = rb_arg_roaring_copy(&a);
	if (add)
		roaring_bitmap_add(o->r, x);
	else
		roaring_bitmap_remove(o->r, x);
	PG_RETURN_BYTEA_P(rb_serialize_free(o));
}

PG_FUNCTION_INFO_V1(rb_add);
Datum
rb_add(PG_FUNCTION_ARGS)
{
	return add_or_remove(fcinfo, 0, 1, true);
}

PG_FUNCTION_INFO_V1(rb_add_int_bitmap);
Datum
rb_add_int_bitmap(PG_FUNCTION_ARGS)
{
	return add_or_remove(fcinfo, 1, 0, true);
}

PG_FUNCTION_INFO_V1(rb_remove);
Datum
rb_remove(PG_FUNCTION_ARGS)
{
	return add_or_remove(fcinfo, 0, 1, false);
}
