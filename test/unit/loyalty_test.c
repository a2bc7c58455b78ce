/*
 * Unit tests of the loyalty cores (src/loyalty/ledger.c, tiers.c): exact
 * decimals, the canonical event list, the FIFO fold on hand-made ledgers and
 * on random ones against a naive replay written here, the event text form,
 * the three tier walks, and tier_timeline's policy checks.
 */
// link: src/loyalty/ledger.c src/loyalty/tiers.c
#include "loyalty/ledger.h"
#include "loyalty/tiers.h"

#include "tap.h"

#include <string.h>

#define P(x) ((int64_t) (x) * LEDGER_SCALE)
#define DAY INT64_C(86400000000)

static void
test_decimals(void)
{
	int64_t		v;
	char		buf[LEDGER_DEC_MAXLEN];

	check(ledger_parse_decimal("12.5", 4, &v) == LEDGER_OK && v == 125000, "12.5 parses exactly");
	check(ledger_parse_decimal("-0.0001", 7, &v) == LEDGER_OK && v == -1, "-0.0001 is one unit");
	check(ledger_parse_decimal("3.140000", 8, &v) == LEDGER_OK && v == 31400, "trailing zeros beyond the scale are accepted");
	check(ledger_parse_decimal("3.14159", 7, &v) == LEDGER_PRECISION, "a fifth non-zero decimal is refused");
	check(ledger_parse_decimal("922337203685477.5807", 20, &v) == LEDGER_OK && v == INT64_MAX, "the largest amount parses");
	check(ledger_parse_decimal("922337203685477.5808", 20, &v) == LEDGER_OVERFLOW, "one unit more overflows");
	check(ledger_parse_decimal("-922337203685477.5808", 21, &v) == LEDGER_OK && v == INT64_MIN, "the smallest amount parses");
	check(ledger_parse_decimal("NaN", 3, &v) == LEDGER_SYNTAX, "NaN is a syntax error");
	check(ledger_parse_decimal("", 0, &v) == LEDGER_SYNTAX && ledger_parse_decimal("-", 1, &v) == LEDGER_SYNTAX,
		  "empty and lone sign are syntax errors");
	ledger_format_decimal(125000, buf);
	check(strcmp(buf, "12.5") == 0, "12.5 formats without trailing zeros");
	ledger_format_decimal(-1, buf);
	check(strcmp(buf, "-0.0001") == 0, "-0.0001 formats");
	ledger_format_decimal(INT64_MIN, buf);
	check(strcmp(buf, "-922337203685477.5808") == 0, "INT64_MIN formats");
	{
		int			ok = 1;

		for (int i = 0; i < 20000; i++)
		{
			int64_t		x = (int64_t) (((uint64_t) rnd() << 32) | rnd()) >> (rnd() % 60),
						y;

			ledger_format_decimal(x, buf);
			ok &= ledger_parse_decimal(buf, strlen(buf), &y) == LEDGER_OK && y == x;
		}
		check(ok, "format then parse is the identity on 20000 random amounts");
	}
}

static void
test_canonical(void)
{
	LedgerEvent ev[] = {
		{10, -P(5), 0}, {10, P(3), 100}, {5, P(1), LEDGER_NEVER}, {10, -P(2), 0}, {10, P(4), 100}, {10, P(1), 50},
	};
	size_t		n = 6,
				at;
	LedgerEvent bad[] = {{10, P(1), 100}, {10, P(1), 100}};

	check(ledger_canonicalize(ev, &n) == LEDGER_OK && n == 4, "equal (ts, kind, expiry) events merge");
	check(ev[0].ts == 5 && ev[1].expiry == 50 && ev[2].amount == P(7) && ev[3].amount == -P(7),
		  "order: time, earnings first, expiry; merged amounts add");
	check(ledger_validate(ev, n, 0, 1000, &at) == NULL, "the canonical form validates");
	check(ledger_validate(bad, 2, 0, 1000, &at) != NULL && at == 1, "a repeated event is refused");
	bad[1].ts = 5;
	check(ledger_validate(bad, 2, 0, 1000, &at) != NULL && at == 1, "events out of order are refused");
	bad[1] = (LedgerEvent) {20, P(1), 20};
	check(ledger_validate(bad, 2, 0, 1000, &at) != NULL, "a lot expiring when earned is refused");
	bad[1] = (LedgerEvent) {20, 0, 30};
	check(ledger_validate(bad, 2, 0, 1000, &at) != NULL, "a zero amount is refused");
	bad[1] = (LedgerEvent) {20, -P(1), 30};
	check(ledger_validate(bad, 2, 0, 1000, &at) != NULL, "a redemption with an expiry is refused");
	{
		LedgerEvent big[] = {{1, INT64_MAX, 9}, {1, 1, 9}};
		size_t		m = 2;

		check(ledger_canonicalize(big, &m) == LEDGER_OVERFLOW, "merging past the range overflows");
	}
}

