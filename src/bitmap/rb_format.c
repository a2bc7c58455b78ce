/*
 * rb_format.c — validating and reading the Roaring portable format in place.
 */
#include "bitmap/rb_format.h"
#include "bitmap/rb_simd.h"

#include <string.h>

static inline int
popcount64(uint64_t x)
{
	return __builtin_popcountll(x);
}

/* Where the header ends and the first container starts. */
static bool
header_layout(const uint8_t *p, size_t len, int32_t *n, size_t *runflags_at,
			  size_t *desc_at, size_t *offsets_at, size_t *data_at)
{
	uint32_t	cookie;
	size_t		pos;
	bool		hasrun;

	if (len < 4)
		return false;
	cookie = bytes_ld32(p);
	if ((cookie & 0xFFFF) == RB_COOKIE_RUN)
	{
		hasrun = true;
		*n = (int32_t) (cookie >> 16) + 1;
		*runflags_at = 4;
		pos = 4 + ((size_t) *n + 7) / 8;
	}
	else if (cookie == RB_COOKIE_NO_RUN)
	{
		uint32_t	cnt;

		if (len < 8)
			return false;
		cnt = bytes_ld32(p + 4);
		if (cnt > RB_MAX_CONTAINERS)
			return false;
		hasrun = false;
		*n = (int32_t) cnt;
		*runflags_at = 0;
		pos = 8;
	}
	else
		return false;

	*desc_at = pos;
	pos += 4 * (size_t) *n;
	if (!hasrun || *n >= RB_NO_OFFSET_THRESHOLD)
	{
		*offsets_at = pos;
		pos += 4 * (size_t) *n;
	}
	else
		*offsets_at = 0;
	*data_at = pos;
	return pos <= len;
}

size_t
rb_header_size(const uint8_t *first8, size_t avail)
{
	uint32_t	cookie;
	size_t		n;

	if (avail < 4)
		return 8;
	cookie = bytes_ld32(first8);
	if ((cookie & 0xFFFF) == RB_COOKIE_RUN)
	{
		n = (cookie >> 16) + 1;
		return 4 + (n + 7) / 8 + 4 * n + (n >= RB_NO_OFFSET_THRESHOLD ? 4 * n : 0);
	}
	if (avail < 8)
		return 8;
	n = bytes_ld32(first8 + 4);
	if (n > RB_MAX_CONTAINERS)
		n = RB_MAX_CONTAINERS;
	return 8 + 8 * n;
}

int64_t
rb_view_payload_size(const rb_view *v, int32_t i)
{
	uint32_t	card;

	if (rb_view_is_run(v, i))
		return -1;
	card = rb_view_card(v, i);
	return card > RB_ARRAY_MAX ? RB_BITSET_BYTES : 2 * (int64_t) card;
}

/* Payload size of the container at byte position pos; -1 if it overruns. */
static int64_t
payload_size_at(const rb_view *v, int32_t i, size_t pos)
{
	int64_t		sz = rb_view_payload_size(v, i);

	if (sz < 0)
	{
		if (pos + 2 > v->len)
			return -1;
		sz = 2 + 4 * (int64_t) bytes_ld16(v->buf + pos);
	}
	if (pos + (size_t) sz > v->len)
		return -1;
	return sz;
}

bool
rb_view_init(rb_view *v, const void *buf, size_t len)
{
	size_t		runflags_at,
				desc_at,
				offsets_at,
				data_at;

	memset(v, 0, sizeof(*v));
	v->buf = buf;
	v->len = len;
	if (!header_layout(v->buf, len, &v->n, &runflags_at, &desc_at, &offsets_at, &data_at))
		return false;
	v->runflags = runflags_at ? v->buf + runflags_at : NULL;
	v->desc = v->buf + desc_at;
	v->offsets = offsets_at ? v->buf + offsets_at : NULL;
	if (v->offsets == NULL)
	{
		size_t		pos = data_at;

		for (int32_t i = 0; i < v->n; i++)
		{
			int64_t		sz = payload_size_at(v, i, pos);

			if (sz < 0)
				return false;
			v->small_off[i] = (uint32_t) pos;
			pos += (size_t) sz;
		}
	}
	return true;
}

uint32_t
rb_view_offset(const rb_view *v, int32_t i)
{
	return v->offsets ? bytes_ld32(v->offsets + 4 * i) : v->small_off[i];
}

