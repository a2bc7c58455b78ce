/*
 * rb_simd.c — the word kernels of the bitmap module, chosen for the CPU at
 * run time: popcounts over 8 KB bitset containers (alone, and-ed, or over a
 * bit range) and hex encoding.  Plain C.
 *
 * Debian's CRoaring 0.2.66 counts bits one call per word without the popcnt
 * instruction; these are what make validation (rb_format.c) and the
 * in-place cardinalities (rb_kernels.c) cheap.  They live apart from both so
 * that each depends on them and neither on the other.
 */
#include "bitmap/rb_simd.h"

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
		total += (uint64_t) __builtin_popcountll(bytes_ld64(a + 8 * w) & bytes_ld64(b + 8 * w));
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
		uint64_t	x = bytes_ld64(a + 8 * w);

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
		total += (uint64_t) __builtin_popcountll(bytes_ld64(a + 8 * w));
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

	for (int i = 0; i < RB_SIMD_BITSET_BYTES; i += 64)
		acc = _mm512_add_epi64(acc, _mm512_popcnt_epi64(
									_mm512_and_si512(_mm512_loadu_si512(a + i), _mm512_loadu_si512(b + i))));
	return (uint64_t) _mm512_reduce_add_epi64(acc);
}

__attribute__((target("avx512f,avx512vpopcntdq")))
static uint64_t
bitset_popcount_avx512(const uint8_t *a)
{
	__m512i		acc = _mm512_setzero_si512();

	for (int i = 0; i < RB_SIMD_BITSET_BYTES; i += 64)
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
	for (int i = 0; i < RB_SIMD_BITSET_BYTES; i += 32)
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

	for (int i = 0; i < RB_SIMD_BITSET_BYTES; i += 32)
		acc = _mm256_add_epi64(acc, _mm256_sad_epu8(popcount_bytes_avx2(
														_mm256_loadu_si256((const __m256i *) (a + i))),
													_mm256_setzero_si256()));
	return sum_lanes_avx2(acc);
}
#endif

rb_simd_kernels rb_simd;

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


/* The named kernels when this CPU has them; "best" picks the fastest there is. */
bool
rb_kernel_use(const char *name)
{
	bool		best = strcmp(name, "best") == 0;

	if (best || strcmp(name, "portable") == 0)
	{
		rb_simd.and_popcount = and_popcount_portable;
		rb_simd.popcount_range = popcount_range_portable;
		rb_simd.bitset_popcount = bitset_popcount_portable;
		rb_simd.hex_encode = hex_encode_portable;
		rb_simd.name = "portable";
		if (!best)
			return true;
	}
#if defined(__x86_64__) && defined(__GNUC__)
	__builtin_cpu_init();
	if (!__builtin_cpu_supports("popcnt"))
		return best;
	if (best || strcmp(name, "popcnt") == 0)
	{
		rb_simd.and_popcount = and_popcount_popcnt;
		rb_simd.popcount_range = popcount_range_popcnt;
		rb_simd.bitset_popcount = bitset_popcount_popcnt;
		if (__builtin_cpu_supports("ssse3"))
			rb_simd.hex_encode = hex_encode_ssse3;
		rb_simd.name = "popcnt";
		if (!best)
			return true;
	}
	if ((best || strcmp(name, "avx2") == 0) && __builtin_cpu_supports("avx2"))
	{
		rb_simd.and_popcount = and_popcount_avx2;
		rb_simd.bitset_popcount = bitset_popcount_avx2;
		rb_simd.name = "avx2";
		if (!best)
			return true;
	}
	if ((best || strcmp(name, "avx512") == 0) &&
		__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vpopcntdq"))
	{
		rb_simd.and_popcount = and_popcount_avx512;
		rb_simd.bitset_popcount = bitset_popcount_avx512;
		rb_simd.name = "avx512";
		return true;
	}
#endif
	return best;
}

void
rb_simd_choose(void)
{
	rb_kernel_use("best");
}

uint64_t
rb_bitset_cardinality(const uint8_t *words)
{
	if (rb_simd.bitset_popcount == NULL)
		rb_simd_choose();
	return rb_simd.bitset_popcount(words);
}

const char *
rb_kernel_name(void)
{
	if (rb_simd.and_popcount == NULL)
		rb_simd_choose();
	return rb_simd.name;
}

size_t
rb_hex_encode(const uint8_t *src, size_t len, char *dst)
{
	if (rb_simd.hex_encode == NULL)
		rb_simd_choose();
	rb_simd.hex_encode(src, len, dst);
	return 2 * len;
}

