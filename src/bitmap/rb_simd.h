/*
 * rb_simd.h — word kernels chosen for the CPU at run time (rb_simd.c).
 * Plain C.
 *
 * The table is public so that the container loops of rb_kernels.c call a
 * kernel through one pointer, as they did when both lived in one file: a
 * wrapper call per run of a run container would cost what the kernels save.
 * Callers make sure a kernel is chosen (rb_simd_choose) before the first use.
 */
#ifndef PERSONA_BITMAP_RB_SIMD_H
#define PERSONA_BITMAP_RB_SIMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/bytes.h"

/* A bitset container: 65536 bits. */
#define RB_SIMD_BITSET_BYTES 8192

typedef struct rb_simd_kernels
{
	/* bits set in a & b, two 8 KB bitsets */
	uint64_t	(*and_popcount) (const uint8_t *a, const uint8_t *b);
	/* bits set in a at positions [start, end] */
	uint64_t	(*popcount_range) (const uint8_t *a, uint32_t start, uint32_t end);
	/* bits set in one 8 KB bitset */
	uint64_t	(*bitset_popcount) (const uint8_t *a);
	void		(*hex_encode) (const uint8_t *src, size_t len, char *dst);
	const char *name;
} rb_simd_kernels;

/* NULL members until the first rb_simd_choose() or rb_kernel_use(). */
extern rb_simd_kernels rb_simd;

/* Pick the fastest kernels this CPU has. */
extern void rb_simd_choose(void);
/* Tests: switch to the named kernels (portable, popcnt, avx2, avx512, best); false when unsupported. */
extern bool rb_kernel_use(const char *name);
extern const char *rb_kernel_name(void);
/* Bits set in one 8 KB bitset container. */
extern uint64_t rb_bitset_cardinality(const uint8_t *words);
/* Lower-case hex digits of len bytes into dst (2 * len chars, no terminator); returns 2 * len. */
extern size_t rb_hex_encode(const uint8_t *src, size_t len, char *dst);

#endif
