/*
 * funnel_fmgr.c — the per-user aggregates: window_funnel, window_funnel_path,
 * sequence_match and sequence_count.
 *
 * The state is the group's event run, 16 bytes per event that matches some
 * condition (events matching none are kept only in strict_order mode, where
 * they end the scan); it is sorted once, in the final function.  Partial
 * states concatenate.
 */
#include "funnel/funnel_fmgr.h"
#include "funnel/evcodec.h"
#include "funnel/pattern.h"

#include "catalog/pg_type.h"
#include "lib/stringinfo.h"
#include "libpq/pqformat.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

/*
 * Most users have a few events: they live in the state itself, one allocation
 * a group.  The state is exactly 128 bytes, an allocator size class: one more
 * byte would double it, and with a million groups per hash table the state's
 * size is most of the GROUP BY form's memory and cache misses.
 */
#define EV_INLINE 4

typedef struct EvState
{
	EvParams	params;
	EvRun		run;
	ev_event	inline_ev[EV_INLINE];
} EvState;

StaticAssertDecl(sizeof(EvState) <= 128, "EvState must stay within a 128-byte allocation");

/* strict_order: events matching no condition are kept, they end the scan */
#define KEEP_ZERO(st) (((st)->params.flags & FUNNEL_STRICT_ORDER) != 0)

/*
 * A sequence_match/sequence_count state, beside the mode flags: a funnel
 * state's level can be found ahead (ev_state_deserialize), a sequence's not.
 */
#define EV_SEQUENCE 0x40
#define EV_FLAGS (FUNNEL_STRICT_DEDUPLICATION | FUNNEL_STRICT_ORDER | FUNNEL_STRICT_INCREASE | EV_SEQUENCE)

static EvState *
ev_state_new(MemoryContext cxt)
{
	EvState    *st = MemoryContextAllocZero(cxt, sizeof(EvState));

	st->run.ev = st->inline_ev;
	st->run.cap = EV_INLINE;
	st->run.level = -1;
	return st;
}

/*
 * (internal, interval, [text,] timestamptz, VARIADIC boolean[]): the mode is
 * there when there are 5 arguments.
 */
PG_FUNCTION_INFO_V1(window_funnel_trans);
Datum
window_funnel_trans(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = persona_agg_context(fcinfo, "window_funnel_trans");
	EvState    *st = PG_ARGISNULL(0) ? NULL : (EvState *) PG_GETARG_POINTER(0);
	bool		has_mode = ev_has_mode(fcinfo, 2);
	int			tsarg = has_mode ? 3 : 2;
	int			nconds;
	uint32		mask;
	int64		window;
	text	   *mode = NULL;

	if (st == NULL)
		st = ev_state_new(cxt);
	window = ev_read_window(fcinfo, 1);
	if (has_mode)
	{
		if (PG_ARGISNULL(2))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("window_funnel mode must not be NULL"),
					 errhint("Use '' for the default mode.")));
		mode = PG_GETARG_TEXT_PP(2);
	}
	if (PG_ARGISNULL(tsarg) || !ev_read_conds(fcinfo, tsarg + 1, &nconds, &mask))
		PG_RETURN_POINTER(st);
	if (st->params.nconds == 0)
		st->params.flags = mode ? ev_parse_mode(mode) : 0;
	ev_params_row(&st->params, cxt, nconds, window, mode, "window_funnel");
	if (mask != 0 || KEEP_ZERO(st))
		ev_run_push(&st->run, cxt, PG_GETARG_TIMESTAMPTZ(tsarg), mask, 0);
	PG_RETURN_POINTER(st);
}