static LedgerFold
fold_of(LedgerEvent *ev, size_t n, int64_t as_of, LedgerLot *lots)
{
	LedgerFold	f;

	ledger_canonicalize(ev, &n);
	ledger_fold(ev, n, as_of, lots, &f);
	return f;
}

static int64_t
balance_of(LedgerEvent *ev, size_t n, int64_t as_of)
{
	LedgerLot	lots[64];
	LedgerFold	f = fold_of(ev, n, as_of, lots);
	int64_t		b;

	ledger_balance(&f, &b);
	return b;
}

static void
test_fold_rules(void)
{
	LedgerLot	lots[64];
	LedgerFold	f;

	{
		/* at equal ts the earning comes first, so the redemption is covered */
		LedgerEvent ev[] = {{100, -P(50), 0}, {100, P(50), 100 + DAY}};

		check(balance_of(ev, 2, 100) == 0, "tie: earning before redemption at equal ts (no debt)");
	}
	{
		/* soonest expiry first: the later-earned lot expiring sooner is taken */
		LedgerEvent ev[] = {{0, P(100), 10 * DAY}, {DAY, P(100), 5 * DAY}, {2 * DAY, -P(60), 0}};

		f = fold_of(ev, 3, 2 * DAY, lots);
		check(f.lots_total == P(140) && ledger_expiring(lots, f.nlots, 5 * DAY, &(int64_t) {0}) == LEDGER_OK,
			  "redeeming 60 of 200 leaves 140");
		{
			int64_t		s;

			ledger_expiring(lots, f.nlots, 5 * DAY, &s);
			check(s == P(40), "the lot expiring soonest was drawn (40 left of it)");
		}
	}
	{
		/* equal expiry: the earliest earned goes first */
		LedgerEvent ev[] = {{DAY, P(10), 9 * DAY}, {0, P(10), 9 * DAY}, {2 * DAY, -P(5), 0}};

		f = fold_of(ev, 3, 2 * DAY, lots);
		check(f.nlots == 2 && ((lots[0].earned_at == 0 && lots[0].remaining == P(5)) ||
							   (lots[1].earned_at == 0 && lots[1].remaining == P(5))),
			  "equal expiry: the earliest earned lot is drawn first");
	}
	{
		/* redemption larger than the balance: debt, repaid by the next earning */
		LedgerEvent ev[] = {{0, P(30), LEDGER_NEVER}, {DAY, -P(50), 0}, {2 * DAY, P(15), LEDGER_NEVER}, {3 * DAY, P(15), LEDGER_NEVER}};

		check(balance_of(ev, 4, DAY) == -P(20), "over-redemption leaves a debt of 20");
		check(balance_of(ev, 4, 2 * DAY) == -P(5), "a later earning repays debt first");
		f = fold_of(ev, 4, 3 * DAY, lots);
		check(f.debt == 0 && f.nlots == 1 && lots[0].earned == P(15) && lots[0].remaining == P(10),
			  "the earning that clears the debt keeps the rest as a lot");
	}
	{
		/* expiry exactly at as_of: gone at as_of, counted as expired */
		LedgerEvent ev[] = {{0, P(70), 10 * DAY}};

		check(balance_of(ev, 1, 10 * DAY - 1) == P(70), "a lot is available just before its expiry");
		f = fold_of(ev, 1, 10 * DAY, lots);
		check(f.lots_total == 0 && f.expired == P(70), "a lot expiring at as_of is expired at as_of");
	}
	{
		/* a redemption at the expiry instant cannot use the lot */
		LedgerEvent ev[] = {{0, P(70), 10 * DAY}, {10 * DAY, -P(20), 0}};

		f = fold_of(ev, 2, 10 * DAY, lots);
		check(f.expired == P(70) && f.debt == P(20), "a lot expiring at t is not available at t");
	}
	{
		LedgerEvent ev[] = {{0, P(5), LEDGER_NEVER}, {DAY, P(5), 2 * DAY}};

		f = fold_of(ev, 2, 1000 * DAY, lots);
		check(f.lots_total == P(5) && f.expired == P(5) && lots[0].expires_at == LEDGER_NEVER,
			  "a never-expiring lot survives; the other expires");
	}
	{
		/* events after as_of are ignored */
		LedgerEvent ev[] = {{0, P(5), LEDGER_NEVER}, {DAY, -P(5), 0}};

		check(balance_of(ev, 2, DAY - 1) == P(5), "events after as_of do not count");
	}
}

