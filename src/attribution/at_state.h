/*
 * at_state.h — markov_chain and channel_sets: concrete aggregate states.
 *
 * In memory a state is an expanded object wrapping the plain-C core object,
 * so rows never re-serialize it; flat, it is the core's canonical bytes
 * (text form: \x and their hex), which is what tables, parallel workers
 * and Citus see.  Bytes from outside are fully validated.
 */
#ifndef PERSONA_AT_STATE_H
#define PERSONA_AT_STATE_H

#include "attribution/at_glue.h"
#include "attribution/markov.h"
#include "attribution/shapley.h"

#include "utils/array.h"
#include "utils/expandeddatum.h"

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

#endif