bool
rb_view_container(const rb_view *v, int32_t i, rb_container *c)
{
	size_t		pos = rb_view_offset(v, i);
	int64_t		sz;

	if (pos > v->len)
		return false;
	sz = payload_size_at(v, i, pos);
	if (sz < 0)
		return false;
	c->key = rb_view_key(v, i);
	c->card = rb_view_card(v, i);
	if (rb_view_is_run(v, i))
	{
		c->type = RB_RUN;
		c->nruns = bytes_ld16(v->buf + pos);
		c->data = v->buf + pos + 2;
	}
	else
	{
		c->type = c->card > RB_ARRAY_MAX ? RB_BITSET : RB_ARRAY;
		c->nruns = 0;
		c->data = v->buf + pos;
	}
	return true;
}

int32_t
rb_view_find(const rb_view *v, uint16_t key)
{
	int32_t		lo = 0,
				hi = v->n - 1;

	while (lo <= hi)
	{
		int32_t		mid = (lo + hi) >> 1;
		uint16_t	k = rb_view_key(v, mid);

		if (k < key)
			lo = mid + 1;
		else if (k > key)
			hi = mid - 1;
		else
			return mid;
	}
	return -(lo + 1);
}

uint64_t
rb_view_cardinality(const rb_view *v)
{
	uint64_t	total = 0;

	for (int32_t i = 0; i < v->n; i++)
		total += rb_view_card(v, i);
	return total;
}

/*
 * Whether the card little-endian uint16 values at c ascend strictly.  Array
 * containers are most of what validation reads (a bytea cast, binary COPY
 * in), so eight pairs are compared at a time, without an early exit that
 * would keep the compiler from vectorizing; the caller finds the position
 * only when there is one to report.
 */
static bool
array_ascends(const uint8_t *c, uint32_t card)
{
	uint32_t	k = 1;
	uint16_t	bad = 0;

#if defined(__GNUC__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	typedef uint16_t v8u16 __attribute__((vector_size(16)));
	v8u16		acc = {0};
	uint64_t	lanes[2];

	for (; k + 8 <= card; k += 8)
	{
		v8u16		cur,
					prev;

		memcpy(&cur, c + 2 * k, sizeof(cur));
		memcpy(&prev, c + 2 * (k - 1), sizeof(prev));
		acc |= (v8u16) (cur <= prev);
	}
	memcpy(lanes, &acc, sizeof(lanes));
	if (lanes[0] | lanes[1])
		return false;
#endif
	for (; k < card; k++)
		bad |= bytes_ld16(c + 2 * k) <= bytes_ld16(c + 2 * (k - 1));
	return bad == 0;
}

