/*
 * identity_fmgr.c — connected_components and identity_resolve: run the
 * caller's queries through SPI (with the caller's rights, read-only) into a
 * DestReceiver of ours, hand the rows to the plain-C cores (components.c,
 * resolve.c) and return the answer as a materialized set.
 *
 * Why a DestReceiver and not a cursor: SPI_cursor_fetch copies every row into
 * a tuple table (a palloc'd HeapTuple per row) and SPI_getbinval deforms it
 * again per column; over ten million rows that was a sixth of a resolve.  The
 * receiver sees the executor's own slot, deforms it once and copies only the
 * bytes of the three strings, batch by batch, into one arena.
 */
#include "postgres.h"

#include "identity/identity_fmgr.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "nodes/parsenodes.h"
#include "nodes/plannodes.h"
#include "parser/scansup.h"
#include "tcop/cmdtag.h"
#include "optimizer/cost.h"
#include "utils/memutils.h"
#include "utils/plancache.h"
#include "utils/tuplestore.h"

#define BATCH 10000

/*
 * A reader of the caller's rows: rStartup checks the columns, receiveSlot
 * hands each row to `row`.
 */
typedef struct reader
{
	DestReceiver pub;
	const char *fname;			/* the SQL function, for messages */
	const char *argname;
	const char *expected;
	const char *example;		/* the columns of an example query */
	int			natts;
	const int  *kinds;
	void		(*row) (struct reader *r, TupleTableSlot *slot);
	void		(*start) (struct reader *r);	/* optional, before the first row */
	double		est_rows;		/* the planner's estimate (0: unknown) */
	void	   *arg;
} reader;

/* ---- the caller's query: one read-only query ------------------------------
 *
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
refuse(const reader *r, const char *detail)
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
prepare_query(const char *sql, reader *r)
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
	reader	   *r = (reader *) self;

	check_columns(typeinfo, r->argname, r->expected, r->natts, r->kinds);
	if (r->start)
		r->start(r);
}

static bool
reader_receive(TupleTableSlot *slot, DestReceiver *self)
{
	reader	   *r = (reader *) self;

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
static void
run_query(const char *sql, reader *r)
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

static int64
slot_int(TupleTableSlot *slot, int col, bool *isnull)
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
static const char *
slot_text(TupleTableSlot *slot, int col, size_t *len, struct varlena **copy)
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

/* ---- connected_components ---------------------------------------------- */

static void
edge_row(reader *r, TupleTableSlot *slot)
{
	cc_state   *c = r->arg;
	bool		na,
				nb,
				ok = true;
	int64		a = slot_int(slot, 0, &na);
	int64		b = slot_int(slot, 1, &nb);

	if (!na && !nb)
		ok = cc_edge(c, a, b);
	else if (!na)
		ok = cc_node(c, a);
	else if (!nb)
		ok = cc_node(c, b);
	if (!ok)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("connected_components handles at most 2147483648 distinct nodes")));
}

