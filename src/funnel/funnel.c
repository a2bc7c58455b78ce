/*
 * funnel.c — window_funnel's state machine (ClickHouse windowFunnel semantics,
 * with the tie rule made explicit) and the event-run sort.
 */
#include "funnel/funnel.h"
#include "base/radix_sort.h"

#include <stdlib.h>
#include <string.h>

void	   *(*ev_sort_alloc) (size_t size) = NULL;
void		(*ev_sort_free) (void *p) = NULL;
void		(*ev_sort_check) (void) = NULL;

static inline int
ev_less(const ev_event *a, const ev_event *b)
{
	return a->ts < b->ts || (a->ts == b->ts && a->mask < b->mask);
}

static int
ev_cmp(const void *pa, const void *pb)
{
	const ev_event *a = pa,
			   *b = pb;

	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	if (a->mask != b->mask)
		return a->mask < b->mask ? -1 : 1;
	return 0;
}

/* An event with the mask first: the radix sort reads its key at the start. */
typedef struct ev_masked
{
	uint32_t	mask;
	uint32_t	slot;
	int64_t		ts;
} ev_masked;

/*
 * Two stable radix sorts, by mask then by ts, give (ts, mask) order, with the
 * host's check every RS_CHECK_EVERY events of every pass; qsort of 30 million
 * events took seconds with none.  Equal (ts, mask) keep their input order.
 */
static void
ev_sort_long(ev_event *e, size_t n)
{
	ev_masked  *m = ev_sort_alloc(n * sizeof(ev_masked));
	ev_masked  *ms;
	ev_event   *es,
			   *other;

	for (size_t i = 0; i < n; i++)
	{
		if ((i % RS_CHECK_EVERY) == 0)
			ev_sort_check();
		m[i].mask = e[i].mask;
		m[i].slot = e[i].slot;
		m[i].ts = e[i].ts;
	}
	/* e is the second buffer of the first sort, then of the second */
	ms = radix_sort(m, e, n, sizeof(ev_masked), RS_UINT32, ev_sort_check);
	other = (void *) ms == (void *) m ? e : (ev_event *) m;
	for (size_t i = 0; i < n; i++)
	{
		if ((i % RS_CHECK_EVERY) == 0)
			ev_sort_check();
		other[i].ts = ms[i].ts;
		other[i].mask = ms[i].mask;
		other[i].slot = ms[i].slot;
	}
	es = radix_sort(other, (void *) ms, n, sizeof(ev_event), RS_INT64, ev_sort_check);
	if (es != e)
		memcpy(e, es, n * sizeof(ev_event));
	ev_sort_free(m);
}

void
ev_sort(ev_event *e, size_t n)
{
	size_t		i;

	/* Runs usually arrive in time order, or nearly: check before sorting. */
	for (i = 1; i < n; i++)
		if (ev_less(&e[i], &e[i - 1]))
			break;
	if (i >= n)
		return;
	if (n <= 24)
	{
		for (; i < n; i++)
		{
			ev_event	x = e[i];
			size_t		j = i;

			while (j > 0 && ev_less(&x, &e[j - 1]))
			{
				e[j] = e[j - 1];
				j--;
			}
			e[j] = x;
		}
		return;
	}
	if (n > EV_SORT_LONG && ev_sort_alloc && ev_sort_free && ev_sort_check)
	{
		ev_sort_long(e, n);
		return;
	}
	qsort(e, n, sizeof(ev_event), ev_cmp);
}

static const struct
{
	const char *word;
	int			flag;
}			mode_words[] = {
	{"strict_deduplication", FUNNEL_STRICT_DEDUPLICATION},
	{"strict_order", FUNNEL_STRICT_ORDER},
	{"strict_increase", FUNNEL_STRICT_INCREASE},
};

int
funnel_parse_mode(const char *s, size_t len, int *flags, int *errpos)
{
	size_t		i = 0;
	int			f = 0;

	/* '' (or only blanks) is the default mode */
	while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i == len)
	{
		*flags = 0;
		return 0;
	}
	i = 0;
	for (;;)
	{
		size_t		a,
					b;
		size_t		k;
		int			found = 0;

		while (i < len && (s[i] == ' ' || s[i] == '\t'))
			i++;
		a = i;
		while (i < len && s[i] != ',')
			i++;
		b = i;
		while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t'))
			b--;
		for (k = 0; k < sizeof(mode_words) / sizeof(mode_words[0]); k++)
			if (strlen(mode_words[k].word) == b - a && memcmp(mode_words[k].word, s + a, b - a) == 0)
			{
				f |= mode_words[k].flag;
				found = 1;
			}
		if (!found)
		{
			*errpos = (int) a + 1;
			return -1;
		}
		if (i == len)
			break;
		i++;					/* the comma */
	}
	*flags = f;
	return 0;
}

/* highest level set in `set` (bit i-1 for level i), 0 when none */
static inline int
top_level(uint64_t set)
{
	int			l = 0;

	while (set >> l)
		l++;
	return l;
}

int
funnel_level(const ev_event *e, size_t n, int nconds, uint64_t window,
			 int flags, int64_t *path, int64_t *work)
{
	int64_t		start[EV_MAX_CONDS];
	int64_t		last[EV_MAX_CONDS];
	uint64_t	set = 0;		/* bit i-1: level i set */
	int			best = 0;		/* highest level ever reached (for the path) */
	int			seen_first = 0;
	const int	dedup = flags & FUNNEL_STRICT_DEDUPLICATION;
	const int	order = flags & FUNNEL_STRICT_ORDER;
	const int	increase = flags & FUNNEL_STRICT_INCREASE;
	size_t		k;

	for (k = 0; k < n; k++)
	{
		uint32_t	m = e[k].mask;
		int64_t		ts = e[k].ts;

		if (m == 0)
		{
			if (order && seen_first)
				return top_level(set);
			continue;
		}
		/* once per condition, highest first: one event never advances a chain two steps */
		while (m)
		{
			int			c = 31 - __builtin_clz(m);	/* condition c+1 */

			m &= ~(1u << c);
			if (c == 0)
			{
				start[0] = ts;
				last[0] = ts;
				set |= 1;
				seen_first = 1;
				if (path)
				{
					work[0] = ts;
					if (best < 1)
					{
						best = 1;
						path[0] = ts;
					}
				}
				continue;
			}
			if (dedup && (set >> c & 1))
				return top_level(set);
			if (!(set >> (c - 1) & 1))
			{
				if (order && seen_first)
					return top_level(set);
				continue;
			}
			if ((uint64_t) ts - (uint64_t) start[c - 1] <= window &&
				(!increase || ts > last[c - 1]))
			{
				start[c] = start[c - 1];
				last[c] = ts;
				set |= (uint64_t) 1 << c;
				if (path)
				{
					/* row c of work: the steps of the chain now at level c+1 */
					memcpy(work + (size_t) c * nconds, work + (size_t) (c - 1) * nconds,
						   sizeof(int64_t) * c);
					work[(size_t) c * nconds + c] = ts;
					if (best < c + 1)
					{
						best = c + 1;
						memcpy(path, work + (size_t) c * nconds, sizeof(int64_t) * (c + 1));
					}
				}
				if (c + 1 == nconds)
					return nconds;
			}
		}
	}
	return top_level(set);
}
