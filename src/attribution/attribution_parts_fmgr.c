/*
 * attribution_parts_fmgr.c — attribution_agg in parallel plans: the bytes a
 * worker's state becomes and the leader's combine (which keeps them whole,
 * add_part); the final function reads them in place through the core
 * user_groups.c.
 */
#include "attribution/attribution_fmgr.h"

/* ---- serialization (parallel plans) ---- */

/*
 * The bytes of a state are user_groups.h's part format, written here in one
 * pass (the size is known from the counts) and read in place by the final
 * function through that core.
 */
static inline uint8_t *
wr_u32(uint8_t *p, uint32 v)
{
	bytes_st32(p, v);
	return p + 4;
}

static inline uint8_t *
wr_u64(uint8_t *p, uint64 v)
{
	bytes_st64(p, v);
	return p + 8;
}

static uint8_t *
wr_varlena(uint8_t *p, const struct varlena *v)
{
	p = wr_u32(p, (uint32) VARSIZE_ANY(v));
	memcpy(p, v, VARSIZE_ANY(v));
	return p + VARSIZE_ANY(v);
}

PG_FUNCTION_INFO_V1(attribution_agg_serial);
Datum
attribution_agg_serial(PG_FUNCTION_ARGS)
{
	AState	   *st = (AState *) PG_GETARG_POINTER(0);
	Size		len;
	bytea	   *out;
	uint8_t    *p;
	uint64		nusers = 0;

	/* a state that holds parts (a combine's result) is not serialized again */
	if (st->nparts > 0 || st->flat)
		elog(ERROR, "attribution_agg: cannot serialize a combined state");
	/*
	 * Each user's events contiguous, and runs in id order unless the rows
	 * came with many breaks in user order (then sorted): the leader, which
	 * takes users in id order, reads every part in a few sequential streams.
	 */
	sort_events(st);
	for (size_t i = 0; i < st->nev; i++)
		nusers += (i == 0 || st->ev[i].user != st->ev[i - 1].user);
	/* the size is known from the counts, so the events are written in one pass */
	len = 4 + 4 + VARSIZE_ANY(st->model) + 4 + VARSIZE_ANY(st->options) + 4 + 8;
	for (int32 i = 0; i < st->dict.n; i++)
		len += 4 + (Size) st->dict.lens[i];
	len += (Size) nusers * UG_USER_HDR + (Size) st->nev * UG_EV_BYTES + (Size) st->nval * 8;
	if (len > MaxAllocSize - VARHDRSZ)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("attribution_agg: a partial state of %zu bytes is too large to pass between parallel workers", len),
				 errhint("SET max_parallel_workers_per_gather = 0 for this query, or aggregate per user with journey_agg.")));
	out = palloc(VARHDRSZ + len);
	SET_VARSIZE(out, VARHDRSZ + len);
	p = (uint8_t *) VARDATA(out);
	p = wr_u32(p, UG_MAGIC);
	p = wr_varlena(p, (const struct varlena *) st->model);
	p = wr_varlena(p, (const struct varlena *) st->options);
	p = wr_u32(p, (uint32) st->dict.n);
	for (int32 i = 0; i < st->dict.n; i++)
	{
		p = wr_u32(p, st->dict.lens[i]);
		memcpy(p, st->dict.names[i], st->dict.lens[i]);
		p += st->dict.lens[i];
	}
	p = wr_u64(p, nusers);
	for (size_t k = 0, j; k < st->nev; k = j)
	{
		uint32		nconv = 0;

		for (j = k; j < st->nev && st->ev[j].user == st->ev[k].user; j++)
			nconv += st->ev[j].ch < 0;
		p = wr_u64(p, (uint64) st->ev[k].user);
		p = wr_u32(p, (uint32) (j - k));
		p = wr_u32(p, nconv);
		for (size_t i = k; i < j; i++)
		{
			p = wr_u64(p, (uint64) st->ev[i].ts);
			p = wr_u32(p, st->ev[i].ch < 0 ? UINT32_MAX : (uint32) st->ev[i].ch);
		}
		for (size_t i = k; i < j && nconv > 0; i++)
			if (st->ev[i].ch < 0)
			{
				double		v = val_of(st, st->ev[i].ch);
				uint64		b;

				memcpy(&b, &v, 8);
				p = wr_u64(p, b);
			}
	}
	Assert(p == (uint8_t *) VARDATA(out) + len);
	PG_RETURN_BYTEA_P(out);
}

PG_FUNCTION_INFO_V1(attribution_agg_deserial);
Datum
attribution_agg_deserial(PG_FUNCTION_ARGS)
{
	AState	   *st = palloc0(sizeof(AState));

	/* no copy: the combine function copies the bytes it keeps */
	st->flat = PG_GETARG_BYTEA_P(0);
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(attribution_agg_combine);
Datum
attribution_agg_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggctx;
	AState	   *a,
			   *b;

	aggctx = persona_combine_context(fcinfo, "attribution_agg_combine");
	if (PG_ARGISNULL(1))
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	a = PG_ARGISNULL(0) ? NULL : (AState *) PG_GETARG_POINTER(0);
	b = (AState *) PG_GETARG_POINTER(1);
	if (b->flat)
		PG_RETURN_POINTER(add_part(a, aggctx, b->flat));
	if (a == NULL)
		a = astate_new(aggctx, b->model, b->options);
	else
		same_model(a, b->model, b->options);
	for (int k = 0; k < b->nparts; k++)
		a = add_part(a, aggctx, b->parts[k]);
	{
		int32	   *map = palloc(sizeof(int32) * (b->dict.n + 1));

		for (int32 i = 0; i < b->dict.n; i++)
			map[i] = at_dict_id(&a->dict, &a->alloc, b->dict.names[i], b->dict.lens[i]);
		for (size_t i = 0; i < b->nev; i++)
		{
			AEv		   *e = &b->ev[i];

			if (e->ch < 0)
				add_event(a, e->user, e->ts, -1, val_of(b, e->ch));
			else
				add_event(a, e->user, e->ts, map[e->ch], 0);
		}
	}
	PG_RETURN_POINTER(a);
}
