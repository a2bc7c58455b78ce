/*
 * counts_agg.c — the across-user aggregates: funnel_counts_agg (a concrete
 * state type), window_funnel_counts and retention_counts (one pass, grouping
 * by user inside the state), and retention.
 *
 * The one-pass aggregates keep users in an open-addressing hash (user id ->
 * dense index).  window_funnel_counts appends each matching event, 16 bytes,
 * tagged with its user's index; the final function scatters the events into
 * per-user runs with one counting pass, then sorts and scans each run.
 * retention_counts needs only the OR of each user's masks: 12 bytes a user.
 */
#include "events_glue.h"

#include "catalog/pg_type.h"
#include "lib/stringinfo.h"
#include "libpq/pqformat.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

static MemoryContext
agg_context(FunctionCallInfo fcinfo, const char *fn)
{
	MemoryContext cxt;

	if (!AggCheckCallContext(fcinfo, &cxt))
		elog(ERROR, "%s called in non-aggregate context", fn);
	return cxt;
}

static ArrayType *
int8_array(const int64 *v, int n)
{
	Datum		d[EV_MAX_CONDS];
	int			i;

	for (i = 0; i < n; i++)
		d[i] = Int64GetDatum(v[i]);
	return construct_array(d, n, INT8OID, sizeof(int64), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE);
}

/* ---- users: open addressing, user id -> dense index ---- */

typedef struct UserHash
{
	uint32	   *slots;			/* index + 1, 0 empty */
	uint32		mask;			/* slots - 1 (a power of two minus one) */
	uint32		n;				/* users */
	uint32		cap;
	int64	   *ids;
	uint32	   *vals;			/* events per user, or the OR of masks */
	int64		last_id;		/* rows of one user usually come together */
	uint32		last_ix;
} UserHash;

static inline uint32
hash_id(int64 id)
{
	uint64		h = (uint64) id;

	h ^= h >> 33;
	h *= UINT64CONST(0xff51afd7ed558ccd);
	h ^= h >> 33;
	h *= UINT64CONST(0xc4ceb9fe1a85ec53);
	h ^= h >> 33;
	return (uint32) h;
}

static void
uh_init(UserHash *h, MemoryContext cxt, uint32 users)
{
	uint32		size = 64;

	while (size < users * 2 + 2)
		size *= 2;
	h->slots = MemoryContextAllocHuge(cxt, sizeof(uint32) * size);
	memset(h->slots, 0, sizeof(uint32) * size);
	h->mask = size - 1;
	h->n = 0;
	h->cap = Max(users, 32);
	h->ids = MemoryContextAllocHuge(cxt, sizeof(int64) * h->cap);
	h->vals = MemoryContextAllocHuge(cxt, sizeof(uint32) * h->cap);
	h->last_ix = UINT32_MAX;
}

static void
uh_rehash(UserHash *h)
{
	uint32		size = (h->mask + 1) * 2;
	uint32		i;

	if ((Size) size * sizeof(uint32) > MaxAllocHugeSize || size == 0)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many users in one group")));
	pfree(h->slots);
	h->slots = MemoryContextAllocHuge(GetMemoryChunkContext(h->ids), sizeof(uint32) * size);
	memset(h->slots, 0, sizeof(uint32) * size);
	h->mask = size - 1;
	for (i = 0; i < h->n; i++)
	{
		uint32		s = hash_id(h->ids[i]) & h->mask;

		while (h->slots[s])
			s = (s + 1) & h->mask;
		h->slots[s] = i + 1;
	}
}

/*
 * Users taken from a partial state: the arrays only.  The hash is built when
 * the state becomes a combine target (uh_ensure); a state that is only read
 * (the final function, or copied into another) never needs it.
 */
static void
uh_from_ids(UserHash *h, MemoryContext cxt, const char *ids, uint32 n)
{
	h->slots = NULL;
	h->mask = 0;
	h->n = n;
	h->cap = Max(n, 32);
	h->ids = MemoryContextAllocHuge(cxt, sizeof(int64) * h->cap);
	h->vals = MemoryContextAllocHuge(cxt, sizeof(uint32) * h->cap);
	if (n)
		memcpy(h->ids, ids, sizeof(int64) * n);
	memset(h->vals, 0, sizeof(uint32) * h->cap);
	h->last_ix = UINT32_MAX;
}

