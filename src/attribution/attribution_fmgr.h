/*
 * attribution_fmgr.h — the one header of the attribution module's fmgr glue.
 *
 * What the glue files share: palloc-based allocation hooks for the cores,
 * the model options, set-returning helpers (attribution_fmgr.c); the
 * expanded markov_chain / channel_sets states (state_fmgr.c) — in memory an
 * expanded object wrapping the plain-C core object, so rows never
 * re-serialize it; flat, the core's canonical bytes, fully validated when
 * they come from outside; and the state of attribution_agg, shared by the
 * aggregate (attribution_agg_fmgr.c: rows in, the answer out) and its
 * parallel form (attribution_parts_fmgr.c: the bytes workers send); the
 * grouping by user and the reading of those bytes in place are the core
 * user_groups.c, so neither glue file needs the other's functions.  One header, so a glue file never has to know which of its
 * siblings declares what.
 */
#ifndef PERSONA_ATTRIBUTION_FMGR_H
#define PERSONA_ATTRIBUTION_FMGR_H

#include "postgres.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/jsonb.h"
#include "utils/tuplestore.h"

#include "utils/array.h"
#include "utils/expandeddatum.h"

#include "base/base_fmgr.h"
/* the raw varlena send/recv and hex input the state types share with the bitmaps */
#include "bitmap/bitmap_fmgr.h"
#include "attribution/journey.h"
#include "attribution/rules.h"
#include "attribution/markov.h"
#include "attribution/shapley.h"
#include "attribution/user_groups.h"

/* Hooks allocating in `cxt` (errors are thrown, never returned). */
extern at_alloc at_pg_alloc(MemoryContext cxt);

/* CHECK_FOR_INTERRUPTS for the cores' long loops. */
extern void at_check_interrupts(void);

/* A parsed model: the core's parameters plus the direct channel names. */
typedef struct AtModel
{
	at_model	m;
	char	  **direct;
	int			ndirect;
} AtModel;

/* Validates model and options (22023 listing what is accepted). */
extern void at_parse_model(const char *model, Jsonb *options, AtModel *out);
/* journey_paths: only lookback and collapse_repeats. */
extern void at_parse_path_options(Jsonb *options, int64 *lookback, bool *collapse);

/* Direct flags for the channels of a dictionary (names[i], lens[i]). */
extern bool *at_direct_flags(const AtModel *am, char **names, const uint32 *lens, int32 n);

/* Checks that stored names are valid text in the database encoding. */
extern void at_check_names(const at_dict *d, const char *typname, int sqlstate);

/* Report a byte-format problem found by a core reader. */
pg_attribute_noreturn() extern void at_bad_state(const char *typname, const char *why, int sqlstate);

/* ---- markov_chain and channel_sets: the expanded states (state_fmgr.c) ---- */

typedef enum AtKind
{
	AT_MARKOV,
	AT_SHAPLEY
} AtKind;

typedef struct AtExp
{
	ExpandedObjectHeader hdr;
	AtKind		kind;
	void	   *obj;			/* mk_chain or sh_sets, allocated in hdr's context */
	at_alloc	alloc;
	Size		flat_size;
} AtExp;

/* An empty expanded state (obj NULL: the caller makes it with e->alloc). */
extern AtExp *atexp_new(AtKind kind, MemoryContext parent);
/* The state in a datum: itself when it is ours (and R/W if asked), else a parsed copy. */
extern AtExp *atexp_of(Datum d, AtKind kind, MemoryContext parent, bool need_rw);
/* Parses bytes (\x text or binary) with full validation; errors with sqlstate. */
extern AtExp *atexp_parse(const char *data, size_t len, AtKind kind, MemoryContext parent, int sqlstate);
extern const char *atexp_typname(AtKind kind);

/* A path's channel ids in `d` (NULL elements are errors), and a row's value. */
extern int32 *at_path_ids(ArrayType *path, at_dict *d, const at_alloc *a, int *n);
extern double at_value_arg(FunctionCallInfo fcinfo, int arg);

/* ---- attribution_agg's state (attribution_agg_fmgr.c, attribution_parts_fmgr.c) ---- */

/* An event of the state (user_groups.h). */
typedef ug_event AEv;

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
/* The state's events in runs of one user, few enough to read in place. */
extern void sort_events(AState *st);

/*
 * Appends an event (attribution_agg_fmgr.c, beside the growth it needs;
 * no inline here, so that this header calls nothing only one glue file
 * defines).
 */
extern void add_event(AState *st, int64 user, int64 ts, int32 ch, double value);

static inline double
val_of(const AState *st, int32 ch)
{
	return st->vals[-1 - (int64) ch];
}

/*
 * A serialized state kept in `a` (NULL: a new state in cxt); the model must
 * match (attribution_agg_fmgr.c; the combine keeps the workers' states so).
 */
extern AState *add_part(AState *a, MemoryContext cxt, const bytea *flat);

#endif
