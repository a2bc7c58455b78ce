/*
 * libFuzzer target: the sequence-pattern compiler and matcher.  Any bytes
 * either compile or fail with a message and a position inside the text; a
 * compiled pattern is matched over events derived from the same bytes, and
 * the first-match answer must agree with the count (a match exists exactly
 * when the count is positive).
 */
#include "funnel/pattern.h"

#include <stdlib.h>
#include <string.h>

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	seq_pattern p;
	seq_error	err;
	ev_event	ev[64];
	size_t		n = 0;
	uint32_t   *work;
	int64_t		all,
				first;

	memset(&err, 0, sizeof(err));
	if (seq_compile((const char *) data, size, 8, &p, &err) != 0)
	{
		if (err.position < 1 || (size_t) err.position > size + 1 || err.message[0] == '\0')
			abort();
		return 0;
	}
	if (p.nsteps < 1 || p.nsteps > SEQ_MAX_STEPS)
		abort();
	/* events: times and condition masks taken from the pattern's own bytes */
	for (size_t i = 0; i < size && n < 64; i++, n++)
	{
		ev[n].ts = (int64_t) (i / 3) * 1000000 * (data[i] % 5);
		ev[n].mask = (uint32_t) (data[i] * 2654435761u) & 0xFF;
		ev[n].slot = 0;
	}
	ev_sort(ev, n);
	work = malloc(sizeof(uint32_t) * (size_t) p.nsteps * (n + 1));
	all = seq_count(&p, ev, n, 0, work);
	first = seq_count(&p, ev, n, 1, work);
	free(work);
	if (all < 0 || first < 0 || first > 1 || (all > 0) != (first > 0) || (size_t) all > n + 1)
		abort();
	return 0;
}
