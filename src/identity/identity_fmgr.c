/*
 * identity_fmgr.c — connected_components and identity_resolve: run the
 * caller's queries through SPI (with the caller's rights) into a DestReceiver
 * of ours, hand the rows to the plain-C cores (components.c, resolve.c) and
 * return the answer as a materialized set.
 *
 * Why a DestReceiver and not a cursor: SPI_cursor_fetch copies every row into
 * a tuple table (a palloc'd HeapTuple per row) and SPI_getbinval deforms it
 * again per column; over ten million rows that was a sixth of a resolve.  The
 * receiver sees the executor's own slot, deforms it once and copies only the
 * bytes of the three strings, batch by batch, into one arena.
 */
#include "postgres.h"

#include "common/srf.h"

#include "identity/components.h"
#include "identity/resolve.h"
#include "common/options.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "nodes/plannodes.h"
#include "utils/memutils.h"
#include "utils/plancache.h"
#include "utils/tuplestore.h"

#define BATCH 10000

/*
 * The cores' memory: a context of their own (freed at the end, or on error),
 * plus a few big freed blocks kept for reuse.  A resolve goes through phases
 * that each free big arrays (the hash slots, the sort buffers, the edges)
 * just before the next phase allocates its own; handed back to the kernel,
 * every page of the next array would be a fresh page fault, which on this
 * virtual machine costs microseconds and was a tenth of a 10-million-row
 * resolve.  A kept block serves a request at least a quarter of its size,
 * and gives back what the request leaves over; a big request that none can
 * serve first gives every kept block back, so that keeping never raises the
 * peak beyond the blocks freed since.
 */
#define POOL_MIN ((Size) 4 << 20)
#define POOL_SLOTS 8

typedef struct idr_host
{
	MemoryContext cxt;
	int			n;
	void	   *blk[POOL_SLOTS];
	Size		size[POOL_SLOTS];
} idr_host;

/*
 * Every block carries its usable size in front of it: a kept block may only
 * serve a request that fits, and GetMemoryChunkSpace counts the chunk header
 * too, so it would overstate the room by up to the header's size.
 */
#define HDR ((Size) 16)

static inline void *
sized(void *base, Size n)
{
	*(Size *) base = n;
	return (char *) base + HDR;
}

static inline void *
base_of(void *p)
{
	return (char *) p - HDR;
}

/* every kept block back */
static void
pool_release(idr_host *h)
{
	while (h->n > 0)
		pfree(base_of(h->blk[--h->n]));
}

static void *
pg_alloc(void *ctx, size_t n)
{
	idr_host   *h = ctx;

	if (n >= POOL_MIN)
	{
		int			best = -1;

		for (int i = 0; i < h->n; i++)
			if (h->size[i] >= n && h->size[i] / 4 <= n &&
				(best < 0 || h->size[i] < h->size[best]))
				best = i;
		if (best >= 0)
		{
			void	   *p = h->blk[best];
			Size		size = h->size[best];

			h->n--;
			h->blk[best] = h->blk[h->n];
			h->size[best] = h->size[h->n];
			/*
			 * Its room past n goes back now (a big block shrinks in place:
			 * the pages it keeps are the ones already touched), or a 128 MB
			 * block serving 38 MB would hold 90 MB idle through the phase.
			 */
			if (size - n >= POOL_MIN)
				p = sized(repalloc_huge(base_of(p), n + HDR), n);
			return p;
		}
		pool_release(h);
	}
	return sized(MemoryContextAllocHuge(h->cxt, n + HDR), n);
}

static void *
pg_realloc(void *ctx, void *p, size_t n)
{
	if (p == NULL)
		return pg_alloc(ctx, n);
	return sized(repalloc_huge(base_of(p), n + HDR), n);
}

static void
pg_release(void *ctx, void *p)
{
	idr_host   *h = ctx;
	Size		size = *(Size *) base_of(p);

	if (size >= POOL_MIN)
	{
		int			k = h->n;

		if (k == POOL_SLOTS)
		{
			/* full: the smallest goes back */
			k = 0;
			for (int i = 1; i < h->n; i++)
				if (h->size[i] < h->size[k])
					k = i;
			if (h->size[k] >= size)
			{
				pfree(base_of(p));
				return;
			}
			pfree(base_of(h->blk[k]));
		}
		else
			h->n++;
		h->blk[k] = p;
		h->size[k] = size;
		return;
	}
	pfree(base_of(p));
}

static void
pg_tick(void *ctx)
{
	(void) ctx;
	CHECK_FOR_INTERRUPTS();
}

