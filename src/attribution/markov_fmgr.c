/*
 * markov_fmgr.c — markov_chain I/O, markov_agg, markov_attribution and
 * markov_transitions.
 */
#include "attribution/attribution_fmgr.h"

#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include <math.h>

/* ---- shared by the markov and shapley aggregates ---- */

/* The channel ids of a path, entered into `d`; NULL elements are errors. */
int32 *
at_path_ids(ArrayType *path, at_dict *d, const at_alloc *a, int *n)
{
	Datum	   *elems;
	bool	   *nulls;
	int32	   *ids;

	deconstruct_array(path, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, n);
	ids = palloc(sizeof(int32) * (*n + 1));
	for (int i = 0; i < *n; i++)
	{
		text	   *t;

		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("path elements must not be NULL"),
					 errdetail("Element %d of the path is NULL.", i + 1)));
		t = DatumGetTextPP(elems[i]);
		ids[i] = at_dict_id(d, a, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
	}
	return ids;
}

double
at_value_arg(FunctionCallInfo fcinfo, int arg)
{
	double		v;

	if (PG_ARGISNULL(arg))
		return 0;
	v = PG_GETARG_FLOAT8(arg);
	if (!isfinite(v))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("conversion value must be finite, not %g", v)));
	return v;
}

/* ---- type I/O ---- */

static Datum
state_in(FunctionCallInfo fcinfo, AtKind kind)
{
	char	   *input = PG_GETARG_CSTRING(0);
	bytea	   *b;

	if (input[0] != '\\' || input[1] != 'x')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type %s", atexp_typname(kind)),
				 errhint("The text form is \\x followed by the hex of the binary form.")));
	b = rb_hex_decode(input, atexp_typname(kind));
	atexp_parse(VARDATA(b), VARSIZE(b) - VARHDRSZ, kind, CurrentMemoryContext,
				ERRCODE_INVALID_TEXT_REPRESENTATION);
	PG_RETURN_BYTEA_P(b);
}

static Datum
state_recv(FunctionCallInfo fcinfo, AtKind kind)
{
	bytea	   *b = rb_recv_raw((StringInfo) PG_GETARG_POINTER(0));

	atexp_parse(VARDATA(b), VARSIZE(b) - VARHDRSZ, kind, CurrentMemoryContext,
				ERRCODE_INVALID_BINARY_REPRESENTATION);
	PG_RETURN_BYTEA_P(b);
}

PG_FUNCTION_INFO_V1(markov_chain_in);
Datum
markov_chain_in(PG_FUNCTION_ARGS)
{
	return state_in(fcinfo, AT_MARKOV);
}

PG_FUNCTION_INFO_V1(markov_chain_out);
Datum
markov_chain_out(PG_FUNCTION_ARGS)
{
	return DirectFunctionCall1(byteaout, PointerGetDatum(PG_GETARG_BYTEA_P(0)));
}

PG_FUNCTION_INFO_V1(markov_chain_recv);
Datum
markov_chain_recv(PG_FUNCTION_ARGS)
{
	return state_recv(fcinfo, AT_MARKOV);
}

PG_FUNCTION_INFO_V1(markov_chain_send);
Datum
markov_chain_send(PG_FUNCTION_ARGS)
{
	PG_RETURN_BYTEA_P(rb_send_raw(PG_GETARG_BYTEA_P(0)));
}

PG_FUNCTION_INFO_V1(channel_sets_in);
Datum
channel_sets_in(PG_FUNCTION_ARGS)
{
	return state_in(fcinfo, AT_SHAPLEY);
}

PG_FUNCTION_INFO_V1(channel_sets_out);
Datum
channel_sets_out(PG_FUNCTION_ARGS)
{
	return DirectFunctionCall1(byteaout, PointerGetDatum(PG_GETARG_BYTEA_P(0)));
}

PG_FUNCTION_INFO_V1(channel_sets_recv);
Datum
channel_sets_recv(PG_FUNCTION_ARGS)
{
	return state_recv(fcinfo, AT_SHAPLEY);
}

PG_FUNCTION_INFO_V1(channel_sets_send);
Datum
channel_sets_send(PG_FUNCTION_ARGS)
{
	PG_RETURN_BYTEA_P(rb_send_raw(PG_GETARG_BYTEA_P(0)));
}

/* ---- markov_agg ---- */

PG_FUNCTION_INFO_V1(markov_agg_trans);
Datum
markov_agg_trans(PG_FUNCTION_ARGS)
{
	MemoryContext aggctx;
	AtExp	   *e;
	mk_chain   *m;
	int			order = 1;
	int			n;
	int32	   *ids;

	aggctx = persona_agg_context(fcinfo, "markov_agg_trans");
	if (PG_NARGS() > 4)
	{
		if (PG_ARGISNULL(4))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("markov_agg: the order must not be NULL")));
		order = PG_GETARG_INT32(4);
		if (order < 1 || order > MK_MAX_ORDER)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("markov_agg: order must be between 1 and %d, not %d", MK_MAX_ORDER, order)));
	}
	if (PG_ARGISNULL(0))
	{
		e = atexp_new(AT_MARKOV, aggctx);
		e->obj = mk_new(&e->alloc, order);
	}
	else
		e = atexp_of(PG_GETARG_DATUM(0), AT_MARKOV, aggctx, true);
	m = e->obj;
	if (m->order != order)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("markov_agg: the order must be the same for every row of a group (%d, then %d)",
						m->order, order)));
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		PG_RETURN_DATUM(EOHPGetRWDatum(&e->hdr));
	ids = at_path_ids(PG_GETARG_ARRAYTYPE_P(1), &m->dict, &e->alloc, &n);
	mk_add_path(m, &e->alloc, ids, n, PG_GETARG_BOOL(2), at_value_arg(fcinfo, 3));
	PG_RETURN_DATUM(EOHPGetRWDatum(&e->hdr));
}

