/*
 * onepass_fmgr.c — window_funnel_counts and retention_counts: one pass over
 * all users' rows, grouping by user inside the state.
 *
 * No user hash: a state is a list of runs (a run is consecutive rows of one
 * user) appended as rows arrive.  A row of the same user as the last run
 * extends it; any other opens a new run.  Tables are usually stored in user
 * order (loaded per user, or clustered), and then every user is one run and
 * the list is sorted: the final function scans it directly, with no lookup, no
 * cache miss per new user and no scatter.  Otherwise the runs are grouped by
 * user once, at the end, with a stable radix sort (usort.h).  Parallel
 * workers' sorted lists are merged by the leader in one linear pass.
 *
 * window_funnel_counts keeps each matching event (16 bytes) in run order, so
 * the events of run r are contiguous; retention_counts keeps only the OR of a
 * run's masks, and compacts (sorts and merges runs of one user) before
 * growing an unsorted list, so its memory stays within a few times 12 bytes a
 * user whatever the row order.
 */
#include "funnel/funnel_fmgr.h"
#include "funnel/usort.h"

#include "catalog/pg_type.h"
#include "lib/stringinfo.h"
#include "utils/array.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

/* ---- runs of one user ---- */

/* us_sort's check: a sort of a billion runs takes seconds */
static void
check_interrupts(void)
{
	CHECK_FOR_INTERRUPTS();
}

typedef struct UserRuns
{
	int64	   *ids;			/* the user of each run */
	uint32	   *vals;			/* events in the run, or the OR of its masks */
	uint32		n;
	uint32		cap;
	bool		sorted;			/* ids strictly increase: one run per user */
} UserRuns;

static void
ur_alloc(UserRuns *u, MemoryContext cxt, uint32 cap)
{
	cap = Max(cap, 64);
	u->ids = MemoryContextAllocHuge(cxt, sizeof(int64) * cap);
	u->vals = MemoryContextAllocHuge(cxt, sizeof(uint32) * cap);
	u->n = 0;
	u->cap = cap;
	u->sorted = true;
}

static void
ur_grow(UserRuns *u, Size need)
{
	Size		cap = u->cap;

	while (cap < need)
		cap *= 2;
	if (cap > UINT32_MAX / 2)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many runs of users in one group (%zu)", need)));
	if (cap == u->cap)
		return;
	u->ids = repalloc_huge(u->ids, sizeof(int64) * cap);
	u->vals = repalloc_huge(u->vals, sizeof(uint32) * cap);
	u->cap = (uint32) cap;
}

/* open a run of user id (value 0) */
static inline void
ur_push(UserRuns *u, int64 id)
{
	if (unlikely(u->n == u->cap))
		ur_grow(u, (Size) u->n + 1);
	if (u->n > 0 && id < u->ids[u->n - 1])
		u->sorted = false;
	u->ids[u->n] = id;
	u->vals[u->n] = 0;
	u->n++;
}

/* whether runs read from a partial state are sorted: checked, not trusted */
static bool
ur_check_sorted(const UserRuns *u)
{
	uint32		i;

	for (i = 1; i < u->n; i++)
		if (u->ids[i] <= u->ids[i - 1])
			return false;
	return true;
}

/* the runs in a partial state: every user id, then every run's value */
static void
ur_write(StringInfo s, const UserRuns *u)
{
	appendBinaryStringInfo(s, (const char *) u->ids, sizeof(int64) * u->n);
	appendBinaryStringInfo(s, (const char *) u->vals, sizeof(uint32) * u->n);
}

/* read back nu runs at p (12 * nu bytes, checked by the caller) into u, allocated for them */
static void
ur_read(UserRuns *u, const char *p, uint32 nu)
{
	if (nu)
	{
		memcpy(u->ids, p, sizeof(int64) * nu);
		memcpy(u->vals, p + sizeof(int64) * nu, sizeof(uint32) * nu);
	}
	u->n = nu;
	u->sorted = ur_check_sorted(u);
}

