/*
 * evcodec.h — the compact form of a sorted event run, as the per-user
 * aggregates pass it between parallel processes.
 *
 * In the GROUP BY user form every group's state crosses Gather as one tuple,
 * and the leader alone receives and decodes about a million of them: the bytes
 * per group are a direct cost of the leader's serial phase.  A sorted run is
 * written as its first timestamp (zigzag varint), then the gaps to the previous
 * event (unsigned varints: a few hours are 5 bytes instead of 8), each followed
 * by the mask in as few bytes as the number of conditions needs (1 byte for up
 * to 8).  Plain C, no PostgreSQL.
 */
#ifndef PERSONA_EVENTS_EVCODEC_H
#define PERSONA_EVENTS_EVCODEC_H

#include <stddef.h>
#include <stdint.h>

#include "funnel/funnel.h"

/* the most bytes one varint takes (64 bits, 7 a byte) */
#define EVC_VARINT_MAX 10

/* bytes of one mask for nconds conditions: 1, 2 or 4 */
static inline int
evc_mask_bytes(int nconds)
{
	return nconds <= 8 ? 1 : nconds <= 16 ? 2 : 4;
}

/* an upper bound of evc_encode's output for n events */
static inline size_t
evc_bound(size_t n, int nconds)
{
	return n * (EVC_VARINT_MAX + (size_t) evc_mask_bytes(nconds));
}

static inline uint8_t *
evc_put_varint(uint8_t *p, uint64_t v)
{
	while (v >= 0x80)
	{
		*p++ = (uint8_t) (v | 0x80);
		v >>= 7;
	}
	*p++ = (uint8_t) v;
	return p;
}

/* NULL when the varint runs past end or is longer than 10 bytes */
static inline const uint8_t *
evc_get_varint(const uint8_t *p, const uint8_t *end, uint64_t *v)
{
	uint64_t	r = 0;
	int			shift = 0;

	for (;;)
	{
		uint8_t		b;

		if (p >= end || shift > 63)
			return NULL;
		b = *p++;
		r |= (uint64_t) (b & 0x7f) << shift;
		if (b < 0x80)
			break;
		shift += 7;
	}
	*v = r;
	return p;
}

/*
 * Write the run e[0..n), which must be sorted by timestamp, to out (room for
 * evc_bound(n, nconds) bytes); returns the end of what was written.  The
 * masks must fit nconds bits.
 */
extern uint8_t *evc_encode(const ev_event *e, size_t n, int nconds, uint8_t *out);

/*
 * Read n events from [p, end) into out (slot 0); returns the end of what was
 * read, or NULL when the bytes are not such a run (too short, a mask with bits
 * beyond nconds).
 */
extern const uint8_t *evc_decode(const uint8_t *p, const uint8_t *end, size_t n, int nconds,
								 ev_event *out);

#endif
