/*
 * ledger_agg_fmgr.c — points_agg: the per-member ledger aggregate.
 *
 * The state is points_ledger itself (concrete, for Citus partial aggregates
 * and parallel workers).  Within a backend it is an expanded object in the
 * aggregate context whose event array grows in place, so a row costs an
 * append; sorting and merging wait until the state is flattened (stored,
 * sent or read by an accessor).  Combining appends one state's events to
 * the other's: the canonical form depends only on the multiset of events,
 * so states built per day, per worker or in one pass flatten identically.
 */
#include "loyalty/loyalty_fmgr.h"

#include "utils/builtins.h"
#include "utils/expandeddatum.h"
#include "utils/timestamp.h"

typedef struct LedgerExpanded
{
	ExpandedObjectHeader hdr;
	LedgerEvent *ev;
	size_t		n;
	size_t		cap;
	bool		canonical;
} LedgerExpanded;

static void
lx_canonicalize(LedgerExpanded *e)
{
	if (e->canonical)
		return;
	if (ledger_canonicalize(e->ev, &e->n) != LEDGER_OK)
		loyalty_overflow_error("the sum of points earned or redeemed at one time");
	e->canonical = true;
}

static Size
lx_get_flat_size(ExpandedObjectHeader *eohptr)
{
	LedgerExpanded *e = (LedgerExpanded *) eohptr;

	lx_canonicalize(e);
	return LEDGER_HDRSZ + e->n * sizeof(LedgerEvent);
}

static void
lx_flatten_into(ExpandedObjectHeader *eohptr, void *result, Size allocated_size)
{
	LedgerExpanded *e = (LedgerExpanded *) eohptr;
	LedgerFlat *f = (LedgerFlat *) result;

	Assert(allocated_size == LEDGER_HDRSZ + e->n * sizeof(LedgerEvent));
	memset(f, 0, allocated_size);
	SET_VARSIZE(f, allocated_size);
	f->version = LEDGER_VERSION;
	memcpy(f->ev, e->ev, e->n * sizeof(LedgerEvent));
}

static const ExpandedObjectMethods lx_methods = {lx_get_flat_size, lx_flatten_into};

/*
 * All ledger states of one aggregate context share one child context.  A
 * context per state would make hash aggregation quadratic: it sums the memory
 * of every child context each time it creates a group.  The shared context is
 * never deleted through an object (PostgreSQL deletes a transition value's
 * expanded object only when the transition function returns a different
 * one, and ours always returns the state it was given); it goes with its
 * parent when the aggregate context is reset.
 */
#define STATES_CONTEXT_NAME "points_ledger states"

static MemoryContext
states_context(MemoryContext aggctx)
{
	for (MemoryContext c = aggctx->firstchild; c != NULL; c = c->nextchild)
		if (strcmp(c->name, STATES_CONTEXT_NAME) == 0)
			return c;
	return AllocSetContextCreate(aggctx, STATES_CONTEXT_NAME, ALLOCSET_DEFAULT_SIZES);
}

static LedgerExpanded *
lx_new(MemoryContext aggctx)
{
	MemoryContext cxt = states_context(aggctx);
	LedgerExpanded *e = MemoryContextAllocZero(cxt, sizeof(LedgerExpanded));

	EOH_init_header(&e->hdr, &lx_methods, cxt);
	e->cap = 8;
	e->ev = MemoryContextAlloc(cxt, e->cap * sizeof(LedgerEvent));
	e->canonical = true;
	return e;
}

static void
lx_reserve(LedgerExpanded *e, size_t more)
{
	size_t		want = e->n + more;

	if (want <= e->cap)
		return;
	if (e->cap >= 1024 && !e->canonical)
	{
		/*
		 * Merge before growing: rows repeating (time, kind, expiry) — daily
		 * batches, say — then cost no memory.  Growing only when merging
		 * frees less than half keeps the re-sorts amortized O(log n) a row.
		 */
		lx_canonicalize(e);
		if (e->n + more <= e->cap / 2)
			return;
		want = Max(e->n + more, e->cap + 1);
	}
	if (want > LEDGER_MAX_EVENTS)
	{
		/* merging may still fit it: try before giving up */
		lx_canonicalize(e);
		want = e->n + more;
		if (want > LEDGER_MAX_EVENTS)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("points_ledger cannot hold more than %zu distinct events",
							(size_t) LEDGER_MAX_EVENTS),
					 errhint("Aggregate per member; a ledger is one member's history.")));
		if (want <= e->cap)
			return;
	}
	while (e->cap < want)
		e->cap = Min(e->cap * 2, (size_t) LEDGER_MAX_EVENTS);
	e->ev = repalloc_huge(e->ev, e->cap * sizeof(LedgerEvent));
}

