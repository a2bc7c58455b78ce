/*
 * attribution_agg.c — credits of a rule-based model summed over all users,
 * in one aggregate that groups by user itself.
 *
 * The state is internal: a hash of users, each with a linked list of its
 * events in chunked arrays (16 bytes a touch, 24 a conversion), and one
 * channel dictionary.  At the end, users are taken in id order and each
 * journey is sorted and credited by the plain-C core, so the sums depend
 * only on the rows (not on their order, nor on the plan).
 */
#include "attribution/at_glue.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/typcache.h"
#include "utils/timestamp.h"

#include <math.h>

typedef struct UserEnt
{
	int64		user;
	uint32		head;			/* latest event; UINT32_MAX: none */
	uint32		count;
	char		status;
} UserEnt;

static inline uint32
user_hash(int64 k)
{
	uint64		h = (uint64) k;

	h ^= h >> 33;
	h *= UINT64CONST(0xff51afd7ed558ccd);
	h ^= h >> 33;
	h *= UINT64CONST(0xc4ceb9fe1a85ec53);
	h ^= h >> 33;
	return (uint32) h;
}

#define SH_PREFIX users
#define SH_ELEMENT_TYPE UserEnt
#define SH_KEY_TYPE int64
#define SH_KEY user
#define SH_HASH_KEY(tb, key) user_hash(key)
#define SH_EQUAL(tb, a, b) ((a) == (b))
#define SH_SCOPE static inline
#define SH_DECLARE
#define SH_DEFINE
#include "lib/simplehash.h"

#define CHUNK_BITS 16
#define CHUNK (1u << CHUNK_BITS)
#define AA_MAGIC 0x31414150		/* "PAA1" little-endian */

typedef struct AEv
{
	int64		ts;
	int32		ch;				/* channel id, or -1 - index of the value */
	uint32		next;
} AEv;

typedef struct AState
{
	MemoryContext cxt;
	at_alloc	alloc;
	users_hash *users;
	AEv		  **ev;
	uint32		nchunks;
	uint32		chunkcap;
	uint64		nev;
	double	  **vals;
	uint32		nvchunks;
	uint32		vchunkcap;
	uint64		nval;
	at_dict		dict;
	text	   *model;
	Jsonb	   *options;
	bytea	   *flat;			/* a deserialized state, merged straight from bytes */
} AState;

static AState *
astate_new(MemoryContext cxt, text *model, Jsonb *options)
{
	AState	   *st = MemoryContextAllocZero(cxt, sizeof(AState));
	MemoryContext old = MemoryContextSwitchTo(cxt);
	AtModel		am;

	/* validate now, so a bad model fails on the first row */
	at_parse_model(text_to_cstring(model), options, &am);
	st->cxt = cxt;
	st->alloc = at_pg_alloc(cxt);
	st->users = users_create(cxt, 1024, NULL);
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

static void
same_model(AState *st, text *model, Jsonb *options)
{
	if (!same_varlena((struct varlena *) st->model, (struct varlena *) model) ||
		!same_varlena((struct varlena *) st->options, (struct varlena *) options))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("attribution_agg: the model and options must be the same for every row of a group")));
}

static void
add_event(AState *st, int64 user, int64 ts, int32 ch, double value)
{
	bool		found;
	UserEnt    *u = users_insert(st->users, user, &found);
	uint64		i = st->nev;
	AEv		   *e;

	if (!found)
	{
		u->head = UINT32_MAX;
		u->count = 0;
	}
	if (i >= UINT32_MAX - 1)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("attribution_agg: more than 4 billion events in one group"),
				 errhint("Group by a coarser key first, or use journey_agg per user with attribute.")));
	if ((i >> CHUNK_BITS) >= st->nchunks)
	{
		if (st->nchunks == st->chunkcap)
		{
			uint32		ncap = st->chunkcap ? st->chunkcap * 2 : 16;
			AEv		  **n = MemoryContextAlloc(st->cxt, sizeof(AEv *) * ncap);

			if (st->ev)
				memcpy(n, st->ev, sizeof(AEv *) * st->nchunks);
			st->ev = n;
			st->chunkcap = ncap;
		}
		st->ev[st->nchunks++] = MemoryContextAlloc(st->cxt, sizeof(AEv) * CHUNK);
	}
	if (ch < 0)
	{
		uint64		v = st->nval;

		if (v >= INT32_MAX)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("attribution_agg: more than 2 billion conversions in one group")));
		if ((v >> CHUNK_BITS) >= st->nvchunks)
		{
			if (st->nvchunks == st->vchunkcap)
			{
				uint32		ncap = st->vchunkcap ? st->vchunkcap * 2 : 16;
				double	  **n = MemoryContextAlloc(st->cxt, sizeof(double *) * ncap);

				if (st->vals)
					memcpy(n, st->vals, sizeof(double *) * st->nvchunks);
				st->vals = n;
				st->vchunkcap = ncap;
			}
			st->vals[st->nvchunks++] = MemoryContextAlloc(st->cxt, sizeof(double) * CHUNK);
		}
		st->vals[v >> CHUNK_BITS][v & (CHUNK - 1)] = value;
		st->nval++;
		ch = -1 - (int32) v;
	}
	e = &st->ev[i >> CHUNK_BITS][i & (CHUNK - 1)];
	e->ts = ts;
	e->ch = ch;
	e->next = u->head;
	u->head = (uint32) i;
	u->count++;
	st->nev++;
}

