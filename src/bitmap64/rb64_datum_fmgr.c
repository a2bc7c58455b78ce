/*
 * rb64_datum_fmgr.c — ownership, the expanded form, argument parsing and
 * result building for roaringbitmap64.
 */
#include "bitmap64/bitmap64_fmgr.h"

#include "access/detoast.h"
#include "miscadmin.h"
#include "utils/memutils.h"

/* ---- errors ---- */

void
rb64_corrupt_error(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("stored roaringbitmap64 value is corrupt"),
			 errhint("Values are validated on input; this one was damaged after it was stored.")));
}

void
rb64_oom_check(const void *p)
{
	if (p == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory in the roaring bitmap library")));
}

void
rb64_validate_or_error(const char *buf, size_t len, int sqlstate)
{
	const char *why;
	size_t		where;

	if (!rb64_validate((const uint8 *) buf, len, &why, &where))
		ereport(ERROR,
				(errcode(sqlstate),
				 errmsg("invalid roaringbitmap64 data: %s", why),
				 errdetail("The problem is at byte %zu of %zu.", where, len),
				 errhint("Binary input must be the portable 64-bit Roaring serialization (a uint64 bucket count, then per bucket a uint32 high key and a 32-bit portable bitmap), as written by CRoaring or pg_roaringbitmap.")));
}

/* ---- sets of CRoaring bitmaps: the algorithms are rb64_set.c ---- */

/* A set, the host that gives it its context's memory, and the callback
 * that frees its CRoaring bitmaps when that context goes (error, cancel). */
typedef struct Rb64SetBox
{
	Rb64Set		set;			/* first: an Rb64Set * is its box */
	core_host	host;
	MemoryContextCallback cb;
} Rb64SetBox;

static void *
set_host_alloc(void *ctx, size_t size)
{
	return MemoryContextAllocHuge((MemoryContext) ctx, size);
}

static void *
set_host_realloc(void *ctx, void *p, size_t size)
{
	return repalloc_huge(p, size);
}

static void
set_host_release(void *ctx, void *p)
{
	pfree(p);
}

static void
set_host_tick(void *ctx)
{
	CHECK_FOR_INTERRUPTS();
}

static void
rb64set_release_cb(void *arg)
{
	rb64set_release((Rb64Set *) arg);
}

void
rb64set_free(Rb64Set *s)
{
	rb64set_release(s);
}

Rb64Set *
rb64set_new(MemoryContext cxt)
{
	Rb64SetBox *box = MemoryContextAllocZero(cxt, sizeof(Rb64SetBox));

	box->host.alloc = set_host_alloc;
	box->host.realloc = set_host_realloc;
	box->host.release = set_host_release;
	box->host.tick = set_host_tick;
	box->host.ctx = cxt;
	rb64set_init(&box->set, &box->host);
	box->cb.func = rb64set_release_cb;
	box->cb.arg = &box->set;
	MemoryContextRegisterResetCallback(cxt, &box->cb);
	return &box->set;
}

void
rb64set_check(rb64_set_status st)
{
	if (st == RB64_SET_TOO_MANY_KEYS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("roaringbitmap64 with more than %d high keys", RB64_SET_MAX_KEYS)));
	if (st == RB64_SET_NO_MEMORY)
		rb64_oom_check(NULL);
}

/* ---- building results ---- */

void
rb64out_init(Rb64Out *o)
{
	o->n = 0;
	o->cap = 4;
	o->keys = palloc(o->cap * sizeof(uint32));
	o->views = palloc(o->cap * sizeof(rb_view *));
	o->bms = palloc(o->cap * sizeof(RbOwned *));
}

static int64
rb64out_push(Rb64Out *o, uint32 key)
{
	Assert(o->n == 0 || o->keys[o->n - 1] < key);
	if (o->n == o->cap)
	{
		o->cap *= 2;
		o->keys = repalloc_huge(o->keys, o->cap * sizeof(uint32));
		o->views = repalloc_huge(o->views, o->cap * sizeof(rb_view *));
		o->bms = repalloc_huge(o->bms, o->cap * sizeof(RbOwned *));
	}
	o->keys[o->n] = key;
	o->views[o->n] = NULL;
	o->bms[o->n] = NULL;
	return o->n++;
}