/*
 * The naive replay: lots in a flat array, every redemption scans it for the
 * best lot; no heap, no merging, rows in the order the rules say.
 */
static void
naive(const LedgerEvent *ev, size_t n, int64_t as_of, int64_t *balance, int64_t *expired,
	  int64_t *exp_until, int64_t until)
{
	LedgerLot	lots[512];
	size_t		nl = 0;
	int64_t		debt = 0,
				exp = 0;
	int			done[512] = {0};

	for (;;)
	{
		/* next event by (ts, earnings first, expiry) */
		size_t		b = n;

		for (size_t i = 0; i < n; i++)
			if (!done[i] && ev[i].ts <= as_of && (b == n || ledger_event_cmp(&ev[i], &ev[b]) < 0))
				b = i;
		if (b == n)
			break;
		done[b] = 1;
		for (size_t k = 0; k < nl; k++)
			if (lots[k].remaining > 0 && lots[k].expires_at <= ev[b].ts)
			{
				exp += lots[k].remaining;
				lots[k].remaining = 0;
			}
		if (ev[b].amount > 0)
		{
			int64_t		a = ev[b].amount,
						r = a < debt ? a : debt;

			debt -= r;
			lots[nl++] = (LedgerLot) {ev[b].ts, ev[b].expiry, a, a - r};
		}
		else
		{
			int64_t		need = -ev[b].amount;

			while (need > 0)
			{
				size_t		best = nl;

				for (size_t k = 0; k < nl; k++)
					if (lots[k].remaining > 0 && (best == nl || ledger_lot_cmp(&lots[k], &lots[best]) < 0))
						best = k;
				if (best == nl)
					break;
				{
					int64_t		t = lots[best].remaining < need ? lots[best].remaining : need;

					lots[best].remaining -= t;
					need -= t;
				}
			}
			debt += need;
		}
	}
	*balance = -debt;
	*exp_until = 0;
	for (size_t k = 0; k < nl; k++)
		if (lots[k].remaining > 0)
		{
			if (lots[k].expires_at <= as_of)
				exp += lots[k].remaining;
			else
			{
				*balance += lots[k].remaining;
				if (lots[k].expires_at <= until)
					*exp_until += lots[k].remaining;
			}
		}
	*expired = exp;
}