/*
 * The runs as (id, run index) records sorted by user, stably; palloc'd in the
 * current context.  *tofree gets what to pfree.
 */
static us_rec *
ur_sorted_index(const UserRuns *u, void **tofree)
{
	us_rec	   *r = palloc_extended(sizeof(us_rec) * 2 * Max(u->n, 1), MCXT_ALLOC_HUGE);
	uint32		i;

	for (i = 0; i < u->n; i++)
	{
		r[i].id = u->ids[i];
		r[i].val = i;
		r[i].aux = 0;
		if ((i & 0xffff) == 0)
			CHECK_FOR_INTERRUPTS();
	}
	*tofree = r;
	return us_sort(r, r + Max(u->n, 1), u->n, check_interrupts);
}

/* ---- window_funnel_counts ---- */

typedef struct FcState
{
	EvParams	params;
	UserRuns	users;			/* vals: events in the run */
	EvRun		run;			/* the events, run after run */
} FcState;

static FcState *
fcs_new(MemoryContext cxt, uint32 runs)
{
	FcState    *st = MemoryContextAllocZero(cxt, sizeof(FcState));

	ur_alloc(&st->users, cxt, runs);
	return st;
}

static void
fcs_set_params(FcState *st, MemoryContext cxt, const EvParams *p)
{
	st->params = *p;
	/* without a mode the text is NULL (states combined unserialized: partitionwise plans) */
	st->params.text = MemoryContextAllocZero(cxt, p->textlen + 1);
	if (p->text)
		memcpy(st->params.text, p->text, p->textlen);
}

/* (internal, bigint, interval, [text,] timestamptz, VARIADIC boolean[] | text, text[]) */
PG_FUNCTION_INFO_V1(window_funnel_counts_trans);
Datum
window_funnel_counts_trans(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = persona_agg_context(fcinfo, "window_funnel_counts_trans");
	FcState    *st = PG_ARGISNULL(0) ? NULL : (FcState *) PG_GETARG_POINTER(0);
	bool		has_mode = ev_has_mode(fcinfo, 3);
	int			tsarg = has_mode ? 4 : 3;
	int			nconds;
	uint32		mask;
	int64		window,
				id;
	text	   *mode = NULL;
	UserRuns   *u;

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
	id = PG_GETARG_INT64(1);
	u = &st->users;
	if (u->n == 0 || u->ids[u->n - 1] != id)
		ur_push(u, id);
	u->vals[u->n - 1]++;
	ev_run_push(&st->run, cxt, PG_GETARG_TIMESTAMPTZ(tsarg), mask, 0);
	PG_RETURN_POINTER(st);
}

/* b's runs after a's: a stays sorted only when b's users all come after a's */
static void
fcs_append(FcState *a, const FcState *b, MemoryContext cxt)
{
	UserRuns   *u = &a->users;

	if (b->users.n == 0)
		return;
	if (!b->users.sorted || (u->n > 0 && b->users.ids[0] <= u->ids[u->n - 1]))
		u->sorted = false;
	ur_grow(u, (Size) u->n + b->users.n);
	memcpy(u->ids + u->n, b->users.ids, sizeof(int64) * b->users.n);
	memcpy(u->vals + u->n, b->users.vals, sizeof(uint32) * b->users.n);
	u->n += b->users.n;
	if (b->run.n == 0)
		return;
	ev_run_grow(&a->run, cxt, a->run.n + b->run.n);
	memcpy(a->run.ev + a->run.n, b->run.ev, sizeof(ev_event) * b->run.n);
	a->run.n += b->run.n;
}

