/*
 * at_glue.h — what the attribution module's fmgr glue shares: palloc-based
 * allocation hooks for the cores, the model options, set-returning helpers.
 */
#ifndef PERSONA_AT_GLUE_H
#define PERSONA_AT_GLUE_H

#include "postgres.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/jsonb.h"
#include "utils/tuplestore.h"

#include "attribution/journey.h"

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

#include "base/base_fmgr.h"

/* Checks that stored names are valid text in the database encoding. */
extern void at_check_names(const at_dict *d, const char *typname, int sqlstate);

/* Report a byte-format problem found by a core reader. */
pg_attribute_noreturn() extern void at_bad_state(const char *typname, const char *why, int sqlstate);

#endif