static MemoryContext
mem_init(idr_mem *m)
{
	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext, "persona identity", ALLOCSET_DEFAULT_SIZES);
	idr_host   *h = MemoryContextAllocZero(cxt, sizeof(idr_host));

	h->cxt = cxt;
	m->alloc = pg_alloc;
	m->realloc = pg_realloc;
	m->release = pg_release;
	m->tick = pg_tick;
	m->ctx = h;
	return cxt;
}

/* The caller's query, prepared; it must return rows. */
static SPIPlanPtr
prepare_query(const char *sql, const char *argname)
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
	return plan;
}

/*
 * A receiver of the caller's rows: rStartup checks the columns, receiveSlot
 * hands each row to `row`.
 */
typedef struct reader
{
	DestReceiver pub;
	const char *argname;
	const char *expected;
	int			natts;
	const int  *kinds;
	void		(*row) (struct reader *r, TupleTableSlot *slot);
	void		(*start) (struct reader *r);	/* optional, before the first row */
	double		est_rows;		/* the planner's estimate (0: unknown) */
	void	   *arg;
} reader;

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
 * The planner's row estimate of a prepared one-statement query, or 0.  The
 * generic plan built here is the one the execution then uses (a query
 * without parameters is planned once).
 */
static double
estimate_rows(SPIPlanPtr plan)
{
	CachedPlan *cp = SPI_plan_get_cached_plan(plan);
	double		rows = 0;

	if (cp == NULL)
		return 0;
	if (list_length(cp->stmt_list) == 1)
	{
		PlannedStmt *ps = linitial_node(PlannedStmt, cp->stmt_list);

		if (ps->commandType == CMD_SELECT && ps->planTree)
			rows = ps->planTree->plan_rows;
	}
	ReleaseCachedPlan(cp, NULL);
	return rows;
}

/* Run the caller's query (inside SPI_connect), every row to r->row. */
static void
run_query(const char *sql, reader *r)
{
	SPIPlanPtr	plan = prepare_query(sql, r->argname);
	SPIExecuteOptions o;
	int			rc;

	r->est_rows = r->start ? estimate_rows(plan) : 0;

	r->pub.receiveSlot = reader_receive;
	r->pub.rStartup = reader_startup;
	r->pub.rShutdown = reader_nothing;
	r->pub.rDestroy = reader_nothing;
	r->pub.mydest = DestNone;
	memset(&o, 0, sizeof(o));
	o.read_only = false;
	o.tcount = 0;
	o.dest = &r->pub;
	rc = SPI_execute_plan_extended(plan, &o);
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
	idr_mem		m;
	MemoryContext cxt;
	cc_state	c;
	reader		r = {.argname = "edges_sql",.expected = "(integer, integer)",.natts = 2,
	.kinds = kinds,.row = edge_row,.arg = &c};

	persona_srf_check(fcinfo);
	cxt = mem_init(&m);
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

/*
 * Identifier rows, a batch at a time: the strings are copied into one arena
 * (the slot's bytes last only until the next row) and added together, so that
 * idr_add_rows can prefetch the hash slots of the batch.
 */
typedef struct id_batch
{
	idr_state  *s;
	idr_row    *rows;
	size_t		(*off)[3];		/* arena offsets of rec, type, val; SIZE_MAX = NULL */
	int			n;
	char	   *arena;
	size_t		len,
				cap;
} id_batch;

static size_t
arena_put(id_batch *b, const char *p, size_t n)
{
	size_t		o = b->len;

	if (p == NULL)
		return SIZE_MAX;
	if (b->len + n > b->cap)
	{
		while (b->len + n > b->cap)
			b->cap *= 2;
		b->arena = repalloc_huge(b->arena, b->cap);
	}
	memcpy(b->arena + o, p, n);
	b->len += n;
	return o;
}

static void
id_flush(id_batch *b)
{
	for (int i = 0; i < b->n; i++)
	{
		idr_row    *w = &b->rows[i];

		w->rec = b->arena + b->off[i][0];
		w->type = b->off[i][1] == SIZE_MAX ? NULL : b->arena + b->off[i][1];
		w->val = b->off[i][2] == SIZE_MAX ? NULL : b->arena + b->off[i][2];
	}
	too_many(idr_add_rows(b->s, b->rows, b->n));
	b->n = 0;
	b->len = 0;
}

static void
id_row(reader *r, TupleTableSlot *slot)
{
	id_batch   *b = r->arg;
	idr_row    *w = &b->rows[b->n];
	struct varlena *c0,
			   *c1,
			   *c2;
	const char *rec,
			   *t,
			   *v;

	w->rlen = w->tlen = w->vlen = 0;
	rec = slot_text(slot, 0, &w->rlen, &c0);
	t = slot_text(slot, 1, &w->tlen, &c1);
	v = slot_text(slot, 2, &w->vlen, &c2);
	if (rec == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("identifiers_sql returned a NULL record_id"),
				 errdetail("The row had id_type %s and id_value %s.",
						   t ? quote_literal_cstr(pnstrdup(t, w->tlen)) : "NULL",
						   v ? quote_literal_cstr(pnstrdup(v, w->vlen)) : "NULL"),
				 errhint("Every identifier row must name its record; filter the NULLs out or give them ids.")));
	b->off[b->n][0] = arena_put(b, rec, w->rlen);
	b->off[b->n][1] = arena_put(b, t, w->tlen);
	b->off[b->n][2] = arena_put(b, v, w->vlen);
	if (c0)
		pfree(c0);
	if (c1)
		pfree(c1);
	if (c2)
		pfree(c2);
	if (++b->n == BATCH)
		id_flush(b);
}