static void
test_fold_random(void)
{
	int			ok = 1;

	for (int round = 0; round < 3000 && ok; round++)
	{
		LedgerEvent ev[200],
					copy[200];
		LedgerLot	lots[200];
		size_t		n = 1 + rnd() % 150;
		int64_t		as_of = (int64_t) (rnd() % 120) * DAY,
					until = as_of + (int64_t) (rnd() % 40) * DAY,
					nb, ne, nx, b, x;
		LedgerFold	f;

		for (size_t i = 0; i < n; i++)
		{
			/* few distinct times so ties are common */
			ev[i].ts = (int64_t) (rnd() % 100) * DAY + (rnd() % 3) * (DAY / 2);
			if (rnd() % 3)
			{
				ev[i].amount = (int64_t) (1 + rnd() % 5000) * 25;
				ev[i].expiry = rnd() % 5 == 0 ? LEDGER_NEVER : ev[i].ts + (int64_t) (1 + rnd() % 60) * DAY / 2;
			}
			else
			{
				ev[i].amount = -(int64_t) (1 + rnd() % 8000) * 25;
				ev[i].expiry = 0;
			}
		}
		memcpy(copy, ev, n * sizeof(LedgerEvent));
		naive(ev, n, as_of, &nb, &ne, &nx, until);
		ledger_canonicalize(copy, &n);
		ok &= ledger_fold(copy, n, as_of, lots, &f) == LEDGER_OK;
		ledger_balance(&f, &b);
		ledger_expiring(lots, f.nlots, until, &x);
		ok &= b == nb && f.expired == ne && x == nx;
		if (!ok)
			printf("# round %d: balance %lld vs %lld, expired %lld vs %lld, expiring %lld vs %lld\n", round,
				   (long long) b, (long long) nb, (long long) f.expired, (long long) ne, (long long) x, (long long) nx);
	}
	check(ok, "3000 random ledgers: balance, expired and expiring equal the naive replay");
}

static void
test_text(void)
{
	LedgerEvent e[] = {{-5, P(12) + 5000, 77}, {123456789, -P(3), 0}, {0, 1, LEDGER_NEVER}};
	char		buf[LEDGER_EVENT_MAXLEN];
	int			ok = 1;
	LedgerEvent back;
	const char *next;

	for (int i = 0; i < 3; i++)
	{
		ledger_event_format(&e[i], buf);
		ok &= ledger_event_parse(buf, buf + strlen(buf), &next, &back) == LEDGER_OK &&
			memcmp(&back, &e[i], sizeof(back)) == 0 && *next == '\0';
	}
	check(ok, "event text round-trips (earning, redemption, never)");
	ledger_event_format(&e[0], buf);
	check(strcmp(buf, "-5:12.5@77") == 0, "earning text is ts:amount@expiry");
	{
		const char *bad[] = {"5", "5:", ":5@1", "5:10", "5:-10@3", "5:1@x", "5:1@99999999999999999999", "5:abc", "x:1@2"};
		int			all = 1;

		for (int i = 0; i < 9; i++)
			all &= ledger_event_parse(bad[i], bad[i] + strlen(bad[i]), &next, &back) != LEDGER_OK;
		check(all, "malformed event texts are refused");
	}
}

static int64_t
add_hold(int64_t t, void *arg)
{
	return t + *(int64_t *) arg;
}