void
rb64out_view(Rb64Out *o, uint32 key, const rb_view *v)
{
	int64		i = rb64out_push(o, key);	/* may move the arrays */

	o->views[i] = v;
}

void
rb64out_bitmap(Rb64Out *o, uint32 key, RbOwned *r)
{
	int64		i = rb64out_push(o, key);	/* may move the arrays */

	o->bms[i] = r;
}

static void
serialize_error(void)
{
	ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory in the roaring bitmap library")));
}

bytea *
rb64out_finish(Rb64Out *o)
{
	uint64		inner = 0;
	uint64		count = 0;
	size_t	   *sizes = palloc(Max(o->n, 1) * sizeof(size_t));
	uint64		total;
	bytea	   *result;
	rb64_writer w;

	for (int64 i = 0; i < o->n; i++)
	{
		CHECK_FOR_INTERRUPTS();
		sizes[i] = 0;
		if (o->views[i])
			sizes[i] = o->views[i]->len;
		else
		{
			roaring_bitmap_t *r = o->bms[i]->r;

			if (!rb_canonicalize(r))
				serialize_error();
			if (!roaring_bitmap_is_empty(r))
				sizes[i] = roaring_bitmap_portable_size_in_bytes(r);
		}
		if (sizes[i] > 0)
		{
			inner += sizes[i];
			count++;
		}
	}
	total = 8 + count * RB64_DIR_ENTRY_BYTES + inner;	/* before the size_t sum */
	rb_check_result_size(total + VARHDRSZ);
	total = rb64_write_size(count, inner, rb64_dir_wanted(count));
	result = palloc(total + VARHDRSZ);
	SET_VARSIZE(result, total + VARHDRSZ);
	rb64_write_begin(&w, (uint8 *) VARDATA(result), count, rb64_dir_wanted(count));
	for (int64 i = 0; i < o->n; i++)
	{
		uint8	   *p;

		if (sizes[i] == 0)
			continue;
		CHECK_FOR_INTERRUPTS();
		p = rb64_write_bucket(&w, o->keys[i], sizes[i]);
		if (o->views[i])
			memcpy(p, o->views[i]->buf, sizes[i]);
		else
			roaring_bitmap_portable_serialize(o->bms[i]->r, (char *) p);
	}
	for (int64 i = 0; i < o->n; i++)
		if (o->bms[i])
			rb_owned_free(o->bms[i]);
	pfree(sizes);
	return result;
}

/*
 * Between the binary form and the stored form (rb64_format.h): values of
 * two or more buckets get or lose their directory; others are the same
 * bytes and come back as they are.
 */
static bytea *
convert_form(bytea *b, bool dir)
{
	Rb64Arg		a;
	size_t		size;
	bytea	   *result;

	if (rb64_is_dir((const uint8 *) VARDATA(b), VARSIZE(b) - VARHDRSZ) == dir)
		return b;
	rb64_arg_from_bytea(b, &a);
	if (dir && !rb64_dir_wanted(a.n))
		return b;
	size = rb64_buckets_size(a.b, a.n, dir);
	rb_check_result_size((uint64) size + VARHDRSZ);
	result = palloc(size + VARHDRSZ);
	SET_VARSIZE(result, size + VARHDRSZ);
	rb64_write_buckets(a.b, a.n, dir, (uint8 *) VARDATA(result));
	pfree(a.b);
	return result;
}

bytea *
rb64_stored_from_portable(bytea *portable)
{
	return convert_form(portable, true);
}

bytea *
rb64_portable_of(bytea *stored)
{
	return convert_form(stored, false);
}

bytea *
rb64_empty(void)
{
	bytea	   *result = palloc0(8 + VARHDRSZ);

	SET_VARSIZE(result, 8 + VARHDRSZ);
	return result;
}

