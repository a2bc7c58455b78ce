/*
 * funnel_fmgr.h — the one header of the funnel module's fmgr glue
 * (args_fmgr.c, counts_fmgr.c, funnel_fmgr.c, onepass_fmgr.c): reading
 * the conditions, the window and the mode, the parameters every row must
 * repeat, and the growable event run kept in the aggregate context.
 */
#ifndef PERSONA_FUNNEL_FMGR_H
#define PERSONA_FUNNEL_FMGR_H

#include "postgres.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "base/base_fmgr.h"
#include "base/bytes.h"
#include "utils/array.h"
#include "funnel/funnel.h"

/*
 * The conditions of one row as a bitmask (NULL counts as false); *nconds gets
 * their number (1..32, else an error).  Returns false when the array itself is
 * NULL (the row is skipped).
 */
/* An int8[] of the n counts (n <= EV_MAX_CONDS). */
extern ArrayType *ev_int8_array(const int64 *v, int n);
extern bool ev_read_conds(FunctionCallInfo fcinfo, int argno, int *nconds, uint32 *mask);

/* Whether the argument `modearg` is the mode text (the aggregate's overload with a mode). */
extern bool ev_has_mode(FunctionCallInfo fcinfo, int modearg);

/* The window in microseconds (1 day = 24 h, 1 month = 30 days); negative is an error. */
extern int64 ev_read_window(FunctionCallInfo fcinfo, int argno);

/* The mode flags of a mode text (22023 with the accepted words). */
extern int	ev_parse_mode(text *mode);

/* The parameters a funnel aggregate takes from its first row. */
typedef struct EvParams
{
	int			nconds;			/* 0 until the first row */
	int			flags;
	int64		window;
	int			textlen;		/* the mode or pattern text, as given */
	char	   *text;
} EvParams;

/* Set p from this row or check this row agrees with it. */
extern void ev_params_row(EvParams *p, MemoryContext cxt, int nconds, int64 window,
						  text *t, const char *what);

/* Error unless two states were built with the same parameters. */
extern void ev_params_same(const EvParams *a, const EvParams *b, const char *what);

/* a growable run of events (16 bytes each); it may start in storage of its owner's */
typedef struct EvRun
{
	ev_event   *ev;
	Size		n;
	Size		cap;
	bool		heap;			/* ev was allocated by ev_run_grow */
	int32		level;			/* funnel_fmgr.c: the run's level found ahead, or -1 */
} EvRun;

extern void ev_run_grow(EvRun *r, MemoryContext cxt, Size need);

static inline void
ev_run_push(EvRun *r, MemoryContext cxt, int64 ts, uint32 mask, uint32 slot)
{
	if (unlikely(r->n == r->cap))
		ev_run_grow(r, cxt, r->n + 1);
	r->ev[r->n].ts = ts;
	r->ev[r->n].mask = mask;
	r->ev[r->n].slot = slot;
	r->n++;
}

/*
 * serialization helpers: a bytea written front to back, read with the one
 * byte reader (base/bytes.h); ev_take copies n bytes as they are (the
 * partial states hold host-order words) and turns the reader's "truncated"
 * into the aggregate's error.
 */
extern void ev_take(byte_reader *b, void *dst, Size n);
extern void ev_write_params(StringInfo s, const EvParams *p);
extern void ev_read_params(byte_reader *b, EvParams *p, MemoryContext cxt);

#endif
