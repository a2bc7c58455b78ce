/*
 * rb_kernels.c — set-operation cardinalities computed on the serialized
 * bytes, container by container, with no allocation.
 *
 * Debian's CRoaring 0.2.66 would first deserialize both operands (a malloc
 * and a copy per container) and then counts bits one call per word without
 * the popcnt instruction; reading in place and dispatching on the CPU at run
 * time is what makes rb_and_cardinality and its relatives cheap.  The other
 * cardinalities follow from the intersection and the header counts.
 */
#include "bitmap/rb_format.h"

#include <string.h>
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif

/* ---- popcount of a & b over 1024 words, with run-time dispatch ---- */

static uint64_t
and_popcount_portable(const uint8_t *a, const uint8_t *b)
{
	uint64_t	total = 0;

	for (int w = 0; w < 1024; w++)
		total += (uint64_t) __builtin_popcountll(rb_ld64(a + 8 * w) & rb_ld64(b + 8 * w));
	return total;
}

#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target("popcnt")))
static uint64_t
and_popcount_popcnt(const uint8_t *a, const uint8_t *b)
{
	uint64_t	total = 0;

	for (int w = 0; w < 1024; w++)
	{
		uint64_t	x,
					y;

		memcpy(&x, a + 8 * w, 8);
		memcpy(&y, b + 8 * w, 8);
		total += (uint64_t) __builtin_popcountll(x & y);
	}
	return total;
}

__attribute__((target("popcnt")))
static uint64_t
popcount_range_popcnt(const uint8_t *a, uint32_t start, uint32_t end)
{
	/* bits [start, end] of the bitset */
	uint32_t	ws = start >> 6,
				we = end >> 6;
	uint64_t	total = 0;

	for (uint32_t w = ws; w <= we; w++)
	{
		uint64_t	x;

		memcpy(&x, a + 8 * w, 8);
		if (w == ws)
			x &= ~0ULL << (start & 63);
		if (w == we)
			x &= ~0ULL >> (63 - (end & 63));
		total += (uint64_t) __builtin_popcountll(x);
	}
	return total;
}
#endif

static uint64_t
popcount_range_portable(const uint8_t *a, uint32_t start, uint32_t end)
{
	uint32_t	ws = start >> 6,
				we = end >> 6;
	uint64_t	total = 0;

	for (uint32_t w = ws; w <= we; w++)
	{
		uint64_t	x = rb_ld64(a + 8 * w);

		if (w == ws)
			x &= ~0ULL << (start & 63);
		if (w == we)
			x &= ~0ULL >> (63 - (end & 63));
		total += (uint64_t) __builtin_popcountll(x);
	}
	return total;
}

#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target("popcnt")))
static uint64_t
bitset_popcount_popcnt(const uint8_t *a)
{
	uint64_t	total = 0;

	for (int w = 0; w < 1024; w++)
	{
		uint64_t	x;

		memcpy(&x, a + 8 * w, 8);
		total += (uint64_t) __builtin_popcountll(x);
	}
	return total;
}
#endif

static uint64_t
bitset_popcount_portable(const uint8_t *a)
{
	uint64_t	total = 0;

	for (int w = 0; w < 1024; w++)
		total += (uint64_t) __builtin_popcountll(rb_ld64(a + 8 * w));
	return total;
}

#if defined(__x86_64__) && defined(__GNUC__)
/*
 * Whole-bitset kernels, the hot path of the segment profile and of the
 * intersection counts of dense tags: eight words per instruction where the
 * CPU counts bits in vectors, else a nibble table looked up 32 bytes at a time.
 */
__attribute__((target("avx512f,avx512vpopcntdq")))
static uint64_t
and_popcount_avx512(const uint8_t *a, const uint8_t *b)
{
	__m512i		acc = _mm512_setzero_si512();

	for (int i = 0; i < RB_BITSET_BYTES; i += 64)
		acc = _mm512_add_epi64(acc, _mm512_popcnt_epi64(
									_mm512_and_si512(_mm512_loadu_si512(a + i), _mm512_loadu_si512(b + i))));
	return (uint64_t) _mm512_reduce_add_epi64(acc);
}

__attribute__((target("avx512f,avx512vpopcntdq")))
static uint64_t
bitset_popcount_avx512(const uint8_t *a)
{
	__m512i		acc = _mm512_setzero_si512();

	for (int i = 0; i < RB_BITSET_BYTES; i += 64)
		acc = _mm512_add_epi64(acc, _mm512_popcnt_epi64(_mm512_loadu_si512(a + i)));
	return (uint64_t) _mm512_reduce_add_epi64(acc);
}

