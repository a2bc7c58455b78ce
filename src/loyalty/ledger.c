/*
 * ledger.c — exact decimals, canonical events and the FIFO fold (ledger.h).
 */
#include "loyalty/ledger.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- exact decimals ---- */

LedgerStatus
ledger_parse_decimal(const char *s, size_t len, int64_t *out)
{
	const char *p = s,
			   *end = s + len;
	bool		neg = false;
	uint64_t	mag = 0;
	int			frac = 0;
	bool		digits = false;
	/* |INT64_MIN| is one more than INT64_MAX */
	uint64_t	limit;

	if (p < end && (*p == '-' || *p == '+'))
		neg = (*p++ == '-');
	limit = neg ? (uint64_t) INT64_MAX + 1 : (uint64_t) INT64_MAX;
	for (; p < end && *p >= '0' && *p <= '9'; p++)
	{
		digits = true;
		if (mag > (limit - (uint64_t) (*p - '0')) / 10)
			return LEDGER_OVERFLOW;
		mag = mag * 10 + (uint64_t) (*p - '0');
	}
	if (p < end && *p == '.')
	{
		for (p++; p < end && *p >= '0' && *p <= '9'; p++)
		{
			digits = true;
			if (frac == LEDGER_SCALE_DIGITS)
			{
				if (*p != '0')
					return LEDGER_PRECISION;
				continue;
			}
			if (mag > (limit - (uint64_t) (*p - '0')) / 10)
				return LEDGER_OVERFLOW;
			mag = mag * 10 + (uint64_t) (*p - '0');
			frac++;
		}
	}
	if (!digits || p != end)
		return LEDGER_SYNTAX;
	for (; frac < LEDGER_SCALE_DIGITS; frac++)
	{
		if (mag > limit / 10)
			return LEDGER_OVERFLOW;
		mag *= 10;
	}
	*out = neg ? (int64_t) (0 - mag) : (int64_t) mag;
	return LEDGER_OK;
}

void
ledger_format_decimal(int64_t v, char *buf)
{
	uint64_t	mag = v < 0 ? 0 - (uint64_t) v : (uint64_t) v;
	uint64_t	ip = mag / LEDGER_SCALE,
				fp = mag % LEDGER_SCALE;
	int			w = LEDGER_SCALE_DIGITS;
	int			k;

	k = snprintf(buf, LEDGER_DEC_MAXLEN, "%s%" PRIu64, v < 0 ? "-" : "", ip);
	if (fp == 0)
		return;
	while (fp % 10 == 0)
	{
		fp /= 10;
		w--;
	}
	snprintf(buf + k, LEDGER_DEC_MAXLEN - k, ".%0*" PRIu64, w, fp);
}

/* ---- canonical events ---- */

static inline int
cmp64(int64_t a, int64_t b)
{
	return (a > b) - (a < b);
}

int
ledger_event_cmp(const LedgerEvent *a, const LedgerEvent *b)
{
	int			c = cmp64(a->ts, b->ts);

	if (c)
		return c;
	/* earnings (amount > 0) first */
	c = (a->amount < 0) - (b->amount < 0);
	if (c)
		return c;
	return cmp64(a->expiry, b->expiry);
}

static int
event_qsort_cmp(const void *a, const void *b)
{
	return ledger_event_cmp(a, b);
}

LedgerStatus
ledger_canonicalize(LedgerEvent *ev, size_t *n)
{
	size_t		w = 0;

	if (*n == 0)
		return LEDGER_OK;
	qsort(ev, *n, sizeof(LedgerEvent), event_qsort_cmp);
	for (size_t i = 1; i < *n; i++)
	{
		if (ledger_event_cmp(&ev[w], &ev[i]) == 0)
		{
			if (__builtin_add_overflow(ev[w].amount, ev[i].amount, &ev[w].amount))
				return LEDGER_OVERFLOW;
		}
		else
			ev[++w] = ev[i];
	}
	*n = w + 1;
	return LEDGER_OK;
}

const char *
ledger_validate(const LedgerEvent *ev, size_t n, int64_t min_ts, int64_t max_ts, size_t *at)
{
	for (size_t i = 0; i < n; i++)
	{
		const LedgerEvent *e = &ev[i];

		*at = i;
		if (e->ts < min_ts || e->ts > max_ts)
			return "event time out of the timestamptz range";
		if (e->amount == 0)
			return "zero amount";
		if (e->amount > 0)
		{
			if (e->expiry <= e->ts)
				return "lot expires at or before it is earned";
			if (e->expiry != LEDGER_NEVER && e->expiry > max_ts)
				return "expiry out of the timestamptz range";
		}
		else if (e->expiry != 0)
			return "redemption with an expiry";
		if (i > 0 && ledger_event_cmp(&ev[i - 1], e) >= 0)
			return "events not in canonical order (time, earnings first, expiry) or repeated";
	}
	return NULL;
}

