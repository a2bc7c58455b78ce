/*
 * Unit tests of the attribution cores (src/attribution): path splitting and
 * the rule models on hand-made journeys, the credit invariant on random
 * journeys, Markov removal effects against a closed form and dense against
 * iterative solves, Shapley values against a brute force over orderings,
 * and the state byte formats (round trips, every truncation rejected).
 */
// link: src/attribution/at_core.c src/attribution/journey.c src/attribution/rules.c src/attribution/markov.c src/attribution/shapley.c
#include "attribution/journey.h"
#include "attribution/rules.h"
#include "attribution/markov.h"
#include "attribution/shapley.h"

#include "tap.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *
m_alloc(void *ctx, size_t n)
{
	void	   *p;

	(void) ctx;
	p = malloc(n ? n : 1);
	if (!p)
		abort();
	return p;
}
static void
m_release(void *ctx, void *p)
{
	(void) ctx;
	free(p);
}
static const at_alloc A = {m_alloc, m_release, NULL};

#define DAY 86400000000LL
#define NCH 4					/* channel ids 0..3, rank = id */

static double conv[NCH + 1],
			val[NCH + 1];
static at_sum sconv[NCH + 1],
			sval[NCH + 1];

static void
run(at_model_kind kind, at_event *ev, size_t n, bool collapse)
{
	int32_t		chb[64];
	int64_t		tsb[64];
	double		wb[64];
	at_event	scratch[64];
	bool		direct[NCH] = {false, false, false, true};	/* id 3 is "direct" */
	at_model	m = {kind, 30 * DAY, collapse, 0.4, 0.4, 7.0 * DAY, direct};

	memset(sconv, 0, sizeof(sconv));
	memset(sval, 0, sizeof(sval));
	at_sort_events(ev, n, NULL, scratch, NULL);
	at_attribute(&m, ev, n, NCH, sconv, sval, chb, tsb, wb);
	for (int i = 0; i <= NCH; i++)
	{
		conv[i] = at_sum_get(&sconv[i]);
		val[i] = at_sum_get(&sval[i]);
	}
}

static bool
near(double a, double b)
{
	return fabs(a - b) <= 1e-12 * (1 + fabs(b));
}

