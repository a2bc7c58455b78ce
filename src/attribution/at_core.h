/*
 * at_core.h — pieces shared by the plain-C cores of the attribution module:
 * the allocation hooks, a dictionary of channel names, and little-endian
 * readers and writers for the state formats.
 *
 * No PostgreSQL types here, so that test/unit links the cores alone.  The
 * glue passes palloc-based hooks (which never return NULL: they throw);
 * the unit tests pass malloc.
 */
#ifndef PERSONA_AT_CORE_H
#define PERSONA_AT_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct at_alloc
{
	void	   *(*alloc) (void *ctx, size_t size);
	void		(*release) (void *ctx, void *p);
	void	   *ctx;
} at_alloc;

static inline void *
at_malloc(const at_alloc *a, size_t n)
{
	return a->alloc(a->ctx, n ? n : 1);
}

static inline void *
at_calloc(const at_alloc *a, size_t n)
{
	void	   *p = at_malloc(a, n);

	memset(p, 0, n ? n : 1);
	return p;
}

/* Grow an array to hold at least `need` elements of `size` bytes. */
extern void *at_grow(const at_alloc *a, void *p, size_t *cap, size_t need, size_t size);

/*
 * Channel names, each given a dense id in order of first appearance.
 * Names are compared as bytes: channel order everywhere in the module is
 * byte order (the C collation), so answers do not depend on the locale.
 */
typedef struct at_dict
{
	int32_t		n;
	size_t		cap;
	char	  **names;
	uint32_t   *lens;
	uint32_t   *hashes;
	int32_t    *slots;			/* open addressing, -1 empty */
	uint32_t	nslots;			/* power of two */
} at_dict;

extern void at_dict_init(at_dict *d, const at_alloc *a);
/* Id of the name, adding it when new. */
extern int32_t at_dict_id(at_dict *d, const at_alloc *a, const char *name, size_t len);
/* Id of the name or -1. */
extern int32_t at_dict_find(const at_dict *d, const char *name, size_t len);
extern void at_dict_free(at_dict *d, const at_alloc *a);

/* Byte order of two names (shorter first on a common prefix). */
extern int	at_name_cmp(const char *a, size_t alen, const char *b, size_t blen);

/* rank[id] = position of the name in byte order; order[k] = id at position k. */
extern void at_dict_ranks(const at_dict *d, const at_alloc *a, int32_t *rank, int32_t *order);

/*
 * Neumaier-compensated sum: value totals whose rounding barely depends on
 * the order rows arrive in (serial, parallel and rolled-up states agree to
 * the last bit in all practical cases; counts are exact integers).
 */
typedef struct at_sum
{
	double		s;
	double		c;
} at_sum;

static inline void
at_sum_add(at_sum *x, double v)
{
	double		t = x->s + v;

	if ((x->s >= 0 ? x->s : -x->s) >= (v >= 0 ? v : -v))
		x->c += (x->s - t) + v;
	else
		x->c += (v - t) + x->s;
	x->s = t;
}

static inline double
at_sum_get(const at_sum *x)
{
	return x->s + x->c;
}

static inline void
at_sum_merge(at_sum *x, const at_sum *y)
{
	at_sum_add(x, y->s);
	at_sum_add(x, y->c);
}

/* ---- little-endian state formats ---- */

typedef struct at_writer
{
	uint8_t    *p;				/* NULL: only count */
	size_t		len;
} at_writer;

extern void at_put_u32(at_writer *w, uint32_t v);
extern void at_put_u64(at_writer *w, uint64_t v);
extern void at_put_f64(at_writer *w, double v);
extern void at_put_bytes(at_writer *w, const void *b, size_t n);

typedef struct at_reader
{
	const uint8_t *p;
	const uint8_t *end;
	const char *error;			/* first problem met, static text */
	void		(*check) (void);	/* the host's cancel check, or NULL: called
									 * every AT_CHECK_EVERY records read */
} at_reader;

#define AT_CHECK_EVERY 65536

/* Between records of a long read: the host's check, now and then. */
static inline void
at_reader_tick(const at_reader *r, uint64_t i)
{
	if (r->check && (i % AT_CHECK_EVERY) == 0)
		r->check();
}

extern bool at_get_u32(at_reader *r, uint32_t *v);
extern bool at_get_u64(at_reader *r, uint64_t *v);
extern bool at_get_f64(at_reader *r, double *v);
extern bool at_get_bytes(at_reader *r, const uint8_t **b, size_t n);
extern bool at_fail(at_reader *r, const char *why);

/*
 * A channel dictionary in a state: count, then each name as length and
 * bytes, strictly ascending (so unique).  The reader fills `d` with ids in
 * that order.
 */
extern void at_put_names(at_writer *w, const at_dict *d, const int32_t *order);
extern bool at_get_names(at_reader *r, at_dict *d, const at_alloc *a);

#endif
