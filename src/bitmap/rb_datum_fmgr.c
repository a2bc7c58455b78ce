/*
 * rb_datum_fmgr.c — ownership of CRoaring bitmaps, the expanded form, and
 * argument/result conversion shared by every bitmap function.
 */
#include "bitmap/bitmap_fmgr.h"

#include "access/detoast.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "utils/memutils.h"

/* ---- ownership ---- */

static void
rb_owned_release(void *arg)
{
	RbOwned    *o = (RbOwned *) arg;

	if (o->r)
		roaring_bitmap_free(o->r);
	o->r = NULL;
}

/*
 * Register the owner before CRoaring allocates anything, so that no ERROR
 * can fall between the malloc and its registration.
 */
RbOwned *
rb_owned_new(MemoryContext cxt)
{
	RbOwned    *o = MemoryContextAllocZero(cxt, sizeof(RbOwned));

	o->cb.func = rb_owned_release;
	o->cb.arg = o;
	MemoryContextRegisterResetCallback(cxt, &o->cb);
	return o;
}

void
rb_owned_free(RbOwned *o)
{
	if (o)
		rb_owned_release(o);
}

static void
rb_out_of_memory(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_OUT_OF_MEMORY),
			 errmsg("out of memory in the roaring bitmap library")));
}

RbOwned *
rb_new_owned(void)
{
	RbOwned    *o = rb_owned_new(CurrentMemoryContext);

	o->r = roaring_bitmap_create();
	if (o->r == NULL)
		rb_out_of_memory();
	return o;
}

void
rb_corrupt_error(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("stored roaringbitmap value is corrupt"),
			 errhint("Values are validated on input; this one was damaged after it was stored.")));
}

RbOwned *
rb_deserialize_owned(const char *buf, size_t len)
{
	RbOwned    *o = rb_owned_new(CurrentMemoryContext);

	o->r = roaring_bitmap_portable_deserialize_safe(buf, len);
	if (o->r == NULL)
		rb_corrupt_error();
	return o;
}

void
rb_check_result_size(uint64 bytes)
{
	if (bytes > MaxAllocSize)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("roaringbitmap of " UINT64_FORMAT " bytes exceeds the 1 GB limit of a PostgreSQL value", bytes),
				 errhint("Split the ids into buckets (for example a column user_id >> 20) and keep one bitmap per bucket.")));
}

/* Serialize; canonical first, or CRoaring 0.2.66 can write unreadable bytes. */
bytea *
rb_serialize(roaring_bitmap_t *r)
{
	uint64		size;
	bytea	   *result;

	if (!rb_canonicalize(r))
		rb_out_of_memory();
	size = roaring_bitmap_portable_size_in_bytes(r);

	rb_check_result_size(size + VARHDRSZ);
	result = palloc(size + VARHDRSZ);
	roaring_bitmap_portable_serialize(r, VARDATA(result));
	SET_VARSIZE(result, size + VARHDRSZ);
	return result;
}

bytea *
rb_serialize_free(RbOwned *o)
{
	bytea	   *result = rb_serialize(o->r);

	rb_owned_free(o);
	return result;
}

void
rb_validate_or_error(const char *buf, size_t len, int sqlstate)
{
	const char *why;
	size_t		where;

	if (!rb_validate(buf, len, &why, &where))
		ereport(ERROR,
				(errcode(sqlstate),
				 errmsg("invalid roaringbitmap data: %s", why),
				 errdetail("The problem is at byte %zu of %zu.", where, len),
				 errhint("Binary input must be the Roaring portable serialization, as written by CRoaring, pg_roaringbitmap or another Roaring library.")));
}

/* ---- expanded form ---- */

static Size rbx_get_flat_size(ExpandedObjectHeader *eohptr);
static void rbx_flatten_into(ExpandedObjectHeader *eohptr, void *result, Size allocated_size);

static const ExpandedObjectMethods rb_expanded_methods = {
	rbx_get_flat_size,
	rbx_flatten_into
};

bool
rb_datum_is_expanded(Datum d)
{
	return VARATT_IS_EXTERNAL_EXPANDED(DatumGetPointer(d)) &&
		DatumGetEOHP(d)->eoh_methods == &rb_expanded_methods;
}

RbExpanded *
rb_expanded_new(MemoryContext parent)
{
	MemoryContext cxt = AllocSetContextCreate(parent, "roaringbitmap expanded",
											  ALLOCSET_SMALL_SIZES);
	RbExpanded *e = MemoryContextAllocZero(cxt, sizeof(RbExpanded));

	EOH_init_header(&e->hdr, &rb_expanded_methods, cxt);
	e->own = rb_owned_new(cxt);
	e->own->r = roaring_bitmap_create();
	if (e->own->r == NULL)
		rb_out_of_memory();
	return e;
}

