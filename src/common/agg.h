/*
 * agg.h — the aggregate context of a transition or combine function.
 *
 * Every module's aggregates keep their state there; a direct call of one of
 * their support functions from SQL gets the same clean error everywhere.
 */
#ifndef PERSONA_COMMON_AGG_H
#define PERSONA_COMMON_AGG_H

#include "postgres.h"
#include "fmgr.h"

static inline MemoryContext
persona_agg_context_as(FunctionCallInfo fcinfo, const char *fname, const char *role)
{
	MemoryContext aggctx;

	if (!AggCheckCallContext(fcinfo, &aggctx))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s can only be called as an aggregate %s function", fname, role)));
	return aggctx;
}

/* for a transition function */
static inline MemoryContext
persona_agg_context(FunctionCallInfo fcinfo, const char *fname)
{
	return persona_agg_context_as(fcinfo, fname, "transition");
}

/* for a combine or deserialize function */
static inline MemoryContext
persona_combine_context(FunctionCallInfo fcinfo, const char *fname)
{
	return persona_agg_context_as(fcinfo, fname, "combine");
}

#endif
