/*
 * rules.h — the rule-based models (first/last touch, last non-direct,
 * linear, position-based, time decay): how a converting path's credit is
 * split among its touches, and the credits of a whole journey.
 *
 * Its own header, beside journey.h, because the rules read journeys but
 * journeys do not need the rules: markov and shapley use journey.h alone.
 */
#ifndef PERSONA_ATTRIBUTION_RULES_H
#define PERSONA_ATTRIBUTION_RULES_H

#include "attribution/journey.h"

typedef enum at_model_kind
{
	AT_FIRST_TOUCH,
	AT_LAST_TOUCH,
	AT_LAST_NON_DIRECT,
	AT_LINEAR,
	AT_POSITION_BASED,
	AT_TIME_DECAY
} at_model_kind;

typedef struct at_model
{
	at_model_kind kind;
	int64_t		lookback;		/* microseconds */
	bool		collapse;
	double		first;			/* position_based */
	double		last;
	double		half_life;		/* time_decay, microseconds, > 0 */
	const bool *direct;			/* last_non_direct: per channel id; may be NULL */
} at_model;

/* The share of each touch of a converting, non-empty path (sums to 1). */
extern void at_path_weights(const at_model *m, const at_path *p, double *w);

/*
 * Adds the credits of a sorted journey's conversions: conv[id] and val[id]
 * for channel ids 0..nch-1, conv[nch] and val[nch] for conversions with an
 * empty path (channel NULL).  Compensated sums, so that totals over
 * millions of fractional credits come out correctly rounded.  Buffers hold
 * n entries each.
 */
extern void at_attribute(const at_model *m, const at_event *ev, size_t n, int32_t nch,
						 at_sum *conv, at_sum *val,
						 int32_t *chbuf, int64_t *tsbuf, double *wbuf);

#endif
