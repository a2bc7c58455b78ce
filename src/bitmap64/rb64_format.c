/*
 * rb64_format.c — validating and locating the buckets of the portable
 * 64-bit format; each inner bitmap is read by the 32-bit reader.
 */
#include "bitmap64/rb64_format.h"

#include <string.h>

size_t
rb64_inner_size(const uint8_t *buf, size_t avail)
{
	rb_view		v;
	rb_container c;
	size_t		end;

	if (!rb_view_init(&v, buf, avail))
		return 0;
	if (v.n == 0)
		return (size_t) (v.desc - v.buf);	/* no-run header of 8 bytes */
	if (!rb_view_container(&v, v.n - 1, &c))
		return 0;
	switch (c.type)
	{
		case RB_RUN:
			end = (size_t) (c.data - buf) + 4 * (size_t) c.nruns;
			break;
		case RB_BITSET:
			end = (size_t) (c.data - buf) + RB_BITSET_BYTES;
			break;
		default:
			end = (size_t) (c.data - buf) + 2 * (size_t) c.card;
			break;
	}
	return end <= avail ? end : 0;
}

int64_t
rb64_bucket_count(const uint8_t *buf, size_t len)
{
	uint64_t	n;

	if (len < 8)
		return -1;
	n = bytes_ld64(buf) & ~RB64_DIR_FLAG;
	if (n > (len - 8) / RB64_MIN_BUCKET_BYTES)
		return -1;
	return (int64_t) n;
}

bool
rb64_validate(const uint8_t *buf, size_t len, const char **why, size_t *where)
{
	uint64_t	n;
	size_t		pos = 8;
	uint32_t	prev = 0;

	*where = 0;
	if (len < 8)
	{
		*why = "shorter than the 8-byte bucket count";
		return false;
	}
	n = bytes_ld64(buf);
	if (n > (len - 8) / RB64_MIN_BUCKET_BYTES)
	{
		*why = "bucket count larger than the data could hold";
		return false;
	}
	for (uint64_t i = 0; i < n; i++)
	{
		uint32_t	key;
		size_t		sz;
		rb_view		v;

		if (len - pos < 4)
		{
			*where = pos;
			*why = "truncated bucket key";
			return false;
		}
		key = bytes_ld32(buf + pos);
		if (i > 0 && key <= prev)
		{
			*where = pos;
			*why = "bucket keys not strictly ascending";
			return false;
		}
		prev = key;
		pos += 4;
		sz = rb64_inner_size(buf + pos, len - pos);
		if (sz == 0)
		{
			/* let the 32-bit validator say what is wrong with it */
			size_t		w;

			if (!rb_validate(buf + pos, len - pos, why, &w))
				*where = pos + w;
			else
				*why = "inner bitmap runs past the end of the data";
			if (*where < pos)
				*where = pos;
			return false;
		}
		if (!rb_validate(buf + pos, sz, why, where))
		{
			*where += pos;
			return false;
		}
		if (!rb_view_init(&v, buf + pos, sz) || v.n == 0)
		{
			*where = pos;
			*why = "empty inner bitmap (buckets must hold at least one value)";
			return false;
		}
		pos += sz;
	}
	if (pos != len)
	{
		*where = pos;
		*why = "trailing bytes after the last bucket";
		return false;
	}
	return true;
}

int64_t
rb64_find(const rb64_bucket *b, int64_t n, uint32_t key)
{
	int64_t		lo = 0,
				hi = n - 1;

	while (lo <= hi)
	{
		int64_t		mid = (lo + hi) >> 1;

		if (b[mid].key < key)
			lo = mid + 1;
		else if (b[mid].key > key)
			hi = mid - 1;
		else
			return mid;
	}
	return -(lo + 1);
}
