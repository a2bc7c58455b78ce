/*
 * rb64_ops_fmgr.c — set algebra, cardinalities, predicates and membership for
 * roaringbitmap64: a merge over the high keys, the 32-bit routines on each
 * pair of inner bitmaps.
 */
#include "bitmap64/bitmap64_fmgr.h"

#include "access/detoast.h"
#include "access/heaptoast.h"

typedef enum
{
	OP_AND,
	OP_OR,
	OP_XOR,
	OP_ANDNOT
} SetOp;

static RbOwned *
pair_op(SetOp op, const rb64_bucket *x, const rb64_bucket *y)
{
	RbOwned    *o;

	if (op == OP_AND)
	{
		o = rb_owned_new(CurrentMemoryContext);
		o->r = rb_and_views(&x->view, &y->view);
		if (o->r == NULL)
			rb64_corrupt_error();
		return o;
	}
	o = rb64_bucket_roaring(x);
	if (op == OP_OR)
	{
		if (!rb_lazy_or_view(o->r, &y->view))
			rb64_corrupt_error();
		roaring_bitmap_repair_after_lazy(o->r);
	}
	else
	{
		RbOwned    *w = rb64_bucket_roaring(y);

		if (op == OP_XOR)
			roaring_bitmap_xor_inplace(o->r, w->r);
		else
			roaring_bitmap_andnot_inplace(o->r, w->r);
		rb_owned_free(w);
	}
	return o;
}

static Datum
apply_setop(FunctionCallInfo fcinfo, SetOp op)
{
	Rb64Arg		a,
				b;
	Rb64Out		o;
	int64		i = 0,
				j = 0;

	rb64_arg_get(fcinfo, 0, &a);
	rb64_arg_get(fcinfo, 1, &b);
	rb64out_init(&o);
	while (i < a.n || j < b.n)
	{
		/* a value can hold millions of buckets */
		CHECK_FOR_INTERRUPTS();
		if (j >= b.n || (i < a.n && a.b[i].key < b.b[j].key))
		{
			if (op != OP_AND)
				rb64out_view(&o, a.b[i].key, &a.b[i].view);
			i++;
		}
		else if (i >= a.n || b.b[j].key < a.b[i].key)
		{
			if (op == OP_OR || op == OP_XOR)
				rb64out_view(&o, b.b[j].key, &b.b[j].view);
			j++;
		}
		else
		{
			rb64out_bitmap(&o, a.b[i].key, pair_op(op, &a.b[i], &b.b[j]));
			i++;
			j++;
		}
	}
	PG_RETURN_BYTEA_P(rb64out_finish(&o));
}

PG_FUNCTION_INFO_V1(rb64_and);
Datum
rb64_and(PG_FUNCTION_ARGS)
{
	return apply_setop(fcinfo, OP_AND);
}

PG_FUNCTION_INFO_V1(rb64_or);
Datum
rb64_or(PG_FUNCTION_ARGS)
{
	return apply_setop(fcinfo, OP_OR);
}

PG_FUNCTION_INFO_V1(rb64_xor);
Datum
rb64_xor(PG_FUNCTION_ARGS)
{
	return apply_setop(fcinfo, OP_XOR);
}

PG_FUNCTION_INFO_V1(rb64_andnot);
Datum
rb64_andnot(PG_FUNCTION_ARGS)
{
	return apply_setop(fcinfo, OP_ANDNOT);
}

/* |A & B|, bucket by bucket with the 32-bit kernels. */
static uint64
and_cardinality(Rb64Arg *a, Rb64Arg *b)
{
	uint64		total = 0;
	int64		i = 0,
				j = 0;

	while (i < a->n && j < b->n)
	{
		CHECK_FOR_INTERRUPTS();
		if (a->b[i].key < b->b[j].key)
			i++;
		else if (b->b[j].key < a->b[i].key)
			j++;
		else
		{
			bool		broken;
			const rb_dense *d;

			/* a side that repeats row after row is probed as bitsets */
			if ((d = rb64_arg_dense(a, i)) != NULL)
				total += rb_dense_and_cardinality(d, &b->b[j].view, &broken);
			else if ((d = rb64_arg_dense(b, j)) != NULL)
				total += rb_dense_and_cardinality(d, &a->b[i].view, &broken);
			else
				total += rb_view_and_cardinality(&a->b[i].view, &b->b[j].view, &broken);
			if (broken)
				rb64_corrupt_error();
			i++;
			j++;
		}
	}
	return total;
}