/* two sorted lists merged into a new sorted one; a user in both gets one run */
static void
fcs_merge(FcState *a, const FcState *b, MemoryContext cxt)
{
	UserRuns	m;
	ev_event   *ev;
	Size		total = a->run.n + b->run.n,
				pa = 0,
				pb = 0,
				pos = 0;
	uint32		i = 0,
				j = 0;

	if (total * sizeof(ev_event) > MaxAllocHugeSize)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many events in one group (%zu)", total)));
	ur_alloc(&m, cxt, a->users.n + b->users.n);
	ev = MemoryContextAllocHuge(cxt, sizeof(ev_event) * Max(total, 1));
	while (i < a->users.n || j < b->users.n)
	{
		bool		take_a = j == b->users.n ||
			(i < a->users.n && a->users.ids[i] <= b->users.ids[j]);
		bool		take_b = i == a->users.n ||
			(j < b->users.n && b->users.ids[j] <= a->users.ids[i]);
		uint32		c = 0;

		m.ids[m.n] = take_a ? a->users.ids[i] : b->users.ids[j];
		if (take_a)
		{
			memcpy(ev + pos + c, a->run.ev + pa, sizeof(ev_event) * a->users.vals[i]);
			c += a->users.vals[i];
			pa += a->users.vals[i];
			i++;
		}
		if (take_b)
		{
			memcpy(ev + pos + c, b->run.ev + pb, sizeof(ev_event) * b->users.vals[j]);
			c += b->users.vals[j];
			pb += b->users.vals[j];
			j++;
		}
		m.vals[m.n++] = c;
		pos += c;
		if ((m.n & 0xffff) == 0)
			CHECK_FOR_INTERRUPTS();
	}
	pfree(a->users.ids);
	pfree(a->users.vals);
	if (a->run.heap)
		pfree(a->run.ev);
	a->users = m;
	a->run.ev = ev;
	a->run.n = total;
	a->run.cap = Max(total, 1);
	a->run.heap = true;
}

PG_FUNCTION_INFO_V1(window_funnel_counts_combine);
Datum
window_funnel_counts_combine(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = persona_combine_context(fcinfo, "window_funnel_counts_combine");
	FcState    *a = PG_ARGISNULL(0) ? NULL : (FcState *) PG_GETARG_POINTER(0);
	FcState    *b = PG_ARGISNULL(1) ? NULL : (FcState *) PG_GETARG_POINTER(1);

	if (b == NULL || b->params.nconds == 0)
	{
		if (a == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(a);
	}
	if (a == NULL || a->params.nconds == 0)
	{
		/*
		 * The first partial state.  One just deserialized, all of it in the
		 * aggregate context, is adopted: no copy.  One from elsewhere (a
		 * partitionwise plan's child aggregate, unserialized) may be freed by
		 * its owner: copied.
		 */
		if (a == NULL && GetMemoryChunkContext(b) == cxt)
			PG_RETURN_POINTER(b);
		a = fcs_new(cxt, b->users.n);
		fcs_set_params(a, cxt, &b->params);
		fcs_append(a, b, cxt);
		PG_RETURN_POINTER(a);
	}
	ev_params_same(&a->params, &b->params, "window_funnel_counts");
	if (a->users.sorted && b->users.sorted && a->users.n > 0 && b->users.n > 0 &&
		b->users.ids[0] <= a->users.ids[a->users.n - 1])
		fcs_merge(a, b, cxt);
	else
		fcs_append(a, b, cxt);
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

	if (n > (MaxAllocSize - need) / 16 || nu > (MaxAllocSize - need - 16 * n) / 12)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("window_funnel_counts: %llu events are too many to pass between parallel workers", (unsigned long long) n),
				 errhint("SET max_parallel_workers_per_gather = 0 for this query, or add an outer GROUP BY.")));
	initStringInfo(&s);
	enlargeStringInfo(&s, need + 12 * nu + 16 * n);
	appendStringInfoSpaces(&s, VARHDRSZ);
	ev_write_params(&s, &st->params);
	appendBinaryStringInfo(&s, (const char *) &nu, sizeof(uint64));
	appendBinaryStringInfo(&s, (const char *) &n, sizeof(uint64));
	ur_write(&s, &st->users);
	appendBinaryStringInfo(&s, (const char *) st->run.ev, sizeof(ev_event) * n);
	out = (bytea *) s.data;
	SET_VARSIZE(out, s.len);
	PG_RETURN_BYTEA_P(out);
}

