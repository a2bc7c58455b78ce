/*
 * rb_format.h — the Roaring portable serialization, read in place.
 *
 * Plain C, no PostgreSQL types: a unit test or a fuzzer links this alone.
 *
 * Every roaringbitmap value persona stores is in this format, so that bytes
 * written by pg_roaringbitmap, CRoaring, Java or Go Roaring load unchanged.
 * Reading it in place (instead of deserializing into a CRoaring object, which
 * mallocs every container) is what makes point lookups and cardinalities
 * cheap.  rb_validate() is the only gate for bytes from outside; everything
 * else here trusts bytes that passed it once and only guards against
 * reading past the buffer.
 */
#ifndef PERSONA_RB_FORMAT_H
#define PERSONA_RB_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/bytes.h"

#define RB_COOKIE_NO_RUN		12346
#define RB_COOKIE_RUN			12347
#define RB_NO_OFFSET_THRESHOLD	4
#define RB_MAX_CONTAINERS		65536
#define RB_ARRAY_MAX			4096
#define RB_BITSET_BYTES			8192

typedef enum rb_ctype
{
	RB_ARRAY = 1,
	RB_BITSET = 2,
	RB_RUN = 3
} rb_ctype;

/* A parsed header; containers are located lazily from it. */
typedef struct rb_view
{
	const uint8_t *buf;
	size_t		len;
	int32_t		n;				/* number of containers */
	const uint8_t *runflags;	/* bit i set: container i is a run container */
	const uint8_t *desc;		/* n pairs of (uint16 key, uint16 card - 1) */
	const uint8_t *offsets;		/* n uint32 offsets, or NULL when absent */
	uint32_t	small_off[RB_NO_OFFSET_THRESHOLD];	/* computed when absent */
} rb_view;

/* One container, located. */
typedef struct rb_container
{
	rb_ctype	type;
	uint16_t	key;
	uint32_t	card;
	const uint8_t *data;		/* array: card uint16; bitset: 1024 uint64;
								 * run: uint16 nruns then pairs */
	uint32_t	nruns;
} rb_container;

/*
 * Full structural validation.  Returns true when the bytes are a canonical
 * portable bitmap; otherwise false with a static message in *why and the
 * byte offset of the problem in *where.
 */
extern bool rb_validate(const void *buf, size_t len, const char **why, size_t *where);

/*
 * Header parsing, with bounds checks only; false when the header does not
 * fit in len (the caller reports corruption).
 */
extern bool rb_view_init(rb_view *v, const void *buf, size_t len);

/* Bytes needed to read the header of a bitmap with n containers. */
extern size_t rb_header_size(const uint8_t *first8, size_t avail);

static inline uint16_t
rb_view_key(const rb_view *v, int32_t i)
{
	return bytes_ld16(v->desc + 4 * i);
}

static inline uint32_t
rb_view_card(const rb_view *v, int32_t i)
{
	return (uint32_t) bytes_ld16(v->desc + 4 * i + 2) + 1;
}

static inline bool
rb_view_is_run(const rb_view *v, int32_t i)
{
	return v->runflags != NULL && (v->runflags[i >> 3] >> (i & 7)) & 1;
}

extern uint32_t rb_view_offset(const rb_view *v, int32_t i);

/* Byte size of container i's payload, from the header alone (runs: -1). */
extern int64_t rb_view_payload_size(const rb_view *v, int32_t i);

/* Locate container i; false when it would run past the buffer. */
extern bool rb_view_container(const rb_view *v, int32_t i, rb_container *c);

/* Index of the container with this key, or -(insertion point) - 1. */
extern int32_t rb_view_find(const rb_view *v, uint16_t key);

extern uint64_t rb_view_cardinality(const rb_view *v);

/* Length of the {a,b,...} text form (int4 values); UINT64_MAX when broken. */
extern uint64_t rb_text_length(const rb_view *v);

/* Container-level primitives over located containers. */
extern bool rb_container_contains(const rb_container *c, uint16_t low);
extern uint32_t rb_container_min(const rb_container *c);
extern uint32_t rb_container_max(const rb_container *c);
/* Number of values <= low. */
extern uint32_t rb_container_rank(const rb_container *c, uint16_t low);

/*
 * The set as a stream of maximal closed intervals [start, end] in unsigned
 * order.  Equal sets give equal streams whatever their container choice,
 * which is what equality, hashing and ordering need.
 */
typedef struct rb_interval_iter
{
	const rb_view *v;
	int32_t		ci;				/* current container */
	rb_container c;
	uint32_t	pos;			/* position inside the container */
	bool		have_pending;
	uint32_t	pstart;
	uint32_t	pend;
	bool		broken;			/* container ran past the buffer */
} rb_interval_iter;

extern void rb_interval_iter_init(rb_interval_iter *it, const rb_view *v);
extern bool rb_interval_next(rb_interval_iter *it, uint32_t *start, uint32_t *end);

/*
 * Called each time an interval stream enters a container (NULL: never): the
 * host's cancel check.  A bitmap can hold 2^31 intervals (every other value),
 * which comparing, hashing or printing walks one by one; a container holds
 * at most 32768 of them.  The host may leave the stream with an error, so
 * nothing is allocated while a stream runs.
 */
extern void (*rb_interrupt_hook) (void);

/* Number of values <= x in unsigned order. */
extern uint64_t rb_view_rank(const rb_view *v, uint32_t x, bool *broken);

/* A hash of the set that does not depend on container choice. */
extern uint64_t rb_view_hash(const rb_view *v, uint64_t seed, bool *broken);

/* Three-way compare of two sets: lexicographic on their sorted elements. */
extern int	rb_view_compare(const rb_view *a, const rb_view *b, bool *broken);

#endif
