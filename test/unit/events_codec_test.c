/*
 * Unit tests of the compact event-run form (src/funnel/evcodec.c): random
 * sorted runs round-trip exactly for 1, 8, 9, 16, 17 and 32 conditions (mask
 * widths 1, 2, 4 bytes), with timestamps near 0, far before and after 2000,
 * equal timestamps, and the extremes (-infinity .. +infinity, whose gap does not
 * fit int64); the output stays within evc_bound, and with up to 8 conditions
 * and gaps under 2^42 us (50 days) an event takes at most 7 bytes, not the 12
 * it took before; truncated input and masks with bits beyond nconds are refused.
 */
// link: src/funnel/evcodec.c src/funnel/funnel.c
#include "funnel/evcodec.h"

#include "tap.h"

#include <string.h>

static int64_t
draw_ts(int kind)
{
	switch (kind)
	{
		case 0:					/* 2026, whole minutes within 41 days */
			return 830000000000000LL + (int64_t) (rnd() % 60000) * 60000000LL;
		case 1:					/* around 2000-01-01, both signs */
			return (int64_t) (rnd() % 2000001) - 1000000;
		case 2:					/* far apart, both signs */
			return ((int64_t) rnd() << 28) * ((rnd() & 1) ? 1 : -1);
		default:				/* a few equal values */
			return 830000000000000LL + (int64_t) (rnd() % 3);
	}
}

static int
round_trip(ev_event *e, size_t n, int nconds, size_t *bytes)
{
	uint8_t    *buf = malloc(evc_bound(n, nconds) + 1);
	ev_event   *back = malloc(sizeof(ev_event) * (n + 1));
	uint8_t    *end;
	int			ok;
	size_t		i;

	end = evc_encode(e, n, nconds, buf);
	*bytes = (size_t) (end - buf);
	ok = *bytes <= evc_bound(n, nconds) &&
		evc_decode(buf, end, n, nconds, back) == end;
	for (i = 0; ok && i < n; i++)
		ok = back[i].ts == e[i].ts && back[i].mask == e[i].mask && back[i].slot == 0;
	/* one byte short: refused */
	if (ok && n > 0)
		ok = evc_decode(buf, end - 1, n, nconds, back) == NULL;
	free(buf);
	free(back);
	return ok;
}

int
main(void)
{
	static const int widths[] = {1, 8, 9, 16, 17, 32};
	ev_event	e[200];
	int			all = 1;
	size_t		bytes;
	int			small = 1,
				nsmall = 0;
	int			w,
				t;

	for (w = 0; w < 6; w++)
	{
		int			nconds = widths[w];
		uint32_t	full = nconds == 32 ? 0xffffffffu : (1u << nconds) - 1;

		for (t = 0; t < 400; t++)
		{
			size_t		n = t < 4 ? (size_t) t : 1 + rnd() % 200;
			int			kind = rnd() % 4;
			size_t		i;

			for (i = 0; i < n; i++)
			{
				e[i].ts = draw_ts(kind);
				e[i].mask = rnd() & full;
				e[i].slot = 7;	/* not carried */
			}
			ev_sort(e, n);
			if (!round_trip(e, n, nconds, &bytes))
				all = 0;
			/* the first timestamp (2026) is 8 bytes, each gap at most 6, masks 1 */
			if (kind == 0 && n > 0 && nconds <= 8)
			{
				nsmall++;
				if (bytes > 9 + 7 * (n - 1))
					small = 0;
			}
		}
	}
	check(all, "random sorted runs round-trip (1..32 conditions, all timestamp ranges, ties)");

	e[0].ts = INT64_MIN;
	e[0].mask = 1;
	e[1].ts = 0;
	e[1].mask = 0;
	e[2].ts = INT64_MAX;
	e[2].mask = 0xffffffffu;
	for (int i = 0; i < 3; i++)
		e[i].slot = 0;
	check(round_trip(e, 3, 32, &bytes), "-infinity, 0, +infinity round-trip (a gap beyond INT64_MAX)");
	check(round_trip(e, 2, 1, &bytes), "masks 0 (strict_order's kept events) round-trip");

	check(nsmall > 0 && small, "with <= 8 conditions and gaps under 50 days an event takes <= 7 bytes");

	{
		uint8_t		buf[64];
		uint8_t    *end;
		ev_event	back[2];

		e[0].ts = 5;
		e[0].mask = 0x1ff;		/* 9 bits */
		end = evc_encode(e, 1, 9, buf);
		check(evc_decode(buf, end, 1, 9, back) == end, "a 9-bit mask with 9 conditions is read");
		check(evc_decode(buf, end, 1, 8, back) == NULL ||
			  evc_decode(buf, end, 1, 8, back) != end,
			  "the same bytes as 8 conditions are not the same run");
		e[0].mask = 0x4;
		end = evc_encode(e, 1, 3, buf);
		check(evc_decode(buf, end, 1, 2, back) == NULL, "a mask bit beyond nconds is refused");
		memset(buf, 0xff, sizeof(buf));
		check(evc_decode(buf, buf + sizeof(buf), 1, 1, back) == NULL, "an endless varint is refused");
	}
	return done_testing();
}
