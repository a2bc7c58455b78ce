/*
 * srf.h — the materialized set-returning function setup every module uses.
 * (PostgreSQL 15 has InitMaterializedSRF; this keeps 13 and 14 compiling.)
 */
#ifndef PERSONA_SRF_H
#define PERSONA_SRF_H

#include "postgres.h"
#include "fmgr.h"
#include "utils/tuplestore.h"

/*
 * A tuplestore in the per-query context, installed as the function's result;
 * *desc (when not NULL) receives the result row descriptor.
 */
extern Tuplestorestate *persona_srf_begin(FunctionCallInfo fcinfo, TupleDesc *desc);
/*
 * The same for rows known to take at least mem_bytes in a tuplestore's
 * memory: past work_mem they go to its temporary file from the first row.
 * A row takes at least PERSONA_SRF_ROW_OVERHEAD bytes (its pointer 8, its
 * chunk header 16, its minimal tuple header 18) besides its column data.
 */
#define PERSONA_SRF_ROW_OVERHEAD 42
extern Tuplestorestate *persona_srf_begin_sized(FunctionCallInfo fcinfo, TupleDesc *desc, double mem_bytes);
/* The error of a call where no set can be returned (before any work). */
extern void persona_srf_check(FunctionCallInfo fcinfo);

#endif
