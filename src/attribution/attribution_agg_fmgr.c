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
#include "base/radix_sort.h"

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

void *
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

static void
cancel_check(void)
{
	CHECK_FOR_INTERRUPTS();
}

/*
 * Elements of `size` bytes with the int64 user id at their start, grouped by
 * user with the project's radix sort.  Input already in order (one state
 * whose rows came in user order) is left as it is.
 */
static inline void
radix_by_user(void *base, size_t n, size_t size)
{
	bool		sorted = true;
	void	   *tmp,
			   *r;

	for (size_t i = 1; i < n && sorted; i++)
	{
		int64		x,
					y;

		memcpy(&x, (char *) base + (i - 1) * size, 8);
		memcpy(&y, (char *) base + i * size, 8);
		sorted = x <= y;
	}
	if (sorted)
		return;
	tmp = MemoryContextAllocHuge(CurrentMemoryContext, size * n);
	r = radix_sort(base, tmp, n, size, RS_INT64, cancel_check);
	if (r != base)
		memcpy(base, r, size * n);
	pfree(tmp);
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
		radix_by_user(st->ev, st->nev, sizeof(AEv));
		st->descents = 0;
	}
}

void
sort_refs(UserRef *refs, size_t n)
{
	radix_by_user(refs, n, sizeof(UserRef));
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
	UserRef    *users;
	PartIdx    *pidx;
	size_t		nusers = 0,
				nrefs,
				maxlen = 1;
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
	/* every part's channels join the dictionary before ranks are taken */
	pidx = palloc(sizeof(PartIdx) * (st->nparts + 1));
	/*
	 * Sorting in place keeps the state's events (only their order changes),
	 * so calling the final function again, or adding rows after it, is fine.
	 */
	sort_events(st);
	nrefs = 0;
	for (size_t i = 0; i < st->nev; i++)
		nrefs += (i == 0 || st->ev[i].user != st->ev[i - 1].user);
	for (int k = 0; k < st->nparts; k++)
	{
		part_names(st, st->parts[k], &pidx[k + 1]);
		nrefs += pidx[k + 1].nusers;
	}
	nch = st->dict.n;
	am.m.direct = at_direct_flags(&am, st->dict.names, st->dict.lens, nch);
	rank = palloc(sizeof(int32) * (nch + 1));
	order = palloc(sizeof(int32) * (nch + 1));
	at_dict_ranks(&st->dict, &st->alloc, rank, order);
	conv = palloc0(sizeof(at_sum) * (nch + 1));
	val = palloc0(sizeof(at_sum) * (nch + 1));

	users = MemoryContextAllocHuge(CurrentMemoryContext, sizeof(UserRef) * (nrefs + 1));
	for (size_t k = 0, j; k < st->nev; k = j)
	{
		for (j = k; j < st->nev && st->ev[j].user == st->ev[k].user; j++)
			;
		users[nusers].user = st->ev[k].user;
		users[nusers].count = (uint32) (j - k);
		users[nusers].nconv = 0;
		users[nusers].part = 0;
		users[nusers++].off = (uint32) k;
	}
	for (int k = 0; k < st->nparts; k++)
		nusers = part_users(&pidx[k + 1], (uint32) k + 1, users, nusers);
	Assert(nusers == nrefs);
	sort_refs(users, nusers);
	/* a user's events may be in several parts: its longest journey is the sum */
	for (size_t k = 0; k < nusers;)
	{
		size_t		len = 0,
					j = k;

		for (; j < nusers && users[j].user == users[k].user; j++)
			len += users[j].count;
		if (len > maxlen)
			maxlen = len;
		k = j;
	}
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
		size_t		n = 0,
					j;

		if ((k & 1023) == 0)
			CHECK_FOR_INTERRUPTS();
		for (j = k; j < nusers && users[j].user == users[k].user; j++)
		{
			UserRef    *r = &users[j];

			if (r->part > 0)
				part_events(&pidx[r->part], r, buf + n);
			else
			{
				for (uint32 i = 0; i < r->count; i++)
				{
					AEv		   *e = &st->ev[r->off + i];

					buf[n + i].ts = e->ts;
					buf[n + i].ch = e->ch < 0 ? AT_CONV : e->ch;
					buf[n + i].value = e->ch < 0 ? val_of(st, e->ch) : 0;
				}
			}
			n += r->count;
		}
		at_sort_events(buf, n, rank, scratch, cancel_check);
		at_attribute(&am.m, buf, n, nch, conv, val, chbuf, tsbuf, wbuf);
		k = j;
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

