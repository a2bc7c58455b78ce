/* test/unit/tap.h — TAP output and malloc hooks shared by the plain-C unit tests. */
#ifndef PERSONA_TEST_TAP_H
#define PERSONA_TEST_TAP_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static int	ntest = 0;
static int	nfail = 0;

static void
check(int ok, const char *what)
{
	ntest++;
	if (!ok)
		nfail++;
	printf("%s %d - %s\n", ok ? "ok" : "not ok", ntest, what);
}

static int
done_testing(void)
{
	printf("# %d tests, %d failed\n", ntest, nfail);
	return nfail ? 1 : 0;
}

/* xorshift: deterministic and the same on every platform */
static uint64_t rng = 88172645463325252ULL;
static uint32_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t) rng;
}

#endif
