/*
 * journey.h — a user's journey (touches and conversions in time order), the
 * path splitter, and the rule-based models.  Plain C.
 *
 * Times are microseconds (PostgreSQL's timestamptz).  Channel ids index a
 * dictionary; `rank` gives each id its position in byte order of the names,
 * which breaks ties between touches at the same instant.
 */
#ifndef PERSONA_JOURNEY_H
#define PERSONA_JOURNEY_H

#include "attribution/at_core.h"

#define AT_CONV (-1)			/* ch of a conversion */

typedef struct at_event
{
	int64_t		ts;
	int32_t		ch;				/* channel id of a touch, or AT_CONV */
	double		value;			/* a conversion's value; 0 for touches */
} at_event;

/*
 * Journey order: time; at the same time touches before conversions (a
 * touch at the conversion's instant is in its path, conv_ts - lookback < ts
 * <= conv_ts), touches by channel rank, conversions by value.  Every tie is
 * broken, so the order depends only on the rows.  check (the host's cancel
 * check, or NULL) runs every 65,536 events merged.
 */
extern void at_sort_events(at_event *ev, size_t n, const int32_t *rank, at_event *scratch,
							void (*check) (void));
extern int	at_event_cmp(const at_event *a, const at_event *b, const int32_t *rank);

/*
 * The journey type's bytes: channel names in byte order (ids = positions),
 * then the events in journey order, each as time, channel id (-1 for a
 * conversion) and, for conversions, the value.
 */
extern void at_journey_write(at_writer *w, const at_dict *d, const at_event *ev, size_t n);
/* false with r->error set when invalid; *ev allocated with `a`. */
extern bool at_journey_read(at_reader *r, at_dict *d, const at_alloc *a, at_event **ev, size_t *n);

typedef struct at_path
{
	int32_t    *ch;				/* channels in time order */
	int64_t    *ts;
	size_t		n;
	bool		converted;
	int64_t		conv_ts;
	double		value;
} at_path;

/*
 * Walks the paths of a sorted journey: one per conversion (the touches after
 * the previous conversion within the lookback), then the touches after the
 * last conversion as one non-converting path (only when there are some).
 * `chbuf` and `tsbuf` hold n entries; each path points into them.
 */
typedef struct at_path_iter
{
	const at_event *ev;
	size_t		n;
	size_t		pos;
	size_t		seg;			/* first event after the previous conversion */
	int64_t		lookback;		/* microseconds, > 0 */
	bool		collapse;		/* A A B counts as A B */
	bool		done;
	int32_t    *chbuf;
	int64_t    *tsbuf;
} at_path_iter;

extern void at_path_iter_init(at_path_iter *it, const at_event *ev, size_t n, int64_t lookback,
							  bool collapse, int32_t *chbuf, int64_t *tsbuf);
extern bool at_next_path(at_path_iter *it, at_path *p);

#endif