PG_FUNCTION_INFO_V1(connected_components);
Datum
connected_components(PG_FUNCTION_ARGS)
{
	char	   *sql = text_to_cstring(PG_GETARG_TEXT_PP(0));
	static const int kinds[] = {'i', 'i'};
	TupleDesc	desc;
	Tuplestorestate *ts;
	core_host		m;
	MemoryContext cxt;
	cc_state	c;
	reader		r = {.fname = "connected_components",.argname = "edges_sql",
		.expected = "(integer, integer)",.example = "a, b",.natts = 2,
	.kinds = kinds,.row = edge_row,.arg = &c};

	persona_srf_check(fcinfo);
	cxt = idr_host_init(&m);
	cc_init(&c, &m);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	run_query(sql, &r);
	SPI_finish();

	cc_finish(&c);
	/* a row's data: two bigints */
	ts = persona_srf_begin_sized(fcinfo, &desc, (PERSONA_SRF_ROW_OVERHEAD + 16.0) * c.n);
	for (uint32 e = 0; e < c.n; e++)
	{
		Datum		values[2];
		bool		nulls[2] = {false, false};

		values[0] = Int64GetDatum(c.out[2 * e]);
		values[1] = Int64GetDatum(c.out[2 * e + 1]);
		/* columns are (node, component) */
		{
			Datum		t = values[0];

			values[0] = values[1];
			values[1] = t;
		}
		tuplestore_putvalues(ts, desc, values, nulls);
		if ((e & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
	}
	MemoryContextDelete(cxt);
	return (Datum) 0;
}

/* ---- identity_resolve ----------------------------------------------------- */

typedef struct parsed_rules
{
	idr_rules	r;
	idr_type_rule *types;
	char	  **blocked;
	size_t	   *blocked_len;
} parsed_rules;

#define MAX_COUNT INT64CONST(4294967295)

static void
parse_rules(Jsonb *j, parsed_rules *p)
{
	static const char *const keys[] = {"types", "max_records", "blocked_values", NULL};
	static const char *const tkeys[] = {"name", "limit", "max_records", NULL};
	JsonbContainer **elems;
	int			n;

	memset(p, 0, sizeof(*p));
	opt_check_object(j, "rules", keys);
	p->r.max_records = opt_int64(&j->root, "rules", "max_records", 0, MAX_COUNT, IDR_NONE);
	elems = opt_object_array(&j->root, "rules", "types", &n);
	p->types = palloc0(sizeof(idr_type_rule) * (n ? n : 1));
	for (int i = 0; i < n; i++)
	{
		char	   *name;
		char	   *what = psprintf("rules: element %d of \"types\"", i + 1);

		opt_check_container(elems[i], what, tkeys);
		name = opt_text(elems[i], what, "name", NULL);
		if (name == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid rules: element %d of \"types\" has no \"name\"", i + 1),
					 errhint("Write {\"name\": \"phone\", \"limit\": 2, \"max_records\": 50}; \"limit\" and \"max_records\" are optional.")));
		for (int k = 0; k < i; k++)
			if (strcmp(p->types[k].name, name) == 0)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("invalid rules: type \"%s\" is listed twice in \"types\"", name)));
		p->types[i].name = name;
		p->types[i].len = strlen(name);
		p->types[i].limit = opt_int64(elems[i], what, "limit", 0, MAX_COUNT, IDR_NONE);
		p->types[i].max_records = opt_int64(elems[i], what, "max_records", 0, MAX_COUNT, IDR_NONE);
	}
	p->r.types = p->types;
	p->r.ntypes = n;
	p->blocked = opt_text_array(&j->root, "rules", "blocked_values", &n);
	p->blocked_len = palloc(sizeof(size_t) * (n ? n : 1));
	for (int i = 0; i < n; i++)
		p->blocked_len[i] = strlen(p->blocked[i]);
	p->r.blocked = (const char *const *) p->blocked;
	p->r.blocked_len = p->blocked_len;
	p->r.nblocked = n;
}

/*
 * Identifier rows, a batch at a time: the strings are copied, one after the
 * other, into one arena (the slot's bytes last only until the next row), and
 * either added together, so that idr_add_rows can prefetch the hash slots of
 * the batch, or sent as they are to the helper process.
 */
typedef struct id_batch
{
	idr_state  *s;
	idr_helper *h;				/* NULL: resolved in this backend */
	const idr_rules *rules;
	MemoryContext cxt;			/* the function's, where the helper's state lives */
	idr_row    *rows;
	uint32		(*lens)[3];		/* rec, type, val; UINT32_MAX = NULL */
	int			n;
	char	   *arena;
	size_t		len,
				cap;
} id_batch;

/* a batch is sent when it holds BATCH rows or this many bytes */
#define BATCH_BYTES ((size_t) 1 << 20)

static uint32
arena_put(id_batch *b, const char *p, size_t n)
{
	if (p == NULL)
		return UINT32_MAX;
	if (b->len + n > b->cap)
	{
		while (b->len + n > b->cap)
			b->cap *= 2;
		b->arena = repalloc_huge(b->arena, b->cap);
	}
	memcpy(b->arena + b->len, p, n);
	b->len += n;
	return n;
}

static void
id_flush(id_batch *b)
{
	if (b->n == 0)
		return;
	if (b->h)
		idr_helper_rows(b->h, b->n, (const uint32 (*)[3]) b->lens, b->arena, b->len);
	else
	{
		const char *p = b->arena;

		for (int i = 0; i < b->n; i++)
		{
			idr_row    *w = &b->rows[i];
			const char *f[3];

			for (int k = 0; k < 3; k++)
			{
				f[k] = b->lens[i][k] == UINT32_MAX ? NULL : p;
				if (f[k])
					p += b->lens[i][k];
			}
			w->rec = f[0];
			w->type = f[1];
			w->val = f[2];
			w->rlen = b->lens[i][0];
			w->tlen = f[1] ? b->lens[i][1] : 0;
			w->vlen = f[2] ? b->lens[i][2] : 0;
		}
		idr_raise(idr_add_rows(b->s, b->rows, b->n));
	}
	b->n = 0;
	b->len = 0;
}

