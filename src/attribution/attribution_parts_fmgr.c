/*
 * attribution_parts_fmgr.c — attribution_agg in parallel plans: the bytes a
 * worker's state becomes, the leader's combine (which keeps them whole) and
 * the reading of them in place by the final function.
 */
#include "attribution/attribution_fmgr.h"

#include "port/pg_bswap.h"

#include <math.h>

/* ---- serialization (parallel plans) ---- */

/*
 * The bytes of a state: magic, model, options, the channel names (length
 * and bytes, in id order), the number of users, then each user as id,
 * event count, conversion count, its events (time, channel id or
 * UINT32_MAX for a conversion) and the values of its conversions in the
 * order of its conversion events.  All little-endian.  Fixed-size records
 * let the final function index a user's events without decoding them.
 */
#define USER_HDR 16				/* user u64, count u32, conversions u32 */
#define EV_BYTES 12				/* ts u64, channel u32 */

static inline uint8_t *
wr_u32(uint8_t *p, uint32 v)
{
#ifdef WORDS_BIGENDIAN
	v = pg_bswap32(v);
#endif
	memcpy(p, &v, 4);
	return p + 4;
}

static inline uint8_t *
wr_u64(uint8_t *p, uint64 v)
{
#ifdef WORDS_BIGENDIAN
	v = pg_bswap64(v);
#endif
	memcpy(p, &v, 8);
	return p + 8;
}

static inline uint32
rd_u32(const uint8_t *p)
{
	uint32		v;

	memcpy(&v, p, 4);
#ifdef WORDS_BIGENDIAN
	v = pg_bswap32(v);
#endif
	return v;
}

static inline uint64
rd_u64(const uint8_t *p)
{
	uint64		v;

	memcpy(&v, p, 8);
#ifdef WORDS_BIGENDIAN
	v = pg_bswap64(v);
#endif
	return v;
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
	len += (Size) nusers * USER_HDR + (Size) st->nev * EV_BYTES + (Size) st->nval * 8;
	if (len > MaxAllocSize - VARHDRSZ)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("attribution_agg: a partial state of %zu bytes is too large to pass between parallel workers", len),
				 errhint("SET max_parallel_workers_per_gather = 0 for this query, or aggregate per user with journey_agg.")));
	out = palloc(VARHDRSZ + len);
	SET_VARSIZE(out, VARHDRSZ + len);
	p = (uint8_t *) VARDATA(out);
	p = wr_u32(p, AA_MAGIC);
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

/* A reader over a part's bytes, past its magic. */
static at_reader
part_reader(const bytea *flat)
{
	at_reader	r = {(const uint8_t *) VARDATA(flat), (const uint8_t *) VARDATA(flat) + VARSIZE(flat) - VARHDRSZ, NULL};
	uint32		magic;

	if (!at_get_u32(&r, &magic) || magic != AA_MAGIC)
		corrupt();
	return r;
}

/*
 * Keeps a serialized state in `a` (NULL: a new state in cxt, with the
 * part's model): checks the model, copies the bytes into cxt.
 */
AState *
add_part(AState *a, MemoryContext cxt, const bytea *flat)
{
	at_reader	r = part_reader(flat);
	text	   *model = (text *) get_varlena(&r);
	Jsonb	   *options = (Jsonb *) get_varlena(&r);
	bytea	   *copy;

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

/* Reads a part's header and channel names (adding them to st's dictionary). */
void
part_names(AState *st, const bytea *flat, PartIdx *pi)
{
	at_reader	r = part_reader(flat);

	(void) get_varlena(&r);		/* model and options: checked by add_part */
	(void) get_varlena(&r);
	if (!at_get_u32(&r, &pi->nch) || pi->nch > (size_t) (r.end - r.p) / 4)
		corrupt();
	pi->map = palloc(sizeof(int32) * (pi->nch + 1));
	for (uint32 i = 0; i < pi->nch; i++)
	{
		uint32		len;
		const uint8_t *b;

		if (!at_get_u32(&r, &len) || !at_get_bytes(&r, &b, len))
			corrupt();
		pi->map[i] = at_dict_id(&st->dict, &st->alloc, (const char *) b, len);
	}
	if (!at_get_u64(&r, &pi->nusers) || pi->nusers > (size_t) (r.end - r.p) / USER_HDR)
		corrupt();
	pi->base = (const uint8_t *) VARDATA(flat);
	pi->end = r.end;
	pi->users = r.p;
}

/* Appends a part's users to refs (bounds checked), returns the new count. */
size_t
part_users(const PartIdx *pi, uint32 part, UserRef *refs, size_t n)
{
	const uint8_t *p = pi->users;

	for (uint64 k = 0; k < pi->nusers; k++)
	{
		uint32		count,
					nconv;

		if ((size_t) (pi->end - p) < USER_HDR)
			corrupt();
		refs[n].user = (int64) rd_u64(p);
		count = rd_u32(p + 8);
		nconv = rd_u32(p + 12);
		p += USER_HDR;
		if (nconv > count || count == 0 ||
			(size_t) (pi->end - p) / EV_BYTES < count ||
			(size_t) (pi->end - p) - (size_t) count * EV_BYTES < (size_t) nconv * 8)
			corrupt();
		refs[n].count = count;
		refs[n].nconv = nconv;
		refs[n].part = part;
		refs[n].off = (uint32) (p - pi->base);
		p += (size_t) count * EV_BYTES + (size_t) nconv * 8;
		n++;
	}
	if (p != pi->end)
		corrupt();
	return n;
}

/* A part's events of one user into buf (channel ids mapped, checked). */
void
part_events(const PartIdx *pi, const UserRef *r, at_event *buf)
{
	const uint8_t *p = pi->base + r->off;
	const uint8_t *vals = p + (size_t) r->count * EV_BYTES;
	uint32		vi = 0;

	for (uint32 i = 0; i < r->count; i++, p += EV_BYTES)
	{
		uint32		ch = rd_u32(p + 8);

		buf[i].ts = (int64) rd_u64(p);
		if (ch == UINT32_MAX)
		{
			uint64		b;

			if (vi >= r->nconv)
				corrupt();
			b = rd_u64(vals + 8 * vi++);
			buf[i].ch = AT_CONV;
			memcpy(&buf[i].value, &b, 8);
			if (!isfinite(buf[i].value))
				corrupt();
		}
		else
		{
			if (ch >= pi->nch)
				corrupt();
			buf[i].ch = pi->map[ch];
			buf[i].value = 0;
		}
	}
	if (vi != r->nconv)
		corrupt();
}

