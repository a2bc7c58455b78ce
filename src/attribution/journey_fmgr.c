/*
 * journey_fmgr.c — the journey type, journey_agg, attribute and journey_paths.
 *
 * journey_agg's state is a plain append buffer (rows and an arena of
 * channel bytes): per-user groups are small and many, so names are only
 * deduplicated and the events sorted once, when the journey is built.
 */
#include "attribution/attribution_fmgr.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include <math.h>

typedef struct JRow
{
	int64		ts;
	double		value;
	uint32		off;
	int32		len;			/* -1: a conversion */
} JRow;

typedef struct JState
{
	JRow	   *rows;
	size_t		n;
	size_t		cap;
	char	   *arena;
	size_t		alen;
	size_t		acap;
} JState;

static const at_alloc *
cur_alloc(MemoryContext cxt)
{
	static at_alloc a;

	a = at_pg_alloc(cxt);
	return &a;
}

static void
jstate_add(JState *st, MemoryContext cxt, int64 ts, const char *ch, int32 len, double value)
{
	const at_alloc *a = cur_alloc(cxt);
	JRow	   *r;

	st->rows = at_grow(a, st->rows, &st->cap, st->n + 1, sizeof(JRow));
	r = &st->rows[st->n++];
	r->ts = ts;
	r->value = value;
	r->len = len;
	r->off = 0;
	if (len > 0)
	{
		if (st->alen + len > UINT32_MAX)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("journey_agg: a journey's channel names exceed 4 GB")));
		st->arena = at_grow(a, st->arena, &st->acap, st->alen + len, 1);
		memcpy(st->arena + st->alen, ch, len);
		r->off = (uint32) st->alen;
		st->alen += len;
	}
}

/* Sort once, name the channels in byte order, and write the journey bytes. */
static bytea *
jstate_build(JState *st)
{
	const at_alloc *a = cur_alloc(CurrentMemoryContext);
	at_dict		d,
				sorted;
	at_event   *ev = palloc(sizeof(at_event) * (st->n + 1));
	at_event   *scratch = palloc(sizeof(at_event) * (st->n + 1));
	int32	   *rank,
			   *order;
	at_writer	w = {NULL, 0};
	bytea	   *out;

	at_dict_init(&d, a);
	for (size_t i = 0; i < st->n; i++)
	{
		JRow	   *r = &st->rows[i];

		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		ev[i].ts = r->ts;
		ev[i].value = r->len < 0 ? r->value : 0;
		ev[i].ch = r->len < 0 ? AT_CONV : at_dict_id(&d, a, st->arena + r->off, r->len);
	}
	rank = palloc(sizeof(int32) * (d.n + 1));
	order = palloc(sizeof(int32) * (d.n + 1));
	at_dict_ranks(&d, a, rank, order);
	for (size_t i = 0; i < st->n; i++)
		if (ev[i].ch != AT_CONV)
			ev[i].ch = rank[ev[i].ch];
	at_dict_init(&sorted, a);
	for (int32 k = 0; k < d.n; k++)
		at_dict_id(&sorted, a, d.names[order[k]], d.lens[order[k]]);
	at_sort_events(ev, st->n, NULL, scratch, at_check_interrupts);
	at_journey_write(&w, &sorted, ev, st->n);
	if (w.len > MaxAllocSize - VARHDRSZ)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("journey_agg: the journey would take %zu bytes, more than 1 GB", w.len)));
	out = palloc(VARHDRSZ + w.len);
	SET_VARSIZE(out, VARHDRSZ + w.len);
	w.p = (uint8_t *) VARDATA(out);
	w.len = 0;
	at_journey_write(&w, &sorted, ev, st->n);
	return out;
}

/* A journey's contents (ids in name order); errors with `sqlstate` when invalid. */
typedef struct Journey
{
	at_dict		d;
	at_event   *ev;
	size_t		n;
} Journey;

static void
journey_read(const char *data, size_t len, Journey *j, int sqlstate)
{
	at_reader	r = {(const uint8_t *) data, (const uint8_t *) data + len, NULL, at_check_interrupts};
	const at_alloc *a = cur_alloc(CurrentMemoryContext);

	at_dict_init(&j->d, a);
	if (!at_journey_read(&r, &j->d, a, &j->ev, &j->n))
		at_bad_state("journey", r.error, sqlstate);
}

static void
journey_of(Datum d, Journey *j)
{
	bytea	   *b = DatumGetByteaPP(d);

	journey_read(VARDATA_ANY(b), VARSIZE_ANY_EXHDR(b), j, ERRCODE_DATA_CORRUPTED);
}

/* ---- type I/O ---- */

PG_FUNCTION_INFO_V1(journey_in);
Datum
journey_in(PG_FUNCTION_ARGS)
{
	char	   *input = PG_GETARG_CSTRING(0);
	bytea	   *b;
	Journey		j;

	if (input[0] != '\\' || input[1] != 'x')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type journey"),
				 errhint("The text form is \\x followed by the hex of the binary form; build journeys with journey_agg.")));
	b = rb_hex_decode(input, "journey");
	journey_read(VARDATA(b), VARSIZE(b) - VARHDRSZ, &j, ERRCODE_INVALID_TEXT_REPRESENTATION);
	at_check_names(&j.d, "journey", ERRCODE_INVALID_TEXT_REPRESENTATION);
	PG_RETURN_BYTEA_P(b);
}

