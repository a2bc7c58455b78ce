/*
 * ledger.h — the points ledger in plain C: exact decimal amounts, the
 * canonical event list the points_ledger state stores, and the FIFO fold that
 * every accessor runs.  No PostgreSQL here, so test/unit can drive it.
 *
 * Amounts are int64 counts of 1/10,000 of a point (four decimal places), so
 * sums are exact and never depend on the order rows arrive in; every sum is
 * checked and overflow is reported, never wrapped.
 */
#ifndef PERSONA_LEDGER_H
#define PERSONA_LEDGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LEDGER_SCALE		10000	/* units per point */
#define LEDGER_SCALE_DIGITS 4
#define LEDGER_NEVER		INT64_MAX	/* expiry of a lot that never expires */
#define LEDGER_DEC_MAXLEN	32	/* longest decimal ledger_format_decimal writes, with NUL */

/*
 * One row of the ledger.  amount > 0 earns a lot expiring at `expiry`
 * (LEDGER_NEVER: never); amount < 0 redeems, and its expiry is 0.  Times are
 * microseconds (PostgreSQL's TimestampTz, but any epoch works).
 */
typedef struct LedgerEvent
{
	int64_t		ts;
	int64_t		amount;
	int64_t		expiry;
} LedgerEvent;

typedef enum LedgerStatus
{
	LEDGER_OK = 0,
	LEDGER_OVERFLOW,			/* a sum left the int64 range */
	LEDGER_SYNTAX,				/* not a decimal / not an event */
	LEDGER_PRECISION			/* more than LEDGER_SCALE_DIGITS non-zero decimals */
} LedgerStatus;

/* "-12.5" -> -125000.  Trailing fractional zeros beyond the scale are accepted. */
extern LedgerStatus ledger_parse_decimal(const char *s, size_t len, int64_t *out);
/* -125000 -> "-12.5" (no trailing zeros); buf has LEDGER_DEC_MAXLEN bytes. */
extern void ledger_format_decimal(int64_t v, char *buf);

/* Orders events as the fold consumes them: time, then earnings before
 * redemptions, then expiry.  Returns <0, 0, >0. */
extern int	ledger_event_cmp(const LedgerEvent *a, const LedgerEvent *b);

/*
 * Sorts `ev` and merges events with the same (ts, kind, expiry): they are
 * indistinguishable to the FIFO rules, and merging keeps a state's size to
 * its distinct events.  *n is updated.  LEDGER_OVERFLOW if a merged amount
 * leaves the range (the array is then unspecified).
 */
extern LedgerStatus ledger_canonicalize(LedgerEvent *ev, size_t *n);

/*
 * NULL when `ev` is canonical and well formed (strictly ascending, amounts
 * non-zero, earnings expire after they are earned, redemptions carry expiry
 * 0, times in [min_ts, max_ts]); otherwise what is wrong, and *at the index.
 */
extern const char *ledger_validate(const LedgerEvent *ev, size_t n,
								   int64_t min_ts, int64_t max_ts, size_t *at);

/* A lot still holding points. */
typedef struct LedgerLot
{
	int64_t		earned_at;
	int64_t		expires_at;
	int64_t		earned;			/* as earned, before debt repayment */
	int64_t		remaining;
} LedgerLot;

typedef struct LedgerFold
{
	int64_t		lots_total;		/* points in unexpired lots */
	int64_t		debt;			/* redeemed but not covered, not yet repaid */
	int64_t		expired;		/* points that expired unredeemed, up to as_of */
	size_t		nlots;
} LedgerFold;

/*
 * Replays the canonical events with ts <= as_of: lots expiring at or before
 * a time are gone at that time; an earning repays debt first and keeps the
 * rest as a lot; a redemption takes from the lot expiring soonest (then the
 * one earned first) and what is not covered becomes debt.  `lots` needs room
 * for n lots and receives the unexpired lots holding points, in no order
 * (sort them with ledger_lot_cmp).
 */
/*
 * Called every 65,536 events of a fold when set: the host's cancel check (a
 * ledger can hold tens of millions of events).  It may not return.
 */
extern void (*ledger_interrupt_hook) (void);

extern LedgerStatus ledger_fold(const LedgerEvent *ev, size_t n, int64_t as_of,
								LedgerLot *lots, LedgerFold *out);

/* Redemption order of lots: expiry, then earning time. */
extern int	ledger_lot_cmp(const LedgerLot *a, const LedgerLot *b);

/*
 * Sort lots into redemption order in place (a heapsort), calling
 * ledger_interrupt_hook every 65,536 lots: qsort of tens of millions of lots
 * could not be cancelled.
 */
extern void ledger_lots_sort(LedgerLot *lots, size_t n);

/* balance = lots - debt (may be negative), checked. */
extern LedgerStatus ledger_balance(const LedgerFold *f, int64_t *out);

/* Points of the folded lots expiring in (as_of, until]. */
extern LedgerStatus ledger_expiring(const LedgerLot *lots, size_t nlots, int64_t until, int64_t *out);

/*
 * Text form of one event: "ts:amount@expiry" for an earning (expiry "inf" for
 * never), "ts:amount" for a redemption; ts and expiry in microseconds.
 * ledger_event_format writes at most LEDGER_EVENT_MAXLEN bytes with the NUL.
 * ledger_event_parse reads one event at s (up to `end`) and sets *next past it.
 */
#define LEDGER_EVENT_MAXLEN 96
extern void ledger_event_format(const LedgerEvent *e, char *buf);
extern LedgerStatus ledger_event_parse(const char *s, const char *end, const char **next,
									   LedgerEvent *out);

#endif