static inline AEv *
ev_at(const AState *st, uint32 i)
{
	return &st->ev[i >> CHUNK_BITS][i & (CHUNK - 1)];
}

static inline double
val_of(const AState *st, int32 ch)
{
	uint32		v = (uint32) (-1 - ch);

	return st->vals[v >> CHUNK_BITS][v & (CHUNK - 1)];
}

static Jsonb *
empty_options(void)
{
	return DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum("{}")));
}

PG_FUNCTION_INFO_V1(attribution_agg_trans);
Datum
attribution_agg_trans(PG_FUNCTION_ARGS)
{
	MemoryContext aggctx;
	AState	   *st;
	text	   *model;
	Jsonb	   *options;

	if (!AggCheckCallContext(fcinfo, &aggctx))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("attribution_agg_trans can only be called as an aggregate transition function")));
	if (PG_ARGISNULL(6))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("attribution_agg: the model must not be NULL")));
	model = PG_GETARG_TEXT_PP(6);
	options = PG_ARGISNULL(7) ? empty_options() : PG_GETARG_JSONB_P(7);
	if (PG_ARGISNULL(0))
		st = astate_new(aggctx, model, options);
	else
	{
		st = (AState *) PG_GETARG_POINTER(0);
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
		int32		id = at_dict_id(&st->dict, &st->alloc, VARDATA_ANY(ch), VARSIZE_ANY_EXHDR(ch));

		add_event(st, PG_GETARG_INT64(1), PG_GETARG_TIMESTAMPTZ(2), id, 0);
	}
	PG_RETURN_POINTER(st);
}

/* ---- serialization (parallel plans) ---- */

static void
put_varlena(at_writer *w, const struct varlena *v)
{
	at_put_u32(w, (uint32) VARSIZE_ANY(v));
	at_put_bytes(w, v, VARSIZE_ANY(v));
}

static void
astate_write(const AState *st, at_writer *w)
{
	users_iterator it;
	UserEnt    *u;

	at_put_u32(w, AA_MAGIC);
	put_varlena(w, (const struct varlena *) st->model);
	put_varlena(w, (const struct varlena *) st->options);
	at_put_u32(w, (uint32) st->dict.n);
	for (int32 i = 0; i < st->dict.n; i++)
	{
		at_put_u32(w, st->dict.lens[i]);
		at_put_bytes(w, st->dict.names[i], st->dict.lens[i]);
	}
	at_put_u64(w, st->users->members);
	users_start_iterate(st->users, &it);
	while ((u = users_iterate(st->users, &it)) != NULL)
	{
		at_put_u64(w, (uint64) u->user);
		at_put_u32(w, u->count);
		for (uint32 i = u->head; i != UINT32_MAX; i = ev_at(st, i)->next)
		{
			AEv		   *e = ev_at(st, i);

			at_put_u64(w, (uint64) e->ts);
			at_put_u32(w, (uint32) (e->ch < 0 ? -1 : e->ch));
			if (e->ch < 0)
				at_put_f64(w, val_of(st, e->ch));
		}
	}
}

PG_FUNCTION_INFO_V1(attribution_agg_serial);
Datum
attribution_agg_serial(PG_FUNCTION_ARGS)
{
	AState	   *st = (AState *) PG_GETARG_POINTER(0);
	at_writer	w = {NULL, 0};
	bytea	   *out;

	astate_write(st, &w);
	if (w.len > MaxAllocSize - VARHDRSZ)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("attribution_agg: a partial state of %zu bytes is too large to pass between parallel workers", w.len),
				 errhint("SET max_parallel_workers_per_gather = 0 for this query, or aggregate per user with journey_agg.")));
	out = palloc(VARHDRSZ + w.len);
	SET_VARSIZE(out, VARHDRSZ + w.len);
	w.p = (uint8_t *) VARDATA(out);
	w.len = 0;
	astate_write(st, &w);
	PG_RETURN_BYTEA_P(out);
}

