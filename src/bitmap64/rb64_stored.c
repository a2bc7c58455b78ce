/*
 * rb64_stored.c — the stored form of roaringbitmap64 (rb64_format.h): a
 * directory of (high key, offset) in front of the inner bitmaps, so that a
 * point lookup through TOAST slices reads one slice to find its bucket.
 * Conversion to and from the portable form, and its reader.  Plain C.
 *
 * What the reader checks in a directory value (bytes read back from disk,
 * written by rb64_write_*, so only corruption can make them wrong): the
 * count fits the bytes, the first inner bitmap starts right after the
 * directory, offsets strictly increase and stay inside the value, keys
 * strictly ascend, and each inner bitmap's header and last container end
 * exactly at the next offset (rb64_inner_size).  That is what the portable
 * reader establishes walking the buckets, and all the in-place readers rely
 * on: each bucket's view is bounded, so reading a container never leaves
 * it.  Container contents are not validated here, as for the portable form
 * (rb64_validate is the gate for bytes from outside).
 */
#include "bitmap64/rb64_stored.h"

#include <string.h>

bool
rb64_is_dir(const uint8_t *buf, size_t len)
{
	return len >= 8 && (bytes_ld64(buf) & RB64_DIR_FLAG) != 0;
}

void
rb64_write_begin(rb64_writer *w, uint8_t *buf, uint64_t n, bool dir)
{
	uint64_t	word = dir ? (n | RB64_DIR_FLAG) : n;

	w->buf = buf;
	w->n = n;
	w->i = 0;
	w->dir = dir;
	bytes_st32(buf, (uint32_t) word);
	bytes_st32(buf + 4, (uint32_t) (word >> 32));
	w->pos = dir ? 8 + (size_t) n * RB64_DIR_ENTRY_BYTES : 8;
}

uint8_t *
rb64_write_bucket(rb64_writer *w, uint32_t key, size_t size)
{
	uint8_t    *at;

	if (w->dir)
	{
		uint8_t    *e = w->buf + 8 + w->i * RB64_DIR_ENTRY_BYTES;

		bytes_st32(e, key);
		bytes_st32(e + 4, (uint32_t) w->pos);
	}
	else
	{
		bytes_st32(w->buf + w->pos, key);
		w->pos += 4;
	}
	w->i++;
	at = w->buf + w->pos;
	w->pos += size;
	return at;
}

size_t
rb64_buckets_size(const rb64_bucket *b, int64_t n, bool dir)
{
	size_t		inner = 0;

	for (int64_t i = 0; i < n; i++)
		inner += b[i].view.len;
	return rb64_write_size((uint64_t) n, inner, dir);
}

void
rb64_write_buckets(const rb64_bucket *b, int64_t n, bool dir, uint8_t *out)
{
	rb64_writer w;

	rb64_write_begin(&w, out, (uint64_t) n, dir);
	for (int64_t i = 0; i < n; i++)
		memcpy(rb64_write_bucket(&w, b[i].key, b[i].view.len), b[i].view.buf, b[i].view.len);
}

/* Called by rb64_parse for a directory value; see the file comment. */
bool
rb64_parse_dir(const uint8_t *buf, size_t len, rb64_bucket *out, int64_t n)
{
	size_t		dirend = 8 + (size_t) n * RB64_DIR_ENTRY_BYTES;
	size_t		start;

	if (n < 0 || len < 8 || (uint64_t) n > (len - 8) / RB64_DIR_ENTRY_BYTES || dirend > len)
		return false;
	start = n > 0 ? bytes_ld32(buf + 12) : len;
	if (start != dirend)
		return false;
	for (int64_t i = 0; i < n; i++)
	{
		const uint8_t *e = buf + 8 + (size_t) i * RB64_DIR_ENTRY_BYTES;
		size_t		end = i + 1 < n ? bytes_ld32(e + RB64_DIR_ENTRY_BYTES + 4) : len;

		out[i].key = bytes_ld32(e);
		if (i > 0 && out[i].key <= out[i - 1].key)
			return false;
		if (end <= start || end > len ||
			rb64_inner_size(buf + start, end - start) != end - start ||
			!rb_view_init(&out[i].view, buf + start, end - start))
			return false;
		start = end;
	}
	return true;
}

bool
rb64_dir_locate(const uint8_t *dir, uint64_t n, size_t total, uint32_t key,
				int64_t *index, size_t *start, size_t *end)
{
	size_t		dirend = 8 + (size_t) n * RB64_DIR_ENTRY_BYTES;
	int64_t		lo = 0,
				hi = (int64_t) n - 1;

	while (lo <= hi)
	{
		int64_t		mid = (lo + hi) >> 1;
		uint32_t	k = bytes_ld32(dir + 8 + (size_t) mid * RB64_DIR_ENTRY_BYTES);

		if (k < key)
			lo = mid + 1;
		else if (k > key)
			hi = mid - 1;
		else
		{
			const uint8_t *e = dir + 8 + (size_t) mid * RB64_DIR_ENTRY_BYTES;

			*index = mid;
			*start = bytes_ld32(e + 4);
			*end = mid + 1 < (int64_t) n ? bytes_ld32(e + RB64_DIR_ENTRY_BYTES + 4) : total;
			return *start >= dirend && *start < *end && *end <= total;
		}
	}
	*index = -(lo + 1);
	return true;
}

/* The reader of both forms: a portable value is walked bucket by bucket. */
bool
rb64_parse(const uint8_t *buf, size_t len, rb64_bucket *out, int64_t n)
{
	size_t		pos = 8;

	if (rb64_is_dir(buf, len))
		return rb64_parse_dir(buf, len, out, n);
	for (int64_t i = 0; i < n; i++)
	{
		size_t		sz;

		if (len - pos < 4)
			return false;
		out[i].key = bytes_ld32(buf + pos);
		pos += 4;
		sz = rb64_inner_size(buf + pos, len - pos);
		if (sz == 0 || !rb_view_init(&out[i].view, buf + pos, sz))
			return false;
		pos += sz;
	}
	return true;
}
