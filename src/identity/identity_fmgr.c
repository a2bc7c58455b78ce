/*
 * identity_fmgr.c — connected_components and identity_resolve: run the
 * caller's queries read-only (base/caller_query_fmgr.c), hand the rows to the
 * plain-C cores (components.c, resolve.c), or to the helper process
 * (resolve_helper_fmgr.c), and return the answer as a materialized set.
 *
 * The rows' strings are copied, batch by batch, into one arena: the slot's
 * bytes last only until the next row.
 */
#include "postgres.h"

#include "identity/identity_fmgr.h"

#include "executor/spi.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "optimizer/cost.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/tuplestore.h"

#define BATCH 10000

/* ---- connected_components ---------------------------------------------- */

static void
edge_row(caller_query *r, TupleTableSlot *slot)
{
	cc_state   *c = r->arg;
	bool		na,
				nb,
				ok = true;
	int64		a = caller_slot_int(slot, 0, &na);
	int64		b = caller_slot_int(slot, 1, &nb);

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
	caller_query r = {.fname = "connected_components",.argname = "edges_sql",
		.expected = "(integer, integer)",.example = "a, b",.natts = 2,
	.kinds = kinds,.row = edge_row,.arg = &c};

	persona_srf_check(fcinfo);
	cxt = idr_host_init(&m);
	cc_init(&c, &m);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	caller_query_run(sql, &r);
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
id_row(caller_query *r, TupleTableSlot *slot)
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

	rec = caller_slot_text(slot, 0, &rlen, &c0);
	t = caller_slot_text(slot, 1, &tlen, &c1);
	v = caller_slot_text(slot, 2, &vlen, &c2);
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
prev_row(caller_query *r, TupleTableSlot *slot)
{
	prev_batch *p = r->arg;
	size_t		rl = 0;
	struct varlena *c;
	const char *rec = caller_slot_text(slot, 0, &rl, &c);
	bool		isnull;
	int64		pid = caller_slot_int(slot, 1, &isnull);

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
id_start(caller_query *r)
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
	caller_query r = {.fname = "identity_resolve",.argname = "identifiers_sql",
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
	caller_query_run(sql, &r);
	id_flush(&b);
	pfree(b.arena);

	if (prev_sql)
	{
		prev_batch	pb = {.s = &s,.h = b.h};
		caller_query p = {.fname = "identity_resolve",.argname = "previous_sql",
			.expected = "(record_id text, person_id bigint)",.example = "record_id, person_id",
		.natts = 2,.kinds = pkinds,.row = prev_row,.arg = &pb};

		if (b.h)
		{
			pb.person = MemoryContextAlloc(cxt, sizeof(int64) * BATCH);
			pb.lens = MemoryContextAlloc(cxt, sizeof(uint32) * BATCH);
			initStringInfo(&pb.bytes);
		}
		caller_query_run(prev_sql, &p);
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
