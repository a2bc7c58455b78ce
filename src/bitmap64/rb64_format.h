/*
 * rb64_format.h — the portable 64-bit Roaring format, read in place.  Plain C.
 *
 * The format CRoaring 4.x (roaring64_bitmap_portable_serialize), Java's
 * Roaring64NavigableMap.serializePortable, Go and pg_roaringbitmap 1.2
 * write: a little-endian uint64 count of buckets, then per bucket a
 * little-endian uint32 high key followed by the 32-bit portable
 * serialization of the low halves.  The inner bitmaps carry no length, so
 * a bucket's end is found from its own header.
 *
 * persona's values are canonical: keys strictly ascending, no empty inner
 * bitmap, no trailing bytes.  rb64_validate() is the only gate for bytes
 * from outside; rb64_parse() trusts bytes that passed it and only guards
 * against reading past the buffer.
 */
#ifndef PERSONA_RB64_FORMAT_H
#define PERSONA_RB64_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bitmap/rb_format.h"

/* The smallest bucket: a key and an empty no-run inner bitmap. */
#define RB64_MIN_BUCKET_BYTES	12

typedef struct rb64_bucket
{
	uint32_t	key;			/* high 32 bits */
	rb_view		view;			/* the inner bitmap, in place */
} rb64_bucket;

/*
 * Bytes used by the 32-bit portable bitmap starting at buf (at most avail
 * bytes are read); 0 when its header or last container does not fit.
 */
extern size_t rb64_inner_size(const uint8_t *buf, size_t avail);

/*
 * Number of buckets the header announces (either form), or -1 when the count is missing
 * or larger than the bytes could hold (so that callers can size their
 * array before parsing).
 */
extern int64_t rb64_bucket_count(const uint8_t *buf, size_t len);

/*
 * Full structural validation, every inner bitmap through rb_validate.
 * False with a static message in *why and the byte offset in *where.
 */
extern bool rb64_validate(const uint8_t *buf, size_t len, const char **why, size_t *where);

/* The count word's top bit marks the directory form (rb64_stored.h). */
#define RB64_DIR_FLAG		((uint64_t) 1 << 63)

/* Index of the bucket with this key, or -(insertion point) - 1. */
extern int64_t rb64_find(const rb64_bucket *b, int64_t n, uint32_t key);

static inline uint64_t
rb64_join(uint32_t hi, uint32_t lo)
{
	return ((uint64_t) hi << 32) | lo;
}

#endif
