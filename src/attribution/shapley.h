/*
 * shapley.h — channel sets of paths and exact Shapley values.  Plain C.
 *
 * The state counts, for each distinct channel set (the distinct channels of
 * a path), its paths, its converting paths and their value.  The game of a
 * converting set P: v(S) = conversion rate of the paths whose set is exactly
 * S (0 when none; v(empty) = 0), for S a subset of P.
 */
#ifndef PERSONA_SHAPLEY_H
#define PERSONA_SHAPLEY_H

#include "attribution/at_core.h"

#define SH_MAX_PLAYERS 20

typedef struct sh_entry
{
	uint32_t	off;			/* ids at sets->ids[off .. off+len), ascending */
	uint32_t	len;
	uint32_t	hash;
	int64_t		paths;
	int64_t		conv;
	at_sum		value;
} sh_entry;

typedef struct sh_sets
{
	at_dict		dict;
	size_t		n;
	size_t		cap;
	sh_entry   *e;
	size_t		nids;
	size_t		idcap;
	int32_t    *ids;
	int64_t    *slots;
	size_t		nslots;
	bool		canonical;
} sh_sets;

extern sh_sets *sh_new(const at_alloc *a);
extern void sh_free(sh_sets *s, const at_alloc *a);
/* A path's channel ids (any order, repeats allowed); `tmp` holds n ids. */
extern void sh_add_path(sh_sets *s, const at_alloc *a, const int32_t *ch, size_t n,
						bool converted, double value, int32_t *tmp);
extern void sh_merge(sh_sets *a, const sh_sets *b, const at_alloc *al);
extern void sh_canonicalize(sh_sets *s, const at_alloc *a);
extern void sh_serialize(const sh_sets *s, at_writer *w);
extern sh_sets *sh_deserialize(at_reader *r, const at_alloc *a);

/*
 * Credits per channel id (conv[nch], val[nch]: converting paths with no
 * channel).  Canonical sets only.  Returns false (err set, *bad_size the
 * size) when a converting set has more than SH_MAX_PLAYERS channels.
 */
extern bool sh_attribute(const sh_sets *s, const at_alloc *a, double *conv, double *val,
						 void (*check) (void), size_t *bad_size);

/* Shapley values of the game v over players 0..n-1 (v indexed by bitmask). */
extern void sh_shapley(const double *v, int n, double *phi);

#endif