static void
test_tiers(void)
{
	int64_t		th[] = {P(1000), P(3000)};
	TierPolicy	p = {TIER_LIFETIME, th, 2, 1000 * DAY, NULL, 0, NULL, NULL};
	TierPoint	pts[] = {{0, P(500), 0}, {10 * DAY, P(600), 0}, {20 * DAY, P(2000), 0}, {30 * DAY, P(10), 0}};
	TierRow		rows[32];
	TierPoint	scratch[8];
	size_t		nr;

	check(tier_rank_of(P(999), th, 2) == 0 && tier_rank_of(P(1000), th, 2) == 1 && tier_rank_of(P(5000), th, 2) == 2,
		  "rank counts thresholds <= points");
	tier_walk(pts, 4, &p, NULL, rows, &nr);
	check(nr == 3 && rows[0].tier == 0 && rows[1].tier == 1 && rows[1].from == 10 * DAY &&
		  rows[2].tier == 2 && rows[2].from == 20 * DAY, "lifetime: 0, silver at day 10, gold at day 20");
	p.as_of = 15 * DAY;
	tier_walk(pts, 4, &p, NULL, rows, &nr);
	check(nr == 2 && rows[1].tier == 1, "lifetime stops at as_of");

	/* calendar years at day 100 and 465 */
	{
		int64_t		ys[] = {100 * DAY, 465 * DAY};
		TierPoint	c[] = {{0, P(500), 0}, {50 * DAY, P(600), 0}, {200 * DAY, P(3000), 0}};

		p = (TierPolicy) {TIER_CALENDAR_YEAR, th, 2, 600 * DAY, ys, 2, NULL, NULL};
		tier_walk(c, 3, &p, NULL, rows, &nr);
		check(nr == 3 && rows[0].tier == 0 && rows[1].tier == 1 && rows[1].from == 50 * DAY &&
			  rows[2].tier == 2 && rows[2].from == 200 * DAY,
			  "calendar: silver earned in year 1 carries into year 2, gold earned in year 2");
		p.nyear_starts = 2;
		{
			TierPoint	c2[] = {{0, P(1500), 0}};

			tier_walk(c2, 1, &p, NULL, rows, &nr);
			check(nr == 2 && rows[0].tier == 1 && rows[1].tier == 0 && rows[1].from == 465 * DAY,
				  "calendar: a tier earned in year N lasts through year N+1, then falls");
		}
	}
	/* rolling, window 100 days */
	{
		TierPoint	r[] = {{0, P(600), 100 * DAY}, {50 * DAY, P(600), 150 * DAY}, {120 * DAY, P(100), 220 * DAY}};
		int64_t		hold = 30 * DAY;

		p = (TierPolicy) {TIER_ROLLING, th, 2, 400 * DAY, NULL, 0, NULL, NULL};
		tier_walk(r, 3, &p, scratch, rows, &nr);
		check(nr == 3 && rows[0].tier == 0 && rows[1].tier == 1 && rows[1].from == 50 * DAY &&
			  rows[2].tier == 0 && rows[2].from == 100 * DAY,
			  "rolling without hold: silver while 1200 points are in the window, falls when the first leaves");
		p.add_hold = add_hold;
		p.hold_arg = &hold;
		tier_walk(r, 3, &p, scratch, rows, &nr);
		check(nr == 3 && rows[2].tier == 0 && rows[2].from == 130 * DAY,
			  "rolling with a 30-day hold: falls 30 days after support ended");
		hold = 60 * DAY;
		{
			TierPoint	r2[] = {{0, P(600), 100 * DAY}, {50 * DAY, P(600), 150 * DAY}, {120 * DAY, P(500), 220 * DAY}};

			tier_walk(r2, 3, &p, scratch, rows, &nr);
			/* support lost at 100, back at 120 (clock reset), lost at 150: falls at 210 */
			check(nr == 3 && rows[1].tier == 1 && rows[2].tier == 0 && rows[2].from == 210 * DAY,
				  "rolling with hold: support regained within the hold restarts the clock");
		}
	}
}

static long nchecks;

static void
count_check(void)
{
	nchecks++;
}

static int
lot_qsort_cmp(const void *a, const void *b)
{
	return ledger_lot_cmp(a, b);
}

/*
 * points_lots' sort: a million lots in redemption order, as qsort orders
 * them, with the interrupt hook called every 65,536 lots.
 */
static void
test_lots_sort(void)
{
	size_t		n = 1000000;
	LedgerLot  *a = malloc(sizeof(LedgerLot) * n),
			   *b = malloc(sizeof(LedgerLot) * n);
	size_t		bad = 0;

	for (size_t i = 0; i < n; i++)
		a[i] = (LedgerLot) {(int64_t) (rnd() % 1000000), (int64_t) (rnd() % 1000), 5, 5};
	memcpy(b, a, sizeof(LedgerLot) * n);
	qsort(b, n, sizeof(LedgerLot), lot_qsort_cmp);
	ledger_interrupt_hook = count_check;
	nchecks = 0;
	ledger_lots_sort(a, n);
	ledger_interrupt_hook = NULL;
	for (size_t i = 0; i < n; i++)
		bad += ledger_lot_cmp(&a[i], &b[i]) != 0;
	check(bad == 0, "1,000,000 lots sorted into redemption order");
	check(nchecks >= (long) (n / 65536), "the lot sort calls the interrupt hook every 65,536 lots");
	free(a);
	free(b);
}