bool
rb_validate(const void *buf, size_t len, const char **why, size_t *where)
{
	const uint8_t *p = buf;
	rb_view		v;
	size_t		runflags_at,
				desc_at,
				offsets_at,
				data_at,
				pos;
	int32_t		n;

	*where = 0;
	if (len < 4)
	{
		*why = "shorter than the 4-byte cookie";
		return false;
	}
	{
		uint32_t	cookie = bytes_ld32(p);

		if ((cookie & 0xFFFF) != RB_COOKIE_RUN && cookie != RB_COOKIE_NO_RUN)
		{
			*why = "unknown cookie (expected 12346 or 12347 in the low 16 bits)";
			return false;
		}
		if (cookie == RB_COOKIE_NO_RUN)
		{
			if (len < 8)
			{
				*why = "truncated container count";
				return false;
			}
			if (bytes_ld32(p + 4) > RB_MAX_CONTAINERS)
			{
				*where = 4;
				*why = "container count above 65536";
				return false;
			}
		}
	}
	if (!header_layout(p, len, &n, &runflags_at, &desc_at, &offsets_at, &data_at))
	{
		*why = "truncated header";
		return false;
	}
	memset(&v, 0, sizeof(v));
	v.buf = p;
	v.len = len;
	v.n = n;
	v.runflags = runflags_at ? p + runflags_at : NULL;
	v.desc = p + desc_at;
	v.offsets = offsets_at ? p + offsets_at : NULL;

	/* Unused trailing bits of the run-flag bitmap must be clear. */
	if (v.runflags && (n & 7) && (v.runflags[n >> 3] >> (n & 7)) != 0)
	{
		*where = runflags_at + (n >> 3);
		*why = "run flag set for a container that does not exist";
		return false;
	}

	pos = data_at;
	for (int32_t i = 0; i < n; i++)
	{
		uint16_t	key = rb_view_key(&v, i);
		uint32_t	card = rb_view_card(&v, i);
		int64_t		sz;
		const uint8_t *c;

		if (i > 0 && key <= rb_view_key(&v, i - 1))
		{
			*where = desc_at + 4 * (size_t) i;
			*why = "container keys not strictly ascending";
			return false;
		}
		if (v.offsets && bytes_ld32(v.offsets + 4 * i) != pos)
		{
			*where = offsets_at + 4 * (size_t) i;
			*why = "container offset does not match the container sizes";
			return false;
		}
		sz = payload_size_at(&v, i, pos);
		if (sz < 0)
		{
			*where = pos;
			*why = "container runs past the end of the data";
			return false;
		}
		c = p + pos;
		if (rb_view_is_run(&v, i))
		{
			uint32_t	nruns = bytes_ld16(c);
			uint32_t	total = 0;
			int64_t		prev_end = -2;

			if (nruns == 0)
			{
				*where = pos;
				*why = "run container with no runs";
				return false;
			}
			for (uint32_t r = 0; r < nruns; r++)
			{
				uint32_t	start = bytes_ld16(c + 2 + 4 * r);
				uint32_t	length = bytes_ld16(c + 4 + 4 * r);

				if (start + length > 65535)
				{
					*where = pos + 2 + 4 * r;
					*why = "run extends past the end of its container";
					return false;
				}
				if ((int64_t) start <= prev_end + 1)
				{
					*where = pos + 2 + 4 * r;
					*why = "runs overlap, touch or are not sorted";
					return false;
				}
				prev_end = start + length;
				total += length + 1;
			}
			if (total != card)
			{
				*where = desc_at + 4 * (size_t) i + 2;
				*why = "run container cardinality does not match its runs";
				return false;
			}
		}
		else if (card > RB_ARRAY_MAX)
		{
			if (rb_bitset_cardinality(c) != card)
			{
				*where = desc_at + 4 * (size_t) i + 2;
				*why = "bitset container cardinality does not match its bits";
				return false;
			}
		}
		else if (!array_ascends(c, card))
		{
			uint32_t	k = 1;

			while (k + 1 < card && bytes_ld16(c + 2 * k) > bytes_ld16(c + 2 * (k - 1)))
				k++;
			*where = pos + 2 * k;
			*why = "array container values not strictly ascending";
			return false;
		}
		pos += (size_t) sz;
	}
	if (pos != len)
	{
		*where = pos;
		*why = "trailing bytes after the last container";
		return false;
	}
	return true;
}

bool
rb_container_contains(const rb_container *c, uint16_t low)
{
	switch (c->type)
	{
		case RB_BITSET:
			return (c->data[low >> 3] >> (low & 7)) & 1;
		case RB_ARRAY:
			{
				int32_t		lo = 0,
							hi = (int32_t) c->card - 1;

				while (lo <= hi)
				{
					int32_t		mid = (lo + hi) >> 1;
					uint16_t	x = bytes_ld16(c->data + 2 * mid);

					if (x < low)
						lo = mid + 1;
					else if (x > low)
						hi = mid - 1;
					else
						return true;
				}
				return false;
			}
		case RB_RUN:
			{
				int32_t		lo = 0,
							hi = (int32_t) c->nruns - 1;

				/* last run whose start <= low */
				while (lo <= hi)
				{
					int32_t		mid = (lo + hi) >> 1;

					if (bytes_ld16(c->data + 4 * mid) <= low)
						lo = mid + 1;
					else
						hi = mid - 1;
				}
				if (hi < 0)
					return false;
				return low <= (uint32_t) bytes_ld16(c->data + 4 * hi) +
					bytes_ld16(c->data + 4 * hi + 2);
			}
	}
	return false;
}

uint32_t
rb_container_min(const rb_container *c)
{
	switch (c->type)
	{
		case RB_ARRAY:
		case RB_RUN:
			return bytes_ld16(c->data);
		case RB_BITSET:
			for (int w = 0; w < 1024; w++)
			{
				uint64_t	word = bytes_ld64(c->data + 8 * w);

				if (word)
					return (uint32_t) (w * 64 + __builtin_ctzll(word));
			}
	}
	return 0;
}

uint32_t
rb_container_max(const rb_container *c)
{
	switch (c->type)
	{
		case RB_ARRAY:
			return bytes_ld16(c->data + 2 * (c->card - 1));
		case RB_RUN:
			return (uint32_t) bytes_ld16(c->data + 4 * (c->nruns - 1)) +
				bytes_ld16(c->data + 4 * (c->nruns - 1) + 2);
		case RB_BITSET:
			for (int w = 1023; w >= 0; w--)
			{
				uint64_t	word = bytes_ld64(c->data + 8 * w);

				if (word)
					return (uint32_t) (w * 64 + 63 - __builtin_clzll(word));
			}
	}
	return 0;
}