static Size
set_flat_size(Rb64Set *s, bool optimize)
{
	uint64		inner = 0;
	uint64		count = 0;

	for (int32 i = 0; i < s->n; i++)
	{
		CHECK_FOR_INTERRUPTS();
		if (optimize)
			roaring_bitmap_run_optimize(s->bms[i]);
		if (!rb_canonicalize(s->bms[i]))
			serialize_error();
		if (!roaring_bitmap_is_empty(s->bms[i]))
		{
			inner += roaring_bitmap_portable_size_in_bytes(s->bms[i]);
			count++;
		}
	}
	rb_check_result_size(8 + count * RB64_DIR_ENTRY_BYTES + inner + VARHDRSZ);
	return rb64_write_size(count, inner, rb64_dir_wanted(count)) + VARHDRSZ;
}

static void
set_flatten(Rb64Set *s, char *p)
{
	uint64		count = 0;
	rb64_writer w;

	for (int32 i = 0; i < s->n; i++)
		if (!roaring_bitmap_is_empty(s->bms[i]))
			count++;
	rb64_write_begin(&w, (uint8 *) p, count, rb64_dir_wanted(count));
	for (int32 i = 0; i < s->n; i++)
	{
		if (roaring_bitmap_is_empty(s->bms[i]))
			continue;
		CHECK_FOR_INTERRUPTS();
		roaring_bitmap_portable_serialize(s->bms[i],
										  (char *) rb64_write_bucket(&w, s->keys[i],
																	 roaring_bitmap_portable_size_in_bytes(s->bms[i])));
	}
}

bytea *
rb64_serialize_set(Rb64Set *s, bool optimize)
{
	Size		size = set_flat_size(s, optimize);
	bytea	   *result = palloc(size);

	SET_VARSIZE(result, size);
	set_flatten(s, VARDATA(result));
	return result;
}

/* ---- expanded form ---- */

static Size rb64x_get_flat_size(ExpandedObjectHeader *eohptr);
static void rb64x_flatten_into(ExpandedObjectHeader *eohptr, void *result, Size allocated_size);

static const ExpandedObjectMethods rb64_expanded_methods = {
	rb64x_get_flat_size,
	rb64x_flatten_into
};

bool
rb64_datum_is_expanded(Datum d)
{
	return VARATT_IS_EXTERNAL_EXPANDED(DatumGetPointer(d)) &&
		DatumGetEOHP(d)->eoh_methods == &rb64_expanded_methods;
}

Rb64Expanded *
rb64_expanded_new(MemoryContext parent)
{
	MemoryContext cxt = AllocSetContextCreate(parent, "roaringbitmap64 expanded",
											  ALLOCSET_SMALL_SIZES);
	Rb64Expanded *e = MemoryContextAllocZero(cxt, sizeof(Rb64Expanded));

	EOH_init_header(&e->hdr, &rb64_expanded_methods, cxt);
	e->set = rb64set_new(cxt);
	return e;
}

RbOwned *
rb64_bucket_roaring(const rb64_bucket *b)
{
	RbOwned    *o = rb_owned_new(CurrentMemoryContext);

	o->r = roaring_bitmap_portable_deserialize_safe((const char *) b->view.buf, b->view.len);
	if (o->r == NULL)
		rb64_corrupt_error();
	return o;
}

Rb64Expanded *
rb64_expanded_from_flat(bytea *flat, MemoryContext parent)
{
	Rb64Expanded *e = rb64_expanded_new(parent);
	Rb64Arg		a;
	uint32	   *keys;

	rb64_arg_from_bytea(flat, &a);
	keys = palloc(Max(a.n, 1) * sizeof(uint32));
	for (int64 i = 0; i < a.n; i++)
		keys[i] = a.b[i].key;
	rb64set_check(rb64set_ensure_keys(e->set, keys, a.n));
	for (int64 i = 0; i < a.n; i++)
	{
		roaring_bitmap_t *r;

		/* before the malloc: r is owned by nobody until stored */
		CHECK_FOR_INTERRUPTS();
		/* the empty bitmap made by ensure_keys is replaced */
		r = roaring_bitmap_portable_deserialize_safe((const char *) a.b[i].view.buf,
													 a.b[i].view.len);
		if (r == NULL)
			rb64_corrupt_error();
		roaring_bitmap_free(e->set->bms[i]);
		e->set->bms[i] = r;
	}
	pfree(keys);
	return e;
}