/* ---- the FIFO fold ---- */

int
ledger_lot_cmp(const LedgerLot *a, const LedgerLot *b)
{
	int			c = cmp64(a->expires_at, b->expires_at);

	return c ? c : cmp64(a->earned_at, b->earned_at);
}

/* redemption order, then every other field: lots that tie sort the same way each time */
static int
lot_total_cmp(const LedgerLot *a, const LedgerLot *b)
{
	int			c = ledger_lot_cmp(a, b);

	if (c == 0)
		c = cmp64(a->earned, b->earned);
	return c ? c : cmp64(a->remaining, b->remaining);
}

/* lot i sinks in the max-heap lots[0..n) (latest in that order on top) */
static void
sift_down_max(LedgerLot *h, size_t n, size_t i)
{
	LedgerLot	x = h[i];

	for (;;)
	{
		size_t		c = 2 * i + 1;

		if (c >= n)
			break;
		if (c + 1 < n && lot_total_cmp(&h[c + 1], &h[c]) > 0)
			c++;
		if (lot_total_cmp(&h[c], &x) <= 0)
			break;
		h[i] = h[c];
		i = c;
	}
	h[i] = x;
}

void
ledger_lots_sort(LedgerLot *lots, size_t n)
{
	if (n < 2)
		return;
	for (size_t i = n / 2; i-- > 0;)
	{
		if ((i & 0xFFFF) == 0 && ledger_interrupt_hook)
			ledger_interrupt_hook();
		sift_down_max(lots, n, i);
	}
	for (size_t end = n - 1; end > 0; end--)
	{
		LedgerLot	t = lots[0];

		if ((end & 0xFFFF) == 0 && ledger_interrupt_hook)
			ledger_interrupt_hook();
		lots[0] = lots[end];
		lots[end] = t;
		sift_down_max(lots, end, 0);
	}
}

/* binary min-heap of lots in redemption order */
static void
heap_push(LedgerLot *h, size_t *n, LedgerLot lot)
{
	size_t		i = (*n)++;

	while (i > 0)
	{
		size_t		p = (i - 1) / 2;

		if (ledger_lot_cmp(&h[p], &lot) <= 0)
			break;
		h[i] = h[p];
		i = p;
	}
	h[i] = lot;
}

static void
heap_pop(LedgerLot *h, size_t *n)
{
	LedgerLot	last = h[--(*n)];
	size_t		i = 0;

	for (;;)
	{
		size_t		c = 2 * i + 1;

		if (c >= *n)
			break;
		if (c + 1 < *n && ledger_lot_cmp(&h[c + 1], &h[c]) < 0)
			c++;
		if (ledger_lot_cmp(&last, &h[c]) <= 0)
			break;
		h[i] = h[c];
		i = c;
	}
	if (*n > 0)
		h[i] = last;
}

/* lots expiring at or before t are gone at t */
static LedgerStatus
expire_until(LedgerLot *h, size_t *n, int64_t t, LedgerFold *f)
{
	while (*n > 0 && h[0].expires_at <= t)
	{
		if (__builtin_add_overflow(f->expired, h[0].remaining, &f->expired))
			return LEDGER_OVERFLOW;
		if (__builtin_sub_overflow(f->lots_total, h[0].remaining, &f->lots_total))
			return LEDGER_OVERFLOW;
		heap_pop(h, n);
	}
	return LEDGER_OK;
}

void		(*ledger_interrupt_hook) (void) = NULL;