uint32_t
rb_container_rank(const rb_container *c, uint16_t low)
{
	switch (c->type)
	{
		case RB_ARRAY:
			{
				int32_t		lo = 0,
							hi = (int32_t) c->card;

				/* first index whose value > low */
				while (lo < hi)
				{
					int32_t		mid = (lo + hi) >> 1;

					if (bytes_ld16(c->data + 2 * mid) <= low)
						lo = mid + 1;
					else
						hi = mid;
				}
				return (uint32_t) lo;
			}
		case RB_BITSET:
			{
				uint32_t	total = 0;
				int			w = low >> 6;

				for (int k = 0; k < w; k++)
					total += popcount64(bytes_ld64(c->data + 8 * k));
				total += popcount64(bytes_ld64(c->data + 8 * w) &
									(~0ULL >> (63 - (low & 63))));
				return total;
			}
		case RB_RUN:
			{
				uint32_t	total = 0;

				for (uint32_t r = 0; r < c->nruns; r++)
				{
					uint32_t	start = bytes_ld16(c->data + 4 * r);
					uint32_t	end = start + bytes_ld16(c->data + 4 * r + 2);

					if (start > low)
						break;
					total += (low < end ? low : end) - start + 1;
				}
				return total;
			}
	}
	return 0;
}

/* ---- interval streams ---- */

void		(*rb_interrupt_hook) (void) = NULL;

void
rb_interval_iter_init(rb_interval_iter *it, const rb_view *v)
{
	memset(it, 0, sizeof(*it));
	it->v = v;
	it->ci = -1;
	it->pos = 0;
}

/* Next raw interval from the containers, not yet merged across keys. */
static bool
raw_next(rb_interval_iter *it, uint32_t *s, uint32_t *e)
{
	for (;;)
	{
		rb_container *c = &it->c;

		if (it->ci >= 0)
		{
			uint32_t	base = (uint32_t) c->key << 16;

			switch (c->type)
			{
				case RB_ARRAY:
					if (it->pos < c->card)
					{
						uint32_t	first = bytes_ld16(c->data + 2 * it->pos);
						uint32_t	last = first;

						it->pos++;
						while (it->pos < c->card &&
							   bytes_ld16(c->data + 2 * it->pos) == last + 1)
						{
							last++;
							it->pos++;
						}
						*s = base | first;
						*e = base | last;
						return true;
					}
					break;
				case RB_RUN:
					if (it->pos < c->nruns)
					{
						uint32_t	start = bytes_ld16(c->data + 4 * it->pos);

						*s = base | start;
						*e = base | (start + bytes_ld16(c->data + 4 * it->pos + 2));
						it->pos++;
						return true;
					}
					break;
				case RB_BITSET:
					while (it->pos < 65536)
					{
						uint32_t	w = it->pos >> 6;
						uint64_t	word = bytes_ld64(c->data + 8 * w) & (~0ULL << (it->pos & 63));
						uint32_t	first;

						if (word == 0)
						{
							it->pos = (w + 1) << 6;
							continue;
						}
						first = (w << 6) + __builtin_ctzll(word);
						/* find the first clear bit after first */
						{
							uint32_t	p = first;

							for (;;)
							{
								uint32_t	ww = p >> 6;
								uint64_t	inv;

								if (ww >= 1024)
								{
									p = 65536;
									break;
								}
								inv = ~bytes_ld64(c->data + 8 * ww) & (~0ULL << (p & 63));
								if (inv)
								{
									p = (ww << 6) + __builtin_ctzll(inv);
									break;
								}
								p = (ww + 1) << 6;
							}
							it->pos = p;
							*s = base | first;
							*e = base | (p - 1);
							return true;
						}
					}
					break;
			}
		}
		it->ci++;
		if (it->ci >= it->v->n)
			return false;
		if (rb_interrupt_hook)
			rb_interrupt_hook();
		if (!rb_view_container(it->v, it->ci, &it->c))
		{
			it->broken = true;
			return false;
		}
		it->pos = 0;
	}
}

bool
rb_interval_next(rb_interval_iter *it, uint32_t *start, uint32_t *end)
{
	uint32_t	s,
				e;

	for (;;)
	{
		if (!raw_next(it, &s, &e))
		{
			if (it->have_pending)
			{
				*start = it->pstart;
				*end = it->pend;
				it->have_pending = false;
				return true;
			}
			return false;
		}
		if (!it->have_pending)
		{
			it->pstart = s;
			it->pend = e;
			it->have_pending = true;
			continue;
		}
		if (it->pend != UINT32_MAX && s == it->pend + 1)
		{
			it->pend = e;
			continue;
		}
		*start = it->pstart;
		*end = it->pend;
		it->pstart = s;
		it->pend = e;
		return true;
	}
}