static Datum
cardinality_of(FunctionCallInfo fcinfo, SetOp op)
{
	Rb64Arg		a,
				b;
	uint64		both,
				ca,
				cb,
				result = 0;

	rb64_arg_get(fcinfo, 0, &a);
	rb64_arg_get(fcinfo, 1, &b);
	both = and_cardinality(&a, &b);
	ca = rb64_arg_cardinality(&a);
	cb = rb64_arg_cardinality(&b);
	switch (op)
	{
		case OP_AND:
			result = both;
			break;
		case OP_OR:
			result = ca + cb - both;
			break;
		case OP_XOR:
			result = ca + cb - 2 * both;
			break;
		case OP_ANDNOT:
			result = ca - both;
			break;
	}
	PG_RETURN_INT64((int64) result);
}

PG_FUNCTION_INFO_V1(rb64_and_cardinality);
Datum
rb64_and_cardinality(PG_FUNCTION_ARGS)
{
	return cardinality_of(fcinfo, OP_AND);
}

PG_FUNCTION_INFO_V1(rb64_or_cardinality);
Datum
rb64_or_cardinality(PG_FUNCTION_ARGS)
{
	return cardinality_of(fcinfo, OP_OR);
}

PG_FUNCTION_INFO_V1(rb64_xor_cardinality);
Datum
rb64_xor_cardinality(PG_FUNCTION_ARGS)
{
	return cardinality_of(fcinfo, OP_XOR);
}

PG_FUNCTION_INFO_V1(rb64_andnot_cardinality);
Datum
rb64_andnot_cardinality(PG_FUNCTION_ARGS)
{
	return cardinality_of(fcinfo, OP_ANDNOT);
}

/* The aggregate state is counted where it is, without flattening it. */
static uint64
datum_cardinality(FunctionCallInfo fcinfo, int argno)
{
	Datum		d = PG_GETARG_DATUM(argno);
	Rb64Arg		a;

	if (rb64_datum_is_expanded(d))
	{
		Rb64Set    *s = rb64_expanded_ready((Rb64Expanded *) DatumGetEOHP(d));
		uint64		total = 0;

		for (int32 i = 0; i < s->n; i++)
		{
			CHECK_FOR_INTERRUPTS();
			total += roaring_bitmap_get_cardinality(s->bms[i]);
		}
		return total;
	}
	rb64_arg_get(fcinfo, argno, &a);
	return rb64_arg_cardinality(&a);
}

PG_FUNCTION_INFO_V1(rb64_cardinality);
Datum
rb64_cardinality(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64((int64) datum_cardinality(fcinfo, 0));
}

PG_FUNCTION_INFO_V1(rb64_is_empty);
Datum
rb64_is_empty(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(datum_cardinality(fcinfo, 0) == 0);
}

typedef enum
{
	PRED_CONTAINS,
	PRED_CONTAINEDBY,
	PRED_INTERSECT
} PredOp;

static bool
predicate(FunctionCallInfo fcinfo, PredOp op)
{
	Rb64Arg		a,
				b;
	uint64		both;

	rb64_arg_get(fcinfo, 0, &a);
	rb64_arg_get(fcinfo, 1, &b);
	both = and_cardinality(&a, &b);
	switch (op)
	{
		case PRED_CONTAINS:
			return both == rb64_arg_cardinality(&b);
		case PRED_CONTAINEDBY:
			return both == rb64_arg_cardinality(&a);
		case PRED_INTERSECT:
			return both > 0;
	}
	return false;
}

PG_FUNCTION_INFO_V1(rb64_contains);
Datum
rb64_contains(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(predicate(fcinfo, PRED_CONTAINS));
}

PG_FUNCTION_INFO_V1(rb64_containedby);
Datum
rb64_containedby(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(predicate(fcinfo, PRED_CONTAINEDBY));
}

PG_FUNCTION_INFO_V1(rb64_intersect);
Datum
rb64_intersect(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(predicate(fcinfo, PRED_INTERSECT));
}

