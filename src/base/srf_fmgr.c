/*
 * srf.c — materialized set-returning functions (see srf.h).
 */
#include "postgres.h"

#include "base/base_fmgr.h"

#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/execnodes.h"

void
persona_srf_check(FunctionCallInfo fcinfo)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;

	if (rsinfo == NULL || !IsA(rsinfo, ReturnSetInfo) ||
		!(rsinfo->allowedModes & SFRM_Materialize))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("set-valued function called in context that cannot accept a set")));
}

Tuplestorestate *
persona_srf_begin(FunctionCallInfo fcinfo, TupleDesc *desc)
{
	return persona_srf_begin_sized(fcinfo, desc, 0);
}

/*
 * A tuplestore keeps rows in memory up to work_mem, then writes them all to
 * a temporary file and goes on there.  When the rows are known beforehand to
 * need more than work_mem, filling work_mem first only costs memory and a
 * copy: such a result goes to the file from its first row.
 */
Tuplestorestate *
persona_srf_begin_sized(FunctionCallInfo fcinfo, TupleDesc *desc, double mem_bytes)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext old;
	Tuplestorestate *ts;
	TupleDesc	td;

	persona_srf_check(fcinfo);
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
							   false, mem_bytes > (double) work_mem * 1024 ? 0 : work_mem);
	rsinfo->returnMode = SFRM_Materialize;
	rsinfo->setResult = ts;
	rsinfo->setDesc = td;
	MemoryContextSwitchTo(old);
	if (desc)
		*desc = td;
	return ts;
}