/* (internal, text, timestamptz, VARIADIC boolean[]) */
PG_FUNCTION_INFO_V1(sequence_trans);
Datum
sequence_trans(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = persona_agg_context(fcinfo, "sequence_trans");
	EvState    *st = PG_ARGISNULL(0) ? NULL : (EvState *) PG_GETARG_POINTER(0);
	int			nconds;
	uint32		mask;
	text	   *pat;

	if (st == NULL)
		st = ev_state_new(cxt);
	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("sequence pattern must not be NULL")));
	pat = PG_GETARG_TEXT_PP(1);
	if (PG_ARGISNULL(2) || !ev_read_conds(fcinfo, 3, &nconds, &mask))
		PG_RETURN_POINTER(st);
	if (st->params.nconds == 0)
	{
		seq_pattern p;
		seq_error	err;

		st->params.flags = EV_SEQUENCE;

		/* compiled here for an early error; the final function compiles again */
		if (seq_compile(VARDATA_ANY(pat), VARSIZE_ANY_EXHDR(pat), nconds, &p, &err) < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid sequence pattern: %s at character %d", err.message, err.position),
					 errdetail("Pattern: %s", text_to_cstring(pat)),
					 errhint("Patterns are made of (?N) (an event matching condition N), . (any event), .* (any events) and (?t op seconds) between two atoms, op one of < <= > >= == !=.")));
	}
	ev_params_row(&st->params, cxt, nconds, 0, pat, "sequence_match");
	if (mask != 0)
		ev_run_push(&st->run, cxt, PG_GETARG_TIMESTAMPTZ(2), mask, 0);
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(ev_state_combine);
Datum
ev_state_combine(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = persona_combine_context(fcinfo, "ev_state_combine");
	EvState    *a = PG_ARGISNULL(0) ? NULL : (EvState *) PG_GETARG_POINTER(0);
	EvState    *b = PG_ARGISNULL(1) ? NULL : (EvState *) PG_GETARG_POINTER(1);

	if (b == NULL || b->params.nconds == 0)
	{
		if (a == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(a);
	}
	/*
	 * The first partial state of a group, freshly deserialized into our own
	 * aggregate context, is adopted as it is: no copy, and no second state per
	 * group in the leader.  A state from elsewhere (a partitionwise plan's
	 * child aggregate, unserialized) may be freed by its owner: copied.
	 */
	if (a == NULL && GetMemoryChunkContext(b) == cxt)
		PG_RETURN_POINTER(b);
	if (a == NULL)
		a = ev_state_new(cxt);
	if (a->params.nconds == 0)
	{
		a->params = b->params;
		/* without a mode the text is NULL (states combined unserialized: partitionwise plans) */
		a->params.text = MemoryContextAllocZero(cxt, b->params.textlen + 1);
		if (b->params.text)
			memcpy(a->params.text, b->params.text, b->params.textlen);
	}
	else
		ev_params_same(&a->params, &b->params, "window_funnel");
	if (b->run.n)
	{
		ev_run_grow(&a->run, cxt, a->run.n + b->run.n);
		memcpy(a->run.ev + a->run.n, b->run.ev, b->run.n * sizeof(ev_event));
		a->run.n += b->run.n;
		a->run.level = -1;		/* found ahead for a part of the run only */
	}
	PG_RETURN_POINTER(a);
}

/*
 * The serialized state, byte by byte: nconds, the mode flags, then varints of
 * the window, the text's length (then the text) and the number of events, then
 * the run sorted and in evcodec's compact form.  In the GROUP BY user form the
 * leader receives one of these per group, about a million: for a user's 4 funnel
 * events it is some 40 bytes, where a fixed layout took 81.
 */
PG_FUNCTION_INFO_V1(ev_state_serialize);
Datum
ev_state_serialize(PG_FUNCTION_ARGS)
{
	EvState    *st = (EvState *) PG_GETARG_POINTER(0);
	Size		n = st->run.n;
	Size		head = 2 + 3 * EVC_VARINT_MAX + st->params.textlen;
	bytea	   *out;
	uint8	   *p;

	if (n > (MaxAllocSize - VARHDRSZ - head) / evc_bound(1, EV_MAX_CONDS))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many events in one group to pass between parallel workers (%zu)", n),
				 errhint("SET max_parallel_workers_per_gather = 0 for this query.")));
	/*
	 * Sorted here, in the worker, so that the leader's final function finds
	 * the run in order (its check is one pass) and evcodec can write gaps.
	 */
	ev_sort(st->run.ev, n);
	out = palloc(VARHDRSZ + head + evc_bound(n, st->params.nconds));
	p = (uint8 *) VARDATA(out);
	*p++ = (uint8) st->params.nconds;
	*p++ = (uint8) st->params.flags;
	p = evc_put_varint(p, (uint64) st->params.window);
	p = evc_put_varint(p, (uint64) st->params.textlen);
	if (st->params.textlen)
		memcpy(p, st->params.text, st->params.textlen);
	p += st->params.textlen;
	p = evc_put_varint(p, (uint64) n);
	p = evc_encode(st->run.ev, n, st->params.nconds, p);
	SET_VARSIZE(out, (char *) p - (char *) out);
	PG_RETURN_BYTEA_P(out);
}

static void
ev_corrupt(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("corrupt events aggregate state")));
}

