/*
 * attribution_agg_fmgr.c — credits of a rule-based model summed over all users,
 * in one aggregate that groups by user itself.
 *
 * The state is internal: the events in one array (user, time, channel id
 * or conversion value index; 24 bytes a touch, 32 a conversion) and one
 * channel dictionary.  At the end the events are grouped by user (a radix
 * sort, skipped when they came in user order with few breaks: then runs of
 * one user are sorted instead), users are taken in id order
 * and each journey is sorted and credited by the plain-C core, so the sums
 * depend only on the rows (not on their order, nor on the plan).
 *
 * Parallel plans: a worker's state is written once, each user's events
 * contiguous, runs in id order; the leader's combine only keeps those
 * bytes ("parts"), and the final function reads every part in place next
 * to its own events, so the leader never re-inserts the workers' events.
 */
#include "attribution/attribution_fmgr.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "nodes/primnodes.h"
#include "nodes/pg_list.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/typcache.h"
#include "utils/timestamp.h"

#include <math.h>

AState *
astate_new(MemoryContext cxt, text *model, Jsonb *options)
{
	AState	   *st = MemoryContextAllocZero(cxt, sizeof(AState));
	MemoryContext old = MemoryContextSwitchTo(cxt);
	AtModel		am;

	/* validate now, so a bad model fails on the first row */
	at_parse_model(text_to_cstring(model), options, &am);
	st->cxt = cxt;
	st->alloc = at_pg_alloc(cxt);
	st->last_ch = -1;
	at_dict_init(&st->dict, &st->alloc);
	st->model = (text *) PG_DETOAST_DATUM_COPY(PointerGetDatum(model));
	st->options = (Jsonb *) PG_DETOAST_DATUM_COPY(PointerGetDatum(options));
	MemoryContextSwitchTo(old);
	return st;
}

static bool
same_varlena(const struct varlena *a, const struct varlena *b)
{
	return VARSIZE_ANY_EXHDR(a) == VARSIZE_ANY_EXHDR(b) &&
		memcmp(VARDATA_ANY(a), VARDATA_ANY(b), VARSIZE_ANY_EXHDR(a)) == 0;
}

void
same_model(AState *st, text *model, Jsonb *options)
{
	if (!same_varlena((struct varlena *) st->model, (struct varlena *) model) ||
		!same_varlena((struct varlena *) st->options, (struct varlena *) options))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("attribution_agg: the model and options must be the same for every row of a group")));
}

/* Room for one more element in a growing array of the state (doubling). */
static void *
aa_grow(AState *st, void *p, size_t *cap, size_t size)
{
	size_t		ncap = *cap ? *cap * 2 : 1024;

	if (ncap > MaxAllocHugeSize / size)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("attribution_agg: too many events in one group"),
				 errhint("Group by a coarser key first, or use journey_agg per user with attribute.")));
	p = p ? repalloc_huge(p, ncap * size) : MemoryContextAllocHuge(st->cxt, ncap * size);
	*cap = ncap;
	return p;
}

/*
 * Appends an event.  There is no per-user structure while rows come in:
 * users are grouped at the end by sorting the events by user, which is
 * skipped when they arrived in user order (a table loaded or clustered
 * per user, each parallel worker's share of it).
 */
void
add_event(AState *st, int64 user, int64 ts, int32 ch, double value)
{
	AEv		   *e;

	if (st->nev >= UINT32_MAX - 1)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("attribution_agg: more than 4 billion events in one group"),
				 errhint("Group by a coarser key first, or use journey_agg per user with attribute.")));
	if (st->nev == st->evcap)
		st->ev = aa_grow(st, st->ev, &st->evcap, sizeof(AEv));
	if (ch < 0)
	{
		if (st->nval >= INT32_MAX)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("attribution_agg: more than 2 billion conversions in one group")));
		if (st->nval == st->valcap)
			st->vals = aa_grow(st, st->vals, &st->valcap, sizeof(double));
		st->vals[st->nval] = value;
		ch = -1 - (int32) st->nval++;
	}
	if (st->nev > 0 && user < st->ev[st->nev - 1].user)
		st->descents++;
	e = &st->ev[st->nev++];
	e->user = user;
	e->ts = ts;
	e->ch = ch;
}

static void
cancel_check(void)
{
	CHECK_FOR_INTERRUPTS();
}

/*
 * Readers take the events as runs of one user, and the final function sorts
 * the runs by user, so rows that came in user order with a few breaks (a
 * synchronized scan that started mid-table and wrapped around, a worker
 * given several stretches of the table) need no sort here: only many breaks
 * (rows in time order) are worth sorting, so that each user is one run read
 * from one place.
 */
void
sort_events(AState *st)
{
	if (st->descents > 64 && st->descents > st->nev / 256)
	{
		at_alloc	tmp = at_pg_alloc(CurrentMemoryContext);

		ug_sort_by_user(st->ev, st->nev, sizeof(AEv), &tmp, cancel_check);
		st->descents = 0;
	}
}