/* bytes of 32 bytes counted through a 16-entry table of nibble counts */
__attribute__((target("avx2")))
static inline __m256i
popcount_bytes_avx2(__m256i v)
{
	const __m256i table = _mm256_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4,
										   0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
	const __m256i low = _mm256_set1_epi8(0x0F);

	return _mm256_add_epi8(_mm256_shuffle_epi8(table, _mm256_and_si256(v, low)),
						   _mm256_shuffle_epi8(table, _mm256_and_si256(_mm256_srli_epi16(v, 4), low)));
}

__attribute__((target("avx2")))
static uint64_t
sum_lanes_avx2(__m256i acc)
{
	return (uint64_t) _mm256_extract_epi64(acc, 0) + (uint64_t) _mm256_extract_epi64(acc, 1) +
		(uint64_t) _mm256_extract_epi64(acc, 2) + (uint64_t) _mm256_extract_epi64(acc, 3);
}

__attribute__((target("avx2")))
static uint64_t
and_popcount_avx2(const uint8_t *a, const uint8_t *b)
{
	__m256i		acc = _mm256_setzero_si256();

	/* byte counts summed per 8 bytes at once, so they cannot overflow */
	for (int i = 0; i < RB_BITSET_BYTES; i += 32)
		acc = _mm256_add_epi64(acc, _mm256_sad_epu8(popcount_bytes_avx2(_mm256_and_si256(
																			   _mm256_loadu_si256((const __m256i *) (a + i)), _mm256_loadu_si256((const __m256i *) (b + i)))),
													 _mm256_setzero_si256()));
	return sum_lanes_avx2(acc);
}

__attribute__((target("avx2")))
static uint64_t
bitset_popcount_avx2(const uint8_t *a)
{
	__m256i		acc = _mm256_setzero_si256();

	for (int i = 0; i < RB_BITSET_BYTES; i += 32)
		acc = _mm256_add_epi64(acc, _mm256_sad_epu8(popcount_bytes_avx2(
														_mm256_loadu_si256((const __m256i *) (a + i))),
													_mm256_setzero_si256()));
	return sum_lanes_avx2(acc);
}
#endif

static uint64_t (*bitset_popcount) (const uint8_t *);
static uint64_t (*and_popcount) (const uint8_t *, const uint8_t *);
static uint64_t (*popcount_range) (const uint8_t *, uint32_t, uint32_t);

/* ---- hex text of the binary form ---- */

static const char hex_digits[] = "0123456789abcdef";

static void
hex_encode_portable(const uint8_t *src, size_t len, char *dst)
{
	for (size_t i = 0; i < len; i++)
	{
		dst[2 * i] = hex_digits[src[i] >> 4];
		dst[2 * i + 1] = hex_digits[src[i] & 0xF];
	}
}

#if defined(__x86_64__) && defined(__GNUC__)
/*
 * The \x text of a bitmap is twice its size, and COPY TO in text spends a
 * good part of its time making it: 16 bytes become 32 digits with two
 * table lookups (pshufb) instead of 32 byte-at-a-time ones.
 */
__attribute__((target("ssse3")))
static void
hex_encode_ssse3(const uint8_t *src, size_t len, char *dst)
{
	const __m128i table = _mm_loadu_si128((const __m128i *) hex_digits);
	const __m128i low = _mm_set1_epi8(0x0F);
	size_t		i = 0;

	for (; i + 16 <= len; i += 16)
	{
		__m128i		v = _mm_loadu_si128((const __m128i *) (src + i));
		__m128i		hi = _mm_and_si128(_mm_srli_epi16(v, 4), low);
		__m128i		lo = _mm_and_si128(v, low);

		_mm_storeu_si128((__m128i *) (dst + 2 * i), _mm_shuffle_epi8(table, _mm_unpacklo_epi8(hi, lo)));
		_mm_storeu_si128((__m128i *) (dst + 2 * i + 16), _mm_shuffle_epi8(table, _mm_unpackhi_epi8(hi, lo)));
	}
	hex_encode_portable(src + i, len - i, dst + 2 * i);
}
#endif

static void (*hex_encode_kernel) (const uint8_t *, size_t, char *);

static const char *kernel_name;