static void
uh_ensure(UserHash *h)
{
	uint32		size = 64;
	uint32		i;

	if (h->slots)
		return;
	while (size < h->n * 2 + 2)
		size *= 2;
	h->slots = MemoryContextAllocHuge(GetMemoryChunkContext(h->ids), sizeof(uint32) * size);
	memset(h->slots, 0, sizeof(uint32) * size);
	h->mask = size - 1;
	for (i = 0; i < h->n; i++)
	{
		uint32		s = hash_id(h->ids[i]) & h->mask;

		while (h->slots[s])
		{
			if (h->ids[h->slots[s] - 1] == h->ids[i])
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
						 errmsg("corrupt events aggregate state: duplicate user")));
			s = (s + 1) & h->mask;
		}
		h->slots[s] = i + 1;
	}
}

/* the index of user `id`, added with value 0 when new */
static inline uint32
uh_index(UserHash *h, int64 id)
{
	uint32		s;
	uint32		ix;

	if (id == h->last_id && h->last_ix != UINT32_MAX)
		return h->last_ix;
	s = hash_id(id) & h->mask;
	while ((ix = h->slots[s]) != 0)
	{
		if (h->ids[ix - 1] == id)
		{
			h->last_id = id;
			h->last_ix = ix - 1;
			return ix - 1;
		}
		s = (s + 1) & h->mask;
	}
	if (h->n == h->cap)
	{
		Size		cap = (Size) h->cap * 2;

		if (cap > UINT32_MAX / 2 || cap * sizeof(int64) > MaxAllocHugeSize)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("too many users in one group")));
		h->ids = repalloc_huge(h->ids, sizeof(int64) * cap);
		h->vals = repalloc_huge(h->vals, sizeof(uint32) * cap);
		h->cap = (uint32) cap;
	}
	ix = h->n++;
	h->ids[ix] = id;
	h->vals[ix] = 0;
	h->slots[s] = ix + 1;
	if (h->n * 2 > h->mask)
		uh_rehash(h);
	h->last_id = id;
	h->last_ix = ix;
	return ix;
}

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
	MemoryContext cxt = agg_context(fcinfo, "funnel_counts_trans");
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
	MemoryContext cxt = agg_context(fcinfo, "funnel_counts_combine");
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
	PG_RETURN_ARRAYTYPE_P(int8_array(fc->counts, fc->steps));
}

/* ---- window_funnel_counts ---- */

typedef struct FcState
{
	EvParams	params;
	UserHash	users;			/* vals: events per user */
	EvRun		run;			/* slot = user index */
} FcState;

static FcState *
fcs_new(MemoryContext cxt, uint32 users)
{
	FcState    *st = MemoryContextAllocZero(cxt, sizeof(FcState));

	uh_init(&st->users, cxt, users);
	return st;
}