PG_FUNCTION_INFO_V1(attribution_agg_deserial);
Datum
attribution_agg_deserial(PG_FUNCTION_ARGS)
{
	AState	   *st = palloc0(sizeof(AState));

	st->flat = PG_GETARG_BYTEA_P_COPY(0);
	PG_RETURN_POINTER(st);
}

static void
corrupt(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("attribution_agg: invalid partial state")));
}

static struct varlena *
get_varlena(at_reader *r)
{
	uint32		len;
	const uint8_t *b;
	struct varlena *v;

	if (!at_get_u32(r, &len) || len < VARHDRSZ || !at_get_bytes(r, &b, len))
		corrupt();
	v = palloc(len);
	memcpy(v, b, len);
	if (VARSIZE_ANY(v) != len)
		corrupt();
	return v;
}

/* Merges serialized bytes into a (a NULL: a new state in cxt). */
static AState *
merge_flat(AState *a, MemoryContext cxt, bytea *flat)
{
	at_reader	r = {(const uint8_t *) VARDATA(flat), (const uint8_t *) VARDATA(flat) + VARSIZE(flat) - VARHDRSZ, NULL};
	uint32		magic,
				nch;
	uint64		nusers;
	int32	   *map;
	text	   *model;
	Jsonb	   *options;

	if (!at_get_u32(&r, &magic) || magic != AA_MAGIC)
		corrupt();
	model = (text *) get_varlena(&r);
	options = (Jsonb *) get_varlena(&r);
	if (a == NULL)
		a = astate_new(cxt, model, options);
	else
		same_model(a, model, options);
	if (!at_get_u32(&r, &nch) || nch > (size_t) (r.end - r.p) / 4)
		corrupt();
	map = palloc(sizeof(int32) * (nch + 1));
	for (uint32 i = 0; i < nch; i++)
	{
		uint32		len;
		const uint8_t *b;

		if (!at_get_u32(&r, &len) || !at_get_bytes(&r, &b, len))
			corrupt();
		map[i] = at_dict_id(&a->dict, &a->alloc, (const char *) b, len);
	}
	if (!at_get_u64(&r, &nusers))
		corrupt();
	for (uint64 k = 0; k < nusers; k++)
	{
		uint64		user;
		uint32		count;

		if (!at_get_u64(&r, &user) || !at_get_u32(&r, &count))
			corrupt();
		for (uint32 i = 0; i < count; i++)
		{
			uint64		ts;
			uint32		ch;
			double		v = 0;

			if (!at_get_u64(&r, &ts) || !at_get_u32(&r, &ch))
				corrupt();
			if (ch == UINT32_MAX)
			{
				if (!at_get_f64(&r, &v))
					corrupt();
				add_event(a, (int64) user, (int64) ts, -1, v);
			}
			else
			{
				if (ch >= nch)
					corrupt();
				add_event(a, (int64) user, (int64) ts, map[ch], 0);
			}
		}
	}
	if (r.p != r.end)
		corrupt();
	return a;
}

PG_FUNCTION_INFO_V1(attribution_agg_combine);
Datum
attribution_agg_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggctx;
	AState	   *a,
			   *b;

	if (!AggCheckCallContext(fcinfo, &aggctx))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("attribution_agg_combine can only be called as an aggregate combine function")));
	if (PG_ARGISNULL(1))
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	a = PG_ARGISNULL(0) ? NULL : (AState *) PG_GETARG_POINTER(0);
	b = (AState *) PG_GETARG_POINTER(1);
	if (b->flat)
		PG_RETURN_POINTER(merge_flat(a, aggctx, b->flat));
	if (a == NULL)
		a = astate_new(aggctx, b->model, b->options);
	else
		same_model(a, b->model, b->options);
	{
		int32	   *map = palloc(sizeof(int32) * (b->dict.n + 1));
		users_iterator it;
		UserEnt    *u;

		for (int32 i = 0; i < b->dict.n; i++)
			map[i] = at_dict_id(&a->dict, &a->alloc, b->dict.names[i], b->dict.lens[i]);
		users_start_iterate(b->users, &it);
		while ((u = users_iterate(b->users, &it)) != NULL)
			for (uint32 i = u->head; i != UINT32_MAX; i = ev_at(b, i)->next)
			{
				AEv		   *e = ev_at(b, i);

				if (e->ch < 0)
					add_event(a, u->user, e->ts, -1, val_of(b, e->ch));
				else
					add_event(a, u->user, e->ts, map[e->ch], 0);
			}
	}
	PG_RETURN_POINTER(a);
}