RbExpanded *
rb_expanded_from_datum(Datum d, MemoryContext parent)
{
	MemoryContext cxt = AllocSetContextCreate(parent, "roaringbitmap expanded",
											  ALLOCSET_SMALL_SIZES);
	RbExpanded *e = MemoryContextAllocZero(cxt, sizeof(RbExpanded));

	EOH_init_header(&e->hdr, &rb_expanded_methods, cxt);
	e->own = rb_owned_new(cxt);
	if (rb_datum_is_expanded(d))
	{
		RbExpanded *src = (RbExpanded *) DatumGetEOHP(d);

		e->own->r = roaring_bitmap_copy(rb_expanded_ready(src));
		if (e->own->r == NULL)
			rb_out_of_memory();
	}
	else
	{
		bytea	   *flat = (bytea *) PG_DETOAST_DATUM(d);

		e->own->r = roaring_bitmap_portable_deserialize_safe(VARDATA(flat),
															 VARSIZE(flat) - VARHDRSZ);
		if (e->own->r == NULL)
			rb_corrupt_error();
		if ((Pointer) flat != DatumGetPointer(d))
			pfree(flat);
	}
	return e;
}

void
rb_check_interrupts(void)
{
	CHECK_FOR_INTERRUPTS();
}

/*
 * A flush of 4096 ids sorts in a few microseconds (common/radix_sort.h); the
 * whole int4[] of rb_build, up to 268 million ids, takes seconds.
 */
static void
radix_sort_uint32(uint32 *v, size_t n)
{
	uint32	   *tmp = palloc(n * sizeof(uint32));
	uint32	   *r = radix_sort(v, tmp, n, sizeof(uint32), RS_UINT32, rb_check_interrupts);

	if (r != v)
		memcpy(v, r, n * sizeof(uint32));
	pfree(tmp);
}

/*
 * Sorted values merge into each container in one pass; the result is lazy
 * (bitset cardinalities unknown) until roaring_bitmap_repair_after_lazy.
 */
static void
or_values_lazy(roaring_bitmap_t *r, uint32 *vals, size_t n)
{
	bool		sorted = true;

	for (size_t i = 1; i < n && sorted; i++)
		sorted = vals[i - 1] <= vals[i];
	if (!sorted)
		radix_sort_uint32(vals, n);
	/* in slices, a cancel check between two (a key cut in two is ORed twice) */
	for (size_t i = 0; i < n; i += RB_CHECK_EVERY)
	{
		CHECK_FOR_INTERRUPTS();
		if (!rb_lazy_or_sorted(r, vals + i, Min(n - i, RB_CHECK_EVERY)))
			rb_out_of_memory();
	}
}

void
rb_add_values(roaring_bitmap_t *r, uint32 *vals, size_t n)
{
	or_values_lazy(r, vals, n);
	roaring_bitmap_repair_after_lazy(r);
}

void
rbx_flush_pending(RbExpanded *e)
{
	if (e->npending == 0)
		return;
	or_values_lazy(e->own->r, e->pending, e->npending);
	e->npending = 0;
	e->lazy = true;
}

RbExpanded *
rb_expanded_deferred(bytea *flat, MemoryContext parent)
{
	MemoryContext cxt = AllocSetContextCreate(parent, "roaringbitmap expanded",
											  ALLOCSET_SMALL_SIZES);
	RbExpanded *e = MemoryContextAllocZero(cxt, sizeof(RbExpanded));

	EOH_init_header(&e->hdr, &rb_expanded_methods, cxt);
	e->own = rb_owned_new(cxt);
	e->first = MemoryContextAlloc(cxt, VARSIZE(flat));
	memcpy(e->first, flat, VARSIZE(flat));
	return e;
}

roaring_bitmap_t *
rb_expanded_ready(RbExpanded *e)
{
	if (e->first)
	{
		e->own->r = roaring_bitmap_portable_deserialize_safe(VARDATA(e->first),
															 VARSIZE(e->first) - VARHDRSZ);
		if (e->own->r == NULL)
			rb_corrupt_error();
		pfree(e->first);
		e->first = NULL;
	}
	rbx_flush_pending(e);
	if (e->lazy)
	{
		roaring_bitmap_repair_after_lazy(e->own->r);
		e->lazy = false;
	}
	return e->own->r;
}