/* (internal, bigint, interval, [text,] timestamptz, VARIADIC boolean[]) */
PG_FUNCTION_INFO_V1(window_funnel_counts_trans);
Datum
window_funnel_counts_trans(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = agg_context(fcinfo, "window_funnel_counts_trans");
	FcState    *st = PG_ARGISNULL(0) ? NULL : (FcState *) PG_GETARG_POINTER(0);
	bool		has_mode = ev_has_mode(fcinfo, 3);
	int			tsarg = has_mode ? 4 : 3;
	int			nconds;
	uint32		mask,
				ix;
	int64		window;
	text	   *mode = NULL;

	if (st == NULL)
		st = fcs_new(cxt, 1024);
	window = ev_read_window(fcinfo, 2);
	if (has_mode)
	{
		if (PG_ARGISNULL(3))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("window_funnel_counts mode must not be NULL"),
					 errhint("Use '' for the default mode.")));
		mode = PG_GETARG_TEXT_PP(3);
	}
	if (PG_ARGISNULL(1) || PG_ARGISNULL(tsarg) || !ev_read_conds(fcinfo, tsarg + 1, &nconds, &mask))
		PG_RETURN_POINTER(st);
	if (st->params.nconds == 0)
		st->params.flags = mode ? ev_parse_mode(mode) : 0;
	ev_params_row(&st->params, cxt, nconds, window, mode, "window_funnel_counts");
	/* a user whose events match nothing has level 0 and is in no count */
	if (mask == 0 && !(st->params.flags & FUNNEL_STRICT_ORDER))
		PG_RETURN_POINTER(st);
	ix = uh_index(&st->users, PG_GETARG_INT64(1));
	st->users.vals[ix]++;
	ev_run_push(&st->run, cxt, PG_GETARG_TIMESTAMPTZ(tsarg), mask, ix);
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(window_funnel_counts_combine);
Datum
window_funnel_counts_combine(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = agg_context(fcinfo, "window_funnel_counts_combine");
	FcState    *a = PG_ARGISNULL(0) ? NULL : (FcState *) PG_GETARG_POINTER(0);
	FcState    *b = PG_ARGISNULL(1) ? NULL : (FcState *) PG_GETARG_POINTER(1);
	uint32	   *map;
	uint32		i;
	Size		k,
				base;

	if (b == NULL || b->params.nconds == 0)
	{
		if (a == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(a);
	}
	if (a == NULL || (a->params.nconds == 0 && a->users.n == 0))
	{
		/* the first partial state: copied whole, user indexes unchanged, no hashing */
		a = MemoryContextAllocZero(cxt, sizeof(FcState));
		a->params = b->params;
		/* without a mode the text is NULL (states combined unserialized: partitionwise plans) */
		a->params.text = MemoryContextAllocZero(cxt, b->params.textlen + 1);
		if (b->params.text)
			memcpy(a->params.text, b->params.text, b->params.textlen);
		uh_from_ids(&a->users, cxt, (const char *) b->users.ids, b->users.n);
		memcpy(a->users.vals, b->users.vals, sizeof(uint32) * b->users.n);
		if (b->run.n)
		{
			ev_run_grow(&a->run, cxt, b->run.n);
			memcpy(a->run.ev, b->run.ev, sizeof(ev_event) * b->run.n);
		}
		a->run.n = b->run.n;
		PG_RETURN_POINTER(a);
	}
	if (a->params.nconds == 0)
	{
		a->params = b->params;
		a->params.text = MemoryContextAllocZero(cxt, b->params.textlen + 1);
		if (b->params.text)
			memcpy(a->params.text, b->params.text, b->params.textlen);
	}
	else
		ev_params_same(&a->params, &b->params, "window_funnel_counts");
	uh_ensure(&a->users);
	map = palloc_extended(sizeof(uint32) * Max(b->users.n, 1), MCXT_ALLOC_HUGE);
	for (i = 0; i < b->users.n; i++)
	{
		map[i] = uh_index(&a->users, b->users.ids[i]);
		a->users.vals[map[i]] += b->users.vals[i];
	}
	base = a->run.n;
	ev_run_grow(&a->run, cxt, a->run.n + b->run.n);
	for (k = 0; k < b->run.n; k++)
	{
		a->run.ev[base + k] = b->run.ev[k];
		a->run.ev[base + k].slot = map[b->run.ev[k].slot];
	}
	a->run.n += b->run.n;
	pfree(map);
	PG_RETURN_POINTER(a);
}

PG_FUNCTION_INFO_V1(window_funnel_counts_serialize);
Datum
window_funnel_counts_serialize(PG_FUNCTION_ARGS)
{
	FcState    *st = (FcState *) PG_GETARG_POINTER(0);
	StringInfoData s;
	bytea	   *out;
	uint64		nu = st->users.n,
				n = st->run.n;
	Size		need = 64 + st->params.textlen;

	if (n > (MaxAllocSize - need) / 16 || nu > (MaxAllocSize - need - 16 * n) / 8)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("window_funnel_counts: %llu events are too many to pass between parallel workers", (unsigned long long) n),
				 errhint("SET max_parallel_workers_per_gather = 0 for this query, or add an outer GROUP BY.")));
	initStringInfo(&s);
	appendStringInfoSpaces(&s, VARHDRSZ);
	ev_write_params(&s, &st->params);
	appendBinaryStringInfo(&s, (const char *) &nu, sizeof(uint64));
	appendBinaryStringInfo(&s, (const char *) &n, sizeof(uint64));
	appendBinaryStringInfo(&s, (const char *) st->users.ids, sizeof(int64) * nu);
	appendBinaryStringInfo(&s, (const char *) st->run.ev, sizeof(ev_event) * n);
	out = (bytea *) s.data;
	SET_VARSIZE(out, s.len);
	PG_RETURN_BYTEA_P(out);
}