LedgerStatus
ledger_fold(const LedgerEvent *ev, size_t n, int64_t as_of, LedgerLot *lots, LedgerFold *f)
{
	size_t		nl = 0;
	LedgerStatus st;

	memset(f, 0, sizeof(*f));
	for (size_t i = 0; i < n && ev[i].ts <= as_of; i++)
	{
		const LedgerEvent *e = &ev[i];

		if ((i & 0xFFFF) == 0xFFFF && ledger_interrupt_hook)
			ledger_interrupt_hook();

		if ((st = expire_until(lots, &nl, e->ts, f)) != LEDGER_OK)
			return st;
		if (e->amount > 0)
		{
			int64_t		rest = e->amount;
			int64_t		repay = rest < f->debt ? rest : f->debt;

			f->debt -= repay;
			rest -= repay;
			if (rest > 0)
			{
				LedgerLot	lot = {e->ts, e->expiry, e->amount, rest};

				if (__builtin_add_overflow(f->lots_total, rest, &f->lots_total))
					return LEDGER_OVERFLOW;
				heap_push(lots, &nl, lot);
			}
		}
		else
		{
			/* amount is negative; INT64_MIN cannot be negated */
			int64_t		need;

			if (e->amount == INT64_MIN)
				return LEDGER_OVERFLOW;
			need = -e->amount;
			while (need > 0 && nl > 0)
			{
				int64_t		take = lots[0].remaining < need ? lots[0].remaining : need;

				lots[0].remaining -= take;
				f->lots_total -= take;
				need -= take;
				if (lots[0].remaining == 0)
					heap_pop(lots, &nl);
			}
			if (__builtin_add_overflow(f->debt, need, &f->debt))
				return LEDGER_OVERFLOW;
		}
	}
	if ((st = expire_until(lots, &nl, as_of, f)) != LEDGER_OK)
		return st;
	f->nlots = nl;
	return LEDGER_OK;
}

LedgerStatus
ledger_balance(const LedgerFold *f, int64_t *out)
{
	return __builtin_sub_overflow(f->lots_total, f->debt, out) ? LEDGER_OVERFLOW : LEDGER_OK;
}

LedgerStatus
ledger_expiring(const LedgerLot *lots, size_t nlots, int64_t until, int64_t *out)
{
	int64_t		s = 0;

	for (size_t i = 0; i < nlots; i++)
		if (lots[i].expires_at <= until &&
			__builtin_add_overflow(s, lots[i].remaining, &s))
			return LEDGER_OVERFLOW;
	*out = s;
	return LEDGER_OK;
}

/* ---- text form of one event ---- */

void
ledger_event_format(const LedgerEvent *e, char *buf)
{
	char		amt[LEDGER_DEC_MAXLEN];

	ledger_format_decimal(e->amount, amt);
	if (e->amount < 0)
		snprintf(buf, LEDGER_EVENT_MAXLEN, "%" PRId64 ":%s", e->ts, amt);
	else if (e->expiry == LEDGER_NEVER)
		snprintf(buf, LEDGER_EVENT_MAXLEN, "%" PRId64 ":%s@inf", e->ts, amt);
	else
		snprintf(buf, LEDGER_EVENT_MAXLEN, "%" PRId64 ":%s@%" PRId64, e->ts, amt, e->expiry);
}

/* a plain signed integer in [s, end) */
static LedgerStatus
parse_int64(const char *s, const char *end, int64_t *out)
{
	const char *p = s;
	bool		neg = false;
	uint64_t	mag = 0,
				limit;

	if (p < end && (*p == '-' || *p == '+'))
		neg = (*p++ == '-');
	if (p == end)
		return LEDGER_SYNTAX;
	limit = neg ? (uint64_t) INT64_MAX + 1 : (uint64_t) INT64_MAX;
	for (; p < end; p++)
	{
		if (*p < '0' || *p > '9')
			return LEDGER_SYNTAX;
		if (mag > (limit - (uint64_t) (*p - '0')) / 10)
			return LEDGER_OVERFLOW;
		mag = mag * 10 + (uint64_t) (*p - '0');
	}
	*out = neg ? (int64_t) (0 - mag) : (int64_t) mag;
	return LEDGER_OK;
}

LedgerStatus
ledger_event_parse(const char *s, const char *end, const char **next, LedgerEvent *out)
{
	const char *colon,
			   *at,
			   *stop = s;
	LedgerStatus st;

	while (stop < end && *stop != ',' && *stop != '}')
		stop++;
	*next = stop;
	colon = memchr(s, ':', stop - s);
	if (colon == NULL)
		return LEDGER_SYNTAX;
	at = memchr(colon, '@', stop - colon);
	if ((st = parse_int64(s, colon, &out->ts)) != LEDGER_OK)
		return st;
	if ((st = ledger_parse_decimal(colon + 1, (at ? at : stop) - colon - 1, &out->amount)) != LEDGER_OK)
		return st;
	if (at == NULL)
	{
		/* a redemption; an earning must say when it expires */
		out->expiry = 0;
		return out->amount < 0 ? LEDGER_OK : LEDGER_SYNTAX;
	}
	if (out->amount <= 0)
		return LEDGER_SYNTAX;
	if (stop - at - 1 == 3 && memcmp(at + 1, "inf", 3) == 0)
	{
		out->expiry = LEDGER_NEVER;
		return LEDGER_OK;
	}
	return parse_int64(at + 1, stop, &out->expiry);
}