PG_FUNCTION_INFO_V1(window_funnel_counts_deserialize);
Datum
window_funnel_counts_deserialize(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = persona_combine_context(fcinfo, "window_funnel_counts_deserialize");
	bytea	   *in = PG_GETARG_BYTEA_PP(0);
	byte_reader b;
	EvParams	params;
	uint64		nu,
				n,
				sum = 0;
	FcState    *st;
	uint32		i;

	br_init(&b, VARDATA_ANY(in), VARSIZE_ANY_EXHDR(in));
	ev_read_params(&b, &params, cxt);
	ev_take(&b, &nu, sizeof(uint64));
	ev_take(&b, &n, sizeof(uint64));
	if (nu > UINT32_MAX / 4 || n > MaxAllocHugeSize / 16 ||
		(uint64) br_left(&b) != nu * 12 + n * 16)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("corrupt window_funnel_counts state")));
	st = fcs_new(cxt, (uint32) nu);
	st->params = params;
	ur_read(&st->users, (const char *) b.p, (uint32) nu);
	b.p += nu * 12;
	for (i = 0; i < nu; i++)
	{
		if (st->users.vals[i] == 0)
			break;
		sum += st->users.vals[i];
	}
	if (i < nu || sum != n)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("corrupt window_funnel_counts state: runs and events disagree")));
	if (n)
	{
		ev_run_grow(&st->run, cxt, n);
		memcpy(st->run.ev, b.p, n * 16);
	}
	st->run.n = n;
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(window_funnel_counts_final);
Datum
window_funnel_counts_final(PG_FUNCTION_ARGS)
{
	FcState    *st = PG_ARGISNULL(0) ? NULL : (FcState *) PG_GETARG_POINTER(0);
	int64		counts[EV_MAX_CONDS] = {0};
	int			nconds;
	UserRuns   *u;
	uint64		window;
	int			flags;
	Size		k;

	if (st == NULL || st->params.nconds == 0)
		PG_RETURN_NULL();
	nconds = st->params.nconds;
	window = (uint64) st->params.window;
	flags = st->params.flags;
	u = &st->users;
	if (u->sorted)
	{
		/* one run per user, in order: scanned in place */
		Size		pos = 0;
		uint32		r;

		for (r = 0; r < u->n; r++)
		{
			ev_event   *e = st->run.ev + pos;
			int			level;

			/* sorting in place changes no answer: runs are read sorted anyway */
			ev_sort(e, u->vals[r]);
			level = funnel_level(e, u->vals[r], nconds, window, flags, NULL, NULL);
			if (level > 0)
				counts[level - 1]++;
			pos += u->vals[r];
			if ((r & 0xffff) == 0)
				CHECK_FOR_INTERRUPTS();
		}
	}
	else
	{
		/* runs grouped by user; a user of several runs is gathered into buf */
		Size	   *off = palloc_extended(sizeof(Size) * Max(u->n, 1), MCXT_ALLOC_HUGE);
		void	   *tofree;
		us_rec	   *idx;
		ev_event   *buf = NULL;
		Size		bufcap = 0,
					pos = 0;
		uint32		r,
					i,
					j,
					checked = 0;

		for (r = 0; r < u->n; r++)
		{
			off[r] = pos;
			pos += u->vals[r];
			if ((r & 0xffff) == 0)
				CHECK_FOR_INTERRUPTS();
		}
		idx = ur_sorted_index(u, &tofree);
		for (i = 0; i < u->n; i = j)
		{
			ev_event   *e;
			Size		n = 0;
			int			level;

			for (j = i; j < u->n && idx[j].id == idx[i].id; j++)
				n += u->vals[idx[j].val];
			if (j == i + 1)
				e = st->run.ev + off[idx[i].val];
			else
			{
				Size		c = 0;

				if (n > bufcap)
				{
					if (buf)
						pfree(buf);
					bufcap = Max(n, bufcap * 2);
					buf = palloc_extended(sizeof(ev_event) * bufcap, MCXT_ALLOC_HUGE);
				}
				for (k = i; k < j; k++)
				{
					uint32		rr = idx[k].val;

					memcpy(buf + c, st->run.ev + off[rr], sizeof(ev_event) * u->vals[rr]);
					c += u->vals[rr];
				}
				e = buf;
			}
			ev_sort(e, n);
			level = funnel_level(e, n, nconds, window, flags, NULL, NULL);
			if (level > 0)
				counts[level - 1]++;
			/* i moves by whole users: count runs, not positions */
			if (j - checked >= 0x10000)
			{
				CHECK_FOR_INTERRUPTS();
				checked = j;
			}
		}
		if (buf)
			pfree(buf);
		pfree(tofree);
		pfree(off);
	}
	/* counts[i] held users at exactly level i+1: make it level >= i+1 */
	for (k = nconds - 1; k > 0; k--)
		counts[k - 1] += counts[k];
	PG_RETURN_ARRAYTYPE_P(ev_int8_array(counts, nconds));
}

