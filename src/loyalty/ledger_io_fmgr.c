/*
 * ledger_io_fmgr.c — exact points <-> numeric, and the points_ledger type's text
 * and binary forms, both validated before use.
 */
#include "loyalty/loyalty_fmgr.h"

#include "lib/stringinfo.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

void
loyalty_overflow_error(const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("%s is out of range for points", what),
			 errdetail("Points are exact to %d decimal places, and every amount, sum and balance must lie within +/-922,337,203,685,477.5807.",
					   LEDGER_SCALE_DIGITS)));
}

void
loyalty_decimal_error(int status, const char *s, const char *what)
{
	switch (status)
	{
		case LEDGER_PRECISION:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s %s has more than %d decimal places", what, s, LEDGER_SCALE_DIGITS),
					 errhint("Points are exact to %d decimal places; round them first, e.g. round(x, %d).",
							 LEDGER_SCALE_DIGITS, LEDGER_SCALE_DIGITS)));
			break;
		case LEDGER_SYNTAX:		/* NaN, Infinity */
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s must be a finite number, not %s", what, s)));
			break;
		case LEDGER_OVERFLOW:
			loyalty_overflow_error(what);
	}
	elog(ERROR, "unexpected ledger status %d", status);
}

int64
loyalty_numeric_to_scaled(Numeric n, const char *what)
{
	char	   *s = DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(n)));
	int64		v;
	LedgerStatus st = ledger_parse_decimal(s, strlen(s), &v);

	if (st != LEDGER_OK)
		loyalty_decimal_error(st, s, what);
	pfree(s);
	return v;
}

Datum
loyalty_scaled_to_numeric(int64 v)
{
	char		buf[LEDGER_DEC_MAXLEN];

	ledger_format_decimal(v, buf);
	return DirectFunctionCall3(numeric_in, CStringGetDatum(buf),
							   ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
}

static void
check_events(LedgerEvent *ev, size_t n, const char *form, int sqlstate)
{
	size_t		at;
	const char *why = ledger_validate(ev, n, MIN_TIMESTAMP, END_TIMESTAMP - 1, &at);

	if (why)
		ereport(ERROR,
				(errcode(sqlstate),
				 errmsg("invalid %s for type points_ledger: %s", form, why),
				 errdetail("The problem is at event %zu of %zu.", at + 1, n),
				 errhint("Build ledgers with points_agg; its output is the only valid input.")));
}

PG_FUNCTION_INFO_V1(points_ledger_in);
Datum
points_ledger_in(PG_FUNCTION_ARGS)
{
	char	   *s = PG_GETARG_CSTRING(0);
	const char *p = s,
			   *end = s + strlen(s);
	LedgerFlat *f;
	size_t		cap = 16,
				n = 0;
	LedgerEvent *ev = palloc(cap * sizeof(LedgerEvent));

	while (p < end && isspace((unsigned char) *p))
		p++;
	while (end > p && isspace((unsigned char) end[-1]))
		end--;
	if (end - p < 2 || *p != '{' || end[-1] != '}')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type points_ledger: \"%s\"", s),
				 errhint("Write {} or {ts:amount@expiry,ts:amount,...} with times in microseconds since 2000-01-01 UTC, as points_ledger's output does.")));
	p++;
	end--;
	while (p < end)
	{
		const char *next;
		LedgerStatus st;

		/* a 1 GB text holds tens of millions of events */
		if ((n & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		if (n == cap)
		{
			if (cap >= LEDGER_MAX_EVENTS / 2)
				ereport(ERROR,
						(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
						 errmsg("points_ledger has too many events")));
			cap *= 2;
			ev = repalloc(ev, cap * sizeof(LedgerEvent));
		}
		st = ledger_event_parse(p, end, &next, &ev[n]);
		if (st != LEDGER_OK)
			ereport(ERROR,
					(errcode(st == LEDGER_OVERFLOW ? ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE
							 : ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("invalid input syntax for type points_ledger: \"%.*s\"",
							(int) (next - p), p),
					 errdetail(st == LEDGER_OVERFLOW ? "A number is out of range."
							   : st == LEDGER_PRECISION ? "Amounts have at most 4 decimal places."
							   : "An event is ts:amount@expiry (an earning, expiry a time or inf) or ts:amount (a redemption, amount negative)."),
					 errhint("Times are integers (microseconds since 2000-01-01 UTC); amounts are decimals.")));
		n++;
		p = next;
		if (p < end)
		{
			if (*p != ',' || p + 1 == end)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
						 errmsg("invalid input syntax for type points_ledger: \"%s\"", s),
						 errdetail("Events are separated by single commas.")));
			p++;
		}
	}
	check_events(ev, n, "input", ERRCODE_INVALID_TEXT_REPRESENTATION);
	f = palloc(LEDGER_HDRSZ + n * sizeof(LedgerEvent));
	SET_VARSIZE(f, LEDGER_HDRSZ + n * sizeof(LedgerEvent));
	f->version = LEDGER_VERSION;
	memcpy(f->ev, ev, n * sizeof(LedgerEvent));
	pfree(ev);
	PG_RETURN_POINTER(f);
}

