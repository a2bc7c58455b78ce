/*
 * caller_query_fmgr.c — run a query the caller gave as text (SPI, with the
 * caller's rights, read-only) into a DestReceiver that hands each row to a
 * callback: connected_components and identity_resolve read their input so,
 * and SPEC §9's tag catalogue will too, which is why this lives in base and
 * not in identity.
 *
 * Why a DestReceiver and not a cursor: SPI_cursor_fetch copies every row into
 * a tuple table (a palloc'd HeapTuple per row) and SPI_getbinval deforms it
 * again per column; over ten million rows that was a sixth of a resolve.  The
 * receiver sees the executor's own slot, deforms it once, and the callback
 * copies only what it keeps.
 */
#include "postgres.h"

#include "base/base_fmgr.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "nodes/parsenodes.h"
#include "nodes/plannodes.h"
#include "parser/scansup.h"
#include "tcop/cmdtag.h"
#include "utils/builtins.h"
#include "utils/plancache.h"

/*
 * The query runs with the caller's rights (these functions are not SECURITY
 * DEFINER), and it runs read-only: identity_resolve('DELETE FROM t
 * RETURNING ...') used to delete the rows.  SPI's read_only flag is not
 * enough (its message speaks of non-volatile functions, and a volatile
 * function called by a SELECT still writes), so two checks:
 *
 *   1. the prepared statement must be one plain SELECT (VALUES and TABLE are
 *      SELECTs): not an INSERT/UPDATE/DELETE/MERGE or utility statement (SELECT
 *      INTO among them), no data-modifying WITH, no FOR UPDATE/SHARE (row
 *      locks are writes);
 *   2. it runs with the transaction marked read-only, so that the functions
 *      it calls cannot write either (PostgreSQL's own 25006 errors, reworded
 *      to name the caller).  The flag is restored however the run ends; a
 *      subtransaction started and ended inside (a plpgsql EXCEPTION block)
 *      restores the value it found, ours.  As in any read-only transaction,
 *      writes to the session's own temporary tables are still allowed.
 */

#define READ_ONLY_HINT "Give a query (SELECT, VALUES or TABLE) that only reads; do the writes before or after the call."

/*
 * Statements that are a single word: they are not taken for a table name.
 */
static const char *const one_word_statements[] = {
	"select", "begin", "commit", "end", "abort", "rollback", "checkpoint",
	"vacuum", "analyze", "analyse", "cluster", NULL
};

/*
 * Whether sql is just a table name (name, schema.name, "Quoted".name,
 * optionally followed by a semicolon): a common mistake that otherwise ends
 * in a bare syntax error.  *len is the name's length from *start.
 */
static bool
bare_name(const char *sql, const char **start, int *len)
{
	const char *s = sql;
	const char *word = NULL;
	const char *end;
	int			parts = 0;

	while (scanner_isspace(*s))
		s++;
	*start = s;
	for (;;)
	{
		if (*s == '"')
		{
			for (s++;; s++)
			{
				if (*s == '\0')
					return false;
				if (*s == '"' && s[1] == '"')
					s++;
				else if (*s == '"')
					break;
			}
			s++;
			word = NULL;
		}
		else if (isalpha((unsigned char) *s) || *s == '_' || IS_HIGHBIT_SET(*s))
		{
			word = s;
			while (isalnum((unsigned char) *s) || *s == '_' || *s == '$' || IS_HIGHBIT_SET(*s))
				s++;
		}
		else
			return false;
		parts++;
		end = s;
		while (scanner_isspace(*s))
			s++;
		if (*s != '.')
			break;
		s++;
		while (scanner_isspace(*s))
			s++;
	}
	if (*s == ';')
		for (s++; scanner_isspace(*s); s++)
			;
	if (*s != '\0' || parts > 3)
		return false;
	if (parts == 1 && word != NULL)
		for (int i = 0; one_word_statements[i]; i++)
			if (pg_strncasecmp(word, one_word_statements[i], end - word) == 0 &&
				one_word_statements[i][end - word] == '\0')
				return false;
	*len = end - *start;
	return true;
}

/* the statement kinds of a data-modifying WITH, for the message */
static char *
modifying_ctes(Query *q)
{
	StringInfoData b;
	ListCell   *lc;

	initStringInfo(&b);
	foreach(lc, q->cteList)
	{
		CommonTableExpr *cte = lfirst_node(CommonTableExpr, lc);
		Query	   *cq = (Query *) cte->ctequery;

		if (IsA(cq, Query) && cq->commandType != CMD_SELECT)
			appendStringInfo(&b, "%s%s %s", b.len ? ", " : "",
							 cq->commandType == CMD_INSERT ? "INSERT" :
							 cq->commandType == CMD_UPDATE ? "UPDATE" :
							 cq->commandType == CMD_DELETE ? "DELETE" : "MERGE",
							 quote_identifier(cte->ctename));
	}
	return b.data;
}

