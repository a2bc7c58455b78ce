/*
 * srf.c — materialized set-returning functions (see srf.h).
 */
#include "postgres.h"

#include "common/srf.h"

#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/execnodes.h"

Tuplestorestate *
persona_srf_begin(FunctionCallInfo fcinfo, TupleDesc *desc)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext old;
	Tuplestorestate *ts;
	TupleDesc	td;

	if (rsinfo == NULL || !IsA(rsinfo, ReturnSetInfo) ||
		!(rsinfo->allowedModes & SFRM_Materialize))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("set-valued function called in context that cannot accept a set")));
	if (get_call_result_type(fcinfo, NULL, &td) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	old = MemoryContextSwitchTo(rsinfo->econtext->ecxt_per_query_memory);
	td = CreateTupleDescCopy(td);
	/*
	 * Random access only when the caller asks for it (a cursor that scrolls,
	 * a function scan rescanned): otherwise the tuplestore may forget rows
	 * once read, and a spilled one need not keep them all.
	 */
	ts = tuplestore_begin_heap((rsinfo->allowedModes & SFRM_Materialize_Random) != 0,
							   false, work_mem);
	rsinfo->returnMode = SFRM_Materialize;
	rsinfo->setResult = ts;
	rsinfo->setDesc = td;
	MemoryContextSwitchTo(old);
	if (desc)
		*desc = td;
	return ts;
}