static void
corrupt(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("attribution_agg: invalid partial state")));
}

/* A copy of a varlena found in a part's bytes, checked. */
static struct varlena *
part_varlena(const uint8_t *b, uint32 len)
{
	struct varlena *v = palloc(len);

	memcpy(v, b, len);
	if (VARSIZE_ANY(v) != len)
		corrupt();
	return v;
}

/*
 * Keeps a serialized state in `a` (NULL: a new state in cxt, with the
 * part's model): checks the model, copies the bytes into cxt.
 */
AState *
add_part(AState *a, MemoryContext cxt, const bytea *flat)
{
	byte_reader r;
	const uint8_t *mb,
			   *ob;
	uint32		mlen,
				olen;
	text	   *model;
	Jsonb	   *options;
	bytea	   *copy;

	br_init(&r, VARDATA(flat), VARSIZE(flat) - VARHDRSZ);
	if (!ug_part_head(&r, &mb, &mlen, &ob, &olen))
		corrupt();
	model = (text *) part_varlena(mb, mlen);
	options = (Jsonb *) part_varlena(ob, olen);
	if (a == NULL)
		a = astate_new(cxt, model, options);
	else
		same_model(a, model, options);
	if (a->nparts == a->partcap)
	{
		int			ncap = a->partcap ? a->partcap * 2 : 4;
		bytea	  **n = MemoryContextAlloc(a->cxt, sizeof(bytea *) * ncap);

		if (a->parts)
			memcpy(n, a->parts, sizeof(bytea *) * a->nparts);
		a->parts = n;
		a->partcap = ncap;
	}
	copy = MemoryContextAlloc(a->cxt, VARSIZE(flat));
	memcpy(copy, flat, VARSIZE(flat));
	a->parts[a->nparts++] = copy;
	return a;
}

static Jsonb *
empty_options(void)
{
	return DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum("{}")));
}

/*
 * Id of a touch's channel.  Consecutive rows of a user mostly share its
 * main channel, so the previous row's name is compared (length, then
 * bytes) before hashing.
 */
static inline int32
channel_id(AState *st, const char *name, size_t len)
{
	int32		id = st->last_ch;

	if (id >= 0 && st->dict.lens[id] == len && memcmp(st->dict.names[id], name, len) == 0)
		return id;
	id = at_dict_id(&st->dict, &st->alloc, name, len);
	st->last_ch = id;
	return id;
}

/*
 * Whether the model and options arguments are constants (or parameters) of
 * the query.  The transition function's own argument expressions are
 * placeholders, so the aggregate call itself is looked at.
 */
static bool
model_args_stable(FunctionCallInfo fcinfo)
{
	Aggref	   *ar = AggGetAggref(fcinfo);

	if (ar == NULL || list_length(ar->args) != 7)
		return false;
	for (int i = 5; i < 7; i++)
	{
		Node	   *e = (Node *) ((TargetEntry *) list_nth(ar->args, i))->expr;

		if (!IsA(e, Const) && !(IsA(e, Param) && ((Param *) e)->paramkind == PARAM_EXTERN))
			return false;
	}
	return true;
}

PG_FUNCTION_INFO_V1(attribution_agg_trans);
Datum
attribution_agg_trans(PG_FUNCTION_ARGS)
{
	MemoryContext aggctx;
	AState	   *st;

	aggctx = persona_agg_context(fcinfo, "attribution_agg_trans");
	st = PG_ARGISNULL(0) ? NULL : (AState *) PG_GETARG_POINTER(0);
	/*
	 * The model and options are checked on every row unless both are
	 * constants (or parameters) of the query, which is the usual call: then
	 * the first row's check holds for all.
	 */
	if (st == NULL || !st->args_stable)
	{
		text	   *model;
		Jsonb	   *options;

		if (PG_ARGISNULL(6))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("attribution_agg: the model must not be NULL")));
		model = PG_GETARG_TEXT_PP(6);
		options = PG_ARGISNULL(7) ? empty_options() : PG_GETARG_JSONB_P(7);
		if (st == NULL)
		{
			st = astate_new(aggctx, model, options);
			st->args_stable = model_args_stable(fcinfo);
		}
		else
			same_model(st, model, options);
	}
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		PG_RETURN_POINTER(st);
	if (!PG_ARGISNULL(4) && PG_GETARG_BOOL(4))
	{
		double		v = PG_ARGISNULL(5) ? 0 : PG_GETARG_FLOAT8(5);

		if (!isfinite(v))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("conversion value must be finite, not %g", v)));
		add_event(st, PG_GETARG_INT64(1), PG_GETARG_TIMESTAMPTZ(2), -1, v);
	}
	else if (!PG_ARGISNULL(3))
	{
		text	   *ch = PG_GETARG_TEXT_PP(3);

		add_event(st, PG_GETARG_INT64(1), PG_GETARG_TIMESTAMPTZ(2),
				  channel_id(st, VARDATA_ANY(ch), VARSIZE_ANY_EXHDR(ch)), 0);
	}
	PG_RETURN_POINTER(st);
}