static void
rb64x_flush_pending(Rb64Expanded *e)
{
	if (e->npending == 0)
		return;
	rb64set_check(rb64set_add_values(e->set, e->pending, e->npending, true));
	e->npending = 0;
	e->lazy = true;
}

Rb64Set *
rb64_expanded_ready(Rb64Expanded *e)
{
	rb64x_flush_pending(e);
	if (e->lazy)
	{
		for (int32 i = 0; i < e->set->n; i++)
		{
			CHECK_FOR_INTERRUPTS();
			roaring_bitmap_repair_after_lazy(e->set->bms[i]);
		}
		e->lazy = false;
	}
	return e->set;
}

#define RB64_PENDING_MAX 4096

void
rb64_expanded_add(Rb64Expanded *e, uint64 x)
{
	if (e->pending == NULL)
		e->pending = MemoryContextAlloc(e->hdr.eoh_context,
										RB64_PENDING_MAX * sizeof(uint64));
	if (e->npending == RB64_PENDING_MAX)
		rb64x_flush_pending(e);
	e->pending[e->npending++] = x;
	e->flat_size = 0;
}

static Size
rb64x_get_flat_size(ExpandedObjectHeader *eohptr)
{
	Rb64Expanded *e = (Rb64Expanded *) eohptr;

	rb64_expanded_ready(e);
	if (e->flat_size == 0)
		e->flat_size = set_flat_size(e->set, true);
	return e->flat_size;
}

static void
rb64x_flatten_into(ExpandedObjectHeader *eohptr, void *result, Size allocated_size)
{
	Rb64Expanded *e = (Rb64Expanded *) eohptr;

	rb64_expanded_ready(e);
	Assert(allocated_size == e->flat_size);
	set_flatten(e->set, VARDATA(result));
	SET_VARSIZE(result, allocated_size);
}

/* ---- arguments ---- */

/*
 * A bitmap that reaches every row as the same TOAST pointer (a segment from
 * a subquery) is fetched and located once per call site, and prepared for
 * intersections once it repeats: the 32-bit type's per-call-site cache,
 * per bucket.
 */
#define RB64_CACHE_SLOTS 2
#define RB64_DENSE_MAX_CONTAINERS 4096

struct Rb64Cache
{
	Oid			toastrelid;
	Oid			valueid;
	bytea	   *flat;
	int64		n;
	rb64_bucket *b;
	rb_dense  **dense;
	int			hits;
	MemoryContext cxt;
};

static void
cache_reset(Rb64Cache *c)
{
	if (c->dense)
	{
		for (int64 i = 0; i < c->n; i++)
			if (c->dense[i])
				pfree(c->dense[i]);
		pfree(c->dense);
	}
	if (c->b)
		pfree(c->b);
	if (c->flat)
		pfree(c->flat);
	c->dense = NULL;
	c->b = NULL;
	c->flat = NULL;
	c->n = 0;
	c->hits = 0;
	c->valueid = InvalidOid;
	c->toastrelid = InvalidOid;
}

static void
parse_flat(bytea *flat, int64 *n, rb64_bucket **b, MemoryContext cxt)
{
	const uint8 *buf = (const uint8 *) VARDATA(flat);
	size_t		len = VARSIZE(flat) - VARHDRSZ;

	*n = rb64_bucket_count(buf, len);
	if (*n < 0)
		rb64_corrupt_error();
	*b = MemoryContextAllocHuge(cxt, Max(*n, 1) * sizeof(rb64_bucket));
	if (!rb64_parse(buf, len, *b, *n))
		rb64_corrupt_error();
}

void
rb64_arg_from_bytea(bytea *flat, Rb64Arg *arg)
{
	memset(arg, 0, sizeof(*arg));
	arg->flat = flat;
	parse_flat(flat, &arg->n, &arg->b, CurrentMemoryContext);
}

