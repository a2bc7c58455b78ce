/*
 * counts_fmgr.c — funnel_counts_agg (a concrete state type, the counts of
 * levels) and retention (one user's bigint state).  The one-pass aggregates
 * that group by user themselves are in onepass_fmgr.c.
 */
#include "funnel/funnel_fmgr.h"

#include "catalog/pg_type.h"
#include "lib/stringinfo.h"
#include "libpq/pqformat.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

/* ---- funnel_counts_state: a concrete type, varlena {steps, counts[steps]} ---- */

typedef struct FunnelCounts
{
	int32		vl_len_;
	int32		steps;
	int64		counts[FLEXIBLE_ARRAY_MEMBER];
} FunnelCounts;

#define FC_SIZE(steps) (offsetof(FunnelCounts, counts) + sizeof(int64) * (steps))

static FunnelCounts *
fc_new(MemoryContext cxt, int steps)
{
	FunnelCounts *fc = MemoryContextAllocZero(cxt, FC_SIZE(steps));

	SET_VARSIZE(fc, FC_SIZE(steps));
	fc->steps = steps;
	return fc;
}

static void
fc_check_steps(int64 steps)
{
	if (steps < 1 || steps > EV_MAX_CONDS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("funnel steps must be between 1 and %d, not %lld", EV_MAX_CONDS, (long long) steps)));
}

/* counts must be non-negative and non-increasing: level >= i+1 implies level >= i */
static void
fc_validate(const FunnelCounts *fc)
{
	int			i;

	fc_check_steps(fc->steps);
	for (i = 0; i < fc->steps; i++)
		if (fc->counts[i] < 0 || (i > 0 && fc->counts[i] > fc->counts[i - 1]))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("invalid funnel_counts_state: counts must be non-negative and non-increasing")));
}

PG_FUNCTION_INFO_V1(funnel_counts_state_in);
Datum
funnel_counts_state_in(PG_FUNCTION_ARGS)
{
	char	   *s = PG_GETARG_CSTRING(0);
	char	   *p = s;
	char	   *end;
	long		steps;
	int64		counts[EV_MAX_CONDS];
	int			n = 0;
	FunnelCounts *fc;

#define FC_BAD() ereport(ERROR, \
		(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION), \
		 errmsg("invalid input syntax for type funnel_counts_state: \"%s\"", s), \
		 errhint("The form is steps:{count1,...,countN}, as 3:{10,6,2}.")))

	errno = 0;
	steps = strtol(p, &end, 10);
	if (end == p || errno != 0 || *end != ':' || steps < 1 || steps > EV_MAX_CONDS || !isdigit((unsigned char) *p))
		FC_BAD();
	p = end + 1;
	if (*p++ != '{')
		FC_BAD();
	for (;;)
	{
		long long	v;

		if (!isdigit((unsigned char) *p) || n == steps)
			FC_BAD();
		errno = 0;
		v = strtoll(p, &end, 10);
		if (errno != 0)
			FC_BAD();
		counts[n++] = v;
		p = end;
		if (*p == ',')
		{
			p++;
			continue;
		}
		if (*p == '}')
			break;
		FC_BAD();
	}
	if (p[1] != '\0' || n != steps)
		FC_BAD();
	fc = fc_new(CurrentMemoryContext, (int) steps);
	memcpy(fc->counts, counts, sizeof(int64) * n);
	fc_validate(fc);
	PG_RETURN_POINTER(fc);
}

PG_FUNCTION_INFO_V1(funnel_counts_state_out);
Datum
funnel_counts_state_out(PG_FUNCTION_ARGS)
{
	FunnelCounts *fc = (FunnelCounts *) PG_DETOAST_DATUM(PG_GETARG_DATUM(0));
	StringInfoData s;
	int			i;

	initStringInfo(&s);
	appendStringInfo(&s, "%d:{", fc->steps);
	for (i = 0; i < fc->steps; i++)
		appendStringInfo(&s, "%s" INT64_FORMAT, i ? "," : "", fc->counts[i]);
	appendStringInfoChar(&s, '}');
	PG_RETURN_CSTRING(s.data);
}

PG_FUNCTION_INFO_V1(funnel_counts_state_send);
Datum
funnel_counts_state_send(PG_FUNCTION_ARGS)
{
	FunnelCounts *fc = (FunnelCounts *) PG_DETOAST_DATUM(PG_GETARG_DATUM(0));
	StringInfoData buf;
	int			i;

	pq_begintypsend(&buf);
	pq_sendint32(&buf, fc->steps);
	for (i = 0; i < fc->steps; i++)
		pq_sendint64(&buf, fc->counts[i]);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(funnel_counts_state_recv);
Datum
funnel_counts_state_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int			steps;
	FunnelCounts *fc;
	int			i;

	if (buf->len - buf->cursor < 4)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("truncated funnel_counts_state")));
	steps = pq_getmsgint(buf, 4);
	if (steps < 1 || steps > EV_MAX_CONDS || buf->len - buf->cursor != 8 * steps)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid funnel_counts_state: %d steps and %d bytes of counts", steps, buf->len - buf->cursor)));
	fc = fc_new(CurrentMemoryContext, steps);
	for (i = 0; i < steps; i++)
		fc->counts[i] = pq_getmsgint64(buf);
	fc_validate(fc);
	PG_RETURN_POINTER(fc);
}