static void
id_row(reader *r, TupleTableSlot *slot)
{
	id_batch   *b = r->arg;
	struct varlena *c0,
			   *c1,
			   *c2;
	const char *rec,
			   *t,
			   *v;
	size_t		rlen = 0,
				tlen = 0,
				vlen = 0;

	rec = slot_text(slot, 0, &rlen, &c0);
	t = slot_text(slot, 1, &tlen, &c1);
	v = slot_text(slot, 2, &vlen, &c2);
	if (rec == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("identifiers_sql returned a NULL record_id"),
				 errdetail("The row had id_type %s and id_value %s.",
						   t ? quote_literal_cstr(pnstrdup(t, tlen)) : "NULL",
						   v ? quote_literal_cstr(pnstrdup(v, vlen)) : "NULL"),
				 errhint("Every identifier row must name its record; filter the NULLs out or give them ids.")));
	if (b->n > 0 && b->len + rlen + tlen + vlen > BATCH_BYTES)
		id_flush(b);
	b->lens[b->n][0] = arena_put(b, rec, rlen);
	b->lens[b->n][1] = arena_put(b, t, tlen);
	b->lens[b->n][2] = arena_put(b, v, vlen);
	if (c0)
		pfree(c0);
	if (c1)
		pfree(c1);
	if (c2)
		pfree(c2);
	if (++b->n == BATCH)
		id_flush(b);
}

/*
 * Rows of the earlier run: added one by one, or batched like the identifier
 * rows for the helper.
 */
typedef struct prev_batch
{
	idr_state  *s;
	idr_helper *h;
	int64	   *person;
	uint32	   *lens;
	int			n;
	StringInfoData bytes;
} prev_batch;

static void
prev_flush(prev_batch *p)
{
	if (p->n > 0)
		idr_helper_previous(p->h, p->n, p->person, p->lens, p->bytes.data, p->bytes.len);
	p->n = 0;
	resetStringInfo(&p->bytes);
}

static void
prev_row(reader *r, TupleTableSlot *slot)
{
	prev_batch *p = r->arg;
	size_t		rl = 0;
	struct varlena *c;
	const char *rec = slot_text(slot, 0, &rl, &c);
	bool		isnull;
	int64		pid = slot_int(slot, 1, &isnull);

	if (rec == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("previous_sql returned a NULL record_id")));
	if (!isnull)
	{
		if (p->h == NULL)
			idr_raise(idr_add_previous(p->s, rec, rl, pid));
		else
		{
			if (p->n > 0 && p->bytes.len + rl > BATCH_BYTES)
				prev_flush(p);
			p->person[p->n] = pid;
			p->lens[p->n] = rl;
			appendBinaryStringInfo(&p->bytes, rec, rl);
			if (++p->n == BATCH)
				prev_flush(p);
		}
	}
	if (c)
		pfree(c);
}

/*
 * Before the first row, with the planner's estimate: a helper process when
 * persona.identity_helper asks for one (auto: for big inputs, and not when
 * the session has turned parallel query off), else tables sized once for
 * the rows.
 */
static void
id_start(reader *r)
{
	id_batch   *b = r->arg;
	uint64		est = r->est_rows <= 0 ? 0 : r->est_rows >= 1e18 ? UINT64_MAX : (uint64) r->est_rows;

	if (idr_helper_setting == IDR_HELPER_ON ||
		(idr_helper_setting == IDR_HELPER_AUTO && est >= IDR_HELPER_MIN_ROWS &&
		 max_parallel_workers_per_gather > 0))
	{
		/* (not the executor's context of the caller's query, gone after it) */
		MemoryContext old = MemoryContextSwitchTo(b->cxt);

		b->h = idr_helper_start(b->rules, est);
		MemoryContextSwitchTo(old);
	}
	if (b->h == NULL && est > 0)
		idr_reserve(b->s, est);
}

/* an answer row; the text datum is built in one reused buffer (the tuplestore copies it) */
static inline void
put_answer(Tuplestorestate *ts, TupleDesc desc, text *t, const char *rec, uint32 len, int64 person)
{
	Datum		values[2];
	bool		nulls[2] = {false, false};

	SET_VARSIZE(t, len + VARHDRSZ);
	memcpy(VARDATA(t), rec, len);
	values[0] = PointerGetDatum(t);
	values[1] = Int64GetDatum(person);
	tuplestore_putvalues(ts, desc, values, nulls);
}