static void
refuse(const caller_query *r, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_READ_ONLY_SQL_TRANSACTION),
			 errmsg("%s runs its query read-only", r->fname),
			 errdetail_internal("%s", detail),
			 errhint(READ_ONLY_HINT)));
}

/*
 * The caller's query, prepared: one statement, a plain SELECT.  Row locks
 * (FOR UPDATE in a subquery or a view too) are seen in the plan, which is
 * built here once (a query without parameters is planned once) and also
 * gives the planner's row estimate.
 */
static SPIPlanPtr
prepare_query(const char *sql, caller_query *r)
{
	const char *name;
	int			len;
	SPIPlanPtr	plan;
	List	   *sources;
	CachedPlanSource *ps;
	ListCell   *lc;
	CachedPlan *cp;

	if (bare_name(sql, &name, &len))
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("%s must be a query, not a table name", r->argname),
				 errhint("Write a query that returns %s, for example SELECT %s FROM %.*s.",
						 r->expected, r->example, len, name)));
	plan = SPI_prepare(sql, 0, NULL);
	if (plan == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s could not be prepared: %s", r->argname, SPI_result_code_string(SPI_result))));
	sources = SPI_plan_get_plan_sources(plan);
	if (list_length(sources) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a query that returns rows", r->argname)));
	if (list_length(sources) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("%s must be one query, not %d statements", r->argname, list_length(sources))));
	ps = linitial(sources);
	foreach(lc, ps->query_list)
	{
		Query	   *q = lfirst_node(Query, lc);

		if (q->commandType == CMD_UTILITY && IsA(q->utilityStmt, CreateTableAsStmt) &&
			((CreateTableAsStmt *) q->utilityStmt)->is_select_into)
			refuse(r, psprintf("%s is a SELECT INTO, which creates a table.", r->argname));
		if (q->commandType != CMD_SELECT)
		{
			const char *kind = GetCommandTagName(ps->commandTag);

			refuse(r, psprintf("%s is %s %s statement.", r->argname,
							   strchr("AEIOU", kind[0]) ? "an" : "a", kind));
		}
		if (q->hasModifyingCTE)
			refuse(r, psprintf("%s has a data-modifying WITH (%s).", r->argname, modifying_ctes(q)));
	}
	if (!SPI_is_cursor_plan(plan))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a query that returns rows", r->argname)));

	r->est_rows = 0;
	cp = SPI_plan_get_cached_plan(plan);
	if (cp != NULL)
	{
		foreach(lc, cp->stmt_list)
		{
			PlannedStmt *st = lfirst_node(PlannedStmt, lc);

			if (st->commandType != CMD_SELECT || st->hasModifyingCTE || st->rowMarks != NIL)
			{
				ReleaseCachedPlan(cp, NULL);
				refuse(r, st->rowMarks != NIL
					   ? psprintf("%s locks rows (FOR UPDATE, FOR NO KEY UPDATE, FOR SHARE or FOR KEY SHARE).", r->argname)
					   : psprintf("%s is not a plain SELECT.", r->argname));
			}
		}
		if (list_length(cp->stmt_list) == 1)
		{
			PlannedStmt *st = linitial_node(PlannedStmt, cp->stmt_list);

			if (st->planTree)
				r->est_rows = st->planTree->plan_rows;
		}
		ReleaseCachedPlan(cp, NULL);
	}
	return plan;
}

static void check_columns(TupleDesc td, const char *argname, const char *expected,
						  int natts, const int *kinds);

static void
reader_startup(DestReceiver *self, int operation, TupleDesc typeinfo)
{
	caller_query	   *r = (caller_query *) self;

	check_columns(typeinfo, r->argname, r->expected, r->natts, r->kinds);
	if (r->start)
		r->start(r);
}

static bool
reader_receive(TupleTableSlot *slot, DestReceiver *self)
{
	caller_query	   *r = (caller_query *) self;

	slot_getsomeattrs(slot, r->natts);
	r->row(r, slot);
	return true;
}

static void
reader_nothing(DestReceiver *self)
{
}

/*
 * Run the caller's query (inside SPI_connect), every row to r->row, with the
 * transaction read-only (see above).
 */
