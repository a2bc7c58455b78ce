/*
 * Unit tests of the step-name table (src/funnel/steps.c): every event name is
 * matched against a naive reading of the definition — the mask has bit i when
 * the name equals step i byte for byte — on hand-made and random step lists
 * with repeated names, prefixes, empty names and embedded NUL bytes.
 */
// link: src/funnel/steps.c
#include "funnel/steps.h"

#include "tap.h"

#include <string.h>

static uint32_t
naive(int n, const char *const *s, const uint32_t *len, const char *e, uint32_t elen)
{
	uint32_t	m = 0;
	int			i;

	for (i = 0; i < n; i++)
		if (len[i] == elen && memcmp(s[i], e, elen) == 0)
			m |= (uint32_t) 1 << i;
	return m;
}

int
main(void)
{
	ev_steps	t;
	const char *s1[] = {"exposure", "click", "activate", "register", "pay"};
	uint32_t	l1[] = {8, 5, 8, 8, 3};
	const char *s2[] = {"view", "view", "", "vie", "view"};
	uint32_t	l2[] = {4, 4, 0, 3, 4};
	const char	nul[] = {'a', 0, 'b'};
	const char *s3[] = {nul, "a"};
	uint32_t	l3[] = {3, 1};
	int			iter,
				bad;

	ev_steps_init(&t, 5, s1, l1);
	check(t.nnames == 5 && t.nsteps == 5, "five distinct names");
	check(ev_steps_match(&t, "exposure", 8) == 1, "exposure is step 1");
	check(ev_steps_match(&t, "pay", 3) == 16, "pay is step 5");
	check(ev_steps_match(&t, "activate", 8) == 4, "activate: same length as exposure, other bytes");
	check(ev_steps_match(&t, "Click", 5) == 0, "byte equality: case matters");
	check(ev_steps_match(&t, "pa", 2) == 0 && ev_steps_match(&t, "payy", 4) == 0, "prefixes and extensions are no step");
	check(ev_steps_match(&t, "", 0) == 0, "the empty name is no step here");

	ev_steps_init(&t, 5, s2, l2);
	check(t.nnames == 3, "repeated names are folded");
	check(ev_steps_match(&t, "view", 4) == (1 | 2 | 16), "a repeated name carries every step's bit");
	check(ev_steps_match(&t, "", 0) == 4, "the empty name is a step");
	check(ev_steps_match(&t, "vie", 3) == 8, "a prefix of a step is its own step");

	ev_steps_init(&t, 2, s3, l3);
	check(ev_steps_match(&t, nul, 3) == 1 && ev_steps_match(&t, "a", 1) == 2, "embedded NUL bytes are compared");

	/* random lists over a small alphabet, so that names repeat and share prefixes */
	bad = 0;
	for (iter = 0; iter < 2000; iter++)
	{
		char		buf[EV_MAX_CONDS][4];
		const char *s[EV_MAX_CONDS];
		uint32_t	len[EV_MAX_CONDS];
		int			n = 1 + (int) (rnd() % EV_MAX_CONDS),
					i,
					k;

		for (i = 0; i < n; i++)
		{
			len[i] = rnd() % 4;
			for (k = 0; k < (int) len[i]; k++)
				buf[i][k] = "ab"[rnd() % 2];
			s[i] = buf[i];
		}
		ev_steps_init(&t, n, s, len);
		for (k = 0; k < 20; k++)
		{
			char		e[4];
			uint32_t	el = rnd() % 4,
						j;

			for (j = 0; j < el; j++)
				e[j] = "ab"[rnd() % 2];
			if (ev_steps_match(&t, e, el) != naive(n, s, len, e, el))
				bad++;
		}
	}
	check(bad == 0, "random step lists: the table matches the definition");
	return done_testing();
}
