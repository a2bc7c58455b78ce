/*
 * identity_fmgr.c — connected_components and identity_resolve: read the
 * caller's queries through an SPI cursor (with the caller's rights), hand the
 * rows to the plain-C cores (components.c, resolve.c) and return the answer
 * as a materialized set.
 */
#include "postgres.h"

#include "common/srf.h"

#include "identity/components.h"
#include "identity/resolve.h"
#include "common/options.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/tuplestore.h"

#define BATCH 10000

static void *
pg_alloc(void *ctx, size_t n)
{
	return MemoryContextAllocHuge((MemoryContext) ctx, n);
}

static void *
pg_realloc(void *ctx, void *p, size_t n)
{
	if (p == NULL)
		return MemoryContextAllocHuge((MemoryContext) ctx, n);
	return repalloc_huge(p, n);
}

static void
pg_release(void *ctx, void *p)
{
	(void) ctx;
	pfree(p);
}

static void
pg_tick(void *ctx)
{
	(void) ctx;
	CHECK_FOR_INTERRUPTS();
}

static void
mem_init(idr_mem *m)
{
	m->alloc = pg_alloc;
	m->realloc = pg_realloc;
	m->release = pg_release;
	m->tick = pg_tick;
	m->ctx = AllocSetContextCreate(CurrentMemoryContext, "persona identity", ALLOCSET_DEFAULT_SIZES);
}