void
rb64_arg_get(FunctionCallInfo fcinfo, int argno, Rb64Arg *arg)
{
	Datum		d = PG_GETARG_DATUM(argno);
	struct varlena *p = (struct varlena *) DatumGetPointer(d);

	if (VARATT_IS_EXTERNAL_ONDISK(p) && fcinfo->flinfo && argno < RB64_CACHE_SLOTS)
	{
		struct varatt_external ext;
		Rb64Cache  *c;
		MemoryContext old;

		if (fcinfo->flinfo->fn_extra == NULL)
		{
			Rb64Cache  *slots = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt,
													   sizeof(Rb64Cache) * RB64_CACHE_SLOTS);

			for (int i = 0; i < RB64_CACHE_SLOTS; i++)
				slots[i].cxt = fcinfo->flinfo->fn_mcxt;
			fcinfo->flinfo->fn_extra = slots;
		}
		c = &((Rb64Cache *) fcinfo->flinfo->fn_extra)[argno];
		VARATT_EXTERNAL_GET_POINTER(ext, p);
		if (c->flat && c->valueid == ext.va_valueid && c->toastrelid == ext.va_toastrelid)
			c->hits++;
		else
		{
			cache_reset(c);
			old = MemoryContextSwitchTo(c->cxt);
			c->flat = (bytea *) detoast_attr(p);
			MemoryContextSwitchTo(old);
			parse_flat(c->flat, &c->n, &c->b, c->cxt);
			c->valueid = ext.va_valueid;
			c->toastrelid = ext.va_toastrelid;
		}
		arg->flat = c->flat;
		arg->n = c->n;
		arg->b = c->b;
		arg->cache = c;
		return;
	}
	/* expanded values (aggregate results) are flattened by the detoaster */
	rb64_arg_from_bytea((bytea *) PG_DETOAST_DATUM(d), arg);
}

const rb_dense *
rb64_arg_dense(Rb64Arg *arg, int64 i)
{
	Rb64Cache  *c = arg->cache;

	if (c == NULL || c->hits < 1 || arg->b[i].view.n > RB64_DENSE_MAX_CONTAINERS)
		return NULL;
	if (c->dense == NULL)
		c->dense = MemoryContextAllocZero(c->cxt, Max(c->n, 1) * sizeof(rb_dense *));
	if (c->dense[i] == NULL)
	{
		rb_dense   *d = MemoryContextAllocHuge(c->cxt, rb_dense_size(arg->b[i].view.n));

		if (!rb_dense_fill(d, &arg->b[i].view))
		{
			pfree(d);
			rb64_corrupt_error();
		}
		c->dense[i] = d;
	}
	return c->dense[i];
}

uint64
rb64_arg_cardinality(const Rb64Arg *arg)
{
	uint64		total = 0;

	for (int64 i = 0; i < arg->n; i++)
	{
		if ((i & 0xFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		total += rb_view_cardinality(&arg->b[i].view);
	}
	return total;
}

uint64
rb64_rank_of(const Rb64Arg *a, uint64 x)
{
	uint32		hi = (uint32) (x >> 32);
	uint64		total = 0;

	for (int64 i = 0; i < a->n && a->b[i].key <= hi; i++)
	{
		if ((i & 0xFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		if (a->b[i].key < hi)
			total += rb_view_cardinality(&a->b[i].view);
		else
		{
			bool		broken;

			total += rb_view_rank(&a->b[i].view, (uint32) x, &broken);
			if (broken)
				rb64_corrupt_error();
		}
	}
	return total;
}

bool
rb64_contains_value(const Rb64Arg *a, uint64 x)
{
	int64		i = rb64_find(a->b, a->n, (uint32) (x >> 32));
	int32		ci;
	rb_container c;

	if (i < 0)
		return false;
	ci = rb_view_find(&a->b[i].view, (uint16) ((uint32) x >> 16));
	if (ci < 0)
		return false;
	if (!rb_view_container(&a->b[i].view, ci, &c))
		rb64_corrupt_error();
	return rb_container_contains(&c, (uint16) x);
}
