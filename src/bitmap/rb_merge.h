/* rb_merge.h — fold serialized bitmaps into a CRoaring bitmap.  Plain C. */
#ifndef PERSONA_RB_MERGE_H
#define PERSONA_RB_MERGE_H

#include <roaring/roaring.h>

#include "bitmap/rb_format.h"

/*
 * r |= v, lazily: bitset cardinalities are left for
 * roaring_bitmap_repair_after_lazy.  False when v is broken or memory ran out
 * (r then holds a partial union).
 */
extern bool rb_lazy_or_view(roaring_bitmap_t *r, const rb_view *v);

/* r |= vals (ascending, duplicates allowed, at most 65536 per key), lazily. */
extern bool rb_lazy_or_sorted(roaring_bitmap_t *r, const uint32_t *vals, size_t n);

/* r &= v (r must not be lazy).  False when v is broken or memory ran out. */
extern bool rb_and_view(roaring_bitmap_t *r, const rb_view *v);

/* a & b as a new bitmap, or NULL (broken input or out of memory). */
extern roaring_bitmap_t *rb_and_views(const rb_view *a, const rb_view *b);

#endif