void
caller_query_run(const char *sql, caller_query *r)
{
	SPIPlanPtr	plan = prepare_query(sql, r);
	SPIExecuteOptions o;
	MemoryContext cxt = CurrentMemoryContext;
	bool		was_read_only = XactReadOnly;
	volatile int rc = 0;

	r->pub.receiveSlot = reader_receive;
	r->pub.rStartup = reader_startup;
	r->pub.rShutdown = reader_nothing;
	r->pub.rDestroy = reader_nothing;
	r->pub.mydest = DestNone;
	memset(&o, 0, sizeof(o));
	/* (not SPI's read_only: that would also reuse the caller's snapshot) */
	o.read_only = false;
	o.tcount = 0;
	o.dest = &r->pub;

	XactReadOnly = true;
	PG_TRY();
	{
		rc = SPI_execute_plan_extended(plan, &o);
	}
	PG_CATCH();
	{
		ErrorData  *e;

		XactReadOnly = was_read_only;
		if (geterrcode() != ERRCODE_READ_ONLY_SQL_TRANSACTION)
			PG_RE_THROW();
		/* "cannot execute DELETE in a read-only transaction": say whose */
		MemoryContextSwitchTo(cxt);
		e = CopyErrorData();
		FlushErrorState();
		if (e->context)
			ereport(ERROR,
					(errcode(ERRCODE_READ_ONLY_SQL_TRANSACTION),
					 errmsg("%s runs its query read-only", r->fname),
					 errdetail_internal("%s: %s.", r->argname, e->message),
					 errhint(READ_ONLY_HINT),
					 errcontext("%s", e->context)));
		ereport(ERROR,
				(errcode(ERRCODE_READ_ONLY_SQL_TRANSACTION),
				 errmsg("%s runs its query read-only", r->fname),
				 errdetail_internal("%s: %s.", r->argname, e->message),
				 errhint(READ_ONLY_HINT)));
	}
	PG_END_TRY();
	XactReadOnly = was_read_only;

	if (rc < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s failed: %s", r->argname, SPI_result_code_string(rc))));
	SPI_freeplan(plan);
}

static bool
is_int_type(Oid t)
{
	return t == INT2OID || t == INT4OID || t == INT8OID;
}

static bool
is_text_type(Oid t)
{
	return t == TEXTOID || t == VARCHAROID;
}

static const char *
type_name(Oid t)
{
	return format_type_be(t);
}

/* columns as expected, or an error naming what is expected */
static void
check_columns(TupleDesc td, const char *argname, const char *expected,
			  int natts, const int *kinds)
{
	int			n = 0;

	for (int i = 0; i < td->natts; i++)
		if (!TupleDescAttr(td, i)->attisdropped)
			n++;
	if (n != natts)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must return %d columns %s, not %d", argname, natts, expected, n)));
	for (int i = 0; i < natts; i++)
	{
		Oid			t = TupleDescAttr(td, i)->atttypid;

		if (kinds[i] == 'i' ? !is_int_type(t) : !is_text_type(t))
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("%s must return columns %s", argname, expected),
					 errdetail("Column %d (\"%s\") is of type %s; expected %s.", i + 1,
							   NameStr(TupleDescAttr(td, i)->attname), type_name(t),
							   kinds[i] == 'i' ? "smallint, integer or bigint" : "text or varchar")));
	}
}

int64
caller_slot_int(TupleTableSlot *slot, int col, bool *isnull)
{
	Datum		d = slot->tts_values[col];

	*isnull = slot->tts_isnull[col];
	if (*isnull)
		return 0;
	switch (TupleDescAttr(slot->tts_tupleDescriptor, col)->atttypid)
	{
		case INT2OID:
			return DatumGetInt16(d);
		case INT4OID:
			return DatumGetInt32(d);
		default:
			return DatumGetInt64(d);
	}
}

/*
 * Bytes of a text column, or NULL.  Short and plain values point into the
 * slot (valid until the next row); compressed or toasted ones are detoasted
 * into CurrentMemoryContext (*copy set: the caller frees it).
 */
const char *
caller_slot_text(TupleTableSlot *slot, int col, size_t *len, struct varlena **copy)
{
	struct varlena *v;

	*copy = NULL;
	if (slot->tts_isnull[col])
		return NULL;
	v = (struct varlena *) DatumGetPointer(slot->tts_values[col]);
	/* (a TOAST pointer has a 1-byte header too: test for it, not for "short") */
	if (VARATT_IS_EXTERNAL(v) || VARATT_IS_COMPRESSED(v))
		v = *copy = pg_detoast_datum_packed(v);
	*len = VARSIZE_ANY_EXHDR(v);
	return VARDATA_ANY(v);
}