static bool
args_equal(FunctionCallInfo fcinfo)
{
	Rb64Arg		a,
				b;

	rb64_arg_get(fcinfo, 0, &a);
	rb64_arg_get(fcinfo, 1, &b);
	if (a.n != b.n)
		return false;
	for (int64 i = 0; i < a.n; i++)
	{
		bool		broken;

		if (a.b[i].key != b.b[i].key ||
			rb_view_cardinality(&a.b[i].view) != rb_view_cardinality(&b.b[i].view))
			return false;
		if (rb_view_compare(&a.b[i].view, &b.b[i].view, &broken) != 0)
			return false;
		if (broken)
			rb64_corrupt_error();
	}
	return true;
}

PG_FUNCTION_INFO_V1(rb64_equals);
Datum
rb64_equals(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(args_equal(fcinfo));
}

PG_FUNCTION_INFO_V1(rb64_not_equals);
Datum
rb64_not_equals(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(!args_equal(fcinfo));
}

/* |A & B| / |A | B|; NaN for two empty sets, as the 32-bit type. */
PG_FUNCTION_INFO_V1(rb64_jaccard_dist);
Datum
rb64_jaccard_dist(PG_FUNCTION_ARGS)
{
	Rb64Arg		a,
				b;
	uint64		both;
	double		uni;

	rb64_arg_get(fcinfo, 0, &a);
	rb64_arg_get(fcinfo, 1, &b);
	both = and_cardinality(&a, &b);
	uni = (double) (rb64_arg_cardinality(&a) + rb64_arg_cardinality(&b) - both);
	PG_RETURN_FLOAT8((double) both / uni);
}

/*
 * A point lookup in a large value stored out of line reads TOAST slices:
 * in the directory form (rb64_format.h) the count and directory give the
 * bucket's place, then its inner header locates the one container to read
 * (about three reads, wherever the bucket is).  A portable value (stored by
 * 0.2.0) is walked: per bucket before the one wanted, its key and inner
 * header (and a run count) give its size.  False when it cannot answer this
 * way (an inner header without offsets): the caller reads the whole value.
 */
#define RB64_SLICE_THRESHOLD (3 * TOAST_MAX_CHUNK_SIZE)

/*
 * Reads of one stored value, by TOAST slice.  Each chunk read costs a heap
 * fetch, so a read extends to the end of the chunk it ends in, and the last
 * slice is kept: the count, a bucket's key and its inner header usually come
 * from one chunk.
 */
typedef struct SliceReader
{
	struct varlena *p;
	uint64		total;
	uint64		start;			/* offset of the kept slice */
	size_t		len;
	const uint8 *data;
} SliceReader;

static const uint8 *
slice_at(SliceReader *r, uint64 off, uint64 want, size_t *got)
{
	struct varlena *s;
	uint64		end;

	if (off > r->total)
		rb64_corrupt_error();
	if (r->data && off >= r->start && off + want <= r->start + r->len)
	{
		*got = r->start + r->len - off;
		return r->data + (off - r->start);
	}
	end = off + Max(want, 1);
	end += (TOAST_MAX_CHUNK_SIZE - end % TOAST_MAX_CHUNK_SIZE) % TOAST_MAX_CHUNK_SIZE;
	end = Min(end, r->total);
	s = detoast_attr_slice(r->p, (int32) off, (int32) (end - off));
	r->start = off;
	r->len = VARSIZE_ANY_EXHDR(s);
	r->data = (const uint8 *) VARDATA_ANY(s);
	*got = r->len;
	return r->data;
}

/*
 * The inner header of the bucket at pos (its key first when keyed, as in
 * the portable form), read into *v; false when it has no offsets.  want
 * bytes are read at first (unless the kept slice has the start): a header
 * that crosses a chunk boundary then costs one index scan of two chunks
 * instead of two scans.  RB64_HEADER_GUESS covers the header of a bucket of
 * up to about 60 containers (4 million ids); asking for a whole chunk
 * would fetch two chunks for nearly every header.
 */
#define RB64_HEADER_GUESS 512

