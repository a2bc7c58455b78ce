/*
 * markov.h — the Markov-chain removal-effect model.  Plain C.
 *
 * States: START, one per tuple of the last 1..k channels of a path (k = the
 * order), CONVERSION and NULL.  A path c1..cn walks START -> (c1) -> (c1,c2)
 * ... -> (c(n-k+1)..cn) -> CONVERSION or NULL; an empty path goes straight
 * from START to its end.  The chain keeps the transition counts, so chains
 * over parts of the data add up to the chain over all of it.
 */
#ifndef PERSONA_MARKOV_H
#define PERSONA_MARKOV_H

#include "attribution/at_core.h"

#define MK_MAX_ORDER 8

/* slot 0 of a state: a channel id (>= 0) or one of these */
#define MK_START	(-2)
#define MK_CONV		(-3)
#define MK_NULL		(-4)
#define MK_PAD		(-1)		/* unused slots of a shorter tuple */

typedef struct mk_chain
{
	int			order;
	at_dict		dict;
	/* transitions: key i is keys[2*order*i .. +2*order) = from, to */
	size_t		n;
	size_t		cap;
	int32_t    *keys;
	int64_t    *counts;
	uint32_t   *hashes;
	int64_t    *slots;			/* -1 empty */
	size_t		nslots;
	/* converting paths with touches / without, and their values */
	int64_t		conv;
	int64_t		conv_empty;
	at_sum		value;
	at_sum		value_empty;
	bool		canonical;		/* ids in name order, transitions sorted */
} mk_chain;

extern mk_chain *mk_new(const at_alloc *a, int order);
extern void mk_free(mk_chain *m, const at_alloc *a);

/* One path (channel ids of m's dictionary). */
extern void mk_add_path(mk_chain *m, const at_alloc *a, const int32_t *ch, size_t n,
						bool converted, double value);
/* Adds the transitions of b (same order) to a. */
extern void mk_merge(mk_chain *a, const mk_chain *b, const at_alloc *al);

/*
 * Renumber channels in name order and sort the transitions (idempotent).
 * check (the host's cancel check, or NULL) runs every 65,536 transitions
 * sorted.
 */
extern void mk_canonicalize(mk_chain *m, const at_alloc *a, void (*check) (void));

/* Canonical bytes; w->p NULL counts them.  Canonicalize first. */
extern void mk_serialize(const mk_chain *m, at_writer *w);
/* NULL with r->error set when the bytes are not a valid chain. */
extern mk_chain *mk_deserialize(at_reader *r, const at_alloc *a);

/* State name ("START", "search > email", ...) into buf (alloc'd). */
extern char *mk_state_name(const mk_chain *m, const int32_t *state, const at_alloc *a);

/*
 * Removal effects, for a canonical chain: p_full = P(CONVERSION | START);
 * re[c] for each channel id.  Dense Gaussian elimination with partial
 * pivoting up to MK_DENSE_MAX transient states, Gauss-Seidel sweeps to a
 * fixed point beyond.  Returns false when the iteration does not settle
 * (err set); `check` is called between rows (interrupts).
 */
#define MK_DENSE_MAX 3000
typedef struct mk_result
{
	double		p_full;
	double	   *re;				/* nch entries */
	size_t		nstates;		/* transient states of the full chain */
} mk_result;

extern bool mk_removal_effects(const mk_chain *m, const at_alloc *a, mk_result *res,
							   void (*check) (void), const char **err);

/* Force one method (tests): 0 automatic, 1 dense, 2 iterative. */
extern int	mk_force_method;

#endif