static void
test_rules(void)
{
	/* one touch: every model gives it all */
	for (int k = AT_FIRST_TOUCH; k <= AT_TIME_DECAY; k++)
	{
		at_event	ev[] = {{5 * DAY, AT_CONV, 10}, {1 * DAY, 2, 0}};

		run(k, ev, 2, false);
		check(conv[2] == 1 && val[2] == 10 && conv[NCH] == 0, "one touch takes all, every model");
	}
	{
		at_event	ev[] = {{1 * DAY, 0, 0}, {2 * DAY, 1, 0}, {3 * DAY, AT_CONV, 100}};

		run(AT_POSITION_BASED, ev, 3, false);
		check(near(conv[0], 0.5) && near(conv[1], 0.5) && near(val[0], 50), "position_based, two touches split first:last");
		run(AT_FIRST_TOUCH, ev, 3, false);
		check(conv[0] == 1 && conv[1] == 0, "first_touch");
		run(AT_LAST_TOUCH, ev, 3, false);
		check(conv[1] == 1 && conv[0] == 0, "last_touch");
	}
	{
		at_event	ev[] = {{1 * DAY, 0, 0}, {2 * DAY, 1, 0}, {3 * DAY, 2, 0}, {4 * DAY, 1, 0}, {5 * DAY, AT_CONV, 1}};

		run(AT_POSITION_BASED, ev, 5, false);
		check(near(conv[0], 0.4) && near(conv[1], 0.1 + 0.4) && near(conv[2], 0.1), "position_based, four touches");
		run(AT_LINEAR, ev, 5, false);
		check(near(conv[1], 0.5) && near(conv[0], 0.25), "linear");
		run(AT_TIME_DECAY, ev, 5, false);
		{
			double		w[4] = {exp2(-4 / 7.0), exp2(-3 / 7.0), exp2(-2 / 7.0), exp2(-1 / 7.0)};
			double		t = w[0] + w[1] + w[2] + w[3];

			check(near(conv[0], w[0] / t) && near(conv[1], (w[1] + w[3]) / t), "time_decay, half-life 7 days");
		}
	}
	{
		/* equal timestamps: channel order */
		at_event	ev[] = {{1 * DAY, 2, 0}, {1 * DAY, 1, 0}, {1 * DAY, AT_CONV, 1}};

		run(AT_FIRST_TOUCH, ev, 3, false);
		check(conv[1] == 1, "equal times: channel order, first");
		run(AT_LAST_TOUCH, ev, 3, false);
		check(conv[2] == 1, "equal times: channel order, last; touch at the conversion instant counts");
	}
	{
		/* outside the lookback (exactly 30 days before is out) */
		at_event	ev[] = {{0, 0, 0}, {1, 1, 0}, {30 * DAY, AT_CONV, 7}};

		run(AT_FIRST_TOUCH, ev, 3, false);
		check(conv[1] == 1 && conv[0] == 0, "lookback: ts > conv_ts - lookback");
	}
	{
		/* no touch at all, and several conversions */
		at_event	ev[] = {{1 * DAY, AT_CONV, 5}, {2 * DAY, 0, 0}, {3 * DAY, AT_CONV, 7},
		{3 * DAY, AT_CONV, 9}, {4 * DAY, 1, 0}, {5 * DAY, 2, 0}, {6 * DAY, AT_CONV, 11}};

		run(AT_LINEAR, ev, 7, false);
		check(conv[NCH] == 2 && val[NCH] == 5 + 9, "conversions without touches credit NULL");
		check(conv[0] == 1 && val[0] == 7 && near(conv[1], 0.5) && near(val[2], 5.5),
			  "several conversions: each takes the touches after the previous one");
	}
	{
		at_event	ev[] = {{1 * DAY, 0, 0}, {2 * DAY, 3, 0}, {3 * DAY, AT_CONV, 1},
		{4 * DAY, 3, 0}, {5 * DAY, 3, 0}, {6 * DAY, AT_CONV, 1}};

		run(AT_LAST_NON_DIRECT, ev, 6, false);
		check(conv[0] == 1 && conv[3] == 1, "last_non_direct skips direct, unless all are direct");
	}
	{
		at_event	ev[] = {{1 * DAY, 0, 0}, {2 * DAY, 0, 0}, {3 * DAY, 1, 0}, {4 * DAY, AT_CONV, 3}};

		run(AT_LINEAR, ev, 4, true);
		check(near(conv[0], 0.5) && near(conv[1], 0.5), "collapse_repeats: A A B is A B");
		run(AT_LINEAR, ev, 4, false);
		check(near(conv[0], 2.0 / 3), "without collapse: A A B");
	}
}

/* credits of random journeys sum to their conversions and values */
static void
test_invariant(void)
{
	bool		ok = true;

	for (int iter = 0; iter < 2000 && ok; iter++)
	{
		at_event	ev[40];
		size_t		n = 1 + rnd() % 40;
		double		nconv = 0,
					tval = 0;

		for (size_t i = 0; i < n; i++)
		{
			ev[i].ts = (int64_t) (rnd() % 60) * DAY / 2;
			if (rnd() % 5 == 0)
			{
				ev[i].ch = AT_CONV;
				ev[i].value = rnd() % 1000 / 10.0;
				nconv++;
				tval += ev[i].value;
			}
			else
			{
				ev[i].ch = rnd() % NCH;
				ev[i].value = 0;
			}
		}
		for (int k = AT_FIRST_TOUCH; k <= AT_TIME_DECAY && ok; k++)
		{
			double		sc = 0,
						sv = 0;

			run(k, ev, n, rnd() % 2);
			for (int c = 0; c <= NCH; c++)
			{
				sc += conv[c];
				sv += val[c];
			}
			ok = near(sc, nconv) && fabs(sv - tval) < 1e-9 * (1 + tval);
		}
	}
	check(ok, "random journeys: credits sum to conversions and value, every model");
}

