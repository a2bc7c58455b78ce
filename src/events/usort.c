/*
 * usort.c — stable LSD radix sort of (user id, payload) records by user id.
 * One pass counts all eight byte histograms; a byte position where every key
 * has the same byte moves nothing and is skipped.
 */
#include "usort.h"

#include <string.h>

/* the sign bit flipped: signed order becomes unsigned order */
static inline uint64_t
us_key(const us_rec *r)
{
	return (uint64_t) r->id ^ UINT64_C(0x8000000000000000);
}

us_rec *
us_sort(us_rec *r, us_rec *tmp, size_t n)
{
	size_t		count[8][256];
	size_t		i;
	int			b;

	if (n < 2)
		return r;
	memset(count, 0, sizeof(count));
	for (i = 0; i < n; i++)
	{
		uint64_t	k = us_key(&r[i]);

		for (b = 0; b < 8; b++)
			count[b][(k >> (8 * b)) & 0xff]++;
	}
	for (b = 0; b < 8; b++)
	{
		size_t		pos = 0;
		int			d;
		us_rec	   *t;

		/* every key has the same byte here: the order does not change */
		if (count[b][(us_key(&r[0]) >> (8 * b)) & 0xff] == n)
			continue;
		for (d = 0; d < 256; d++)
		{
			size_t		c = count[b][d];

			count[b][d] = pos;
			pos += c;
		}
		for (i = 0; i < n; i++)
			tmp[count[b][(us_key(&r[i]) >> (8 * b)) & 0xff]++] = r[i];
		t = r;
		r = tmp;
		tmp = t;
	}
	return r;
}