/*
 * tier_timeline's policy checks: each error case, its message (the pgTAP
 * loyalty_errors.sql checks the same texts through SQL), and random
 * threshold lists against a naive model (valid exactly when every
 * threshold is an exact amount and each is above the one before).
 */
static void
test_policy(void)
{
	TierPolicy	p = {0};
	TierPolicyError e;
	int64_t		out[8];
	char		msg[200];
	int			one = 1,
				zero = 0,
				minus = -1,
				uses;

	{
		const char *t[] = {"1000", "3000.5", "6000"};

		check(tier_policy_thresholds(t, 3, out, &p, &e) == TIER_POLICY_OK && p.nthresholds == 3 &&
			  p.thresholds == out && out[1] == P(3000) + LEDGER_SCALE / 2,
			  "ascending thresholds are converted to exact points");
	}
	check(tier_policy_thresholds(NULL, 0, out, &p, &e) == TIER_POLICY_NO_THRESHOLDS && e.hint != NULL &&
		  tier_policy_message(&e, msg, sizeof msg) > 0 &&
		  strcmp(msg, "\"thresholds\" is required: a non-empty array of the points each tier needs, ascending") == 0,
		  "no thresholds is an error, with an example");
	{
		const char *t[] = {"1000", "1000"};

		check(tier_policy_thresholds(t, 2, out, &p, &e) == TIER_POLICY_NOT_ASCENDING &&
			  (tier_policy_message(&e, msg, sizeof msg), strcmp(msg, "\"thresholds\" must be strictly ascending") == 0),
			  "equal thresholds are not strictly ascending");
	}
	{
		const char *t[] = {"2000", "1000", "NaN"};
		const char *u[] = {"1000", "1.00001", "500"};

		check(tier_policy_thresholds(t, 3, out, &p, &e) == TIER_POLICY_NOT_ASCENDING,
			  "the first problem is reported: descending before a later NaN");
		check(tier_policy_thresholds(u, 3, out, &p, &e) == TIER_POLICY_THRESHOLD && e.index == 1 &&
			  e.ledger == LEDGER_PRECISION, "a threshold with a fifth decimal is reported with its index");
	}
	{
		const char *t[] = {"1", "2"};

		tier_policy_thresholds(t, 2, out, &p, &e);
		check(tier_policy_names(&p, -1, &e) == TIER_POLICY_OK && tier_policy_names(&p, 2, &e) == TIER_POLICY_OK,
			  "no names, or one per threshold");
		check(tier_policy_names(&p, 1, &e) == TIER_POLICY_NAMES_COUNT &&
			  tier_policy_message(&e, msg, sizeof msg) == strlen(msg) &&
			  strcmp(msg, "\"names\" must have one name per threshold: 2 thresholds, 1 names") == 0,
			  "a names count that differs is an error giving both counts");
	}
	check(tier_policy_period("lifetime", &p, &e) == TIER_POLICY_OK && p.period == TIER_LIFETIME &&
		  tier_policy_period("calendar_year", &p, &e) == TIER_POLICY_OK && p.period == TIER_CALENDAR_YEAR &&
		  tier_policy_period("rolling", &p, &e) == TIER_POLICY_OK && p.period == TIER_ROLLING,
		  "the three period words");
	{
		char		small[8];
		size_t		need;

		check(tier_policy_period("monthly", &p, &e) == TIER_POLICY_UNKNOWN_PERIOD &&
			  (tier_policy_message(&e, msg, sizeof msg), strcmp(msg, "unknown \"period\" \"monthly\"") == 0) &&
			  e.hint && strstr(e.hint, "calendar_year"), "an unknown period names the word and lists the accepted ones");
		need = tier_policy_message(&e, small, sizeof small);
		check(need == strlen("unknown \"period\" \"monthly\"") && small[7] == 0,
			  "the message length is reported for any buffer (the glue sizes its allocation so)");
	}
	p.period = TIER_LIFETIME;
	check(tier_policy_window(&p, NULL, NULL, &uses, &e) == TIER_POLICY_OK && !uses, "lifetime: no window, no hold");
	check(tier_policy_window(&p, &one, NULL, &uses, &e) == TIER_POLICY_WINDOW_NOT_ROLLING &&
		  tier_policy_window(&p, NULL, &zero, &uses, &e) == TIER_POLICY_WINDOW_NOT_ROLLING &&
		  (tier_policy_message(&e, msg, sizeof msg), strcmp(msg, "\"window\" and \"hold\" apply only to \"period\": \"rolling\"") == 0),
		  "window or hold without rolling is an error");
	p.period = TIER_ROLLING;
	check(tier_policy_window(&p, NULL, &one, &uses, &e) == TIER_POLICY_ROLLING_NEEDS_WINDOW, "rolling needs a window");
	check(tier_policy_window(&p, &zero, NULL, &uses, &e) == TIER_POLICY_WINDOW_NOT_POSITIVE &&
		  tier_policy_window(&p, &minus, NULL, &uses, &e) == TIER_POLICY_WINDOW_NOT_POSITIVE,
		  "a zero or negative window is an error");
	check(tier_policy_window(&p, &one, &minus, &uses, &e) == TIER_POLICY_HOLD_NEGATIVE &&
		  (tier_policy_message(&e, msg, sizeof msg), strcmp(msg, "\"hold\" must not be negative") == 0),
		  "a negative hold is an error");
	check(tier_policy_window(&p, &one, &zero, &uses, &e) == TIER_POLICY_OK && !uses &&
		  tier_policy_window(&p, &one, NULL, &uses, &e) == TIER_POLICY_OK && !uses &&
		  tier_policy_window(&p, &one, &one, &uses, &e) == TIER_POLICY_OK && uses,
		  "only a positive hold is used");
	{
		int			agree = 1;

		for (int round = 0; round < 2000; round++)
		{
			int			n = 1 + rnd() % 6;
			int64_t		v[8];
			char		buf[8][32];
			const char *t[8];
			int			bad = -1;
			TierPolicyStatus want = TIER_POLICY_OK,
						got;

			for (int i = 0; i < n; i++)
			{
				v[i] = (int64_t) (rnd() % 50);
				if (rnd() % 10 == 0)
				{
					snprintf(buf[i], sizeof buf[i], "%d.123456", (int) v[i]);
					if (bad < 0)
						bad = i;
				}
				else
					snprintf(buf[i], sizeof buf[i], "%d", (int) v[i]);
				t[i] = buf[i];
			}
			/* the naive model: the first threshold that is bad or not above its predecessor */
			for (int i = 0; i < n; i++)
			{
				if (i == bad)
				{
					want = TIER_POLICY_THRESHOLD;
					break;
				}
				if (i > 0 && v[i] <= v[i - 1])
				{
					want = TIER_POLICY_NOT_ASCENDING;
					break;
				}
			}
			got = tier_policy_thresholds(t, n, out, &p, &e);
			if (got != want || (got == TIER_POLICY_THRESHOLD && e.index != bad))
				agree = 0;
			if (got == TIER_POLICY_OK)
				for (int i = 0; i < n; i++)
					if (out[i] != P(v[i]))
						agree = 0;
		}
		check(agree, "random threshold lists agree with a naive model");
	}
}

int
main(void)
{
	test_decimals();
	test_canonical();
	test_fold_rules();
	test_fold_random();
	test_text();
	test_tiers();
	test_lots_sort();
	test_policy();
	return done_testing();
}
