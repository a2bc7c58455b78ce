/*
 * steps.h — the step-name form of the funnel and sequence aggregates, in
 * plain C: an event's name is matched against the constant list of step names
 * once per row, instead of N `event = '…'` expressions.
 *
 * Equality is byte equality (length and memcmp), which is what `=` on text
 * means under a deterministic collation; equal names are folded into one entry
 * whose mask has the bit of every step carrying that name, so an event named
 * twice in the steps satisfies both conditions, as `event = 'a', event = 'a'`
 * would.
 */
#ifndef PERSONA_EVENTS_STEPS_H
#define PERSONA_EVENTS_STEPS_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "funnel/funnel.h"

typedef struct ev_step_name
{
	const char *s;				/* not NUL-terminated */
	uint32_t	len;
	uint32_t	mask;			/* bits of the steps with this name */
} ev_step_name;

typedef struct ev_steps
{
	int			nsteps;			/* 1 .. EV_MAX_CONDS */
	int			nnames;			/* distinct names, in order of first appearance */
	ev_step_name names[EV_MAX_CONDS];
} ev_steps;

/*
 * Build the table from nsteps names (1 .. EV_MAX_CONDS; the caller checks).
 * The strings are referenced, not copied.
 */
extern void ev_steps_init(ev_steps *t, int nsteps, const char *const *s, const uint32_t *len);

/* The conditions an event named (s, len) satisfies: 0 when it is no step. */
static inline uint32_t
ev_steps_match(const ev_steps *t, const char *s, uint32_t len)
{
	int			i;

	for (i = 0; i < t->nnames; i++)
	{
		const ev_step_name *n = &t->names[i];

		/* lengths first: most events are ruled out without touching bytes */
		if (n->len == len && (len == 0 || (n->s[0] == s[0] && memcmp(n->s, s, len) == 0)))
			return n->mask;
	}
	return 0;
}

#endif
