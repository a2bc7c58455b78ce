/*
 * ledger_fmgr.c — the accessors of points_ledger: each replays the ledger
 * up to as_of with the plain-C fold (ledger.c) and reads one answer off it.
 */
#include "loyalty/loyalty_fmgr.h"
#include "miscadmin.h"

#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

typedef struct Folded
{
	LedgerFold	f;
	LedgerLot  *lots;
} Folded;

static void
check_interrupts(void)
{
	CHECK_FOR_INTERRUPTS();
}

static void
fold_at(Datum d, TimestampTz as_of, Folded *out)
{
	LedgerFlat *f = (LedgerFlat *) PG_DETOAST_DATUM(d);
	size_t		n = LEDGER_NEVENTS(f);

	out->lots = palloc_extended(Max(n, 1) * sizeof(LedgerLot), MCXT_ALLOC_HUGE);
	ledger_interrupt_hook = check_interrupts;
	if (ledger_fold(f->ev, n, as_of, out->lots, &out->f) != LEDGER_OK)
		loyalty_overflow_error("a points total of the ledger");
	if ((Pointer) f != DatumGetPointer(d))
		pfree(f);
}

PG_FUNCTION_INFO_V1(points_balance);
Datum
points_balance(PG_FUNCTION_ARGS)
{
	Folded		r;
	int64		b;

	fold_at(PG_GETARG_DATUM(0), PG_GETARG_TIMESTAMPTZ(1), &r);
	if (ledger_balance(&r.f, &b) != LEDGER_OK)
		loyalty_overflow_error("the balance");
	pfree(r.lots);
	PG_RETURN_DATUM(loyalty_scaled_to_numeric(b));
}

PG_FUNCTION_INFO_V1(points_expired);
Datum
points_expired(PG_FUNCTION_ARGS)
{
	Folded		r;

	fold_at(PG_GETARG_DATUM(0), PG_GETARG_TIMESTAMPTZ(1), &r);
	pfree(r.lots);
	PG_RETURN_DATUM(loyalty_scaled_to_numeric(r.f.expired));
}

PG_FUNCTION_INFO_V1(points_expiring);
Datum
points_expiring(PG_FUNCTION_ARGS)
{
	TimestampTz as_of = PG_GETARG_TIMESTAMPTZ(1);
	TimestampTz until;
	Folded		r;
	int64		s;

	until = DatumGetTimestampTz(DirectFunctionCall2(timestamptz_pl_interval,
													TimestampTzGetDatum(as_of),
													PG_GETARG_DATUM(2)));
	fold_at(PG_GETARG_DATUM(0), as_of, &r);
	if (ledger_expiring(r.lots, r.f.nlots, until, &s) != LEDGER_OK)
		loyalty_overflow_error("the expiring points");
	pfree(r.lots);
	PG_RETURN_DATUM(loyalty_scaled_to_numeric(s));
}

PG_FUNCTION_INFO_V1(points_next_expiry);
Datum
points_next_expiry(PG_FUNCTION_ARGS)
{
	Folded		r;
	int64		next = LEDGER_NEVER;

	fold_at(PG_GETARG_DATUM(0), PG_GETARG_TIMESTAMPTZ(1), &r);
	for (size_t i = 0; i < r.f.nlots; i++)
		next = Min(next, r.lots[i].expires_at);
	pfree(r.lots);
	if (next == LEDGER_NEVER)
		PG_RETURN_NULL();
	PG_RETURN_TIMESTAMPTZ(next);
}

PG_FUNCTION_INFO_V1(points_lots);
Datum
points_lots(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Folded		r;

	persona_srf_begin(fcinfo, NULL);
	fold_at(PG_GETARG_DATUM(0), PG_GETARG_TIMESTAMPTZ(1), &r);
	/* in the order redemptions would take them */
	ledger_lots_sort(r.lots, r.f.nlots);
	for (size_t i = 0; i < r.f.nlots; i++)
	{
		Datum		v[4];
		bool		nulls[4] = {false, false, false, false};

		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		v[0] = TimestampTzGetDatum(r.lots[i].earned_at);
		if (r.lots[i].expires_at == LEDGER_NEVER)
			nulls[1] = true;
		else
			v[1] = TimestampTzGetDatum(r.lots[i].expires_at);
		v[2] = loyalty_scaled_to_numeric(r.lots[i].earned);
		v[3] = loyalty_scaled_to_numeric(r.lots[i].remaining);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, v, nulls);
	}
	return (Datum) 0;
}