static bool
inner_header_at(SliceReader *rd, uint64 pos, bool keyed, uint64 want, rb_view *v, uint32 *key)
{
	size_t		skip = keyed ? 4 : 0;
	size_t		got,
				hsize;
	bool		kept = rd->data && pos >= rd->start && pos + skip + 8 <= rd->start + rd->len;
	const uint8 *b = slice_at(rd, pos, kept ? skip + 8 : Max(want, skip + 8), &got);

	if (got < skip + 8)
		rb64_corrupt_error();
	if (keyed)
		*key = bytes_ld32(b);
	hsize = rb_header_size(b + skip, got - skip);
	if (skip + hsize > got)
		b = slice_at(rd, pos, skip + hsize, &got);
	return rb_view_init(v, b + skip, Min(got - skip, hsize)) && v->offsets != NULL && v->n > 0;
}

/* Bytes of container ci of the inner bitmap at inner, whose header is v. */
static int64
container_size(SliceReader *rd, uint64 inner, const rb_view *v, int32 ci)
{
	int64		size = rb_view_payload_size(v, ci);

	if (size < 0)
	{
		size_t		got;
		const uint8 *r = slice_at(rd, inner + rb_view_offset(v, ci), 2, &got);

		if (got < 2)
			rb64_corrupt_error();
		size = 2 + 4 * (int64) bytes_ld16(r);
	}
	return size;
}

/* Is low in container ci of the inner bitmap at inner, ending by limit? */
static bool
container_contains_at(SliceReader *rd, uint64 inner, uint64 limit, const rb_view *v,
					  int32 ci, uint32 low)
{
	uint64		off = inner + rb_view_offset(v, ci);
	int64		size = container_size(rd, inner, v, ci);
	size_t		got;
	const uint8 *b;
	rb_container c;

	if (off + size > limit)
		rb64_corrupt_error();
	b = slice_at(rd, off, size, &got);
	if (got < (size_t) size)
		rb64_corrupt_error();
	c.key = rb_view_key(v, ci);
	c.card = rb_view_card(v, ci);
	if (rb_view_is_run(v, ci))
	{
		c.type = RB_RUN;
		c.nruns = bytes_ld16(b);
		c.data = b + 2;
	}
	else
	{
		c.type = c.card > RB_ARRAY_MAX ? RB_BITSET : RB_ARRAY;
		c.nruns = 0;
		c.data = b;
	}
	return rb_container_contains(&c, (uint16) low);
}

static bool
contains_dir(SliceReader *rd, uint64 n, uint64 x, bool *result)
{
	uint32		hi = (uint32) (x >> 32);
	uint64		dirend = 8 + n * RB64_DIR_ENTRY_BYTES;
	size_t		got,
				start,
				end;
	int64		index;
	const uint8 *d;
	rb_view		v;
	int32		ci;

	if (dirend > rd->total)
		rb64_corrupt_error();
	/* slices start at the offset asked: the directory from byte 0 */
	d = slice_at(rd, 0, dirend, &got);
	if (got < dirend)
		rb64_corrupt_error();
	if (!rb64_dir_locate(d, n, rd->total, hi, &index, &start, &end))
		rb64_corrupt_error();
	if (index < 0)
	{
		*result = false;
		return true;
	}
	if (!inner_header_at(rd, start, false, Min(end - start, RB64_HEADER_GUESS), &v, NULL))
		return false;
	ci = rb_view_find(&v, (uint16) ((uint32) x >> 16));
	*result = ci >= 0 && container_contains_at(rd, start, end, &v, ci, (uint32) x);
	return true;
}