static void
prev_row(reader *r, TupleTableSlot *slot)
{
	idr_state  *s = r->arg;
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
		too_many(idr_add_previous(s, rec, rl, pid));
	if (c)
		pfree(c);
}

/* size the tables once for the rows the planner expects */
static void
id_start(reader *r)
{
	id_batch   *b = r->arg;

	if (r->est_rows > 0)
		idr_reserve(b->s, r->est_rows >= 1e18 ? UINT64_MAX : (uint64) r->est_rows);
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
	MemoryContext cxt;
	idr_state	s;
	id_batch	b;
	reader		r = {.argname = "identifiers_sql",
		.expected = "(record_id text, id_type text, id_value text)",
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

	cxt = mem_init(&m);
	idr_init(&s, &m);
	b.s = &s;
	b.rows = MemoryContextAlloc(cxt, sizeof(idr_row) * BATCH);
	b.off = MemoryContextAlloc(cxt, sizeof(size_t[3]) * BATCH);
	b.n = 0;
	b.len = 0;
	b.cap = 1 << 20;
	b.arena = MemoryContextAllocHuge(cxt, b.cap);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	run_query(sql, &r);
	id_flush(&b);
	pfree(b.arena);

	if (prev_sql)
	{
		reader		p = {.argname = "previous_sql",.expected = "(record_id text, person_id bigint)",
		.natts = 2,.kinds = pkinds,.row = prev_row,.arg = &s};

		run_query(prev_sql, &p);
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
								 pnstrdup(strtab_str(&s.types, t), strtab_len(&s.types, t)),
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

	pool_release((idr_host *) m.ctx);

	/*
	 * The answer in record order.  The records' entries and bytes are read in
	 * that order, not the order they were stored in, so they are prefetched a
	 * few records ahead; the text datum is built in one reused buffer (the
	 * tuplestore copies it).
	 */
	{
		uint32		maxlen = 0;
		double		bytes = 0;
		text	   *t;

		for (uint32 id = 0; id < s.recs.n; id++)
		{
			if (strtab_len(&s.recs, id) > maxlen)
				maxlen = strtab_len(&s.recs, id);
			bytes += strtab_len(&s.recs, id);
		}
		/* a row's data: the text's length byte and bytes, the bigint */
		ts = persona_srf_begin_sized(fcinfo, &desc, bytes + (PERSONA_SRF_ROW_OVERHEAD + 1.0 + 8.0) * s.recs.n);
		t = MemoryContextAllocHuge(cxt, (Size) maxlen + VARHDRSZ);
		for (uint32 k = 0; k < s.recs.n; k++)
		{
			uint32		id = s.rec_order[k];
			uint32		len = strtab_len(&s.recs, id);
			Datum		values[2];
			bool		nulls[2] = {false, false};

			if (k + 16 < s.recs.n)
				__builtin_prefetch(&s.recs.ent[s.rec_order[k + 16]]);
			if (k + 8 < s.recs.n)
				__builtin_prefetch(strtab_str(&s.recs, s.rec_order[k + 8]));
			SET_VARSIZE(t, len + VARHDRSZ);
			memcpy(VARDATA(t), strtab_str(&s.recs, id), len);
			values[0] = PointerGetDatum(t);
			values[1] = Int64GetDatum(s.person[k]);
			tuplestore_putvalues(ts, desc, values, nulls);
			if ((k & 0xFFFF) == 0)
				CHECK_FOR_INTERRUPTS();
		}
	}
	MemoryContextDelete(cxt);
	return (Datum) 0;
}