PG_FUNCTION_INFO_V1(identity_resolve);
Datum
identity_resolve(PG_FUNCTION_ARGS)
{
	static const int kinds[] = {'t', 't', 't'};
	static const int pkinds[] = {'t', 'i'};
	char	   *sql;
	char	   *prev_sql = PG_ARGISNULL(2) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(2));
	parsed_rules rules;
	TupleDesc	desc;
	Tuplestorestate *ts;
	core_host		m;
	MemoryContext cxt;
	idr_state	s;
	idr_summary sum;
	id_batch	b;
	text	   *t;
	reader		r = {.fname = "identity_resolve",.argname = "identifiers_sql",
		.expected = "(record_id text, id_type text, id_value text)",
		.example = "record_id, id_type, id_value",
	.natts = 3,.kinds = kinds,.row = id_row,.start = id_start,.arg = &b};

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("identifiers_sql must not be NULL")));
	sql = text_to_cstring(PG_GETARG_TEXT_PP(0));
	if (PG_ARGISNULL(1))
		memset(&rules, 0, sizeof(rules)), rules.r.max_records = IDR_NONE;
	else
		parse_rules(PG_GETARG_JSONB_P(1), &rules);
	persona_srf_check(fcinfo);

	cxt = idr_host_init(&m);
	idr_init(&s, &m);
	memset(&b, 0, sizeof(b));
	b.s = &s;
	b.rules = &rules.r;
	b.cxt = cxt;
	b.rows = MemoryContextAlloc(cxt, sizeof(idr_row) * BATCH);
	b.lens = MemoryContextAlloc(cxt, sizeof(uint32[3]) * BATCH);
	b.cap = 2 * BATCH_BYTES;
	b.arena = MemoryContextAllocHuge(cxt, b.cap);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	run_query(sql, &r);
	id_flush(&b);
	pfree(b.arena);

	if (prev_sql)
	{
		prev_batch	pb = {.s = &s,.h = b.h};
		reader		p = {.fname = "identity_resolve",.argname = "previous_sql",
			.expected = "(record_id text, person_id bigint)",.example = "record_id, person_id",
		.natts = 2,.kinds = pkinds,.row = prev_row,.arg = &pb};

		if (b.h)
		{
			pb.person = MemoryContextAlloc(cxt, sizeof(int64) * BATCH);
			pb.lens = MemoryContextAlloc(cxt, sizeof(uint32) * BATCH);
			initStringInfo(&pb.bytes);
		}
		run_query(prev_sql, &p);
		if (b.h)
			prev_flush(&pb);
	}
	SPI_finish();

	if (b.h)
	{
		idr_helper_resolve(b.h, &sum);
		if (sum.helper_kb >= 0)
			ereport(DEBUG1,
					(errmsg("identity_resolve: the helper process's peak private memory was " INT64_FORMAT " kB",
							sum.helper_kb)));
	}
	else
	{
		idr_raise(idr_resolve(&s, &rules.r));
		idr_summarize(&s, &sum);
		idr_host_release_kept(&m);
	}
	idr_report(&sum);

	/* a row's data: the text's length byte and bytes, the bigint */
	ts = persona_srf_begin_sized(fcinfo, &desc, sum.rec_bytes + (PERSONA_SRF_ROW_OVERHEAD + 1.0 + 8.0) * sum.nrecs);
	t = MemoryContextAllocHuge(cxt, (Size) sum.rec_maxlen + VARHDRSZ);
	if (b.h)
	{
		const char *rec;
		uint32		len;
		int64		person;
		uint32		k = 0;

		while (idr_helper_answer(b.h, &rec, &len, &person))
		{
			put_answer(ts, desc, t, rec, len, person);
			if ((++k & 0xFFFF) == 0)
				CHECK_FOR_INTERRUPTS();
		}
		if (k != sum.nrecs)
			elog(ERROR, "identity_resolve: the helper process returned %u of %u records", k, sum.nrecs);
		idr_helper_end(b.h);
	}
	else
	{
		/*
		 * The answer in record order.  The records' entries and bytes are
		 * read in that order, not the order they were stored in, so they are
		 * prefetched a few records ahead.
		 */
		for (uint32 k = 0; k < s.recs.n; k++)
		{
			uint32		id = s.rec_order[k];

			if (k + 16 < s.recs.n)
				__builtin_prefetch(&s.recs.ent[s.rec_order[k + 16]]);
			if (k + 8 < s.recs.n)
				__builtin_prefetch(strtab_str(&s.recs, s.rec_order[k + 8]));
			put_answer(ts, desc, t, strtab_str(&s.recs, id), strtab_len(&s.recs, id), s.person[k]);
			if ((k & 0xFFFF) == 0)
				CHECK_FOR_INTERRUPTS();
		}
	}
	MemoryContextDelete(cxt);
	return (Datum) 0;
}