int
rb_view_compare(const rb_view *a, const rb_view *b, bool *broken)
{
	rb_interval_iter ia,
				ib;
	uint32_t	as,
				ae,
				bs,
				be;
	bool		ha,
				hb;
	int			result;

	rb_interval_iter_init(&ia, a);
	rb_interval_iter_init(&ib, b);
	ha = rb_interval_next(&ia, &as, &ae);
	hb = rb_interval_next(&ib, &bs, &be);
	for (;;)
	{
		if (!ha || !hb)
		{
			result = ha ? 1 : (hb ? -1 : 0);
			break;
		}
		if (as != bs)
		{
			result = as < bs ? -1 : 1;
			break;
		}
		if (ae == be)
		{
			ha = rb_interval_next(&ia, &as, &ae);
			hb = rb_interval_next(&ib, &bs, &be);
			continue;
		}

		/*
		 * Same start, different ends.  The shorter side's next element, if
		 * any, lies beyond end + 1 (intervals are maximal) while the longer
		 * side has end + 1: the shorter side is smaller only when it stops.
		 */
		if (ae < be)
			result = rb_interval_next(&ia, &as, &ae) ? 1 : -1;
		else
			result = rb_interval_next(&ib, &bs, &be) ? -1 : 1;
		break;
	}
	*broken = ia.broken || ib.broken;
	return result;
}

uint64_t
rb_view_rank(const rb_view *v, uint32_t x, bool *broken)
{
	uint16_t	hi = (uint16_t) (x >> 16);
	uint64_t	total = 0;
	int32_t		i;
	rb_container c;

	*broken = false;
	for (i = 0; i < v->n && rb_view_key(v, i) < hi; i++)
		total += rb_view_card(v, i);
	if (i < v->n && rb_view_key(v, i) == hi)
	{
		if (!rb_view_container(v, i, &c))
		{
			*broken = true;
			return 0;
		}
		total += rb_container_rank(&c, (uint16_t) x);
	}
	return total;
}

static inline uint64_t
mix64(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

uint64_t
rb_view_hash(const rb_view *v, uint64_t seed, bool *broken)
{
	rb_interval_iter it;
	uint32_t	s,
				e;
	uint64_t	h = mix64(seed ^ 0x9e3779b97f4a7c15ULL);

	rb_interval_iter_init(&it, v);
	while (rb_interval_next(&it, &s, &e))
		h = mix64(h ^ (((uint64_t) s << 32) | e)) + 0x9e3779b97f4a7c15ULL;
	*broken = it.broken;
	return h;
}

/* Total decimal digits of all the integers in [a, b]. */
static uint64_t
digits_in(uint64_t a, uint64_t b)
{
	uint64_t	total = 0,
				lo = 0,
				hi = 9;

	for (int d = 1; lo <= b && d <= 20; d++)
	{
		uint64_t	x = a > lo ? a : lo,
					y = b < hi ? b : hi;

		if (x <= y)
			total += (y - x + 1) * d;
		lo = hi + 1;
		hi = hi * 10 + 9;
	}
	return total;
}

/*
 * Exact length of the {a,b,...} form, worked out from the intervals: the
 * output is allocated once, and a bitmap whose text would pass 1 GB is
 * refused up front (54000, with a hint) instead of failing after seconds of
 * work.
 * Values from 2^31 up print as negative int4.  UINT64_MAX when the bitmap is
 * broken.
 */
uint64_t
rb_text_length(const rb_view *v)
{
	rb_interval_iter it;
	uint32_t	s,
				e;
	uint64_t	total = 0,
				count = 0;
	const uint64_t two31 = UINT64_C(1) << 31,
				two32 = UINT64_C(1) << 32;

	rb_interval_iter_init(&it, v);
	while (rb_interval_next(&it, &s, &e))
	{
		if (s < two31)
			total += digits_in(s, (uint64_t) e < two31 - 1 ? e : two31 - 1);
		if (e >= two31)
		{
			uint64_t	ns = (uint64_t) s > two31 ? s : two31;

			total += digits_in(two32 - e, two32 - ns) + ((uint64_t) e - ns + 1);
		}
		count += (uint64_t) e - s + 1;
	}
	if (it.broken)
		return UINT64_MAX;
	return total + (count ? count - 1 : 0) + 2;
}