/* ---- retention_counts: runs of (user, OR of masks) ---- */

typedef struct RcState
{
	int			nconds;
	UserRuns	users;			/* vals: OR of the run's masks */
} RcState;

/*
 * Two ascending stretches of runs, [0, k) and [k, n), merged into one
 * (a user in both ORed); the arrays are replaced by ones of the same capacity.
 */
static void
rc_merge_two(UserRuns *u, uint32 k)
{
	MemoryContext cxt = GetMemoryChunkContext(u->ids);
	int64	   *ids = MemoryContextAllocHuge(cxt, sizeof(int64) * u->cap);
	uint32	   *vals = MemoryContextAllocHuge(cxt, sizeof(uint32) * u->cap);
	uint32		i = 0,
				j = k,
				m = 0;

	while (i < k || j < u->n)
	{
		bool		take_a = j == u->n || (i < k && u->ids[i] <= u->ids[j]);
		bool		take_b = i == k || (j < u->n && u->ids[j] <= u->ids[i]);

		ids[m] = take_a ? u->ids[i] : u->ids[j];
		vals[m] = (take_a ? u->vals[i++] : 0) | (take_b ? u->vals[j++] : 0);
		m++;
		if ((m & 0xffff) == 0)
			CHECK_FOR_INTERRUPTS();
	}
	pfree(u->ids);
	pfree(u->vals);
	u->ids = ids;
	u->vals = vals;
	u->n = m;
	u->sorted = true;
}

/*
 * Sort the runs by user and merge each user's into one: the list becomes
 * sorted, one run per user.  In place (the radix sort's second half is
 * temporary).
 *
 * A table stored in user order whose ids go down once (appended in two
 * batches, or a parallel worker's share of it) gives two ascending stretches:
 * those are merged in one linear pass.  The radix sort had been 4% of a serial
 * profile of retention_counts at SCALE=1, sorting a list that was two sorted
 * halves each time it filled up.
 */