/* ---- the answer ---- */

typedef struct UserRef
{
	int64		user;
	uint32		head;
	uint32		count;
} UserRef;

/* LSD radix sort by user id, 16 bits a pass (a million users sort in milliseconds). */
static void
sort_users(UserRef *u, size_t n)
{
	UserRef    *tmp = MemoryContextAllocHuge(CurrentMemoryContext, sizeof(UserRef) * (n + 1));
	UserRef    *src = u,
			   *dst = tmp;
	size_t	   *count = palloc(sizeof(size_t) * 65536);

	for (int pass = 0; pass < 4; pass++)
	{
		int			shift = 16 * pass;
		size_t		sum = 0;
		bool		trivial = false;

		memset(count, 0, sizeof(size_t) * 65536);
		for (size_t i = 0; i < n; i++)
			count[((uint64) src[i].user ^ UINT64CONST(0x8000000000000000)) >> shift & 0xffff]++;
		for (int b = 0; b < 65536; b++)
		{
			size_t		c = count[b];

			if (c == n)
				trivial = true;
			count[b] = sum;
			sum += c;
		}
		if (trivial)
			continue;			/* every key has the same digit: nothing moves */
		for (size_t i = 0; i < n; i++)
			dst[count[((uint64) src[i].user ^ UINT64CONST(0x8000000000000000)) >> shift & 0xffff]++] = src[i];
		{
			UserRef    *t = src;

			src = dst;
			dst = t;
		}
	}
	if (src != u)
		memcpy(u, src, sizeof(UserRef) * n);
	pfree(tmp);
	pfree(count);
}

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
	size_t		nusers = 0,
				maxlen = 1;
	users_iterator it;
	UserEnt    *u;
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
		st = merge_flat(NULL, CurrentMemoryContext, st->flat);
	at_parse_model(text_to_cstring(st->model), st->options, &am);
	nch = st->dict.n;
	am.m.direct = at_direct_flags(&am, st->dict.names, st->dict.lens, nch);
	rank = palloc(sizeof(int32) * (nch + 1));
	order = palloc(sizeof(int32) * (nch + 1));
	at_dict_ranks(&st->dict, &st->alloc, rank, order);
	conv = palloc0(sizeof(at_sum) * (nch + 1));
	val = palloc0(sizeof(at_sum) * (nch + 1));

	users = MemoryContextAllocHuge(CurrentMemoryContext, sizeof(UserRef) * (st->users->members + 1));
	users_start_iterate(st->users, &it);
	while ((u = users_iterate(st->users, &it)) != NULL)
	{
		users[nusers].user = u->user;
		users[nusers].head = u->head;
		users[nusers++].count = u->count;
		if (u->count > maxlen)
			maxlen = u->count;
	}
	sort_users(users, nusers);
	buf = MemoryContextAllocHuge(CurrentMemoryContext, sizeof(at_event) * maxlen);
	scratch = MemoryContextAllocHuge(CurrentMemoryContext, sizeof(at_event) * maxlen);
	chbuf = MemoryContextAllocHuge(CurrentMemoryContext, sizeof(int32) * maxlen);
	tsbuf = MemoryContextAllocHuge(CurrentMemoryContext, sizeof(int64) * maxlen);
	wbuf = MemoryContextAllocHuge(CurrentMemoryContext, sizeof(double) * maxlen);
	for (size_t k = 0; k < nusers; k++)
	{
		size_t		n = users[k].count,
					j = n;

		if ((k & 1023) == 0)
			CHECK_FOR_INTERRUPTS();
		/* the list runs newest first: fill from the end to restore arrival order */
		for (uint32 i = users[k].head; i != UINT32_MAX; i = ev_at(st, i)->next)
		{
			AEv		   *e = ev_at(st, i);

			j--;
			buf[j].ts = e->ts;
			buf[j].ch = e->ch < 0 ? AT_CONV : e->ch;
			buf[j].value = e->ch < 0 ? val_of(st, e->ch) : 0;
		}
		at_sort_events(buf, n, rank, scratch);
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
