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
 *
 * Stored form (rb64_stored.c).  The inner bitmaps carry no length, so a
 * reader of the portable form must walk every bucket before the one it
 * wants; through TOAST slices that is a read per bucket.  A value of two or
 * more buckets is therefore stored with a directory:
 *
 *   uint64  n | RB64_DIR_FLAG
 *   n x     uint32 high key, uint32 offset of its inner bitmap (from byte 0)
 *   the n inner bitmaps, each ending where the next begins, the last at
 *   the end of the value
 *
 * 4 bytes more per bucket than the portable form.  A value of zero or one
 * bucket (all ids below 2^32: the common case) is stored portable.  The
 * count of a valid portable value is below 2^32 (its keys are distinct
 * uint32), so the flag cannot appear in one: readers accept both forms,
 * and values stored by 0.2.0 (always portable) stay readable.  The binary
 * form (send/recv, bytea casts, \x text) is always portable.
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

/*
 * Locate the buckets of either form (out has room for rb64_bucket_count
 * entries); false when a bucket would run past the buffer, or a directory
 * disagrees with the buckets (rb64_stored.c says what is checked).
 */
extern bool rb64_parse(const uint8_t *buf, size_t len, rb64_bucket *out, int64_t n);
extern bool rb64_parse_dir(const uint8_t *buf, size_t len, rb64_bucket *out, int64_t n);

#define RB64_DIR_FLAG		((uint64_t) 1 << 63)
#define RB64_DIR_ENTRY_BYTES	8

static inline bool
rb64_dir_wanted(uint64_t n)
{
	return n >= 2;
}

/* The count word has the directory flag: the directory form. */
extern bool rb64_is_dir(const uint8_t *buf, size_t len);

/*
 * Writing either form: rb64_write_size() bytes for n buckets whose inner
 * bitmaps total inner bytes; then rb64_write_begin() and, per bucket in
 * ascending key order, rb64_write_bucket() returns where its size inner
 * bytes go.
 */
typedef struct rb64_writer
{
	uint8_t    *buf;
	uint64_t	n;
	uint64_t	i;
	bool		dir;
	size_t		pos;
} rb64_writer;

static inline size_t
rb64_write_size(uint64_t n, size_t inner, bool dir)
{
	return 8 + (size_t) n * (dir ? RB64_DIR_ENTRY_BYTES : 4) + inner;
}

extern void rb64_write_begin(rb64_writer *w, uint8_t *buf, uint64_t n, bool dir);
extern uint8_t *rb64_write_bucket(rb64_writer *w, uint32_t key, size_t size);

/* Bytes of the located buckets in the given form. */
extern size_t rb64_buckets_size(const rb64_bucket *b, int64_t n, bool dir);
/* Write the located buckets (from either form) in the given form. */
extern void rb64_write_buckets(const rb64_bucket *b, int64_t n, bool dir, uint8_t *out);

/*
 * One bucket's place in a directory value, from the count and directory
 * bytes alone (dir holds at least the first 8 + 8 n bytes): the index of
 * key or -(insertion point) - 1, and for a hit the inner bitmap's
 * [*start, *end).  total is the value's length; false when the directory
 * entries found are inconsistent with it.
 */
extern bool rb64_dir_locate(const uint8_t *dir, uint64_t n, size_t total, uint32_t key,
							int64_t *index, size_t *start, size_t *end);

/* Index of the bucket with this key, or -(insertion point) - 1. */
extern int64_t rb64_find(const rb64_bucket *b, int64_t n, uint32_t key);

static inline uint64_t
rb64_join(uint32_t hi, uint32_t lo)
{
	return ((uint64_t) hi << 32) | lo;
}

#endif
