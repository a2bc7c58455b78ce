/*
 * rb_canon.h — bring a CRoaring bitmap back to the invariants its portable
 * serialization relies on.  Plain C.
 */
#ifndef PERSONA_RB_CANON_H
#define PERSONA_RB_CANON_H

#include <stdbool.h>

#include <roaring/roaring.h>

/*
 * Debian's CRoaring 0.2.66 leaves some results non-canonical: removing a
 * range can leave a bitset container holding exactly 4096 values, and adding
 * a range to a run container of 2048 or more runs turns it into a bitset
 * whatever its cardinality.  The portable format decides a container's kind
 * from its cardinality, so such a container would be written as bytes that
 * read back as a different set.  This converts bitsets of <= 4096 values to
 * arrays and arrays of > 4096 to bitsets, recounts lazy bitsets, merges
 * touching runs and drops empty containers.  False when out of memory.
 */
extern bool rb_canonicalize(roaring_bitmap_t *r);

#endif