PG_FUNCTION_INFO_V1(journey_out);
Datum
journey_out(PG_FUNCTION_ARGS)
{
	return DirectFunctionCall1(byteaout, PointerGetDatum(PG_GETARG_BYTEA_P(0)));
}

PG_FUNCTION_INFO_V1(journey_recv);
Datum
journey_recv(PG_FUNCTION_ARGS)
{
	bytea	   *b = rb_recv_raw((StringInfo) PG_GETARG_POINTER(0));
	Journey		j;

	journey_read(VARDATA(b), VARSIZE(b) - VARHDRSZ, &j, ERRCODE_INVALID_BINARY_REPRESENTATION);
	at_check_names(&j.d, "journey", ERRCODE_INVALID_BINARY_REPRESENTATION);
	PG_RETURN_BYTEA_P(b);
}

PG_FUNCTION_INFO_V1(journey_send);
Datum
journey_send(PG_FUNCTION_ARGS)
{
	PG_RETURN_BYTEA_P(rb_send_raw(PG_GETARG_BYTEA_P(0)));
}

/* ---- journey_agg ---- */

static double
finite_value(FunctionCallInfo fcinfo, int arg)
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

PG_FUNCTION_INFO_V1(journey_agg_trans);
Datum
journey_agg_trans(PG_FUNCTION_ARGS)
{
	MemoryContext aggctx;
	JState	   *st;

	aggctx = persona_agg_context(fcinfo, "journey_agg_trans");
	st = PG_ARGISNULL(0) ? MemoryContextAllocZero(aggctx, sizeof(JState)) : (JState *) PG_GETARG_POINTER(0);
	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(st);
	if (!PG_ARGISNULL(3) && PG_GETARG_BOOL(3))
		jstate_add(st, aggctx, PG_GETARG_TIMESTAMPTZ(1), NULL, -1, finite_value(fcinfo, 4));
	else if (!PG_ARGISNULL(2))
	{
		text	   *ch = PG_GETARG_TEXT_PP(2);

		jstate_add(st, aggctx, PG_GETARG_TIMESTAMPTZ(1), VARDATA_ANY(ch), VARSIZE_ANY_EXHDR(ch), 0);
	}
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(journey_agg_final);
Datum
journey_agg_final(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	PG_RETURN_BYTEA_P(jstate_build((JState *) PG_GETARG_POINTER(0)));
}

PG_FUNCTION_INFO_V1(journey_agg_serial);
Datum
journey_agg_serial(PG_FUNCTION_ARGS)
{
	PG_RETURN_BYTEA_P(jstate_build((JState *) PG_GETARG_POINTER(0)));
}

static void
jstate_add_journey(JState *st, MemoryContext cxt, const Journey *j)
{
	for (size_t i = 0; i < j->n; i++)
	{
		const at_event *e = &j->ev[i];

		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		if (e->ch == AT_CONV)
			jstate_add(st, cxt, e->ts, NULL, -1, e->value);
		else
			jstate_add(st, cxt, e->ts, j->d.names[e->ch], (int32) j->d.lens[e->ch], 0);
	}
}

PG_FUNCTION_INFO_V1(journey_agg_deserial);
Datum
journey_agg_deserial(PG_FUNCTION_ARGS)
{
	bytea	   *b = PG_GETARG_BYTEA_PP(0);
	Journey		j;
	JState	   *st = palloc0(sizeof(JState));

	journey_read(VARDATA_ANY(b), VARSIZE_ANY_EXHDR(b), &j, ERRCODE_DATA_CORRUPTED);
	jstate_add_journey(st, CurrentMemoryContext, &j);
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(journey_agg_combine);
Datum
journey_agg_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggctx;
	JState	   *a,
			   *b;

	aggctx = persona_combine_context(fcinfo, "journey_agg_combine");
	if (PG_ARGISNULL(1))
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	b = (JState *) PG_GETARG_POINTER(1);
	a = PG_ARGISNULL(0) ? MemoryContextAllocZero(aggctx, sizeof(JState)) : (JState *) PG_GETARG_POINTER(0);
	for (size_t i = 0; i < b->n; i++)
	{
		JRow	   *r = &b->rows[i];

		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		jstate_add(a, aggctx, r->ts, b->arena ? b->arena + r->off : NULL, r->len, r->value);
	}
	PG_RETURN_POINTER(a);
}

/* ---- attribute ---- */

static Jsonb *
options_arg(FunctionCallInfo fcinfo, int arg)
{
	if (PG_ARGISNULL(arg))
		return DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum("{}")));
	return PG_GETARG_JSONB_P(arg);
}