/* (funnel_counts_state, level int, steps int) */
PG_FUNCTION_INFO_V1(funnel_counts_trans);
Datum
funnel_counts_trans(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = persona_agg_context(fcinfo, "funnel_counts_trans");
	FunnelCounts *fc = PG_ARGISNULL(0) ? NULL : (FunnelCounts *) PG_GETARG_POINTER(0);
	int32		level,
				steps,
				i;

	if (PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("funnel steps must not be NULL")));
	steps = PG_GETARG_INT32(2);
	if (fc == NULL)
	{
		fc_check_steps(steps);
		fc = fc_new(cxt, steps);
	}
	else if (steps != fc->steps)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("funnel_counts_agg: steps must be the same on every row (%d, then %d)", fc->steps, steps)));
	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(fc);
	level = PG_GETARG_INT32(1);
	if (level < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("funnel level must not be negative: %d", level)));
	/* the state lives in the aggregate context: counted in place */
	for (i = 0; i < level && i < steps; i++)
		fc->counts[i]++;
	PG_RETURN_POINTER(fc);
}

PG_FUNCTION_INFO_V1(funnel_counts_combine);
Datum
funnel_counts_combine(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = persona_combine_context(fcinfo, "funnel_counts_combine");
	FunnelCounts *a = (FunnelCounts *) PG_DETOAST_DATUM(PG_GETARG_DATUM(0));
	FunnelCounts *b = (FunnelCounts *) PG_DETOAST_DATUM(PG_GETARG_DATUM(1));
	FunnelCounts *r;
	int			i;

	if (a->steps != b->steps)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("funnel_counts_agg: cannot combine states of %d and %d steps", a->steps, b->steps)));
	/* the first argument is ours to change only when it is in the aggregate context */
	if (GetMemoryChunkContext(a) == cxt && (Pointer) a == DatumGetPointer(PG_GETARG_DATUM(0)))
		r = a;
	else
	{
		r = fc_new(cxt, a->steps);
		memcpy(r->counts, a->counts, sizeof(int64) * a->steps);
	}
	for (i = 0; i < r->steps; i++)
		r->counts[i] += b->counts[i];
	PG_RETURN_POINTER(r);
}

PG_FUNCTION_INFO_V1(funnel_counts_final);
Datum
funnel_counts_final(PG_FUNCTION_ARGS)
{
	FunnelCounts *fc;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	fc = (FunnelCounts *) PG_DETOAST_DATUM(PG_GETARG_DATUM(0));
	PG_RETURN_ARRAYTYPE_P(ev_int8_array(fc->counts, fc->steps));
}

/* ---- retention: the state is a bigint, conditions << 32 | OR of masks ---- */

static int
retention_row(FunctionCallInfo fcinfo, int argno, uint32 *mask)
{
	int			nconds;

	if (!ev_read_conds(fcinfo, argno, &nconds, mask))
		return 0;
	return nconds;
}

static ArrayType *
retention_array(uint32 mask, int nconds)
{
	Datum		d[EV_MAX_CONDS];
	int			i;
	bool		first = mask & 1;

	for (i = 0; i < nconds; i++)
		d[i] = Int32GetDatum(first && (mask >> i & 1) ? 1 : 0);
	return construct_array(d, nconds, INT4OID, sizeof(int32), true, TYPALIGN_INT);
}

PG_FUNCTION_INFO_V1(retention_trans);
Datum
retention_trans(PG_FUNCTION_ARGS)
{
	int64		st = PG_GETARG_INT64(0);
	uint32		mask;
	int			nconds = retention_row(fcinfo, 1, &mask);
	int			had = (int) (st >> 32);

	if (nconds == 0)
		PG_RETURN_INT64(st);
	if (had != 0 && had != nconds)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("retention: every row must pass the same number of conditions (%d, then %d)", had, nconds)));
	PG_RETURN_INT64(((int64) nconds << 32) | (uint32) st | mask);
}

PG_FUNCTION_INFO_V1(retention_combine);
Datum
retention_combine(PG_FUNCTION_ARGS)
{
	int64		a = PG_GETARG_INT64(0),
				b = PG_GETARG_INT64(1);

	if ((a >> 32) != 0 && (b >> 32) != 0 && (a >> 32) != (b >> 32))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("retention: cannot combine states of %d and %d conditions", (int) (a >> 32), (int) (b >> 32))));
	PG_RETURN_INT64(a | b);
}

PG_FUNCTION_INFO_V1(retention_final);
Datum
retention_final(PG_FUNCTION_ARGS)
{
	int64		st = PG_GETARG_INT64(0);

	if ((st >> 32) == 0)
		PG_RETURN_NULL();
	PG_RETURN_ARRAYTYPE_P(retention_array((uint32) st, (int) (st >> 32)));
}
