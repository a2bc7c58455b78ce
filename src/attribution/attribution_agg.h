/*
 * attribution_agg.h — the state of attribution_agg, shared by the
 * aggregate (attribution_agg.c: rows in, the answer out) and its parallel
 * form (attribution_agg_parts.c: the bytes workers send, read in place).
 */
#ifndef PERSONA_ATTRIBUTION_AGG_H
#define PERSONA_ATTRIBUTION_AGG_H

#include "attribution/at_glue.h"
#include "attribution/journey.h"

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
	size_t		descents;		/* places where ev's user id decreases */
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

extern AState *astate_new(MemoryContext cxt, text *model, Jsonb *options);
/* Errors unless the model and options are the state's. */
extern void same_model(AState *st, text *model, Jsonb *options);
/* Room for one more element in a growing array of the state (doubling). */
extern void *aa_grow(AState *st, void *p, size_t *cap, size_t size);
/* The state's events in runs of one user, few enough to read in place. */
extern void sort_events(AState *st);

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

static inline double
val_of(const AState *st, int32 ch)
{
	return st->vals[-1 - (int64) ch];
}

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

/* A serialized state kept in `a` (NULL: a new state in cxt); the model must match. */
extern AState *add_part(AState *a, MemoryContext cxt, const bytea *flat);
/* Reads a part's header and channel names (adding them to st's dictionary). */
extern void part_names(AState *st, const bytea *flat, PartIdx *pi);
/* Appends a part's users to refs (bounds checked), returns the new count. */
extern size_t part_users(const PartIdx *pi, uint32 part, UserRef *refs, size_t n);
/* A part's events of one user into buf (channel ids mapped, checked). */
extern void part_events(const PartIdx *pi, const UserRef *r, at_event *buf);
/* refs in user id order */
extern void sort_refs(UserRef *refs, size_t n);

#endif
