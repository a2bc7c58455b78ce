/*
 * shapley_fmgr.c — shapley_agg and shapley_attribution (the channel_sets type
 * I/O is beside markov_chain's, in markov_fmgr.c).
 */
#include "attribution/attribution_fmgr.h"

#include "utils/array.h"
#include "utils/builtins.h"

PG_FUNCTION_INFO_V1(shapley_agg_trans);
Datum
shapley_agg_trans(PG_FUNCTION_ARGS)
{
	MemoryContext aggctx;
	AtExp	   *e;
	sh_sets    *s;
	int			n;
	int32	   *ids;

	aggctx = persona_agg_context(fcinfo, "shapley_agg_trans");
	if (PG_ARGISNULL(0))
	{
		e = atexp_new(AT_SHAPLEY, aggctx);
		e->obj = sh_new(&e->alloc);
	}
	else
		e = atexp_of(PG_GETARG_DATUM(0), AT_SHAPLEY, aggctx, true);
	s = e->obj;
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		PG_RETURN_DATUM(EOHPGetRWDatum(&e->hdr));
	ids = at_path_ids(PG_GETARG_ARRAYTYPE_P(1), &s->dict, &e->alloc, &n);
	sh_add_path(s, &e->alloc, ids, n, PG_GETARG_BOOL(2), at_value_arg(fcinfo, 3),
				palloc(sizeof(int32) * (n + 1)));
	PG_RETURN_DATUM(EOHPGetRWDatum(&e->hdr));
}

PG_FUNCTION_INFO_V1(shapley_agg_combine);
Datum
shapley_agg_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggctx;
	AtExp	   *a,
			   *b;

	aggctx = persona_combine_context(fcinfo, "shapley_agg_combine");
	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	b = atexp_of(PG_GETARG_DATUM(1), AT_SHAPLEY, CurrentMemoryContext, false);
	if (PG_ARGISNULL(0))
	{
		a = atexp_new(AT_SHAPLEY, aggctx);
		a->obj = sh_new(&a->alloc);
	}
	else
		a = atexp_of(PG_GETARG_DATUM(0), AT_SHAPLEY, aggctx, true);
	sh_merge(a->obj, b->obj, &a->alloc);
	PG_RETURN_DATUM(EOHPGetRWDatum(&a->hdr));
}

PG_FUNCTION_INFO_V1(shapley_attribution);
Datum
shapley_attribution(PG_FUNCTION_ARGS)
{
	AtExp	   *e = atexp_of(PG_GETARG_DATUM(0), AT_SHAPLEY, CurrentMemoryContext, false);
	sh_sets    *s = e->obj;
	double	   *conv,
			   *val;
	size_t		bad = 0;
	TupleDesc	desc;
	Tuplestorestate *ts;

	sh_canonicalize(s, &e->alloc);
	conv = palloc0(sizeof(double) * (s->dict.n + 1));
	val = palloc0(sizeof(double) * (s->dict.n + 1));
	if (!sh_attribute(s, &e->alloc, conv, val, at_check_interrupts, &bad))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("shapley_attribution: a converting channel set has %zu channels; at most %d are supported",
						bad, SH_MAX_PLAYERS),
				 errhint("Exact Shapley values take 2^n evaluations; group rare channels together before aggregating.")));
	ts = persona_srf_begin(fcinfo, &desc);
	for (int32 c = 0; c <= s->dict.n; c++)
	{
		Datum		v[3];
		bool		nulls[3] = {false, false, false};

		if (!(conv[c] > 0))
			continue;
		if (c < s->dict.n)
			v[0] = PointerGetDatum(cstring_to_text_with_len(s->dict.names[c], s->dict.lens[c]));
		else
			nulls[0] = true;
		v[1] = Float8GetDatum(conv[c]);
		v[2] = Float8GetDatum(val[c]);
		tuplestore_putvalues(ts, desc, v, nulls);
	}
	return (Datum) 0;
}
