/*
 * journey.c — journey order and the path splitter.
 */
#include "attribution/journey.h"

#include <math.h>

#define JN_MAGIC 0x314e4a50		/* "PJN1" little-endian */

int
at_event_cmp(const at_event *a, const at_event *b, const int32_t *rank)
{
	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	if ((a->ch == AT_CONV) != (b->ch == AT_CONV))
		return a->ch == AT_CONV ? 1 : -1;
	if (a->ch != AT_CONV)
	{
		int32_t		ra = rank ? rank[a->ch] : a->ch;
		int32_t		rb = rank ? rank[b->ch] : b->ch;

		return ra < rb ? -1 : ra > rb;
	}
	if (a->value != b->value)
		return a->value < b->value ? -1 : 1;
	return 0;
}

/*
 * Journeys arrive nearly sorted (events logged in time order), where an
 * insertion sort is linear; long unsorted ones go through a merge sort.
 */
void
at_sort_events(at_event *ev, size_t n, const int32_t *rank, at_event *scratch,
			   void (*check) (void))
{
	size_t		inversions = 0;

	for (size_t i = 1; i < n; i++)
		if (at_event_cmp(&ev[i - 1], &ev[i], rank) > 0)
			inversions++;
	if (inversions == 0)
		return;
	if (n <= 32 || inversions <= 4)
	{
		for (size_t i = 1; i < n; i++)
		{
			at_event	x = ev[i];
			size_t		j = i;

			while (j > 0 && at_event_cmp(&ev[j - 1], &x, rank) > 0)
			{
				ev[j] = ev[j - 1];
				j--;
			}
			ev[j] = x;
		}
		return;
	}
	/* bottom-up merge sort, ping-ponging between ev and scratch */
	{
		at_event   *src = ev,
				   *dst = scratch;

		for (size_t width = 1; width < n; width *= 2)
		{
			for (size_t lo = 0; lo < n; lo += 2 * width)
			{
				size_t		mid = lo + width < n ? lo + width : n;
				size_t		hi = lo + 2 * width < n ? lo + 2 * width : n;
				size_t		i = lo,
							j = mid,
							k = lo;

				while (i < mid && j < hi)
				{
					/* one user's millions of events: a check now and then */
					if (check && (k & 0xFFFF) == 0)
						check();
					dst[k++] = at_event_cmp(&src[j], &src[i], rank) < 0 ? src[j++] : src[i++];
				}
				while (i < mid)
					dst[k++] = src[i++];
				while (j < hi)
					dst[k++] = src[j++];
			}
			{
				at_event   *t = src;

				src = dst;
				dst = t;
			}
		}
		if (src != ev)
			memcpy(ev, src, n * sizeof(at_event));
	}
}

void
at_path_iter_init(at_path_iter *it, const at_event *ev, size_t n, int64_t lookback,
				  bool collapse, int32_t *chbuf, int64_t *tsbuf)
{
	it->ev = ev;
	it->n = n;
	it->pos = 0;
	it->seg = 0;
	it->lookback = lookback;
	it->collapse = collapse;
	it->done = false;
	it->chbuf = chbuf;
	it->tsbuf = tsbuf;
}

/* Touches ev[from..to) with ts > after, collapsed if asked, into the buffers. */
static size_t
gather(at_path_iter *it, size_t from, size_t to, bool bounded, int64_t after)
{
	size_t		k = 0;

	for (size_t i = from; i < to; i++)
	{
		const at_event *e = &it->ev[i];

		if (bounded && e->ts <= after)
			continue;
		/* the first of a run of the same channel stands for the run */
		if (it->collapse && k > 0 && it->chbuf[k - 1] == e->ch)
			continue;
		it->chbuf[k] = e->ch;
		it->tsbuf[k] = e->ts;
		k++;
	}
	return k;
}

bool
at_next_path(at_path_iter *it, at_path *p)
{
	while (it->pos < it->n)
	{
		const at_event *e = &it->ev[it->pos];

		if (e->ch == AT_CONV)
		{
			int64_t		after;

			/* conv_ts - lookback, saturating */
			if (e->ts < INT64_MIN + it->lookback)
				after = INT64_MIN;
			else
				after = e->ts - it->lookback;
			p->ch = it->chbuf;
			p->ts = it->tsbuf;
			p->n = gather(it, it->seg, it->pos, after != INT64_MIN, after);
			p->converted = true;
			p->conv_ts = e->ts;
			p->value = e->value;
			it->pos++;
			it->seg = it->pos;
			return true;
		}
		it->pos++;
	}
	if (it->done)
		return false;
	it->done = true;
	if (it->seg >= it->n)
		return false;
	p->ch = it->chbuf;
	p->ts = it->tsbuf;
	p->n = gather(it, it->seg, it->n, false, 0);
	p->converted = false;
	p->conv_ts = 0;
	p->value = 0;
	return p->n > 0;
}

void
at_journey_write(at_writer *w, const at_dict *d, const at_event *ev, size_t n)
{
	at_put_u32(w, JN_MAGIC);
	at_put_names(w, d, NULL);
	at_put_u32(w, (uint32_t) n);
	for (size_t i = 0; i < n; i++)
	{
		at_put_u64(w, (uint64_t) ev[i].ts);
		at_put_u32(w, (uint32_t) ev[i].ch);
		if (ev[i].ch == AT_CONV)
			at_put_f64(w, ev[i].value);
	}
}

bool
at_journey_read(at_reader *r, at_dict *d, const at_alloc *a, at_event **evp, size_t *np)
{
	uint32_t	magic,
				n;
	at_event   *ev;

	*evp = NULL;
	*np = 0;
	if (!at_get_u32(r, &magic) || magic != JN_MAGIC)
		return at_fail(r, "bad header");
	if (!at_get_names(r, d, a) || !at_get_u32(r, &n))
		return false;
	if (n > (size_t) (r->end - r->p) / 12)
		return at_fail(r, "event count larger than the data");
	ev = at_malloc(a, sizeof(at_event) * ((size_t) n + 1));
	for (uint32_t i = 0; i < n; i++)
	{
		uint64_t	ts;
		uint32_t	ch;

		at_reader_tick(r, i);
		if (!at_get_u64(r, &ts) || !at_get_u32(r, &ch))
			goto bad;
		ev[i].ts = (int64_t) ts;
		ev[i].ch = (int32_t) ch;
		ev[i].value = 0;
		if (ev[i].ch == AT_CONV)
		{
			if (!at_get_f64(r, &ev[i].value))
				goto bad;
			if (!isfinite(ev[i].value))
			{
				at_fail(r, "conversion value is not finite");
				goto bad;
			}
		}
		else if (ev[i].ch < 0 || ev[i].ch >= d->n)
		{
			at_fail(r, "channel id out of range");
			goto bad;
		}
		if (i > 0 && at_event_cmp(&ev[i - 1], &ev[i], NULL) > 0)
		{
			at_fail(r, "events are not in journey order");
			goto bad;
		}
	}
	if (r->p != r->end)
	{
		at_fail(r, "trailing bytes");
		goto bad;
	}
	*evp = ev;
	*np = n;
	return true;
bad:
	a->release(a->ctx, ev);
	return false;
}
