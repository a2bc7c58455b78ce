/*
 * funnel.h — the event run, the funnel state machine and retention, in plain C.
 *
 * An event is a timestamp (microseconds) and the bitmask of the conditions it
 * satisfies (condition i is bit i-1).  Runs are sorted once, by (ts, mask): the
 * tie rule of the spec makes the order, and so every answer, independent of the
 * order rows arrive in.
 */
#ifndef PERSONA_EVENTS_FUNNEL_H
#define PERSONA_EVENTS_FUNNEL_H

#include <stddef.h>
#include <stdint.h>

#define EV_MAX_CONDS 32

typedef struct ev_event
{
	int64_t		ts;
	uint32_t	mask;
	uint32_t	slot;			/* owner user in the one-pass aggregates */
} ev_event;

/* mode words of window_funnel */
#define FUNNEL_STRICT_DEDUPLICATION 1
#define FUNNEL_STRICT_ORDER			2
#define FUNNEL_STRICT_INCREASE		4

#define FUNNEL_MODE_WORDS "strict_deduplication, strict_order, strict_increase"

/*
 * Sort by (ts, mask) ascending.  A run of more than EV_SORT_LONG events (one
 * user with millions of events) is radix-sorted instead, when the host has
 * set the hooks below: scratch memory of n events (freed by the host if the
 * check leaves with an error) and its cancel check, called every 65,536
 * events.  Without them, qsort.
 */
#define EV_SORT_LONG 65536
extern void ev_sort(ev_event *e, size_t n);
extern void *(*ev_sort_alloc) (size_t size);
extern void (*ev_sort_free) (void *p);
extern void (*ev_sort_check) (void);

/*
 * Parse a comma-separated mode ('' is the default).  Returns 0 and sets *flags,
 * or -1 with the 1-based character position of the bad word in *errpos.
 */
extern int	funnel_parse_mode(const char *s, size_t len, int *flags, int *errpos);

/*
 * The funnel level of a sorted run.  `window` is in microseconds (>= 0).
 * When `path` is not NULL it receives the step times of the first chain that
 * reached the returned level (as many as the level); `work` must then hold
 * nconds * nconds int64.
 */
extern int	funnel_level(const ev_event *e, size_t n, int nconds, uint64_t window,
						 int flags, int64_t *path, int64_t *work);

#endif