static bool
contains_sliced(struct varlena *p, uint64 x, bool *result)
{
	uint64		total = VARATT_EXTERNAL_GET_EXTSIZE(*(struct varatt_external *) VARDATA_EXTERNAL(p));
	SliceReader rd = {p, total, 0, 0, NULL};
	uint32		hi = (uint32) (x >> 32);
	size_t		got;
	const uint8 *b = slice_at(&rd, 0, 8, &got);
	uint64		n,
				pos = 8;

	if (got < 8)
		rb64_corrupt_error();
	n = bytes_ld64(b);
	if ((n & RB64_DIR_FLAG) != 0)
	{
		n &= ~RB64_DIR_FLAG;
		if (n > (total - 8) / RB64_DIR_ENTRY_BYTES)
			rb64_corrupt_error();
		return contains_dir(&rd, n, x, result);
	}
	if (n > (total - 8) / RB64_MIN_BUCKET_BYTES)
		rb64_corrupt_error();
	for (uint64 i = 0; i < n; i++)
	{
		uint32		key;
		rb_view		v;
		int32		ci;

		CHECK_FOR_INTERRUPTS();
		if (!inner_header_at(&rd, pos, true, 12, &v, &key))
			return false;
		if (key > hi)
			break;
		if (key == hi)
		{
			ci = rb_view_find(&v, (uint16) ((uint32) x >> 16));
			*result = ci >= 0 && container_contains_at(&rd, pos + 4, total, &v, ci, (uint32) x);
			return true;
		}
		/* the bucket ends with its last container */
		ci = v.n - 1;
		pos += 4 + rb_view_offset(&v, ci) + container_size(&rd, pos + 4, &v, ci);
	}
	*result = false;
	return true;
}

static bool
datum_contains(FunctionCallInfo fcinfo, int bmarg, uint64 x)
{
	struct varlena *p = (struct varlena *) DatumGetPointer(PG_GETARG_DATUM(bmarg));
	Rb64Arg		a;
	bool		result;

	if (VARATT_IS_EXTERNAL_ONDISK(p) && !VARATT_EXTERNAL_IS_COMPRESSED(*(struct varatt_external *) VARDATA_EXTERNAL(p)))
	{
		struct varatt_external ext;

		VARATT_EXTERNAL_GET_POINTER(ext, p);
		if (VARATT_EXTERNAL_GET_EXTSIZE(ext) > RB64_SLICE_THRESHOLD &&
			contains_sliced(p, x, &result))
			return result;
	}
	rb64_arg_get(fcinfo, bmarg, &a);
	return rb64_contains_value(&a, x);
}

PG_FUNCTION_INFO_V1(rb64_contains_bigint);
Datum
rb64_contains_bigint(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(datum_contains(fcinfo, 0, (uint64) PG_GETARG_INT64(1)));
}

PG_FUNCTION_INFO_V1(rb64_containedby_bigint);
Datum
rb64_containedby_bigint(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(datum_contains(fcinfo, 1, (uint64) PG_GETARG_INT64(0)));
}

/* Only the bucket of x changes; the others are copied as bytes. */
static Datum
add_or_remove(FunctionCallInfo fcinfo, int bmarg, int intarg, bool add)
{
	Rb64Arg		a;
	Rb64Out		o;
	uint64		x = (uint64) PG_GETARG_INT64(intarg);
	uint32		hi = (uint32) (x >> 32);
	bool		done = false;

	rb64_arg_get(fcinfo, bmarg, &a);
	rb64out_init(&o);
	for (int64 i = 0; i <= a.n; i++)
	{
		CHECK_FOR_INTERRUPTS();
		if (!done && (i == a.n || a.b[i].key >= hi))
		{
			done = true;
			if (i < a.n && a.b[i].key == hi)
			{
				RbOwned    *r = rb64_bucket_roaring(&a.b[i]);

				if (add)
					roaring_bitmap_add(r->r, (uint32) x);
				else
					roaring_bitmap_remove(r->r, (uint32) x);
				rb64out_bitmap(&o, hi, r);
				continue;
			}
			if (add)
			{
				RbOwned    *r = rb_new_owned();

				roaring_bitmap_add(r->r, (uint32) x);
				rb64out_bitmap(&o, hi, r);
			}
		}
		if (i < a.n)
			rb64out_view(&o, a.b[i].key, &a.b[i].view);
	}
	PG_RETURN_BYTEA_P(rb64out_finish(&o));
}

PG_FUNCTION_INFO_V1(rb64_add);
Datum
rb64_add(PG_FUNCTION_ARGS)
{
	return add_or_remove(fcinfo, 0, 1, true);
}

PG_FUNCTION_INFO_V1(rb64_add_bigint_bitmap);
Datum
rb64_add_bigint_bitmap(PG_FUNCTION_ARGS)
{
	return add_or_remove(fcinfo, 1, 0, true);
}

PG_FUNCTION_INFO_V1(rb64_remove);
Datum
rb64_remove(PG_FUNCTION_ARGS)
{
	return add_or_remove(fcinfo, 0, 1, false);
}