/* A cursor on the caller's query, which must return rows. */
static Portal
open_query(const char *sql, const char *argname)
{
	SPIPlanPtr	plan = SPI_prepare(sql, 0, NULL);

	if (plan == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s could not be prepared: %s", argname, SPI_result_code_string(SPI_result))));
	if (!SPI_is_cursor_plan(plan))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a query that returns rows", argname)));
	return SPI_cursor_open(NULL, plan, NULL, NULL, false);
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
get_int(HeapTuple tup, TupleDesc td, int col, bool *isnull)
{
	Datum		d = SPI_getbinval(tup, td, col, isnull);

	if (*isnull)
		return 0;
	switch (TupleDescAttr(td, col - 1)->atttypid)
	{
		case INT2OID:
			return DatumGetInt16(d);
		case INT4OID:
			return DatumGetInt32(d);
		default:
			return DatumGetInt64(d);
	}
}

/* bytes of a text column; detoasted copies go to the caller's batch context */
static const char *
get_text(HeapTuple tup, TupleDesc td, int col, size_t *len)
{
	bool		isnull;
	Datum		d = SPI_getbinval(tup, td, col, &isnull);
	struct varlena *v;

	if (isnull)
		return NULL;
	v = pg_detoast_datum_packed((struct varlena *) DatumGetPointer(d));
	*len = VARSIZE_ANY_EXHDR(v);
	return VARDATA_ANY(v);
}

/* ---- connected_components ---------------------------------------------- */

PG_FUNCTION_INFO_V1(connected_components);
Datum
connected_components(PG_FUNCTION_ARGS)
{
	char	   *sql = text_to_cstring(PG_GETARG_TEXT_PP(0));
	static const int kinds[] = {'i', 'i'};
	TupleDesc	desc;
	Tuplestorestate *ts = persona_srf_begin(fcinfo, &desc);
	idr_mem		m;
	cc_state	c;
	Portal		portal;
	bool		checked = false;

	mem_init(&m);
	cc_init(&c, &m);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	portal = open_query(sql, "edges_sql");
	for (;;)
	{
		SPITupleTable *tt;
		uint64		n;

		SPI_cursor_fetch(portal, true, BATCH);
		tt = SPI_tuptable;
		n = SPI_processed;
		if (!checked)
		{
			check_columns(tt->tupdesc, "edges_sql", "(integer, integer)", 2, kinds);
			checked = true;
		}
		if (n == 0)
			break;
		for (uint64 i = 0; i < n; i++)
		{
			bool		na,
						nb,
						ok = true;
			int64		a = get_int(tt->vals[i], tt->tupdesc, 1, &na);
			int64		b = get_int(tt->vals[i], tt->tupdesc, 2, &nb);

			if (!na && !nb)
				ok = cc_edge(&c, a, b);
			else if (!na)
				ok = cc_node(&c, a);
			else if (!nb)
				ok = cc_node(&c, b);
			if (!ok)
				ereport(ERROR,
						(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
						 errmsg("connected_components handles at most 2147483648 distinct nodes")));
		}
		SPI_freetuptable(tt);
		CHECK_FOR_INTERRUPTS();
	}
	SPI_cursor_close(portal);
	SPI_finish();

	cc_finish(&c);
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
	MemoryContextDelete(m.ctx);
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

static void
too_many(idr_err e)
{
	if (e == IDR_TOO_MANY)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("identity_resolve handles at most 4294967294 records, values and identifier rows")));
	if (e == IDR_ID_OVERFLOW)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("new person ids would exceed the bigint range"),
				 errdetail("The earlier run's largest person_id leaves no room above it.")));
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
	idr_mem		m;
	idr_state	s;
	Portal		portal;
	bool		checked = false;
	idr_row    *rows;
	MemoryContext batch,
				old;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("identifiers_sql must not be NULL")));
	sql = text_to_cstring(PG_GETARG_TEXT_PP(0));
	if (PG_ARGISNULL(1))
		memset(&rules, 0, sizeof(rules)), rules.r.max_records = IDR_NONE;
	else
		parse_rules(PG_GETARG_JSONB_P(1), &rules);
	ts = persona_srf_begin(fcinfo, &desc);

	mem_init(&m);
	idr_init(&s, &m);
	batch = AllocSetContextCreate(m.ctx, "batch", ALLOCSET_DEFAULT_SIZES);
	rows = MemoryContextAlloc(m.ctx, sizeof(idr_row) * BATCH);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	portal = open_query(sql, "identifiers_sql");
	for (;;)
	{
		SPITupleTable *tt;
		uint64		n;

		SPI_cursor_fetch(portal, true, BATCH);
		tt = SPI_tuptable;
		n = SPI_processed;
		if (!checked)
		{
			check_columns(tt->tupdesc, "identifiers_sql", "(record_id text, id_type text, id_value text)", 3, kinds);
			checked = true;
		}
		if (n == 0)
			break;
		old = MemoryContextSwitchTo(batch);
		for (uint64 i = 0; i < n; i++)
		{
			idr_row    *w = &rows[i];
			const char *r;
			const char *t;
			const char *v;
			size_t		tl,
						vl;

			w->rlen = w->tlen = w->vlen = 0;
			r = w->rec = get_text(tt->vals[i], tt->tupdesc, 1, &w->rlen);
			t = w->type = get_text(tt->vals[i], tt->tupdesc, 2, &w->tlen);
			v = w->val = get_text(tt->vals[i], tt->tupdesc, 3, &w->vlen);
			tl = w->tlen;
			vl = w->vlen;

			if (r == NULL)
				ereport(ERROR,
						(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						 errmsg("identifiers_sql returned a NULL record_id"),
						 errdetail("The row had id_type %s and id_value %s.",
								   t ? quote_literal_cstr(pnstrdup(t, tl)) : "NULL",
								   v ? quote_literal_cstr(pnstrdup(v, vl)) : "NULL"),
						 errhint("Every identifier row must name its record; filter the NULLs out or give them ids.")));
		}
		too_many(idr_add_rows(&s, rows, (int) n));
		MemoryContextSwitchTo(old);
		MemoryContextReset(batch);
		SPI_freetuptable(tt);
	}
	SPI_cursor_close(portal);

	if (prev_sql)
	{
		checked = false;
		portal = open_query(prev_sql, "previous_sql");
		for (;;)
		{
			SPITupleTable *tt;
			uint64		n;

			SPI_cursor_fetch(portal, true, BATCH);
			tt = SPI_tuptable;
			n = SPI_processed;
			if (!checked)
			{
				check_columns(tt->tupdesc, "previous_sql", "(record_id text, person_id bigint)", 2, pkinds);
				checked = true;
			}
			if (n == 0)
				break;
			old = MemoryContextSwitchTo(batch);
			for (uint64 i = 0; i < n; i++)
			{
				size_t		rl = 0;
				const char *r = get_text(tt->vals[i], tt->tupdesc, 1, &rl);
				bool		isnull;
				int64		pid = get_int(tt->vals[i], tt->tupdesc, 2, &isnull);

				if (r == NULL)
					ereport(ERROR,
							(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
							 errmsg("previous_sql returned a NULL record_id")));
				if (!isnull)
					too_many(idr_add_previous(&s, r, rl, pid));
			}
			MemoryContextSwitchTo(old);
			MemoryContextReset(batch);
			SPI_freetuptable(tt);
		}
		SPI_cursor_close(portal);
	}
	SPI_finish();

	too_many(idr_resolve(&s, &rules.r));

	{
		StringInfoData d;
		uint32		T = s.types.n;
		bool		any = false;

		initStringInfo(&d);
		for (uint32 t = 0; t < T; t++)
			if (s.refused_by_type[t])
			{
				appendStringInfo(&d, "%s%s: " UINT64_FORMAT, any ? ", " : "Joins refused by type: ",
								 pnstrdup(strtab_str(&s.types, t), s.types.len[t]),
								 (uint64) s.refused_by_type[t]);
				any = true;
			}
		if (any)
			appendStringInfoChar(&d, '.');
		if (s.has_prev)
			appendStringInfo(&d, "%s" UINT64_FORMAT " of " UINT64_FORMAT " persons kept an earlier person_id.",
							 any ? " " : "", (uint64) s.stats.kept_ids, (uint64) s.stats.persons);
		ereport(NOTICE,
				(errmsg("identity_resolve: %u records, " UINT64_FORMAT " persons; " UINT64_FORMAT
						" joins refused by limits; " UINT64_FORMAT " values ignored as super-nodes (max_records); "
						UINT64_FORMAT " blocked values ignored",
						s.recs.n, (uint64) s.stats.persons, (uint64) s.stats.refused,
						(uint64) s.stats.supernodes, (uint64) s.stats.blocked),
				 d.len ? errdetail_internal("%s", d.data) : 0));
	}

	for (uint32 k = 0; k < s.recs.n; k++)
	{
		uint32		id = s.rec_order[k];
		Datum		values[2];
		bool		nulls[2] = {false, false};
		text	   *t = cstring_to_text_with_len(strtab_str(&s.recs, id), s.recs.len[id]);

		values[0] = PointerGetDatum(t);
		values[1] = Int64GetDatum(s.person[k]);
		tuplestore_putvalues(ts, desc, values, nulls);
		pfree(t);
		if ((k & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
	}
	MemoryContextDelete(m.ctx);
	return (Datum) 0;
}