static void
test_markov(void)
{
	mk_chain   *m = mk_new(&A, 1);
	int32_t		pa[] = {0},
				pab[] = {0, 1},
				pb[] = {1};
	mk_result	r;
	const char *err = NULL;

	/* dictionary ids 0 = "b", 1 = "a" so that canonicalization renumbers */
	at_dict_id(&m->dict, &A, "b", 1);
	at_dict_id(&m->dict, &A, "a", 1);
	/* paths a (conv), a b (null), b (conv); a = id 1, b = id 0 */
	pa[0] = 1;
	pab[0] = 1;
	pab[1] = 0;
	pb[0] = 0;
	mk_add_path(m, &A, pa, 1, true, 10);
	mk_add_path(m, &A, pab, 2, false, 0);
	mk_add_path(m, &A, pb, 1, true, 20);
	mk_canonicalize(m, &A, NULL);
	check(strcmp(m->dict.names[0], "a") == 0, "canonical: names in order");
	check(mk_removal_effects(m, &A, &r, NULL, &err), "solve");
	/* P = 2/3; without a 1/6, without b 1/3 (worked out in the header of this test) */
	check(fabs(r.p_full - 2.0 / 3) < 1e-12 && fabs(r.re[0] - 0.75) < 1e-12 && fabs(r.re[1] - 0.5) < 1e-12,
		  "order 1: closed form P = 2/3, removal effects 3/4 and 1/2");

	/* round trip and corruption */
	{
		at_writer	w = {NULL, 0};
		at_writer	w2 = {NULL, 0};
		uint8_t    *buf;
		uint8_t    *buf2;
		at_reader	rd;
		mk_chain   *m2;
		bool		all_rejected = true;

		mk_serialize(m, &w);
		buf = malloc(w.len);
		w.p = buf;
		w.len = 0;
		mk_serialize(m, &w);
		rd = (at_reader) {buf, buf + w.len, NULL};
		m2 = mk_deserialize(&rd, &A);
		check(m2 != NULL, "markov bytes read back");
		mk_serialize(m2, &w2);
		buf2 = malloc(w2.len);
		w2.p = buf2;
		w2.len = 0;
		mk_serialize(m2, &w2);
		check(w2.len == w.len && memcmp(buf, buf2, w.len) == 0, "markov bytes round trip exactly");
		mk_free(m2, &A);
		for (size_t cut = 0; cut < w.len; cut++)
		{
			rd = (at_reader) {buf, buf + cut, NULL};
			m2 = mk_deserialize(&rd, &A);
			if (m2)
			{
				all_rejected = false;
				mk_free(m2, &A);
			}
		}
		check(all_rejected, "every truncation of a chain is rejected");
		/* flip each byte: never a crash (ASan), and the result is either rejected or valid */
		for (size_t i = 0; i < w.len; i++)
		{
			buf[i] ^= 0x5a;
			rd = (at_reader) {buf, buf + w.len, NULL};
			m2 = mk_deserialize(&rd, &A);
			if (m2)
			{
				mk_result	r2;

				mk_removal_effects(m2, &A, &r2, NULL, &err);
				free(r2.re);
				mk_free(m2, &A);
			}
			buf[i] ^= 0x5a;
		}
		check(true, "flipped bytes: no crash");
		free(buf);
		free(buf2);
	}
	free(r.re);
	mk_free(m, &A);

	/* dense and iterative solves agree on random order-2 chains */
	{
		double		worst = 0;

		for (int iter = 0; iter < 20; iter++)
		{
			mk_chain   *c = mk_new(&A, 1 + iter % 3);
			mk_result	r1,
						r2;

			for (int i = 0; i < 6; i++)
			{
				char		nm[2] = {(char) ('a' + i), 0};

				at_dict_id(&c->dict, &A, nm, 1);
			}
			for (int p = 0; p < 300; p++)
			{
				int32_t		ch[12];
				size_t		n = rnd() % 12;

				for (size_t i = 0; i < n; i++)
					ch[i] = rnd() % 6;
				mk_add_path(c, &A, ch, n, rnd() % 3 == 0, 1);
			}
			mk_canonicalize(c, &A, NULL);
			mk_force_method = 1;
			mk_removal_effects(c, &A, &r1, NULL, &err);
			mk_force_method = 2;
			mk_removal_effects(c, &A, &r2, NULL, &err);
			mk_force_method = 0;
			if (fabs(r1.p_full - r2.p_full) > worst)
				worst = fabs(r1.p_full - r2.p_full);
			for (int i = 0; i < 6; i++)
				if (fabs(r1.re[i] - r2.re[i]) > worst)
					worst = fabs(r1.re[i] - r2.re[i]);
			free(r1.re);
			free(r2.re);
			mk_free(c, &A);
		}
		check(worst < 1e-10, "dense and iterative solves agree (orders 1-3)");
	}
}