void
rb_expanded_add(RbExpanded *e, uint32 x)
{
	if (e->pending == NULL)
		e->pending = MemoryContextAlloc(e->hdr.eoh_context,
										RB_PENDING_MAX * sizeof(uint32));
	if (e->npending == RB_PENDING_MAX)
		rbx_flush_pending(e);
	e->pending[e->npending++] = x;
	e->flat_size = 0;
}

static Size
rbx_get_flat_size(ExpandedObjectHeader *eohptr)
{
	RbExpanded *e = (RbExpanded *) eohptr;
	roaring_bitmap_t *r = rb_expanded_ready(e);
	uint64		size;

	if (e->flat_size)
		return e->flat_size;
	/* results of aggregates are stored: spend a pass on run compression */
	roaring_bitmap_run_optimize(r);
	if (!rb_canonicalize(r))
		rb_out_of_memory();
	size = roaring_bitmap_portable_size_in_bytes(r) + VARHDRSZ;
	rb_check_result_size(size);
	e->flat_size = size;
	return size;
}

static void
rbx_flatten_into(ExpandedObjectHeader *eohptr, void *result, Size allocated_size)
{
	RbExpanded *e = (RbExpanded *) eohptr;
	roaring_bitmap_t *r = rb_expanded_ready(e);

	Assert(allocated_size == e->flat_size);
	roaring_bitmap_portable_serialize(r, VARDATA(result));
	SET_VARSIZE(result, allocated_size);
}

/* ---- arguments ---- */

/*
 * Arguments that come back row after row stay decoded per call site: a
 * segment passed as a subquery result reaches every call as the same TOAST
 * pointer, an audience from a CTE as the same bytes.  Fetching and reading
 * them once, and preparing them for intersections (rb_dense) once they
 * repeat, is what keeps a profile over thousands of tags fast.
 *
 * A TOAST pointer identifies its value for good; bytes in memory are
 * trusted only after comparing them with the cached copy.  No caller
 * returns or modifies arg->flat, so replacing the cached copy is safe.
 */
#define RB_ARG_CACHE_SLOTS 4
#define RB_INMEM_CACHE_MIN (16 * 1024)
#define RB_DENSE_MAX_CONTAINERS 4096

struct RbArgCache
{
	/* identity of the cached value */
	Oid			toastrelid;		/* TOAST pointer, when the value was one */
	Oid			valueid;
	Size		size;			/* in-memory bytes: size and ends last seen */
	uint8		ends[128];
	bytea	   *flat;			/* our copy, or NULL */
	int			hits;
	rb_dense   *dense;
	MemoryContext cxt;
};

static RbArgCache *
cache_slot(FunctionCallInfo fcinfo, int argno)
{
	RbArgCache *slots;

	if (fcinfo->flinfo == NULL || argno >= RB_ARG_CACHE_SLOTS)
		return NULL;
	if (fcinfo->flinfo->fn_extra == NULL)
	{
		slots = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt,
									   sizeof(RbArgCache) * RB_ARG_CACHE_SLOTS);
		for (int i = 0; i < RB_ARG_CACHE_SLOTS; i++)
			slots[i].cxt = fcinfo->flinfo->fn_mcxt;
		fcinfo->flinfo->fn_extra = slots;
	}
	return &((RbArgCache *) fcinfo->flinfo->fn_extra)[argno];
}

static void
cache_reset(RbArgCache *c)
{
	if (c->flat)
		pfree(c->flat);
	if (c->dense)
		pfree(c->dense);
	c->flat = NULL;
	c->dense = NULL;
	c->hits = 0;
	c->valueid = InvalidOid;
	c->toastrelid = InvalidOid;
}