/* Rows (channel, conversions, value) of credits: channels in byte order, then NULL. */
static void
put_credits(Tuplestorestate *ts, TupleDesc desc, const at_dict *d, const int32 *order,
			const at_sum *conv, const at_sum *val)
{
	for (int32 k = 0; k <= d->n; k++)
	{
		int32		id = k < d->n ? (order ? order[k] : k) : d->n;
		Datum		v[3];
		bool		nulls[3] = {false, false, false};

		if (!(at_sum_get(&conv[id]) > 0))
			continue;
		if (id < d->n)
			v[0] = PointerGetDatum(cstring_to_text_with_len(d->names[id], d->lens[id]));
		else
			nulls[0] = true;
		v[1] = Float8GetDatum(at_sum_get(&conv[id]));
		v[2] = Float8GetDatum(at_sum_get(&val[id]));
		tuplestore_putvalues(ts, desc, v, nulls);
	}
}

/*
 * attribute() runs once per journey with the same model and options: the
 * parsed model is kept in fn_extra, keyed by the arguments' bytes.
 */
typedef struct ModelCache
{
	struct varlena *model;
	struct varlena *options;
	AtModel		am;
} ModelCache;

static const AtModel *
cached_model(FunctionCallInfo fcinfo, text *model, Jsonb *options)
{
	ModelCache *c = (ModelCache *) fcinfo->flinfo->fn_extra;
	MemoryContext old;

	if (c && VARSIZE_ANY(c->model) == VARSIZE_ANY(model) &&
		memcmp(c->model, model, VARSIZE_ANY(model)) == 0 &&
		VARSIZE_ANY(c->options) == VARSIZE_ANY(options) &&
		memcmp(c->options, options, VARSIZE_ANY(options)) == 0)
		return &c->am;
	old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
	c = palloc0(sizeof(ModelCache));
	at_parse_model(text_to_cstring(model), options, &c->am);
	c->model = palloc(VARSIZE_ANY(model));
	memcpy(c->model, model, VARSIZE_ANY(model));
	c->options = palloc(VARSIZE_ANY(options));
	memcpy(c->options, options, VARSIZE_ANY(options));
	MemoryContextSwitchTo(old);
	fcinfo->flinfo->fn_extra = c;
	return &c->am;
}

PG_FUNCTION_INFO_V1(attribute);
Datum
attribute(PG_FUNCTION_ARGS)
{
	Journey		j;
	AtModel		am;
	TupleDesc	desc;
	Tuplestorestate *ts;
	at_sum	   *conv,
			   *val;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_NULL();
	am = *cached_model(fcinfo, PG_GETARG_TEXT_PP(1), options_arg(fcinfo, 2));
	journey_of(PG_GETARG_DATUM(0), &j);
	am.m.direct = at_direct_flags(&am, j.d.names, j.d.lens, j.d.n);
	conv = palloc0(sizeof(at_sum) * (j.d.n + 1));
	val = palloc0(sizeof(at_sum) * (j.d.n + 1));
	at_attribute(&am.m, j.ev, j.n, j.d.n, conv, val,
				 palloc(sizeof(int32) * (j.n + 1)), palloc(sizeof(int64) * (j.n + 1)),
				 palloc(sizeof(double) * (j.n + 1)));
	ts = persona_srf_begin(fcinfo, &desc);
	put_credits(ts, desc, &j.d, NULL, conv, val);
	return (Datum) 0;
}

PG_FUNCTION_INFO_V1(journey_paths);
Datum
journey_paths(PG_FUNCTION_ARGS)
{
	Journey		j;
	TupleDesc	desc;
	Tuplestorestate *ts;
	int64		lookback;
	bool		collapse;
	at_path_iter it;
	at_path		p;
	Datum	   *names;
	Datum	   *elems;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	at_parse_path_options(options_arg(fcinfo, 1), &lookback, &collapse);
	journey_of(PG_GETARG_DATUM(0), &j);
	ts = persona_srf_begin(fcinfo, &desc);
	names = palloc(sizeof(Datum) * (j.d.n + 1));
	for (int32 i = 0; i < j.d.n; i++)
		names[i] = PointerGetDatum(cstring_to_text_with_len(j.d.names[i], j.d.lens[i]));
	elems = palloc(sizeof(Datum) * (j.n + 1));
	at_path_iter_init(&it, j.ev, j.n, lookback, collapse,
					  palloc(sizeof(int32) * (j.n + 1)), palloc(sizeof(int64) * (j.n + 1)));
	while (at_next_path(&it, &p))
	{
		Datum		v[3];
		bool		nulls[3] = {false, false, false};

		CHECK_FOR_INTERRUPTS();
		for (size_t i = 0; i < p.n; i++)
			elems[i] = names[p.ch[i]];
		v[0] = PointerGetDatum(construct_array(elems, (int) p.n, TEXTOID, -1, false, TYPALIGN_INT));
		v[1] = BoolGetDatum(p.converted);
		v[2] = Float8GetDatum(p.value);
		tuplestore_putvalues(ts, desc, v, nulls);
	}
	return (Datum) 0;
}
