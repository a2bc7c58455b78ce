/*
 * bitmap_fmgr.h — the one glue header of the bitmap module: the
 * roaringbitmap type's in-memory forms, shared by the module's *_fmgr.c
 * files (and by the glue of later modules that take bitmaps), and the
 * plain-C cores they call (rb_format, rb_kernels, rb_merge, rb_canon).
 *
 * A roaringbitmap datum is either flat (a varlena holding the Roaring
 * portable serialization, read in place through rb_view) or an expanded
 * object holding a CRoaring bitmap, which is how aggregate states avoid
 * re-serializing on every row.
 *
 * CRoaring 0.2.66 mallocs outside PostgreSQL's memory contexts, so every
 * CRoaring bitmap persona creates is owned by an RbOwned registered as a
 * reset callback of a memory context: an ERROR or a cancel that unwinds the
 * context frees it.
 */
#ifndef PERSONA_BITMAP_FMGR_H
#define PERSONA_BITMAP_FMGR_H

#include "postgres.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/expandeddatum.h"

#include <roaring/roaring.h>

#include "base/base_fmgr.h"
#include "base/radix_sort.h"
#include "bitmap/rb_canon.h"
#include "bitmap/rb_format.h"
#include "bitmap/rb_kernels.h"
#include "bitmap/rb_merge.h"

/* A CRoaring bitmap owned by a memory context. */
typedef struct RbOwned
{
	MemoryContextCallback cb;
	roaring_bitmap_t *r;
} RbOwned;

extern RbOwned *rb_owned_new(MemoryContext cxt);
extern void rb_owned_free(RbOwned *o);

/* Expanded form: a CRoaring bitmap plus work deferred until it is read. */
typedef struct RbExpanded
{
	ExpandedObjectHeader hdr;
	RbOwned    *own;
	bool		lazy;			/* after lazy OR: cardinalities need repair */
	uint32	   *pending;		/* buffered adds, flushed in sorted batches */
	int			npending;
	Size		flat_size;		/* valid after get_flat_size, 0 otherwise */
	bytea	   *first;			/* rb_and_agg's first row, kept flat until the
								 * second arrives (own->r is NULL meanwhile) */
} RbExpanded;

/* The datum is an RbExpanded (a function: the methods live in rb_datum_fmgr.c). */
extern bool rb_datum_is_expanded(Datum d);

extern RbExpanded *rb_expanded_new(MemoryContext parent);
extern RbExpanded *rb_expanded_from_datum(Datum d, MemoryContext parent);
/* An expanded object holding a flat copy of d, decoded only when needed. */
extern RbExpanded *rb_expanded_deferred(bytea *flat, MemoryContext parent);
/* Flush pending adds and repair laziness; returns the bitmap to read. */
extern roaring_bitmap_t *rb_expanded_ready(RbExpanded *e);
extern void rb_expanded_add(RbExpanded *e, uint32 x);

#define RB_PENDING_MAX 4096

extern void rbx_flush_pending(RbExpanded *e);
/* Add values in any order (sorts them in place first when needed). */
extern void rb_add_values(roaring_bitmap_t *r, uint32 *vals, size_t n);

/* Argument access. */
typedef struct RbArgCache RbArgCache;

typedef struct RbArg
{
	RbExpanded *exp;			/* set when the datum is our expanded object */
	bytea	   *flat;			/* else the detoasted flat value */
	rb_view		view;			/* valid when flat != NULL */
	RbOwned    *deser;			/* CRoaring copy of flat, made on demand */
	RbArgCache *cache;			/* set when the value is cached per call site */
} RbArg;

extern void rb_arg_get(FunctionCallInfo fcinfo, int argno, RbArg *arg);
/* A read-only CRoaring bitmap for the argument (deserialized if needed). */
extern const roaring_bitmap_t *rb_arg_roaring(RbArg *arg);
/* A private, modifiable copy, owned by CurrentMemoryContext. */
extern RbOwned *rb_arg_roaring_copy(RbArg *arg);
/* Release what rb_arg_roaring made (the context would, later). */
extern void rb_arg_release(RbArg *arg);
extern uint64 rb_arg_cardinality(RbArg *arg);
extern const rb_dense *rb_arg_dense(RbArg *arg);

extern RbOwned *rb_deserialize_owned(const char *buf, size_t len);
extern RbOwned *rb_new_owned(void);
/* Serialize into a new varlena and free the bitmap. */
extern bytea *rb_serialize_free(RbOwned *o);
extern bytea *rb_serialize(roaring_bitmap_t *r);
extern void rb_check_result_size(uint64 bytes);

/* Binary I/O of a varlena whose bytes are its wire form (caller validates). */
extern bytea *rb_recv_raw(StringInfo buf);
extern bytea *rb_send_raw(bytea *b);
/*
 * The '{a, b, ...}' text form, one element at a time, for both bitmap types:
 * syntax errors (22P02) name `typname` and give `hint`; the caller checks the
 * range of each value (`overflow` when it does not fit a long long).
 */
typedef struct RbListScan
{
	const char *input;
	const char *p;
	const char *typname;
	const char *hint;
	bool		done;
	uint64		count;			/* elements read: a cancel check every so many */
} RbListScan;

extern void rb_list_begin(RbListScan *s, const char *input, const char *typname, const char *hint);
/* True with the next element (its text at *tok, *toklen bytes); false after "}". */
extern bool rb_list_next(RbListScan *s, long long *v, bool *overflow, const char **tok, int *toklen);

/* The \\x hex text form (22P02 on bad digits). */
extern bytea *rb_hex_decode(const char *input, const char *typname);

/*
 * CHECK_FOR_INTERRUPTS as a function, for the plain-C loops that take a
 * check (common/radix_sort.h).
 */
extern void rb_check_interrupts(void);

/*
 * Loops over elements call CHECK_FOR_INTERRUPTS once per RB_CHECK_EVERY
 * elements: a few nanoseconds each, a cancel is honoured within a
 * millisecond, and the check costs nothing measurable.
 */
#define RB_CHECK_EVERY 65536

/* Report bytes that failed rb_validate (or stored bytes that are corrupt). */
extern void rb_validate_or_error(const char *buf, size_t len, int sqlstate);
extern void rb_corrupt_error(void) pg_attribute_noreturn();

extern bool rb_arg_contains_value(RbArg *a, uint32 x);
extern uint64 rb_args_and_cardinality(RbArg *a, RbArg *b);
extern bool rb_args_equal(FunctionCallInfo fcinfo);

/* GUC persona.output_format */
typedef enum
{
	RB_OUTPUT_BYTEA,
	RB_OUTPUT_ARRAY
} RbOutputFormat;
extern int	rb_output_format;

#define RB_RANGE_END ((int64) 4294967296LL)

/* Clamp a [start, end) range argument to [0, 2^32), as pg_roaringbitmap does. */
static inline void
rb_clamp_range(int64 *start, int64 *end)
{
	if (*start < 0)
		*start = 0;
	if (*end < 0)
		*end = 0;
	if (*end > RB_RANGE_END)
		*end = RB_RANGE_END;
	if (*start > RB_RANGE_END)
		*start = RB_RANGE_END;
}

#endif
