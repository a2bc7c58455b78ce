/*
 * base_fmgr.h — the glue every module shares: the aggregate context of a
 * transition or combine function (agg), the jsonb options readers
 * (options_fmgr.c), the materialized set-returning function setup
 * (srf_fmgr.c) and the read-only runner of a query the caller gives as text
 * (caller_query_fmgr.c).  Plain-C cores never include it; their shared pieces are
 * base/bytes.h, base/host.h and base/radix_sort.h.
 */
#ifndef PERSONA_BASE_FMGR_H
#define PERSONA_BASE_FMGR_H

#include "postgres.h"
#include "fmgr.h"
#include "datatype/timestamp.h"
#include "executor/tuptable.h"
#include "tcop/dest.h"
#include "utils/jsonb.h"
#include "utils/tuplestore.h"

/*
 * ---- aggregate context ----
 * Every module's aggregates keep their state there; a direct call of one of
 * their support functions from SQL gets the same clean error everywhere.
 */
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

/*
 * ---- jsonb options (options_fmgr.c) ----
 * Reading the jsonb options, rules and policies that persona's functions
 * take, with one set of error messages.
 *
 * Every reader names the argument ("options", "rules", "policy") so errors read
 * like `invalid options: "lookback" must be an interval string such as "30 days"`.
 * Unknown keys are errors that list the accepted ones (SQLSTATE 22023), because a
 * misspelt option silently ignored is a wrong answer the analyst never sees.
 */

/* Error unless `j` is an object whose keys are all in `accepted` (NULL-terminated). */
extern void opt_check_object(Jsonb *j, const char *what, const char *const *accepted);

/* Same check for an object nested inside (an element of an array, say). */
extern void opt_check_container(JsonbContainer *c, const char *what, const char *const *accepted);

/* The value under `key`, or false when absent or JSON null. */
extern bool opt_find(JsonbContainer *c, const char *key, JsonbValue *out);

/* Typed readers: absent or null gives the default; a wrong type is an error. */
extern char *opt_text(JsonbContainer *c, const char *what, const char *key, const char *dflt);
extern double opt_float8(JsonbContainer *c, const char *what, const char *key, double dflt);
extern int64 opt_int64(JsonbContainer *c, const char *what, const char *key, int64 min, int64 max, int64 dflt);
extern bool opt_bool(JsonbContainer *c, const char *what, const char *key, bool dflt);
/* A JSON number, exactly (a Numeric datum); NULL when absent. */
extern Numeric opt_numeric(JsonbContainer *c, const char *what, const char *key);
/* An interval written as a string ("30 days", "PT12H"); NULL when absent. */
extern Interval *opt_interval(JsonbContainer *c, const char *what, const char *key);
/* A timestamptz written as a string; returns false when absent. */
extern bool opt_timestamptz(JsonbContainer *c, const char *what, const char *key, TimestampTz *out);

/*
 * Arrays: the elements of `key`, which must be an array (NULL and *n = 0 when
 * absent).  Text elements must be strings; numeric elements must be numbers.
 */
extern char **opt_text_array(JsonbContainer *c, const char *what, const char *key, int *n);
extern Numeric *opt_numeric_array(JsonbContainer *c, const char *what, const char *key, int *n);
/* Containers of an array of objects (each element must be an object). */
extern JsonbContainer **opt_object_array(JsonbContainer *c, const char *what, const char *key, int *n);

/* Interval as microseconds, for code that does time arithmetic in plain C.
 * Months count as 30 days and days as 24 hours, like interval comparison does;
 * say so in the docs of any option that uses this. */
extern int64 opt_interval_usecs(const Interval *iv);

/*
 * ---- materialized set-returning functions (srf_fmgr.c) ----
 * The setup every module uses (PostgreSQL 15 has InitMaterializedSRF; this
 * keeps 13 and 14 compiling).
 */

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

/*
 * ---- the caller's query, run read-only (caller_query_fmgr.c) ----
 * A function that takes a query as text (identifiers_sql, edges_sql) runs it
 * with the caller's rights and the transaction read-only, after checking it
 * is one plain SELECT; every row goes to `row`, deformed up to natts.
 */
typedef struct caller_query
{
	DestReceiver pub;
	const char *fname;			/* the SQL function, for messages */
	const char *argname;
	const char *expected;
	const char *example;		/* the columns of an example query */
	int			natts;
	const int  *kinds;			/* per column: 'i' an integer, 't' a text */
	void		(*row) (struct caller_query *r, TupleTableSlot *slot);
	void		(*start) (struct caller_query *r);	/* optional, before the first row */
	double		est_rows;		/* the planner's estimate (0: unknown) */
	void	   *arg;
} caller_query;

/* Run sql (inside SPI_connect), every row to r->row; errors name r->fname. */
extern void caller_query_run(const char *sql, caller_query *r);
/* An integer column (int2, int4 or int8), 0 and *isnull when NULL. */
extern int64 caller_slot_int(TupleTableSlot *slot, int col, bool *isnull);
/*
 * Bytes of a text column, or NULL.  Short and plain values point into the
 * slot (valid until the next row); compressed or toasted ones are detoasted
 * into CurrentMemoryContext (*copy set: the caller frees it).
 */
extern const char *caller_slot_text(TupleTableSlot *slot, int col, size_t *len, struct varlena **copy);

#endif
