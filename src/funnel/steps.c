/*
 * steps.c — the table of step names (see steps.h).
 */
#include <string.h>

#include "funnel/steps.h"

void
ev_steps_init(ev_steps *t, int nsteps, const char *const *s, const uint32_t *len)
{
	int			i,
				j;

	t->nsteps = nsteps;
	t->nnames = 0;
	for (i = 0; i < nsteps; i++)
	{
		for (j = 0; j < t->nnames; j++)
			if (t->names[j].len == len[i] && memcmp(t->names[j].s, s[i], len[i]) == 0)
				break;
		if (j == t->nnames)
		{
			t->names[j].s = s[i];
			t->names[j].len = len[i];
			t->names[j].mask = 0;
			t->nnames++;
		}
		t->names[j].mask |= (uint32_t) 1 << i;
	}
}