static void
rc_compact(UserRuns *u)
{
	us_rec	   *r,
			   *s;
	uint32		i,
				m = 0,
				brk = 0,
				nbrk = 0;

	if (u->sorted || u->n < 2)
		return;
	for (i = 1; i < u->n && nbrk < 2; i++)
		if (u->ids[i] <= u->ids[i - 1])
		{
			brk = i;
			nbrk++;
		}
	if (nbrk == 1)
	{
		rc_merge_two(u, brk);
		return;
	}
	r = palloc_extended(sizeof(us_rec) * 2 * (Size) u->n, MCXT_ALLOC_HUGE);
	for (i = 0; i < u->n; i++)
	{
		r[i].id = u->ids[i];
		r[i].val = u->vals[i];
		r[i].aux = 0;
		if ((i & 0xffff) == 0)
			CHECK_FOR_INTERRUPTS();
	}
	s = us_sort(r, r + u->n, u->n, check_interrupts);
	for (i = 0; i < u->n; i++)
	{
		if ((i & 0xffff) == 0)
			CHECK_FOR_INTERRUPTS();
		if (m > 0 && u->ids[m - 1] == s[i].id)
			u->vals[m - 1] |= s[i].val;
		else
		{
			u->ids[m] = s[i].id;
			u->vals[m] = s[i].val;
			m++;
		}
	}
	u->n = m;
	u->sorted = true;
	pfree(r);
}

/* room for one more run: an unsorted list is compacted first, grown only if that freed little */
static void
rc_make_room(UserRuns *u)
{
	if (!u->sorted)
		rc_compact(u);
	if (u->n > u->cap / 2 || u->n == u->cap)
		ur_grow(u, (Size) u->cap + 1);
}

PG_FUNCTION_INFO_V1(retention_counts_trans);
Datum
retention_counts_trans(PG_FUNCTION_ARGS)
{
	RcState    *st = PG_ARGISNULL(0) ? NULL : (RcState *) PG_GETARG_POINTER(0);
	uint32		mask;
	int			nconds;

	/*
	 * The aggregate context is checked once, with the first row: a state can
	 * only come from an earlier call in that context (SQL cannot make an
	 * internal value), and the check is a call per row.
	 */
	if (st == NULL)
	{
		MemoryContext cxt = persona_agg_context(fcinfo, "retention_counts_trans");

		st = MemoryContextAllocZero(cxt, sizeof(RcState));
		ur_alloc(&st->users, cxt, 1024);
	}
	if (PG_ARGISNULL(1) || !ev_read_conds(fcinfo, 2, &nconds, &mask))
		PG_RETURN_POINTER(st);
	if (st->nconds == 0)
		st->nconds = nconds;
	else if (nconds != st->nconds)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("retention_counts: every row must pass the same number of conditions (%d, then %d)", st->nconds, nconds)));
	if (mask)
	{
		UserRuns   *u = &st->users;
		int64		id = PG_GETARG_INT64(1);

		if (u->n == 0 || u->ids[u->n - 1] != id)
		{
			if (unlikely(u->n == u->cap))
				rc_make_room(u);
			ur_push(u, id);
		}
		u->vals[u->n - 1] |= mask;
	}
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(retention_counts_combine);
Datum
retention_counts_combine(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = persona_combine_context(fcinfo, "retention_counts_combine");
	RcState    *a = PG_ARGISNULL(0) ? NULL : (RcState *) PG_GETARG_POINTER(0);
	RcState    *b = PG_ARGISNULL(1) ? NULL : (RcState *) PG_GETARG_POINTER(1);
	UserRuns   *u;

	if (b == NULL || b->nconds == 0)
	{
		if (a == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(a);
	}
	if (a == NULL || a->nconds == 0)
	{
		/* the first partial state: adopted when just deserialized, else copied */
		if (a == NULL && GetMemoryChunkContext(b) == cxt)
			PG_RETURN_POINTER(b);
		a = MemoryContextAllocZero(cxt, sizeof(RcState));
		ur_alloc(&a->users, cxt, b->users.n);
	}
	if (a->nconds == 0)
		a->nconds = b->nconds;
	else if (a->nconds != b->nconds)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("retention_counts: cannot combine states of %d and %d conditions", a->nconds, b->nconds)));
	u = &a->users;
	if (b->users.n == 0)
		PG_RETURN_POINTER(a);
	if (u->sorted && b->users.sorted && u->n > 0 && b->users.ids[0] <= u->ids[u->n - 1])
	{
		/* two sorted lists: merged, a user in both ORed */
		UserRuns	m;
		uint32		i = 0,
					j = 0;

		ur_alloc(&m, cxt, u->n + b->users.n);
		while (i < u->n || j < b->users.n)
		{
			bool		take_a = j == b->users.n ||
				(i < u->n && u->ids[i] <= b->users.ids[j]);
			bool		take_b = i == u->n ||
				(j < b->users.n && b->users.ids[j] <= u->ids[i]);

			m.ids[m.n] = take_a ? u->ids[i] : b->users.ids[j];
			m.vals[m.n] = (take_a ? u->vals[i++] : 0) | (take_b ? b->users.vals[j++] : 0);
			m.n++;
			if ((m.n & 0xffff) == 0)
				CHECK_FOR_INTERRUPTS();
		}
		pfree(u->ids);
		pfree(u->vals);
		*u = m;
	}
	else
	{
		if (!b->users.sorted || (u->n > 0 && b->users.ids[0] <= u->ids[u->n - 1]))
			u->sorted = false;
		ur_grow(u, (Size) u->n + b->users.n);
		memcpy(u->ids + u->n, b->users.ids, sizeof(int64) * b->users.n);
		memcpy(u->vals + u->n, b->users.vals, sizeof(uint32) * b->users.n);
		u->n += b->users.n;
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
	uint64		nu;

	/* one run per user before it is passed on: smaller, and merged linearly */
	rc_compact(&st->users);
	nu = st->users.n;
	if (nu > (MaxAllocSize - 64) / 12)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("retention_counts: too many users to pass between parallel workers")));
	initStringInfo(&s);
	enlargeStringInfo(&s, 64 + 12 * nu);
	appendStringInfoSpaces(&s, VARHDRSZ);
	appendBinaryStringInfo(&s, (const char *) &st->nconds, sizeof(int));
	appendBinaryStringInfo(&s, (const char *) &nu, sizeof(uint64));
	ur_write(&s, &st->users);
	out = (bytea *) s.data;
	SET_VARSIZE(out, s.len);
	PG_RETURN_BYTEA_P(out);
}

