/*
 * attribution_agg.c — credits of a rule-based model summed over all users,
 * in one aggregate that groups by user itself.
 *
 * The state is internal: the events in one array (user, time, channel id
 * or conversion value index; 24 bytes a touch, 32 a conversion) and one
 * channel dictionary.  At the end the events are grouped by user (a radix
 * sort, skipped when they came in user order), users are taken in id order
 * and each journey is sorted and credited by the plain-C core, so the sums
 * depend only on the rows (not on their order, nor on the plan).
 *
 * Parallel plans: a worker's state is written once, each user's events
 * contiguous, users in id order; the leader's combine only keeps those
 * bytes ("parts"), and the final function reads every part in place next
 * to its own events, so the leader never re-inserts the workers' events.
 */
#include "attribution/at_glue.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "port/pg_bswap.h"
#include "nodes/primnodes.h"
#include "nodes/pg_list.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/typcache.h"
#include "utils/timestamp.h"

#include <math.h>

#define AA_MAGIC 0x32414150		/* "PAA2" little-endian */

/* An event of the state: its user, time, and channel id or -1 - value index. */
typedef struct AEv
{
	int64		user;
	int64		ts;
	int32		ch;
} AEv;

typedef struct AState
{
	MemoryContext cxt;
	at_alloc	alloc;
	AEv		   *ev;				/* in arrival order */
	size_t		nev;
	size_t		evcap;
	bool		sorted;			/* ev's users never decrease */
	double	   *vals;			/* conversion values */
	size_t		nval;
	size_t		valcap;
	at_dict		dict;
	text	   *model;
	Jsonb	   *options;
	/* per-row shortcuts of the transition (see attribution_agg_trans) */
	int32		last_ch;		/* id of the previous row's channel; -1: none */
	bool		args_stable;	/* model and options are constants of the query */
	/* serialized states kept whole by the combine function (aggregate context) */
	bytea	  **parts;
	int			nparts;
	int			partcap;
	bytea	   *flat;			/* a deserialized state, not yet combined */
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
	st->sorted = true;
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

static void
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
grow(AState *st, void *p, size_t *cap, size_t size)
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
static inline void
add_event(AState *st, int64 user, int64 ts, int32 ch, double value)
{
	AEv		   *e;

	if (st->nev >= UINT32_MAX - 1)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("attribution_agg: more than 4 billion events in one group"),
				 errhint("Group by a coarser key first, or use journey_agg per user with attribute.")));
	if (st->nev == st->evcap)
		st->ev = grow(st, st->ev, &st->evcap, sizeof(AEv));
	if (ch < 0)
	{
		if (st->nval >= INT32_MAX)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("attribution_agg: more than 2 billion conversions in one group")));
		if (st->nval == st->valcap)
			st->vals = grow(st, st->vals, &st->valcap, sizeof(double));
		st->vals[st->nval] = value;
		ch = -1 - (int32) st->nval++;
	}
	if (st->nev > 0 && user < st->ev[st->nev - 1].user)
		st->sorted = false;
	e = &st->ev[st->nev++];
	e->user = user;
	e->ts = ts;
	e->ch = ch;
}

/*
 * LSD radix sort of n elements of `size` bytes by the int64 user id at
 * their start, 16 bits a pass; passes where every key has the same digit
 * are skipped (ids below 2^32 take two).  Inlined per element type.
 * Input already in order (the common case: one state whose rows came in
 * user order) is left as it is.
 */
static int
user_cmp(const void *a, const void *b)
{
	int64		x,
				y;

	memcpy(&x, a, 8);
	memcpy(&y, b, 8);
	return x < y ? -1 : x > y;
}

static inline void
radix_by_user(void *base, size_t n, size_t size)
{
	char	   *src = base,
			   *dst,
			   *tmp;
	size_t	   *count;
	bool		sorted = true;

	for (size_t i = 1; i < n && sorted; i++)
		sorted = user_cmp(src + (i - 1) * size, src + i * size) <= 0;
	if (sorted)
		return;
	/* small inputs: not worth clearing 2 MB of counters */
	if (n < 1024)
	{
		qsort(base, n, size, user_cmp);
		return;
	}
	dst = tmp = MemoryContextAllocHuge(CurrentMemoryContext, size * (n + 1));
	count = palloc0(sizeof(size_t) * 4 * 65536);
	for (size_t i = 0; i < n; i++)
	{
		int64		k;
		uint64		u;

		memcpy(&k, src + i * size, 8);
		u = (uint64) k ^ UINT64CONST(0x8000000000000000);
		for (int pass = 0; pass < 4; pass++)
			count[pass * 65536 + (u >> (16 * pass) & 0xffff)]++;
	}
	for (int pass = 0; pass < 4; pass++)
	{
		size_t	   *c = count + pass * 65536;
		size_t		sum = 0;
		bool		trivial = false;

		for (int b = 0; b < 65536; b++)
		{
			size_t		x = c[b];

			if (x == n)
				trivial = true;
			c[b] = sum;
			sum += x;
		}
		if (trivial)
			continue;			/* every key has the same digit: nothing moves */
		if ((pass & 3) == 0)
			CHECK_FOR_INTERRUPTS();
		for (size_t i = 0; i < n; i++)
		{
			int64		k;

			memcpy(&k, src + i * size, 8);
			memcpy(dst + size * c[((uint64) k ^ UINT64CONST(0x8000000000000000)) >> (16 * pass) & 0xffff]++,
				   src + i * size, size);
		}
		{
			char	   *t = src;

			src = dst;
			dst = t;
		}
	}
	if (src != base)
		memcpy(base, src, size * n);
	pfree(tmp);
	pfree(count);
}

/* The state's events grouped by user (ids ascending). */
static void
sort_events(AState *st)
{
	if (!st->sorted)
		radix_by_user(st->ev, st->nev, sizeof(AEv));
	st->sorted = true;
}

static inline double
val_of(const AState *st, int32 ch)
{
	return st->vals[-1 - (int64) ch];
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

	if (!AggCheckCallContext(fcinfo, &aggctx))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("attribution_agg_trans can only be called as an aggregate transition function")));
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
	 * Users in id order, so that the leader, which takes users in id order,
	 * reads every part front to back.
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
static AState *
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

	if (!AggCheckCallContext(fcinfo, &aggctx))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("attribution_agg_combine can only be called as an aggregate combine function")));
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

/* ---- the answer ---- */

/*
 * A user's events in one place: a run of the state's own events (part 0,
 * from index off) or a run of bytes of part k >= 1 (at byte off: count
 * events, then nconv values).
 */
typedef struct UserRef
{
	int64		user;
	uint32		count;
	uint32		nconv;
	uint32		part;
	uint32		off;
} UserRef;

/* A part's channel map (its ids to the state's) and where its users start. */
typedef struct PartIdx
{
	const uint8_t *base;
	const uint8_t *end;
	int32	   *map;
	uint32		nch;
	const uint8_t *users;
	uint64		nusers;
} PartIdx;

/* Reads a part's header and channel names (adding them to st's dictionary). */
static void
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
static size_t
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
static void
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
	radix_by_user(users, nusers, sizeof(UserRef));
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
		at_sort_events(buf, n, rank, scratch);
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