/* Shapley by averaging marginal contributions over all n! orderings */
static void
brute(const double *v, int n, double *phi)
{
	int			perm[8];
	double		count = 0;

	for (int i = 0; i < n; i++)
	{
		perm[i] = i;
		phi[i] = 0;
	}
	for (;;)
	{
		uint32_t	mask = 0;
		int			i,
					j;

		for (i = 0; i < n; i++)
		{
			phi[perm[i]] += v[mask | (1u << perm[i])] - v[mask];
			mask |= 1u << perm[i];
		}
		count++;
		/* next permutation */
		for (i = n - 2; i >= 0 && perm[i] > perm[i + 1]; i--)
			;
		if (i < 0)
			break;
		for (j = n - 1; perm[j] < perm[i]; j--)
			;
		{
			int			t = perm[i];

			perm[i] = perm[j];
			perm[j] = t;
		}
		for (int a = i + 1, b = n - 1; a < b; a++, b--)
		{
			int			t = perm[a];

			perm[a] = perm[b];
			perm[b] = t;
		}
	}
	for (int i = 0; i < n; i++)
		phi[i] /= count;
}

static void
test_shapley(void)
{
	double		worst = 0;

	for (int iter = 0; iter < 200; iter++)
	{
		int			n = 1 + iter % 7;
		double		v[128],
					p1[8],
					p2[8];

		v[0] = 0;
		for (int m = 1; m < (1 << n); m++)
			v[m] = rnd() % 1000 / 1000.0;
		sh_shapley(v, n, p1);
		brute(v, n, p2);
		for (int i = 0; i < n; i++)
			if (fabs(p1[i] - p2[i]) > worst)
				worst = fabs(p1[i] - p2[i]);
	}
	check(worst < 1e-12, "Shapley by subsets equals the average over all orderings (n <= 7)");

	{
		sh_sets    *s = sh_new(&A),
				   *s2;
		int32_t		tmp[8];
		int32_t		ab[] = {1, 0, 1},
					a[] = {1},
					b[] = {0};
		double		c[3] = {0},
					vl[3] = {0};
		size_t		bad;

		at_dict_id(&s->dict, &A, "b", 1);
		at_dict_id(&s->dict, &A, "a", 1);
		/* {a}: 1 of 2 converts; {b}: 0 of 1; {a,b}: 2 of 2 */
		sh_add_path(s, &A, a, 1, true, 4, tmp);
		sh_add_path(s, &A, a, 1, false, 0, tmp);
		sh_add_path(s, &A, b, 1, false, 0, tmp);
		sh_add_path(s, &A, ab, 3, true, 6, tmp);
		sh_add_path(s, &A, ab, 2, true, 6, tmp);
		sh_canonicalize(s, &A);
		sh_attribute(s, &A, c, vl, NULL, &bad);
		/* {a,b}: phi_a = (0.5 + (1 - 0))/2 = 0.75, phi_b = (0 + (1 - 0.5))/2 = 0.25 */
		check(fabs(c[0] - (1 + 2 * 0.75)) < 1e-12 && fabs(c[1] - 0.5) < 1e-12 &&
			  fabs(vl[0] - (4 + 12 * 0.75)) < 1e-12, "shapley on a hand-worked example");
		{
			at_writer	w = {NULL, 0};
			uint8_t    *buf;
			at_reader	rd;
			bool		rej = true;

			sh_serialize(s, &w);
			buf = malloc(w.len);
			w.p = buf;
			w.len = 0;
			sh_serialize(s, &w);
			rd = (at_reader) {buf, buf + w.len, NULL};
			s2 = sh_deserialize(&rd, &A);
			check(s2 != NULL && s2->n == s->n, "channel sets read back");
			if (s2)
				sh_free(s2, &A);
			for (size_t cut = 0; cut < w.len; cut++)
			{
				rd = (at_reader) {buf, buf + cut, NULL};
				s2 = sh_deserialize(&rd, &A);
				if (s2)
				{
					rej = false;
					sh_free(s2, &A);
				}
			}
			check(rej, "every truncation of channel sets is rejected");
			free(buf);
		}
		sh_free(s, &A);
	}
}