PG_FUNCTION_INFO_V1(window_funnel_counts_deserialize);
Datum
window_funnel_counts_deserialize(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = agg_context(fcinfo, "window_funnel_counts_deserialize");
	bytea	   *in = PG_GETARG_BYTEA_PP(0);
	EvBuf		b = {VARDATA_ANY(in), VARDATA_ANY(in) + VARSIZE_ANY_EXHDR(in)};
	EvParams	params;
	uint64		nu,
				n;
	FcState    *st;
	Size		k;

	ev_read_params(&b, &params, cxt);
	ev_take(&b, &nu, sizeof(uint64));
	ev_take(&b, &n, sizeof(uint64));
	if (nu > UINT32_MAX / 4 || (uint64) (b.end - b.p) != nu * 8 + n * 16)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("corrupt window_funnel_counts state")));
	st = MemoryContextAllocZero(cxt, sizeof(FcState));
	st->params = params;
	uh_from_ids(&st->users, cxt, b.p, (uint32) nu);
	b.p += nu * 8;
	if (n)
	{
		ev_run_grow(&st->run, cxt, n);
		memcpy(st->run.ev, b.p, n * 16);
	}
	st->run.n = n;
	for (k = 0; k < n; k++)
	{
		if (st->run.ev[k].slot >= nu)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					 errmsg("corrupt window_funnel_counts state: bad user index")));
		st->users.vals[st->run.ev[k].slot]++;
	}
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(window_funnel_counts_final);
Datum
window_funnel_counts_final(PG_FUNCTION_ARGS)
{
	FcState    *st = PG_ARGISNULL(0) ? NULL : (FcState *) PG_GETARG_POINTER(0);
	int64		counts[EV_MAX_CONDS] = {0};
	int			nconds;
	uint32		nu,
				u;
	Size	   *off;
	ev_event   *runs;
	Size		k,
				pos;

	if (st == NULL || st->params.nconds == 0)
		PG_RETURN_NULL();
	nconds = st->params.nconds;
	nu = st->users.n;
	/* one counting pass groups the events by user */
	off = palloc_extended(sizeof(Size) * (nu + 1), MCXT_ALLOC_HUGE);
	pos = 0;
	for (u = 0; u < nu; u++)
	{
		off[u] = pos;
		pos += st->users.vals[u];
	}
	off[nu] = pos;
	runs = palloc_extended(sizeof(ev_event) * Max(st->run.n, 1), MCXT_ALLOC_HUGE);
	for (k = 0; k < st->run.n; k++)
		runs[off[st->run.ev[k].slot]++] = st->run.ev[k];
	pos = 0;
	for (u = 0; u < nu; u++)
	{
		Size		end = off[u];	/* advanced to the end of its run */
		int			level;

		ev_sort(runs + pos, end - pos);
		level = funnel_level(runs + pos, end - pos, nconds, (uint64) st->params.window,
							 st->params.flags, NULL, NULL);
		if (level > 0)
			counts[level - 1]++;
		pos = end;
		if ((u & 0xffff) == 0)
			CHECK_FOR_INTERRUPTS();
	}
	pfree(runs);
	pfree(off);
	/* counts[i] held users at exactly level i+1: make it level >= i+1 */
	for (k = nconds - 1; k > 0; k--)
		counts[k - 1] += counts[k];
	PG_RETURN_ARRAYTYPE_P(int8_array(counts, nconds));
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

/* ---- retention_counts: user -> OR of masks ---- */

typedef struct RcState
{
	int			nconds;
	UserHash	users;			/* vals: OR of the user's masks */
} RcState;

PG_FUNCTION_INFO_V1(retention_counts_trans);
Datum
retention_counts_trans(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = agg_context(fcinfo, "retention_counts_trans");
	RcState    *st = PG_ARGISNULL(0) ? NULL : (RcState *) PG_GETARG_POINTER(0);
	uint32		mask;
	int			nconds;

	if (st == NULL)
	{
		st = MemoryContextAllocZero(cxt, sizeof(RcState));
		uh_init(&st->users, cxt, 1024);
	}
	if (PG_ARGISNULL(1) || (nconds = retention_row(fcinfo, 2, &mask)) == 0)
		PG_RETURN_POINTER(st);
	if (st->nconds == 0)
		st->nconds = nconds;
	else if (nconds != st->nconds)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("retention_counts: every row must pass the same number of conditions (%d, then %d)", st->nconds, nconds)));
	if (mask)
	{
		/* uh_index may move vals: index first, then load the array */
		uint32		ix = uh_index(&st->users, PG_GETARG_INT64(1));

		st->users.vals[ix] |= mask;
	}
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(retention_counts_combine);
Datum
retention_counts_combine(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = agg_context(fcinfo, "retention_counts_combine");
	RcState    *a = PG_ARGISNULL(0) ? NULL : (RcState *) PG_GETARG_POINTER(0);
	RcState    *b = PG_ARGISNULL(1) ? NULL : (RcState *) PG_GETARG_POINTER(1);
	uint32		i;

	if (b == NULL || b->nconds == 0)
	{
		if (a == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(a);
	}
	if (a == NULL || (a->nconds == 0 && a->users.n == 0))
	{
		/* the first partial state: copied, not hashed */
		a = MemoryContextAllocZero(cxt, sizeof(RcState));
		a->nconds = b->nconds;
		uh_from_ids(&a->users, cxt, (const char *) b->users.ids, b->users.n);
		memcpy(a->users.vals, b->users.vals, sizeof(uint32) * b->users.n);
		PG_RETURN_POINTER(a);
	}
	uh_ensure(&a->users);
	if (a->nconds == 0)
		a->nconds = b->nconds;
	else if (a->nconds != b->nconds)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("retention_counts: cannot combine states of %d and %d conditions", a->nconds, b->nconds)));
	for (i = 0; i < b->users.n; i++)
	{
		uint32		ix = uh_index(&a->users, b->users.ids[i]);

		a->users.vals[ix] |= b->users.vals[i];
	}
	PG_RETURN_POINTER(a);
}

