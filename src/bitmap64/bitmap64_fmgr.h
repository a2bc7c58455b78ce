/*
 * bitmap64_fmgr.h — the one glue header of the bitmap64 module: the
 * roaringbitmap64 type's in-memory forms, shared by its *_fmgr.c files, on
 * top of the bitmap module's glue header and the 64-bit cores.
 *
 * A value is flat (the stored form of rb64_format.h: the portable 64-bit
 * format, with a bucket directory when it has several buckets; read in
 * place through rb64_bucket views) or, as an aggregate state, an expanded object holding
 * one CRoaring 32-bit bitmap per high key.  Every set operation works
 * bucket by bucket with the 32-bit routines of src/bitmap/.
 */
#ifndef PERSONA_BITMAP64_FMGR_H
#define PERSONA_BITMAP64_FMGR_H

#include "bitmap/bitmap_fmgr.h"
#include "bitmap64/rb64_format.h"
#include "bitmap64/rb64_set.h"
#include "bitmap64/rb64_stored.h"

/*
 * CRoaring bitmaps per high key (bitmap64/rb64_set.h) whose arrays live in
 * cxt and whose bitmaps are freed when cxt goes.
 */
extern Rb64Set *rb64set_new(MemoryContext cxt);
/* Free the bitmaps now (the context callback then has nothing to do). */
extern void rb64set_free(Rb64Set *s);
/* ERROR for a failed rb64set_* call (too many keys, out of memory). */
extern void rb64set_check(rb64_set_status st);

/* Expanded form: the aggregate state. */
typedef struct Rb64Expanded
{
	ExpandedObjectHeader hdr;
	Rb64Set    *set;
	bool		lazy;			/* buckets need roaring_bitmap_repair_after_lazy */
	uint64	   *pending;		/* buffered rb64_build_agg values */
	int			npending;
	Size		flat_size;
} Rb64Expanded;

/* The datum is an Rb64Expanded (a function: the methods live in rb64_datum_fmgr.c). */
extern bool rb64_datum_is_expanded(Datum d);

extern Rb64Expanded *rb64_expanded_new(MemoryContext parent);
extern Rb64Expanded *rb64_expanded_from_flat(bytea *flat, MemoryContext parent);
extern Rb64Set *rb64_expanded_ready(Rb64Expanded *e);
extern void rb64_expanded_add(Rb64Expanded *e, uint64 x);

/* A flat argument, parsed (detoasted and located once per call site). */
typedef struct Rb64Cache Rb64Cache;

typedef struct Rb64Arg
{
	bytea	   *flat;
	int64		n;
	rb64_bucket *b;
	Rb64Cache  *cache;
} Rb64Arg;

extern void rb64_arg_get(FunctionCallInfo fcinfo, int argno, Rb64Arg *arg);
extern void rb64_arg_from_bytea(bytea *flat, Rb64Arg *arg);
/* A 65536-bit-per-container form of bucket i, once the argument repeats. */
extern const rb_dense *rb64_arg_dense(Rb64Arg *arg, int64 i);
extern uint64 rb64_arg_cardinality(const Rb64Arg *arg);
/* A CRoaring copy of a bucket, owned by CurrentMemoryContext. */
extern RbOwned *rb64_bucket_roaring(const rb64_bucket *b);

/* Result builder: buckets in ascending key order, copied or serialized. */
typedef struct Rb64Out
{
	int64		n;
	int64		cap;
	uint32	   *keys;
	const rb_view **views;		/* copy these bytes ... */
	RbOwned   **bms;			/* ... or serialize this bitmap */
} Rb64Out;

extern void rb64out_init(Rb64Out *o);
extern void rb64out_view(Rb64Out *o, uint32 key, const rb_view *v);
/* Takes the bitmap (freed by the builder); empty ones are dropped. */
extern void rb64out_bitmap(Rb64Out *o, uint32 key, RbOwned *r);
extern bytea *rb64out_finish(Rb64Out *o);
extern bytea *rb64_serialize_set(Rb64Set *s, bool optimize);
extern bytea *rb64_empty(void);
/* Binary (portable) form to stored form, after validation, and back. */
extern bytea *rb64_stored_from_portable(bytea *portable);
extern bytea *rb64_portable_of(bytea *stored);

extern void rb64_validate_or_error(const char *buf, size_t len, int sqlstate);
extern void rb64_corrupt_error(void) pg_attribute_noreturn();
extern void rb64_oom_check(const void *p);

#define PG_RETURN_RB64(b) PG_RETURN_BYTEA_P(b)

/* [start, end) of unsigned 64-bit values; end 0 means 2^64 (pg_roaringbitmap). */
typedef struct Rb64Range
{
	uint64		start;
	uint64		last;			/* inclusive */
	bool		empty;
} Rb64Range;

static inline Rb64Range
rb64_range_arg(int64 start, int64 end)
{
	Rb64Range	r;

	r.start = (uint64) start;
	r.empty = !((uint64) start < (uint64) end || end == 0);
	r.last = (uint64) end - 1;
	return r;
}

/* Elements <= x, in unsigned order. */
extern uint64 rb64_rank_of(const Rb64Arg *a, uint64 x);
extern bool rb64_contains_value(const Rb64Arg *a, uint64 x);

#endif