PG_FUNCTION_INFO_V1(points_ledger_out);
Datum
points_ledger_out(PG_FUNCTION_ARGS)
{
	LedgerFlat *f = (LedgerFlat *) PG_DETOAST_DATUM(PG_GETARG_DATUM(0));
	size_t		n = LEDGER_NEVENTS(f);
	StringInfoData s;
	char		buf[LEDGER_EVENT_MAXLEN];

	initStringInfo(&s);
	appendStringInfoChar(&s, '{');
	for (size_t i = 0; i < n; i++)
	{
		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		ledger_event_format(&f->ev[i], buf);
		if (i)
			appendStringInfoChar(&s, ',');
		appendStringInfoString(&s, buf);
	}
	appendStringInfoChar(&s, '}');
	PG_RETURN_CSTRING(s.data);
}

PG_FUNCTION_INFO_V1(points_ledger_send);
Datum
points_ledger_send(PG_FUNCTION_ARGS)
{
	LedgerFlat *f = (LedgerFlat *) PG_DETOAST_DATUM(PG_GETARG_DATUM(0));
	size_t		n = LEDGER_NEVENTS(f);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendint32(&buf, LEDGER_VERSION);
	pq_sendint32(&buf, (uint32) n);
	for (size_t i = 0; i < n; i++)
	{
		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		pq_sendint64(&buf, f->ev[i].ts);
		pq_sendint64(&buf, f->ev[i].amount);
		pq_sendint64(&buf, f->ev[i].expiry);
	}
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(points_ledger_recv);
Datum
points_ledger_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	uint32		version,
				n;
	LedgerFlat *f;

	if (buf->len - buf->cursor < 8)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid binary points_ledger: truncated header")));
	version = pq_getmsgint(buf, 4);
	n = pq_getmsgint(buf, 4);
	if (version != LEDGER_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid binary points_ledger: unknown version %u", version),
				 errhint("This persona reads version %d.", LEDGER_VERSION)));
	if ((uint64) n * 24 != (uint64) (buf->len - buf->cursor))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid binary points_ledger: %u events need %llu bytes, %d given",
						n, (unsigned long long) n * 24, buf->len - buf->cursor)));
	f = palloc(LEDGER_HDRSZ + (Size) n * sizeof(LedgerEvent));
	SET_VARSIZE(f, LEDGER_HDRSZ + n * sizeof(LedgerEvent));
	f->version = LEDGER_VERSION;
	for (uint32 i = 0; i < n; i++)
	{
		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		f->ev[i].ts = pq_getmsgint64(buf);
		f->ev[i].amount = pq_getmsgint64(buf);
		f->ev[i].expiry = pq_getmsgint64(buf);
	}
	check_events(f->ev, n, "binary input", ERRCODE_INVALID_BINARY_REPRESENTATION);
	PG_RETURN_POINTER(f);
}