/* the journey bytes: round trip, every truncation and every out-of-order pair rejected */
static void
test_journey_bytes(void)
{
	at_dict		d,
				d2;
	at_event	ev[] = {{1, 0, 0}, {2, 1, 0}, {2, AT_CONV, 9.5}, {5, 0, 0}};
	at_writer	w = {NULL, 0};
	uint8_t    *buf;
	at_reader	r;
	at_event   *out;
	size_t		n;
	bool		rej = true;

	at_dict_init(&d, &A);
	at_dict_id(&d, &A, "a", 1);
	at_dict_id(&d, &A, "b", 1);
	at_journey_write(&w, &d, ev, 4);
	buf = malloc(w.len);
	w.p = buf;
	w.len = 0;
	at_journey_write(&w, &d, ev, 4);
	at_dict_init(&d2, &A);
	r = (at_reader) {buf, buf + w.len, NULL};
	check(at_journey_read(&r, &d2, &A, &out, &n) && n == 4 && out[2].ch == AT_CONV && out[2].value == 9.5 &&
		  d2.n == 2, "journey bytes read back");
	free(out);
	at_dict_free(&d2, &A);
	for (size_t cut = 0; cut < w.len; cut++)
	{
		at_dict_init(&d2, &A);
		r = (at_reader) {buf, buf + cut, NULL};
		if (at_journey_read(&r, &d2, &A, &out, &n))
		{
			rej = false;
			free(out);
		}
		at_dict_free(&d2, &A);
	}
	check(rej, "every truncation of a journey is rejected");
	/* swap the last two events: out of journey order */
	{
		at_event	bad[] = {{1, 0, 0}, {2, 1, 0}, {5, 0, 0}, {2, AT_CONV, 9.5}};
		at_writer	w2 = {buf, 0};

		at_journey_write(&w2, &d, bad, 4);
		at_dict_init(&d2, &A);
		r = (at_reader) {buf, buf + w2.len, NULL};
		check(!at_journey_read(&r, &d2, &A, &out, &n) && r.error && strcmp(r.error, "events are not in journey order") == 0,
			  "events out of journey order are rejected");
		at_dict_free(&d2, &A);
	}
	at_dict_free(&d, &A);
	free(buf);
}

static long nchecks;

static void
count_check(void)
{
	nchecks++;
}

/*
 * A stored chain of hundreds of thousands of transitions is read with the
 * host's cancel check called as it goes (every AT_CHECK_EVERY records): a
 * cancel need not wait for the end of the read.
 */
static void
test_markov_read_checks(void)
{
	mk_chain   *m = mk_new(&A, 3);
	at_writer	w = {NULL, 0};
	uint8_t    *buf;
	at_reader	rd;
	mk_chain   *m2;
	char		name[16];

	for (int c = 0; c < 40; c++)
	{
		snprintf(name, sizeof(name), "c%02d", c);
		at_dict_id(&m->dict, &A, name, strlen(name));
	}
	for (int i = 0; i < 300000; i++)
	{
		int32_t		path[5];

		for (int k = 0; k < 5; k++)
			path[k] = (int32_t) (rnd() % 40);
		mk_add_path(m, &A, path, 5, i % 3 == 0, 1.0);
	}
	nchecks = 0;
	mk_canonicalize(m, &A, count_check);
	check(nchecks >= (long) (m->n / 65536) && m->n > 3 * 65536,
		  "sorting hundreds of thousands of transitions calls the check every 65536");
	mk_serialize(m, &w);
	buf = malloc(w.len);
	w.p = buf;
	w.len = 0;
	mk_serialize(m, &w);
	nchecks = 0;
	rd = (at_reader) {buf, buf + w.len, NULL, count_check};
	m2 = mk_deserialize(&rd, &A);
	check(m2 != NULL && m->n > 3 * AT_CHECK_EVERY &&
		  nchecks >= (long) (m->n / AT_CHECK_EVERY),
		  "reading a chain of hundreds of thousands of transitions calls the check every 65536");
	if (m2)
		mk_free(m2, &A);
	mk_free(m, &A);
	free(buf);
}

/*
 * One user's journey of a million events out of order: the merge sort calls
 * the host's check every 65,536 events merged, and the order is kept.
 */
static void
test_sort_checks(void)
{
	size_t		n = 1000000;
	at_event   *ev = malloc(sizeof(at_event) * n),
			   *scratch = malloc(sizeof(at_event) * n);
	bool		sorted = true;

	for (size_t i = 0; i < n; i++)
	{
		ev[i].ts = (int64_t) (rnd() % 100000000);
		ev[i].ch = (int32_t) (rnd() % 10);
		ev[i].value = 0;
	}
	nchecks = 0;
	at_sort_events(ev, n, NULL, scratch, count_check);
	for (size_t i = 1; i < n; i++)
		sorted &= at_event_cmp(&ev[i - 1], &ev[i], NULL) <= 0;
	check(sorted, "a journey of 1,000,000 events sorted with a check");
	/* 20 merge passes of 1,000,000 events */
	check(nchecks >= 20 * (long) (n / 65536),
		  "the journey sort calls the check every 65,536 events merged");
	free(ev);
	free(scratch);
}

int
main(void)
{
	test_journey_bytes();
	test_rules();
	test_invariant();
	test_markov();
	test_markov_read_checks();
	test_sort_checks();
	test_shapley();
	return done_testing();
}