static void
lx_append(LedgerExpanded *e, const LedgerEvent *ev, size_t n)
{
	lx_reserve(e, n);
	memcpy(e->ev + e->n, ev, n * sizeof(LedgerEvent));
	e->n += n;
	e->canonical = false;
}

/* Our read-write state, expanding a flat one (from a worker, say) on first use. */
static LedgerExpanded *
state_of(FunctionCallInfo fcinfo, MemoryContext aggctx)
{
	Datum		d = PG_GETARG_DATUM(0);
	LedgerExpanded *e;
	LedgerFlat *f;

	if (PG_ARGISNULL(0))
		return lx_new(aggctx);
	if (VARATT_IS_EXTERNAL_EXPANDED_RW(DatumGetPointer(d)) &&
		DatumGetEOHP(d)->eoh_methods == &lx_methods)
		return (LedgerExpanded *) DatumGetEOHP(d);
	e = lx_new(aggctx);
	f = (LedgerFlat *) PG_DETOAST_DATUM(d);
	lx_append(e, f->ev, LEDGER_NEVENTS(f));
	e->canonical = true;
	return e;
}

PG_FUNCTION_INFO_V1(points_agg_trans);
Datum
points_agg_trans(PG_FUNCTION_ARGS)
{
	MemoryContext aggctx = persona_agg_context(fcinfo, "points_agg_trans");
	LedgerExpanded *e;
	LedgerEvent ev;
	TimestampTz ts;

	/* rows without a time or an amount are skipped, as count(x) skips NULLs */
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	ts = PG_GETARG_TIMESTAMPTZ(1);
	if (TIMESTAMP_NOT_FINITE(ts))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("points_agg: ts must be a finite time, not %s",
						DatumGetCString(DirectFunctionCall1(timestamptz_out, TimestampTzGetDatum(ts))))));
	ev.ts = ts;
	ev.amount = loyalty_numeric_to_scaled(PG_GETARG_NUMERIC(2), "points_agg: delta");
	e = state_of(fcinfo, aggctx);
	if (ev.amount == 0)
		PG_RETURN_DATUM(EOHPGetRWDatum(&e->hdr));	/* changes nothing */
	if (ev.amount < 0)
		ev.expiry = 0;
	else if (PG_ARGISNULL(3))
		ev.expiry = LEDGER_NEVER;
	else
	{
		/* calendar arithmetic as timestamptz + interval does it, in the session zone */
		ev.expiry = DatumGetTimestampTz(DirectFunctionCall2(timestamptz_pl_interval,
															TimestampTzGetDatum(ts),
															PG_GETARG_DATUM(3)));
		if (ev.expiry <= ts)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("points_agg: expire_after must be positive, not %s",
							DatumGetCString(DirectFunctionCall1(interval_out, PG_GETARG_DATUM(3)))),
					 errhint("Pass NULL for points that never expire.")));
		if (TIMESTAMP_NOT_FINITE(ev.expiry))
			ereport(ERROR,
					(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
					 errmsg("points_agg: ts + expire_after is out of range")));
	}
	lx_append(e, &ev, 1);
	PG_RETURN_DATUM(EOHPGetRWDatum(&e->hdr));
}

/* Combine function of points_agg, and the transition of points_agg(points_ledger). */
PG_FUNCTION_INFO_V1(points_agg_combine);
Datum
points_agg_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggctx = persona_combine_context(fcinfo, "points_agg_combine");
	LedgerExpanded *e;
	Datum		d;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	e = state_of(fcinfo, aggctx);
	d = PG_GETARG_DATUM(1);
	if (VARATT_IS_EXTERNAL_EXPANDED(DatumGetPointer(d)) &&
		DatumGetEOHP(d)->eoh_methods == &lx_methods)
	{
		LedgerExpanded *o = (LedgerExpanded *) DatumGetEOHP(d);

		if (o == e)
		{
			/* a state combined with itself: copy after growing, not from moved memory */
			size_t		n = e->n;

			lx_reserve(e, n);
			memcpy(e->ev + n, e->ev, n * sizeof(LedgerEvent));
			e->n += n;
			e->canonical = false;
		}
		else
			lx_append(e, o->ev, o->n);
	}
	else
	{
		LedgerFlat *f = (LedgerFlat *) PG_DETOAST_DATUM(d);

		lx_append(e, f->ev, LEDGER_NEVENTS(f));
		if ((Pointer) f != DatumGetPointer(d))
			pfree(f);
	}
	PG_RETURN_DATUM(EOHPGetRWDatum(&e->hdr));
}