PG_FUNCTION_INFO_V1(ev_state_deserialize);
Datum
ev_state_deserialize(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = persona_combine_context(fcinfo, "ev_state_deserialize");
	bytea	   *in = PG_GETARG_BYTEA_PP(0);
	const uint8 *p = (const uint8 *) VARDATA_ANY(in);
	const uint8 *end = p + VARSIZE_ANY_EXHDR(in);
	EvParams	params;
	EvState    *st;
	uint64		v,
				n;

	if (end - p < 2)
		ev_corrupt();
	params.nconds = *p++;
	params.flags = *p++;
	/* nconds 0: a state that saw no row */
	if (params.nconds > EV_MAX_CONDS ||
		(params.flags & ~EV_FLAGS) != 0)
		ev_corrupt();
	if ((p = evc_get_varint(p, end, &v)) == NULL || v > (uint64) PG_INT64_MAX)
		ev_corrupt();
	params.window = (int64) v;
	if ((p = evc_get_varint(p, end, &v)) == NULL || v > (uint64) (end - p))
		ev_corrupt();
	params.textlen = (int) v;
	params.text = NULL;
	if (params.textlen)
	{
		params.text = MemoryContextAlloc(cxt, params.textlen + 1);
		memcpy(params.text, p, params.textlen);
		params.text[params.textlen] = '\0';
		p += params.textlen;
	}
	/* every event takes at least 2 bytes */
	if ((p = evc_get_varint(p, end, &n)) == NULL || n > (uint64) (end - p) / 2)
		ev_corrupt();

	/*
	 * One allocation holds the state and its events, which continue past the
	 * inline ones: one chunk per group in the leader, and the final function
	 * reads adjacent memory.  The run is not `heap`: growing it (a second
	 * partial state of the group) moves it out.
	 */
	st = MemoryContextAlloc(cxt, sizeof(EvState) + sizeof(ev_event) * (Max(n, EV_INLINE) - EV_INLINE));
	st->params = params;
	st->run.ev = st->inline_ev;
	st->run.n = n;
	st->run.cap = Max(n, EV_INLINE);
	st->run.heap = false;
	st->run.level = -1;
	if (evc_decode(p, end, n, params.nconds, st->run.ev) != end)
		ev_corrupt();

	/*
	 * Only the leader deserializes, and in the GROUP BY user form it holds a
	 * million groups: its final function would then visit each state again,
	 * in hash table order, a cache miss or two per group.  The funnel level is
	 * found now, while the run is in cache; window_funnel_final only reads it,
	 * unless a second partial state of the group is combined into this one.
	 */
	if (!(params.flags & EV_SEQUENCE) && params.nconds > 0)
	{
		ev_sort(st->run.ev, n);
		st->run.level = funnel_level(st->run.ev, n, params.nconds, (uint64) params.window,
									 params.flags, NULL, NULL);
	}
	PG_RETURN_POINTER(st);
}

static int
state_level(EvState *st, int64 *path)
{
	int64	   *work = NULL;
	int			level;

	ev_sort(st->run.ev, st->run.n);
	if (path)
		work = palloc(sizeof(int64) * st->params.nconds * st->params.nconds);
	level = funnel_level(st->run.ev, st->run.n, st->params.nconds, (uint64) st->params.window,
						 st->params.flags, path, work);
	if (work)
		pfree(work);
	return level;
}

PG_FUNCTION_INFO_V1(window_funnel_final);
Datum
window_funnel_final(PG_FUNCTION_ARGS)
{
	EvState    *st = PG_ARGISNULL(0) ? NULL : (EvState *) PG_GETARG_POINTER(0);

	if (st == NULL || st->params.nconds == 0)
		PG_RETURN_INT32(0);
	if (st->run.level >= 0)
		PG_RETURN_INT32(st->run.level);
	PG_RETURN_INT32(state_level(st, NULL));
}

PG_FUNCTION_INFO_V1(window_funnel_path_final);
Datum
window_funnel_path_final(PG_FUNCTION_ARGS)
{
	EvState    *st = PG_ARGISNULL(0) ? NULL : (EvState *) PG_GETARG_POINTER(0);
	int64		path[EV_MAX_CONDS];
	Datum		d[EV_MAX_CONDS];
	int			level,
				i;

	if (st == NULL || st->params.nconds == 0)
		PG_RETURN_ARRAYTYPE_P(construct_empty_array(TIMESTAMPTZOID));
	level = state_level(st, path);
	for (i = 0; i < level; i++)
		d[i] = TimestampTzGetDatum(path[i]);
	PG_RETURN_ARRAYTYPE_P(construct_array(d, level, TIMESTAMPTZOID, sizeof(int64), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

static int64
state_sequence(EvState *st, bool first_only)
{
	seq_pattern p;
	seq_error	err;
	uint32	   *work;
	int64		c;

	if (seq_compile(st->params.text, st->params.textlen, st->params.nconds, &p, &err) < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid sequence pattern: %s at character %d", err.message, err.position)));
	ev_sort(st->run.ev, st->run.n);
	work = palloc_extended(sizeof(uint32) * p.nsteps * (st->run.n + 1), MCXT_ALLOC_HUGE);
	c = seq_count(&p, st->run.ev, st->run.n, first_only, work);
	pfree(work);
	return c;
}

PG_FUNCTION_INFO_V1(sequence_match_final);
Datum
sequence_match_final(PG_FUNCTION_ARGS)
{
	EvState    *st = PG_ARGISNULL(0) ? NULL : (EvState *) PG_GETARG_POINTER(0);

	if (st == NULL || st->params.nconds == 0)
		PG_RETURN_BOOL(false);
	PG_RETURN_BOOL(state_sequence(st, true) > 0);
}

PG_FUNCTION_INFO_V1(sequence_count_final);
Datum
sequence_count_final(PG_FUNCTION_ARGS)
{
	EvState    *st = PG_ARGISNULL(0) ? NULL : (EvState *) PG_GETARG_POINTER(0);

	if (st == NULL || st->params.nconds == 0)
		PG_RETURN_INT64(0);
	PG_RETURN_INT64(state_sequence(st, false));
}