static bytea *
detoast_cached(FunctionCallInfo fcinfo, int argno, Datum d, RbArgCache **entry)
{
	struct varlena *p = (struct varlena *) DatumGetPointer(d);
	RbArgCache *c = cache_slot(fcinfo, argno);

	*entry = NULL;
	if (c == NULL)
		return (bytea *) PG_DETOAST_DATUM(d);
	if (VARATT_IS_EXTERNAL_ONDISK(p))
	{
		struct varatt_external ext;
		MemoryContext old;

		VARATT_EXTERNAL_GET_POINTER(ext, p);
		if (c->flat && c->valueid == ext.va_valueid && c->toastrelid == ext.va_toastrelid)
		{
			c->hits++;
			*entry = c;
			return c->flat;
		}
		cache_reset(c);
		c->size = 0;
		old = MemoryContextSwitchTo(c->cxt);
		c->flat = (bytea *) detoast_attr(p);
		MemoryContextSwitchTo(old);
		c->valueid = ext.va_valueid;
		c->toastrelid = ext.va_toastrelid;
		*entry = c;
		return c->flat;
	}
	if (!VARATT_IS_EXTENDED(p) && VARSIZE(p) >= RB_INMEM_CACHE_MIN)
	{
		Size		size = VARSIZE(p);
		uint8		ends[128];

		if (c->flat && VARSIZE(c->flat) == size && memcmp(c->flat, p, size) == 0)
		{
			c->hits++;
			*entry = c;
			return c->flat;
		}
		/* rows may hand the same value at new addresses: match by content */
		memcpy(ends, p, 64);
		memcpy(ends + 64, (const char *) p + size - 64, 64);
		if (c->flat == NULL && c->size == size && memcmp(c->ends, ends, 128) == 0)
		{
			/* the same size and ends twice running: keep a copy from now on */
			c->flat = MemoryContextAlloc(c->cxt, size);
			memcpy(c->flat, p, size);
			*entry = c;
			return c->flat;
		}
		cache_reset(c);
		c->size = size;
		memcpy(c->ends, ends, 128);
		return (bytea *) p;
	}
	return (bytea *) PG_DETOAST_DATUM(d);
}

void
rb_arg_get(FunctionCallInfo fcinfo, int argno, RbArg *arg)
{
	Datum		d = PG_GETARG_DATUM(argno);

	memset(arg, 0, sizeof(*arg));
	if (rb_datum_is_expanded(d))
	{
		arg->exp = (RbExpanded *) DatumGetEOHP(d);
		return;
	}
	arg->flat = detoast_cached(fcinfo, argno, d, &arg->cache);
	if (!rb_view_init(&arg->view, VARDATA(arg->flat), VARSIZE(arg->flat) - VARHDRSZ))
		rb_corrupt_error();
}

/* The prepared form, for an argument that has repeated; else NULL. */
const rb_dense *
rb_arg_dense(RbArg *arg)
{
	RbArgCache *c = arg->cache;

	if (c == NULL || c->hits < 1 || arg->view.n > RB_DENSE_MAX_CONTAINERS)
		return NULL;
	if (c->dense == NULL)
	{
		rb_dense   *d = MemoryContextAllocHuge(c->cxt, rb_dense_size(arg->view.n));

		if (!rb_dense_fill(d, &arg->view))
		{
			pfree(d);
			rb_corrupt_error();
		}
		c->dense = d;
	}
	return c->dense;
}

const roaring_bitmap_t *
rb_arg_roaring(RbArg *arg)
{
	if (arg->exp)
		return rb_expanded_ready(arg->exp);
	if (arg->deser == NULL)
		arg->deser = rb_deserialize_owned(VARDATA(arg->flat),
										  VARSIZE(arg->flat) - VARHDRSZ);
	return arg->deser->r;
}

RbOwned *
rb_arg_roaring_copy(RbArg *arg)
{
	RbOwned    *o;

	if (arg->exp)
	{
		o = rb_owned_new(CurrentMemoryContext);
		o->r = roaring_bitmap_copy(rb_expanded_ready(arg->exp));
		if (o->r == NULL)
			rb_out_of_memory();
		return o;
	}
	if (arg->deser)
	{
		o = arg->deser;
		arg->deser = NULL;
		return o;
	}
	return rb_deserialize_owned(VARDATA(arg->flat), VARSIZE(arg->flat) - VARHDRSZ);
}

void
rb_arg_release(RbArg *arg)
{
	if (arg->deser)
		rb_owned_free(arg->deser);
	arg->deser = NULL;
}

uint64
rb_arg_cardinality(RbArg *arg)
{
	if (arg->exp)
		return roaring_bitmap_get_cardinality(rb_expanded_ready(arg->exp));
	return rb_view_cardinality(&arg->view);
}

/* ---- binary I/O of varlena types whose bytes are their wire form ---- */

bytea *
rb_recv_raw(StringInfo buf)
{
	int			nbytes = buf->len - buf->cursor;
	bytea	   *result = palloc(nbytes + VARHDRSZ);

	pq_copymsgbytes(buf, VARDATA(result), nbytes);
	SET_VARSIZE(result, nbytes + VARHDRSZ);
	return result;
}

bytea *
rb_send_raw(bytea *b)
{
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendbytes(&buf, VARDATA(b), VARSIZE(b) - VARHDRSZ);
	return pq_endtypsend(&buf);
}
