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
persona_agg_context(FunctionCallInfo fcinfo, const char *fname)
{
	MemoryContext aggctx;

	if (!AggCheckCallContext(fcinfo, &aggctx))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s can only be called as an aggregate transition function", fname)));
	return aggctx;
}

#endif
