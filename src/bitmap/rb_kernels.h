/*
 * rb_kernels.h — set-operation cardinalities on the serialized bytes, with
 * no allocation (rb_kernels.c).  Plain C.
 *
 * Apart from rb_format.h, which only reads and validates the format, so
 * that the format does not depend on the kernels that read it.
 */
#ifndef PERSONA_BITMAP_RB_KERNELS_H
#define PERSONA_BITMAP_RB_KERNELS_H

#include "bitmap/rb_format.h"
#include "bitmap/rb_simd.h"

extern uint64_t rb_view_and_cardinality(const rb_view *a, const rb_view *b, bool *broken);

/*
 * A bitmap prepared for many intersections against other bitmaps: every
 * container as a 65536-bit bitset, found through a key index.  The caller
 * allocates rb_dense_size(v->n) bytes (suitably aligned) and fills them.
 */
typedef struct rb_dense
{
	int32_t		n;
	int32_t		index[65536];	/* key -> container, or -1 */
	uint64_t	words[];		/* n * 1024 */
} rb_dense;

extern size_t rb_dense_size(int32_t ncontainers);
extern bool rb_dense_fill(rb_dense *d, const rb_view *v);
extern uint64_t rb_dense_and_cardinality(const rb_dense *d, const rb_view *v, bool *broken);

#endif