/* ---- the answer ---- */

PG_FUNCTION_INFO_V1(attribution_agg_final);
Datum
attribution_agg_final(PG_FUNCTION_ARGS)
{
	AState	   *st;
	AtModel		am;
	int32		nch;
	int32	   *rank,
			   *order;
	at_sum	   *conv,
			   *val;
	ug_ref	   *users;
	ug_part    *parts;
	size_t		nusers,
				maxlen;
	at_alloc	tmp = at_pg_alloc(CurrentMemoryContext);
	at_event   *buf,
			   *scratch;
	int32	   *chbuf;
	int64	   *tsbuf;
	double	   *wbuf;
	Oid			rettype,
				elemtype;
	TupleDesc	desc;
	Datum	   *elems;
	int			nelems = 0;
	int16		elmlen;
	bool		elmbyval;
	char		elmalign;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	st = (AState *) PG_GETARG_POINTER(0);
	if (st->flat)
		st = add_part(NULL, CurrentMemoryContext, st->flat);
	at_parse_model(text_to_cstring(st->model), st->options, &am);
	/*
	 * Sorting in place keeps the state's events (only their order changes),
	 * so calling the final function again, or adding rows after it, is fine.
	 */
	sort_events(st);
	/* every part's channels join the dictionary before ranks are taken */
	parts = palloc(sizeof(ug_part) * (st->nparts + 1));
	for (int k = 0; k < st->nparts; k++)
		if (!ug_part_open(&parts[k], (const uint8_t *) VARDATA(st->parts[k]),
						  VARSIZE(st->parts[k]) - VARHDRSZ, &st->dict, &st->alloc))
			corrupt();
	nch = st->dict.n;
	am.m.direct = at_direct_flags(&am, st->dict.names, st->dict.lens, nch);
	rank = palloc(sizeof(int32) * (nch + 1));
	order = palloc(sizeof(int32) * (nch + 1));
	at_dict_ranks(&st->dict, &st->alloc, rank, order);
	conv = palloc0(sizeof(at_sum) * (nch + 1));
	val = palloc0(sizeof(at_sum) * (nch + 1));

	if (!ug_group(st->ev, st->nev, parts, st->nparts, &tmp, cancel_check, &users, &nusers, &maxlen))
		corrupt();
	if (maxlen > MaxAllocHugeSize / sizeof(at_event))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("attribution_agg: a journey of %zu events is too long", maxlen)));
	buf = MemoryContextAllocHuge(CurrentMemoryContext, sizeof(at_event) * maxlen);
	scratch = MemoryContextAllocHuge(CurrentMemoryContext, sizeof(at_event) * maxlen);
	chbuf = MemoryContextAllocHuge(CurrentMemoryContext, sizeof(int32) * maxlen);
	tsbuf = MemoryContextAllocHuge(CurrentMemoryContext, sizeof(int64) * maxlen);
	wbuf = MemoryContextAllocHuge(CurrentMemoryContext, sizeof(double) * maxlen);
	for (size_t k = 0; k < nusers;)
	{
		size_t		n;
		bool		ok;

		if ((k & 1023) == 0)
			CHECK_FOR_INTERRUPTS();
		k = ug_user_events(users, nusers, k, st->ev, st->vals, parts, buf, &n, &ok);
		if (!ok)
			corrupt();
		at_sort_events(buf, n, rank, scratch, cancel_check);
		at_attribute(&am.m, buf, n, nch, conv, val, chbuf, tsbuf, wbuf);
	}

	rettype = get_fn_expr_rettype(fcinfo->flinfo);
	elemtype = get_element_type(rettype);
	if (!OidIsValid(elemtype))
		elog(ERROR, "attribution_agg must return an array of attribution_credit");
	desc = lookup_rowtype_tupdesc_copy(elemtype, -1);
	desc = BlessTupleDesc(desc);
	elems = palloc(sizeof(Datum) * (nch + 1));
	for (int32 k = 0; k <= nch; k++)
	{
		int32		id = k < nch ? order[k] : nch;
		Datum		v[3];
		bool		nulls[3] = {false, false, false};

		if (!(at_sum_get(&conv[id]) > 0))
			continue;
		if (id < nch)
			v[0] = PointerGetDatum(cstring_to_text_with_len(st->dict.names[id], st->dict.lens[id]));
		else
			nulls[0] = true;
		v[1] = Float8GetDatum(at_sum_get(&conv[id]));
		v[2] = Float8GetDatum(at_sum_get(&val[id]));
		elems[nelems++] = HeapTupleGetDatum(heap_form_tuple(desc, v, nulls));
	}
	get_typlenbyvalalign(elemtype, &elmlen, &elmbyval, &elmalign);
	PG_RETURN_ARRAYTYPE_P(construct_array(elems, nelems, elemtype, elmlen, elmbyval, elmalign));
}