PG_FUNCTION_INFO_V1(retention_counts_serialize);
Datum
retention_counts_serialize(PG_FUNCTION_ARGS)
{
	RcState    *st = (RcState *) PG_GETARG_POINTER(0);
	StringInfoData s;
	bytea	   *out;
	uint64		nu = st->users.n;

	if (nu > (MaxAllocSize - 64) / 12)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("retention_counts: too many users to pass between parallel workers")));
	initStringInfo(&s);
	appendStringInfoSpaces(&s, VARHDRSZ);
	appendBinaryStringInfo(&s, (const char *) &st->nconds, sizeof(int));
	appendBinaryStringInfo(&s, (const char *) &nu, sizeof(uint64));
	appendBinaryStringInfo(&s, (const char *) st->users.ids, sizeof(int64) * nu);
	appendBinaryStringInfo(&s, (const char *) st->users.vals, sizeof(uint32) * nu);
	out = (bytea *) s.data;
	SET_VARSIZE(out, s.len);
	PG_RETURN_BYTEA_P(out);
}

PG_FUNCTION_INFO_V1(retention_counts_deserialize);
Datum
retention_counts_deserialize(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = agg_context(fcinfo, "retention_counts_deserialize");
	bytea	   *in = PG_GETARG_BYTEA_PP(0);
	EvBuf		b = {VARDATA_ANY(in), VARDATA_ANY(in) + VARSIZE_ANY_EXHDR(in)};
	RcState    *st = MemoryContextAllocZero(cxt, sizeof(RcState));
	uint64		nu;
	const char *vals;

	ev_take(&b, &st->nconds, sizeof(int));
	ev_take(&b, &nu, sizeof(uint64));
	if (st->nconds < 0 || st->nconds > EV_MAX_CONDS || nu > UINT32_MAX / 4 ||
		(uint64) (b.end - b.p) != nu * 12)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("corrupt retention_counts state")));
	uh_from_ids(&st->users, cxt, b.p, (uint32) nu);
	vals = b.p + nu * 8;
	if (nu)
		memcpy(st->users.vals, vals, sizeof(uint32) * nu);
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(retention_counts_final);
Datum
retention_counts_final(PG_FUNCTION_ARGS)
{
	RcState    *st = PG_ARGISNULL(0) ? NULL : (RcState *) PG_GETARG_POINTER(0);
	int64		counts[EV_MAX_CONDS] = {0};
	uint32		i;
	int			c;

	if (st == NULL || st->nconds == 0)
		PG_RETURN_NULL();
	for (i = 0; i < st->users.n; i++)
	{
		uint32		m = st->users.vals[i];

		if (!(m & 1))
			continue;
		while (m)
		{
			c = __builtin_ctz(m);
			counts[c]++;
			m &= m - 1;
		}
	}
	PG_RETURN_ARRAYTYPE_P(int8_array(counts, st->nconds));
}
