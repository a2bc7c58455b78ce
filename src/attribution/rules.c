/*
 * rules.c — the rule-based models: how a converting path's credit is split
 * among its touches (rules.h).
 */
#include "attribution/rules.h"

#include <math.h>

void
at_path_weights(const at_model *m, const at_path *p, double *w)
{
	size_t		n = p->n;

	for (size_t i = 0; i < n; i++)
		w[i] = 0;
	switch (m->kind)
	{
		case AT_FIRST_TOUCH:
			w[0] = 1;
			break;
		case AT_LAST_TOUCH:
			w[n - 1] = 1;
			break;
		case AT_LAST_NON_DIRECT:
			{
				size_t		i = n;

				if (m->direct)
					while (i > 0 && m->direct[p->ch[i - 1]])
						i--;
				/* all touches direct: the last touch, direct or not */
				w[i > 0 ? i - 1 : n - 1] = 1;
				break;
			}
		case AT_LINEAR:
			for (size_t i = 0; i < n; i++)
				w[i] = 1.0 / (double) n;
			break;
		case AT_POSITION_BASED:
			if (n == 1)
				w[0] = 1;
			else if (n == 2)
			{
				double		t = m->first + m->last;

				w[0] = t > 0 ? m->first / t : 0.5;
				w[1] = t > 0 ? m->last / t : 0.5;
			}
			else
			{
				double		mid = (1.0 - m->first - m->last) / (double) (n - 2);

				w[0] = m->first;
				w[n - 1] = m->last;
				for (size_t i = 1; i + 1 < n; i++)
					w[i] = mid;
			}
			break;
		case AT_TIME_DECAY:
			{
				/*
				 * Relative to the most recent touch, whose weight is 1: the
				 * normalised weights are the same, and none underflows to
				 * a 0/0 when the lookback spans many half-lives.
				 */
				int64_t		dmin = INT64_MAX;
				double		total = 0;

				for (size_t i = 0; i < n; i++)
					if (p->conv_ts - p->ts[i] < dmin)
						dmin = p->conv_ts - p->ts[i];
				for (size_t i = 0; i < n; i++)
				{
					w[i] = exp2(-(double) (p->conv_ts - p->ts[i] - dmin) / m->half_life);
					total += w[i];
				}
				for (size_t i = 0; i < n; i++)
					w[i] /= total;
				break;
			}
	}
}

void
at_attribute(const at_model *m, const at_event *ev, size_t n, int32_t nch,
			 at_sum *conv, at_sum *val, int32_t *chbuf, int64_t *tsbuf, double *wbuf)
{
	at_path_iter it;
	at_path		p;

	at_path_iter_init(&it, ev, n, m->lookback, m->collapse, chbuf, tsbuf);
	while (at_next_path(&it, &p))
	{
		if (!p.converted)
			continue;
		if (p.n == 0)
		{
			at_sum_add(&conv[nch], 1);
			at_sum_add(&val[nch], p.value);
			continue;
		}
		at_path_weights(m, &p, wbuf);
		for (size_t i = 0; i < p.n; i++)
		{
			if (wbuf[i] == 0)
				continue;
			at_sum_add(&conv[p.ch[i]], wbuf[i]);
			at_sum_add(&val[p.ch[i]], wbuf[i] * p.value);
		}
	}
}
