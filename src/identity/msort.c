/*
 * msort.c — see msort.h.  Runs of 16 are insertion-sorted, then merged
 * pairwise between two buffers.
 */
#include "identity/msort.h"

#include <string.h>

#define RUN 16

/* constant sizes let the compiler inline the copies of the common items */
static inline void
cp(void *d, const void *s, size_t size)
{
	if (size == 16)
		memcpy(d, s, 16);
	else if (size == 24)
		memcpy(d, s, 24);
	else
		memcpy(d, s, size);
}

void
msort(void *base, size_t n, size_t size, msort_cmp cmp, void *arg, core_host *m)
{
	char	   *a = base;
	char	   *tmp,
			   *src,
			   *dst;
	char		t[32];		/* one item; size <= 32 */
	size_t		work = 0;

	if (n < 2)
		return;
	for (size_t lo = 0; lo < n; lo += RUN)
	{
		size_t		hi = lo + RUN < n ? lo + RUN : n;

		for (size_t i = lo + 1; i < hi; i++)
		{
			size_t		j = i;

			cp(t, a + i * size, size);
			while (j > lo && cmp(a + (j - 1) * size, t, arg) > 0)
			{
				cp(a + j * size, a + (j - 1) * size, size);
				j--;
			}
			cp(a + j * size, t, size);
		}
		if ((work += RUN * 4) >= CORE_TICK_EVERY)
		{
			work = 0;
			CORE_TICK(m);
		}
	}
	if (n <= RUN)
		return;
	tmp = CORE_ALLOC(m, n * size);
	src = a;
	dst = tmp;
	for (size_t w = RUN; w < n; w *= 2)
	{
		for (size_t lo = 0; lo < n; lo += 2 * w)
		{
			size_t		mid = lo + w < n ? lo + w : n;
			size_t		hi = lo + 2 * w < n ? lo + 2 * w : n;
			size_t		i = lo,
						j = mid,
						k = lo;

			while (i < mid && j < hi)
			{
				if (cmp(src + j * size, src + i * size, arg) < 0)
					cp(dst + (k++) * size, src + (j++) * size, size);
				else
					cp(dst + (k++) * size, src + (i++) * size, size);
			}
			memcpy(dst + k * size, src + i * size, (mid - i) * size);
			k += mid - i;
			memcpy(dst + k * size, src + j * size, (hi - j) * size);
			if ((work += hi - lo) >= CORE_TICK_EVERY)
			{
				work = 0;
				CORE_TICK(m);
			}
		}
		{
			char	   *s = src;

			src = dst;
			dst = s;
		}
	}
	if (src != a)
		memcpy(a, src, n * size);
	CORE_FREE(m, tmp);
}
