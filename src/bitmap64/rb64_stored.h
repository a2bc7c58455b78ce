/*
 * rb64_stored.h — the stored form of roaringbitmap64 and the reader of both
 * forms (rb64_stored.c).  Plain C.
 *
 * The inner bitmaps carry no length, so a
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
 *
 * Apart from rb64_format.h so that the portable format does not depend on
 * the stored form built on it.
 */
#ifndef PERSONA_BITMAP64_RB64_STORED_H
#define PERSONA_BITMAP64_RB64_STORED_H

#include "bitmap64/rb64_format.h"

/*
 * Locate the buckets of either form (out has room for rb64_bucket_count
 * entries); false when a bucket would run past the buffer, or a directory
 * disagrees with the buckets (rb64_stored.c says what is checked).
 */
extern bool rb64_parse(const uint8_t *buf, size_t len, rb64_bucket *out, int64_t n);
extern bool rb64_parse_dir(const uint8_t *buf, size_t len, rb64_bucket *out, int64_t n);

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

#endif