PG_FUNCTION_INFO_V1(retention_counts_deserialize);
Datum
retention_counts_deserialize(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = persona_combine_context(fcinfo, "retention_counts_deserialize");
	bytea	   *in = PG_GETARG_BYTEA_PP(0);
	byte_reader b;
	RcState    *st = MemoryContextAllocZero(cxt, sizeof(RcState));
	uint64		nu;

	br_init(&b, VARDATA_ANY(in), VARSIZE_ANY_EXHDR(in));
	ev_take(&b, &st->nconds, sizeof(int));
	ev_take(&b, &nu, sizeof(uint64));
	if (st->nconds < 0 || st->nconds > EV_MAX_CONDS || nu > UINT32_MAX / 4 ||
		(uint64) br_left(&b) != nu * 12)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("corrupt retention_counts state")));
	ur_alloc(&st->users, cxt, (uint32) nu);
	ur_read(&st->users, (const char *) b.p, (uint32) nu);
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(retention_counts_final);
Datum
retention_counts_final(PG_FUNCTION_ARGS)
{
	RcState    *st = PG_ARGISNULL(0) ? NULL : (RcState *) PG_GETARG_POINTER(0);
	int64		counts[EV_MAX_CONDS] = {0};
	uint32		i;

	if (st == NULL || st->nconds == 0)
		PG_RETURN_NULL();
	/* one run per user (merging runs changes no answer: the state is the same set) */
	rc_compact(&st->users);
	for (i = 0; i < st->users.n; i++)
	{
		uint32		m = st->users.vals[i];

		if ((i & 0xffff) == 0)
			CHECK_FOR_INTERRUPTS();
		if (!(m & 1))
			continue;
		while (m)
		{
			counts[__builtin_ctz(m)]++;
			m &= m - 1;
		}
	}
	PG_RETURN_ARRAYTYPE_P(ev_int8_array(counts, st->nconds));
}