/* The named kernels when this CPU has them; "best" picks the fastest there is. */
bool
rb_kernel_use(const char *name)
{
	bool		best = strcmp(name, "best") == 0;

	if (best || strcmp(name, "portable") == 0)
	{
		and_popcount = and_popcount_portable;
		popcount_range = popcount_range_portable;
		bitset_popcount = bitset_popcount_portable;
		hex_encode_kernel = hex_encode_portable;
		kernel_name = "portable";
		if (!best)
			return true;
	}
#if defined(__x86_64__) && defined(__GNUC__)
	__builtin_cpu_init();
	if (!__builtin_cpu_supports("popcnt"))
		return best;
	if (best || strcmp(name, "popcnt") == 0)
	{
		and_popcount = and_popcount_popcnt;
		popcount_range = popcount_range_popcnt;
		bitset_popcount = bitset_popcount_popcnt;
		if (__builtin_cpu_supports("ssse3"))
			hex_encode_kernel = hex_encode_ssse3;
		kernel_name = "popcnt";
		if (!best)
			return true;
	}
	if ((best || strcmp(name, "avx2") == 0) && __builtin_cpu_supports("avx2"))
	{
		and_popcount = and_popcount_avx2;
		bitset_popcount = bitset_popcount_avx2;
		kernel_name = "avx2";
		if (!best)
			return true;
	}
	if ((best || strcmp(name, "avx512") == 0) &&
		__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vpopcntdq"))
	{
		and_popcount = and_popcount_avx512;
		bitset_popcount = bitset_popcount_avx512;
		kernel_name = "avx512";
		return true;
	}
#endif
	return best;
}

static void
choose_kernels(void)
{
	rb_kernel_use("best");
}

uint64_t
rb_bitset_cardinality(const uint8_t *words)
{
	if (bitset_popcount == NULL)
		choose_kernels();
	return bitset_popcount(words);
}

const char *
rb_kernel_name(void)
{
	if (and_popcount == NULL)
		choose_kernels();
	return kernel_name;
}

size_t
rb_hex_encode(const uint8_t *src, size_t len, char *dst)
{
	if (hex_encode_kernel == NULL)
		choose_kernels();
	hex_encode_kernel(src, len, dst);
	return 2 * len;
}

/* ---- container pairs ---- */

static uint32_t
array_array(const rb_container *a, const rb_container *b)
{
	uint32_t	i = 0,
				j = 0,
				n = 0;

	/* a skewed pair gallops through the larger side */
	if (a->card * 64 < b->card || b->card * 64 < a->card)
	{
		const rb_container *s = a->card < b->card ? a : b;
		const rb_container *l = a->card < b->card ? b : a;
		uint32_t	lo = 0;

		for (i = 0; i < s->card; i++)
		{
			uint16_t	x = rb_ld16(s->data + 2 * i);
			uint32_t	hi = l->card;

			while (lo < hi)
			{
				uint32_t	mid = (lo + hi) >> 1;

				if (rb_ld16(l->data + 2 * mid) < x)
					lo = mid + 1;
				else
					hi = mid;
			}
			if (lo == l->card)
				break;
			if (rb_ld16(l->data + 2 * lo) == x)
				n++;
		}
		return n;
	}
	while (i < a->card && j < b->card)
	{
		uint16_t	x = rb_ld16(a->data + 2 * i),
					y = rb_ld16(b->data + 2 * j);

		n += x == y;
		i += x <= y;
		j += y <= x;
	}
	return n;
}

static uint32_t
array_bitset(const rb_container *a, const rb_container *bs)
{
	uint32_t	n = 0;

	for (uint32_t i = 0; i < a->card; i++)
	{
		uint16_t	x = rb_ld16(a->data + 2 * i);

		n += (bs->data[x >> 3] >> (x & 7)) & 1;
	}
	return n;
}

static uint32_t
array_run(const rb_container *a, const rb_container *r)
{
	uint32_t	n = 0,
				k = 0;

	for (uint32_t i = 0; i < a->card && k < r->nruns; i++)
	{
		uint32_t	x = rb_ld16(a->data + 2 * i);

		while (k < r->nruns &&
			   (uint32_t) rb_ld16(r->data + 4 * k) + rb_ld16(r->data + 4 * k + 2) < x)
			k++;
		if (k < r->nruns && rb_ld16(r->data + 4 * k) <= x)
			n++;
	}
	return n;
}

static uint32_t
run_bitset(const rb_container *r, const rb_container *bs)
{
	uint64_t	n = 0;

	for (uint32_t k = 0; k < r->nruns; k++)
	{
		uint32_t	s = rb_ld16(r->data + 4 * k);

		n += popcount_range(bs->data, s, s + rb_ld16(r->data + 4 * k + 2));
	}
	return (uint32_t) n;
}

static uint32_t
run_run(const rb_container *a, const rb_container *b)
{
	uint32_t	i = 0,
				j = 0,
				n = 0;

	while (i < a->nruns && j < b->nruns)
	{
		uint32_t	as = rb_ld16(a->data + 4 * i),
					ae = as + rb_ld16(a->data + 4 * i + 2);
		uint32_t	bs = rb_ld16(b->data + 4 * j),
					be = bs + rb_ld16(b->data + 4 * j + 2);
		uint32_t	s = as > bs ? as : bs;
		uint32_t	e = ae < be ? ae : be;

		if (s <= e)
			n += e - s + 1;
		if (ae <= be)
			i++;
		if (be <= ae)
			j++;
	}
	return n;
}

static uint32_t
container_and_card(const rb_container *a, const rb_container *b)
{
	/* order the pair as (array, bitset, run) to halve the cases */
	if (a->type > b->type)
	{
		const rb_container *t = a;

		a = b;
		b = t;
	}
	switch (a->type)
	{
		case RB_ARRAY:
			return b->type == RB_ARRAY ? array_array(a, b) :
				b->type == RB_BITSET ? array_bitset(a, b) : array_run(a, b);
		case RB_BITSET:
			return b->type == RB_BITSET ? (uint32_t) and_popcount(a->data, b->data) :
				run_bitset(b, a);
		case RB_RUN:
			return run_run(a, b);
	}
	return 0;
}

uint64_t
rb_view_and_cardinality(const rb_view *a, const rb_view *b, bool *broken)
{
	int32_t		i = 0,
				j = 0;
	uint64_t	total = 0;

	if (and_popcount == NULL)
		choose_kernels();
	*broken = false;
	while (i < a->n && j < b->n)
	{
		uint16_t	ka = rb_view_key(a, i),
					kb = rb_view_key(b, j);

		if (ka < kb)
			i++;
		else if (kb < ka)
			j++;
		else
		{
			rb_container ca,
						cb;

			if (!rb_view_container(a, i, &ca) || !rb_view_container(b, j, &cb))
			{
				*broken = true;
				return 0;
			}
			total += container_and_card(&ca, &cb);
			i++;
			j++;
		}
	}
	return total;
}

/* ---- a prepared operand ---- */

size_t
rb_dense_size(int32_t ncontainers)
{
	return sizeof(rb_dense) + (size_t) ncontainers * 1024 * sizeof(uint64_t);
}

bool
rb_dense_fill(rb_dense *d, const rb_view *v)
{
	if (and_popcount == NULL)
		choose_kernels();
	d->n = v->n;
	memset(d->index, 0xFF, sizeof(d->index));
	memset(d->words, 0, (size_t) v->n * 1024 * sizeof(uint64_t));
	for (int32_t i = 0; i < v->n; i++)
	{
		rb_container c;
		uint64_t   *w = d->words + (size_t) i * 1024;

		if (!rb_view_container(v, i, &c))
			return false;
		d->index[c.key] = i;
		switch (c.type)
		{
			case RB_ARRAY:
				for (uint32_t k = 0; k < c.card; k++)
				{
					uint16_t	x = rb_ld16(c.data + 2 * k);

					w[x >> 6] |= 1ULL << (x & 63);
				}
				break;
			case RB_BITSET:
				memcpy(w, c.data, RB_BITSET_BYTES);
				break;
			case RB_RUN:
				for (uint32_t k = 0; k < c.nruns; k++)
				{
					uint32_t	s = rb_ld16(c.data + 4 * k);
					uint32_t	e = s + rb_ld16(c.data + 4 * k + 2);

					for (uint32_t x = s; x <= e; x++)
						w[x >> 6] |= 1ULL << (x & 63);
				}
				break;
		}
	}
	return true;
}

/* Each container of v costs its own size: bit probes, a popcount, or ranges. */
uint64_t
rb_dense_and_cardinality(const rb_dense *d, const rb_view *v, bool *broken)
{
	uint64_t	total = 0;

	*broken = false;
	for (int32_t i = 0; i < v->n; i++)
	{
		int32_t		j = d->index[rb_view_key(v, i)];
		const uint64_t *w;
		rb_container c;

		if (j < 0)
			continue;
		if (!rb_view_container(v, i, &c))
		{
			*broken = true;
			return 0;
		}
		w = d->words + (size_t) j * 1024;
		switch (c.type)
		{
			case RB_ARRAY:
				for (uint32_t k = 0; k < c.card; k++)
				{
					uint16_t	x = rb_ld16(c.data + 2 * k);

					total += (w[x >> 6] >> (x & 63)) & 1;
				}
				break;
			case RB_BITSET:
				total += and_popcount((const uint8_t *) w, c.data);
				break;
			case RB_RUN:
				for (uint32_t k = 0; k < c.nruns; k++)
				{
					uint32_t	s = rb_ld16(c.data + 4 * k);

					total += popcount_range((const uint8_t *) w, s, s + rb_ld16(c.data + 4 * k + 2));
				}
				break;
		}
	}
	return total;
}