PG_FUNCTION_INFO_V1(markov_agg_combine);
Datum
markov_agg_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggctx;
	AtExp	   *a,
			   *b;

	aggctx = persona_combine_context(fcinfo, "markov_agg_combine");
	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	b = atexp_of(PG_GETARG_DATUM(1), AT_MARKOV, CurrentMemoryContext, false);
	if (PG_ARGISNULL(0))
	{
		a = atexp_new(AT_MARKOV, aggctx);
		a->obj = mk_new(&a->alloc, ((mk_chain *) b->obj)->order);
	}
	else
		a = atexp_of(PG_GETARG_DATUM(0), AT_MARKOV, aggctx, true);
	if (((mk_chain *) a->obj)->order != ((mk_chain *) b->obj)->order)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot combine Markov chains of order %d and %d",
						((mk_chain *) a->obj)->order, ((mk_chain *) b->obj)->order)));
	mk_merge(a->obj, b->obj, &a->alloc);
	PG_RETURN_DATUM(EOHPGetRWDatum(&a->hdr));
}

/* The flat state (an expanded one would be flattened by every consumer anyway). */
PG_FUNCTION_INFO_V1(at_state_final);
Datum
at_state_final(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	PG_RETURN_BYTEA_P(PG_DETOAST_DATUM_COPY(PG_GETARG_DATUM(0)));
}

/* ---- answers ---- */

PG_FUNCTION_INFO_V1(markov_attribution);
Datum
markov_attribution(PG_FUNCTION_ARGS)
{
	AtExp	   *e = atexp_of(PG_GETARG_DATUM(0), AT_MARKOV, CurrentMemoryContext, false);
	mk_chain   *m = e->obj;
	mk_result	res;
	const char *err = NULL;
	double		total = 0,
				value;
	TupleDesc	desc;
	Tuplestorestate *ts;

	mk_canonicalize(m, &e->alloc, at_check_interrupts);
	if (!mk_removal_effects(m, &e->alloc, &res, at_check_interrupts, &err))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("markov_attribution: %s", err),
				 errdetail("The chain has %zu transient states.", res.nstates)));
	for (int32 c = 0; c < m->dict.n; c++)
		total += res.re[c];
	value = at_sum_get(&m->value);
	ts = persona_srf_begin(fcinfo, &desc);
	for (int32 c = 0; c < m->dict.n; c++)
	{
		Datum		v[4];
		bool		nulls[4] = {false, false, false, false};
		double		share = total > 0 ? res.re[c] / total : 0;

		v[0] = PointerGetDatum(cstring_to_text_with_len(m->dict.names[c], m->dict.lens[c]));
		v[1] = Float8GetDatum(res.re[c]);
		v[2] = Float8GetDatum(share * (double) m->conv);
		v[3] = Float8GetDatum(share * value);
		tuplestore_putvalues(ts, desc, v, nulls);
	}
	if (m->conv_empty > 0)
	{
		Datum		v[4];
		bool		nulls[4] = {true, true, false, false};

		v[2] = Float8GetDatum((double) m->conv_empty);
		v[3] = Float8GetDatum(at_sum_get(&m->value_empty));
		tuplestore_putvalues(ts, desc, v, nulls);
	}
	return (Datum) 0;
}

PG_FUNCTION_INFO_V1(markov_transitions);
Datum
markov_transitions(PG_FUNCTION_ARGS)
{
	AtExp	   *e = atexp_of(PG_GETARG_DATUM(0), AT_MARKOV, CurrentMemoryContext, false);
	mk_chain   *m = e->obj;
	size_t		kl = 2 * (size_t) m->order;
	TupleDesc	desc;
	Tuplestorestate *ts;
	size_t		start = 0;

	mk_canonicalize(m, &e->alloc, at_check_interrupts);
	ts = persona_srf_begin(fcinfo, &desc);
	while (start < m->n)
	{
		size_t		end = start;
		int64		out = 0;
		char	   *from = mk_state_name(m, &m->keys[start * kl], &e->alloc);

		while (end < m->n && memcmp(&m->keys[end * kl], &m->keys[start * kl], m->order * sizeof(int32)) == 0)
			out += m->counts[end++];
		for (size_t i = start; i < end; i++)
		{
			Datum		v[4];
			bool		nulls[4] = {false, false, false, false};
			char	   *to;

			if ((i & 0xFFFF) == 0)
				CHECK_FOR_INTERRUPTS();
			to = mk_state_name(m, &m->keys[i * kl + m->order], &e->alloc);
			v[0] = CStringGetTextDatum(from);
			v[1] = CStringGetTextDatum(to);
			v[2] = Int64GetDatum(m->counts[i]);
			v[3] = Float8GetDatum((double) m->counts[i] / (double) out);
			tuplestore_putvalues(ts, desc, v, nulls);
			pfree(to);
		}
		pfree(from);
		start = end;
	}
	return (Datum) 0;
}
