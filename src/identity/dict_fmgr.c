/*
 * dict_fmgr.c — dict_encode / dict_decode: dense per-namespace int4 ids for
 * string keys, kept in the extension's table persona_dict.
 *
 * Two paths.  The fast one reads and writes the heap and indexes directly:
 * bulk encoding must reach 100,000 new keys per second, which an SPI INSERT
 * per key cannot.  It bypasses what the executor would add, so it is taken
 * only when there is nothing to add: no row-level security applying to the
 * caller, no INSERT trigger, no rule, no CHECK constraint but the
 * extension's own (id > 0, which the id arithmetic keeps), no index but the
 * extension's two, no column added.  Otherwise the SQL path
 * reads and inserts with SPI as the caller, so policies, triggers, rules,
 * constraints and privileges act as on any INSERT/SELECT (dict_plain()).
 *
 * Why both are safe:
 *   - a new key is only added while holding one transaction-long lock for
 *     the whole dictionary (a heavyweight lock tagged (persona_dict, 0)),
 *     and the key is looked up again after taking it, with SnapshotSelf,
 *     which sees every committed row: two sessions encoding the same new key
 *     get the same id, and the next id is max(id) + 1, so ids stay dense.
 *     One lock rather than one per namespace: keys arrive in data order, so
 *     per-namespace locks taken in different orders deadlocked;
 *   - ids are computed in 64 bits and refused past 2^31 - 1 (54000);
 *   - a backend-local cache maps known keys to ids; it is emptied on any
 *     (sub)transaction abort, so an id that was rolled back is never served,
 *     and when the table is not the one it was filled from (extension
 *     dropped and created again, moved to another schema).  It is filled and
 *     read only where row-level security does not apply to the caller.
 * The table is found in the schema of the calling function, so the extension
 * stays relocatable.  Privileges are checked like an INSERT/SELECT would.
 */

#include "postgres.h"

#include "identity/identity_fmgr.h"

#include "access/genam.h"
#include "access/heapam.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_collation_d.h"
#include "catalog/pg_type_d.h"
#include "catalog/index.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "nodes/execnodes.h"
#include "storage/lmgr.h"
#include "tcop/utility.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/rls.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

#define DICT_TABLE "persona_dict"
#define DICT_KEY_INDEX "persona_dict_pkey"		/* (namespace, key) */
#define DICT_ID_INDEX "persona_dict_namespace_id_key"	/* (namespace, id) */
#define DICT_ID_CHECK "persona_dict_id_check"	/* CHECK (id > 0) */
#define DICT_MAX_ATTS 16		/* columns, dropped ones included, of the fast path */
#define CACHE_MAX 2000000		/* keys; emptied when full */

static MemoryContext cache_cxt = NULL;	/* the namespaces and their state */
static MemoryContext keys_cxt = NULL;	/* the key cache, child of cache_cxt */
static core_host cache_mem,
			keys_mem;
static strtab cache;			/* tag = namespace number */
static int32 *cache_id;
static uint32 cache_id_cap;
static strtab namespaces;
static Oid	cache_relid = InvalidOid;

/*
 * Per namespace.  `next` is the next id while this transaction holds the
 * dictionary's lock (0 otherwise or not yet known; 2^31 when the namespace
 * is full, hence 64 bits).  Ids 1 .. `synced` are all in the cache.
 * Ids are dense, so after taking the lock, reading the ids above `synced`
 * (few, or all of them once per backend) makes the cache hold every key of
 * the namespace: under the lock a miss is then a new key, with no index
 * lookup.
 */
typedef struct ns_state
{
	int64		next;
	uint32		synced;
} ns_state;
static ns_state *ns;
static uint32 ns_cap;

/* per transaction */
static bool xact_ready = false;
static Oid	rel_oid,
			key_index_oid,
			id_index_oid;
static bool acl_insert_ok;
static Oid	acl_user = InvalidOid;	/* whose privileges were checked */
static IndexInfo *index_info[2];	/* in TopTransactionContext */
static bool dict_locked = false;	/* this transaction holds the dictionary's lock */

/*
 * What the table has, kept until a relcache invalidation of it (ALTER TABLE,
 * CREATE POLICY/TRIGGER/RULE/INDEX all send one): -1 unknown, else 0/1.
 * rls_on: row-level security is enabled (whether it applies depends on the
 * caller: check_enable_rls()).  plain: nothing the fast path would bypass.
 */
static int	rls_on = -1;
static int	plain = -1;

/* SPI plans of the SQL path, for the table in schema plan_nsp */
enum
{
	PLAN_LOOKUP, PLAN_INSERT, PLAN_DECODE, N_PLANS
};
static SPIPlanPtr plans[N_PLANS];
static Oid	plan_nsp = InvalidOid;
static Oid	dict_nsp;			/* the schema of the table, per transaction */

/*
 * Relations dict_encode has locked in this transaction (bit 0 the table, 1
 * the key index, 2 the id index).  Like an INSERT, it keeps RowExclusiveLock
 * until the transaction ends, so later calls open them with NoLock: taking
 * and releasing three fast-path locks per new key was a measurable share of
 * a bulk encode.  A subtransaction's abort releases its locks: reset there.
 */
static int	held = 0;

static Relation
dict_open(Oid oid, int bit, bool index)
{
	LOCKMODE	mode = (held & (1 << bit)) ? NoLock : RowExclusiveLock;
	Relation	r = index ? index_open(oid, mode) : table_open(oid, mode);

	held |= 1 << bit;
	return r;
}

static void *
c_alloc(void *ctx, size_t n)
{
	return MemoryContextAllocHuge((MemoryContext) ctx, n);
}
static void *
c_realloc(void *ctx, void *p, size_t n)
{
	(void) ctx;
	return repalloc_huge(p, n);
}
static void
c_release(void *ctx, void *p)
{
	(void) ctx;
	pfree(p);
}

static void
keys_reset(void)
{
	MemoryContextReset(keys_cxt);
	strtab_init(&cache, &keys_mem);
	cache_id_cap = 1024;
	cache_id = MemoryContextAlloc(keys_cxt, cache_id_cap * sizeof(int32));
	for (uint32 i = 0; i < ns_cap; i++)
		ns[i].synced = 0;
}

/* everything: keys, namespaces, their state */
static void
cache_reset(void)
{
	if (cache_cxt == NULL)
	{
		cache_cxt = AllocSetContextCreate(TopMemoryContext, "persona dict cache", ALLOCSET_DEFAULT_SIZES);
		keys_cxt = AllocSetContextCreate(cache_cxt, "persona dict keys", ALLOCSET_DEFAULT_SIZES);
		cache_mem.alloc = keys_mem.alloc = c_alloc;
		cache_mem.realloc = keys_mem.realloc = c_realloc;
		cache_mem.release = keys_mem.release = c_release;
		cache_mem.tick = keys_mem.tick = NULL;
		cache_mem.ctx = cache_cxt;
		keys_mem.ctx = keys_cxt;
	}
	else
	{
		MemoryContextResetOnly(cache_cxt);	/* keeps keys_cxt */
		MemoryContextReset(keys_cxt);
	}
	strtab_init(&namespaces, &cache_mem);
	ns_cap = 16;
	ns = MemoryContextAllocZero(cache_cxt, ns_cap * sizeof(ns_state));
	keys_reset();
}

static void
xact_end(void)
{
	xact_ready = false;
	held = 0;
	dict_locked = false;
	index_info[0] = index_info[1] = NULL;
	for (uint32 i = 0; i < ns_cap; i++)
		ns[i].next = 0;
}

static void
xact_callback(XactEvent event, void *arg)
{
	if (event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT)
	{
		if (cache_cxt)
			cache_reset();
		cache_relid = InvalidOid;
	}
	if (event == XACT_EVENT_ABORT || event == XACT_EVENT_COMMIT ||
		event == XACT_EVENT_PARALLEL_ABORT || event == XACT_EVENT_PARALLEL_COMMIT ||
		event == XACT_EVENT_PREPARE)
		xact_end();
}

static void
subxact_callback(SubXactEvent event, SubTransactionId mySubid,
				 SubTransactionId parentSubid, void *arg)
{
	/*
	 * ids given out in the aborted subtransaction are gone, and so are its
	 * locks (taking a lock again that the parent still holds is cheap)
	 */
	if (event == SUBXACT_EVENT_ABORT_SUB)
	{
		held = 0;
		dict_locked = false;
	}
	if (event == SUBXACT_EVENT_ABORT_SUB && cache_cxt)
	{
		cache_reset();
		cache_relid = InvalidOid;
	}
}

static Oid
index_in(Oid nsp, const char *name)
{
	Oid			o = get_relname_relid(name, nsp);

	if (!OidIsValid(o))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("index %s of the persona dictionary is missing", name)));
	return o;
}

static void
relcache_callback(Datum arg, Oid relid)
{
	if (relid == InvalidOid || relid == rel_oid)
		rls_on = plain = -1;
}

/* Find the table (once per transaction) and check privileges. */
static void
dict_ready(FunctionCallInfo fcinfo)
{
	static bool registered = false;
	Oid			nsp;

	if (!registered)
	{
		RegisterXactCallback(xact_callback, NULL);
		RegisterSubXactCallback(subxact_callback, NULL);
		CacheRegisterRelcacheCallback(relcache_callback, (Datum) 0);
		registered = true;
	}
	if (cache_cxt == NULL)
		cache_reset();
	if (xact_ready && acl_user == GetUserId())
		return;
	nsp = get_func_namespace(fcinfo->flinfo->fn_oid);
	rel_oid = get_relname_relid(DICT_TABLE, nsp);
	if (!OidIsValid(rel_oid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("the persona dictionary table %s is missing from schema %s",
						DICT_TABLE, get_namespace_name(nsp))));
	key_index_oid = index_in(nsp, DICT_KEY_INDEX);
	id_index_oid = index_in(nsp, DICT_ID_INDEX);
	if (pg_class_aclcheck(rel_oid, GetUserId(), ACL_SELECT) != ACLCHECK_OK)
		aclcheck_error(ACLCHECK_NO_PRIV, OBJECT_TABLE, DICT_TABLE);
	acl_insert_ok = pg_class_aclcheck(rel_oid, GetUserId(), ACL_INSERT) == ACLCHECK_OK;
	acl_user = GetUserId();
	if (rel_oid != cache_relid)
	{
		cache_reset();
		cache_relid = rel_oid;
	}
	rls_on = plain = -1;
	dict_nsp = nsp;
	xact_ready = true;
}

/* id of (ns, key) in the table, seen through SnapshotSelf, or 0 */
static int32
table_lookup(Relation rel, text *ns, text *key)
{
	Relation	idx = dict_open(key_index_oid, 1, true);
	ScanKeyData sk[2];
	IndexScanDesc scan;
	TupleTableSlot *slot = table_slot_create(rel, NULL);
	int32		id = 0;

	ScanKeyInit(&sk[0], 1, BTEqualStrategyNumber, F_TEXTEQ, PointerGetDatum(ns));
	ScanKeyInit(&sk[1], 2, BTEqualStrategyNumber, F_TEXTEQ, PointerGetDatum(key));
	scan = index_beginscan(rel, idx, SnapshotSelf, 2, 0);
	index_rescan(scan, sk, 2, NULL, 0);
	if (index_getnext_slot(scan, ForwardScanDirection, slot))
	{
		bool		isnull;

		id = DatumGetInt32(slot_getattr(slot, 3, &isnull));
	}
	index_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	index_close(idx, NoLock);
	return id;
}

/* the largest id of ns, 0 when none */
static int32
table_max_id(Relation rel, text *ns)
{
	Relation	idx = dict_open(id_index_oid, 2, true);
	ScanKeyData sk[1];
	IndexScanDesc scan;
	TupleTableSlot *slot = table_slot_create(rel, NULL);
	int32		id = 0;

	ScanKeyInit(&sk[0], 1, BTEqualStrategyNumber, F_TEXTEQ, PointerGetDatum(ns));
	scan = index_beginscan(rel, idx, SnapshotSelf, 1, 0);
	index_rescan(scan, sk, 1, NULL, 0);
	if (index_getnext_slot(scan, BackwardScanDirection, slot))
	{
		bool		isnull;

		id = DatumGetInt32(slot_getattr(slot, 3, &isnull));
	}
	index_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	index_close(idx, NoLock);
	return id;
}

static void
table_insert(Relation rel, text *ns, text *key, int32 id)
{
	Datum		values[DICT_MAX_ATTS] = {PointerGetDatum(ns), PointerGetDatum(key), Int32GetDatum(id)};
	bool		nulls[DICT_MAX_ATTS];
	HeapTuple	tup;
	Oid			idxs[2] = {key_index_oid, id_index_oid};

	/* columns after the third are dropped ones (dict_plain): null */
	for (int i = 0; i < DICT_MAX_ATTS; i++)
		nulls[i] = i >= 3;
	tup = heap_form_tuple(RelationGetDescr(rel), values, nulls);

	simple_heap_insert(rel, tup);
	for (int i = 0; i < 2; i++)
	{
		Relation	idx = dict_open(idxs[i], 1 + i, true);
		Datum		iv[2] = {PointerGetDatum(ns), i == 0 ? PointerGetDatum(key) : Int32GetDatum(id)};
		bool		in[2] = {false, false};

		if (index_info[i] == NULL)
		{
			MemoryContext old = MemoryContextSwitchTo(TopTransactionContext);

			index_info[i] = BuildIndexInfo(idx);
			MemoryContextSwitchTo(old);
		}
		index_insert(idx, iv, in, &tup->t_self, rel, UNIQUE_CHECK_YES, false, index_info[i]);
		index_close(idx, NoLock);
	}
	heap_freetuple(tup);
}

static void
cache_put(uint32 ns_no, const char *k, size_t klen, int32 id)
{
	uint32		e;

	if (cache.n >= CACHE_MAX)
		keys_reset();			/* bounded: start over (the table has them all) */
	e = strtab_intern(&cache, ns_no, k, klen);
	if (e == UINT32_MAX)
		return;
	if (e >= cache_id_cap)
	{
		cache_id_cap *= 2;
		cache_id = repalloc_huge(cache_id, cache_id_cap * sizeof(int32));
	}
	cache_id[e] = id;
}

/* Cache the keys of ids synced+1 .. upto (which the lock keeps from changing). */
static void
table_sync(Relation rel, text *nsp, uint32 ns_no, int32 upto)
{
	Relation	idx;
	ScanKeyData sk[2];
	IndexScanDesc scan;
	TupleTableSlot *slot;
	int32		from = (int32) ns[ns_no].synced;

	if (upto <= from || (uint64) cache.n + (upto - from) > CACHE_MAX)
		return;
	idx = dict_open(id_index_oid, 2, true);
	slot = table_slot_create(rel, NULL);
	ScanKeyInit(&sk[0], 1, BTEqualStrategyNumber, F_TEXTEQ, PointerGetDatum(nsp));
	ScanKeyInit(&sk[1], 2, BTGreaterStrategyNumber, F_INT4GT, Int32GetDatum(from));
	scan = index_beginscan(rel, idx, SnapshotSelf, 2, 0);
	index_rescan(scan, sk, 2, NULL, 0);
	while (index_getnext_slot(scan, ForwardScanDirection, slot))
	{
		bool		isnull;
		text	   *k = DatumGetTextPP(slot_getattr(slot, 2, &isnull));
		int32		id = DatumGetInt32(slot_getattr(slot, 3, &isnull));

		cache_put(ns_no, VARDATA_ANY(k), VARSIZE_ANY_EXHDR(k), id);
		CHECK_FOR_INTERRUPTS();
	}
	index_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	index_close(idx, NoLock);
	ns[ns_no].synced = (uint32) upto;
}

/* Does row-level security apply to this caller?  Then only the SQL path reads. */
static bool
rls_applies(void)
{
	if (rls_on < 0)
	{
		HeapTuple	tp = SearchSysCache1(RELOID, ObjectIdGetDatum(rel_oid));

		if (!HeapTupleIsValid(tp))
			elog(ERROR, "cache lookup failed for relation %u", rel_oid);
		rls_on = ((Form_pg_class) GETSTRUCT(tp))->relrowsecurity;
		ReleaseSysCache(tp);
	}
	/* RLS_NONE_ENV: superuser, BYPASSRLS, the owner without FORCE */
	return rls_on && check_enable_rls(rel_oid, InvalidOid, true) == RLS_ENABLED;
}

/*
 * Is an INSERT into the table exactly what table_insert() does: the three
 * columns as created (dropped ones after them are fine: null), the two
 * indexes, no CHECK but the extension's own (which the fast path keeps: ids
 * are 1 .. 2^31 - 1), no INSERT trigger (enabled or not; foreign keys are
 * triggers too), no rule?
 */
static bool
dict_plain(Relation rel)
{
	TupleDesc	d = RelationGetDescr(rel);
	TriggerDesc *t = rel->trigdesc;
	List	   *idx;
	bool		ok;

	if (d->natts < 3 || d->natts > DICT_MAX_ATTS || rel->rd_rules != NULL)
		return false;
	for (int i = 3; i < d->natts; i++)
		if (!TupleDescAttr(d, i)->attisdropped)
			return false;
	if (t && (t->trig_insert_before_row || t->trig_insert_after_row ||
			  t->trig_insert_instead_row || t->trig_insert_before_statement ||
			  t->trig_insert_after_statement || t->trig_insert_new_table))
		return false;
	if (d->constr)
		for (int i = 0; i < d->constr->num_check; i++)
			if (strcmp(d->constr->check[i].ccname, DICT_ID_CHECK) != 0)
				return false;
	idx = RelationGetIndexList(rel);
	ok = list_length(idx) == 2 && list_member_oid(idx, key_index_oid) &&
		list_member_oid(idx, id_index_oid);
	list_free(idx);
	return ok;
}

/*
 * The dictionary's lock, held until the transaction ends: whoever adds keys
 * holds it, so the next id (max + 1 under SnapshotSelf) is not given twice
 * and ids stay dense.  One lock for all namespaces: two transactions adding
 * keys can only wait for each other here, never in a cycle.
 */
static void
dict_lock(void)
{
	if (!dict_locked)
	{
		LockDatabaseObject(rel_oid, 0, 0, ExclusiveLock);
		dict_locked = true;
	}
}

/* the id after last (the largest id of nsp), refused past int4 */
static int32
next_id(text *nsp, int64 last)
{
	if (last >= PG_INT32_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("dictionary namespace \"%s\" is full", text_to_cstring(nsp)),
				 errdetail("Its last id is %lld; ids are int4, from 1 to %d.",
						   (long long) last, PG_INT32_MAX),
				 errhint("Encode further keys into another namespace.")));
	return (int32) (last + 1);
}

static SPIPlanPtr
dict_plan(int which)
{
	static const char *const sql[N_PLANS] = {
		"SELECT id FROM %s WHERE namespace OPERATOR(pg_catalog.=) $1 AND key OPERATOR(pg_catalog.=) $2",
		"INSERT INTO %s (namespace, key, id) VALUES ($1, $2, $3) RETURNING id",
		"SELECT key FROM %s WHERE namespace OPERATOR(pg_catalog.=) $1 AND id OPERATOR(pg_catalog.=) $2",
	};
	static const int nargs[N_PLANS] = {2, 3, 2};
	Oid			types[N_PLANS][3] = {{TEXTOID, TEXTOID}, {TEXTOID, TEXTOID, INT4OID}, {TEXTOID, INT4OID}};

	if (plan_nsp != dict_nsp)
	{
		/* plans name the table with its schema: moved, make them again */
		for (int i = 0; i < N_PLANS; i++)
			if (plans[i])
				SPI_freeplan(plans[i]);
		memset(plans, 0, sizeof(plans));
		plan_nsp = dict_nsp;
	}
	if (plans[which] == NULL)
	{
		char	   *q = psprintf(sql[which],
								 quote_qualified_identifier(get_namespace_name(dict_nsp), DICT_TABLE));
		SPIPlanPtr	p = SPI_prepare(q, nargs[which], types[which]);

		if (p == NULL)
			elog(ERROR, "SPI_prepare(\"%s\") failed: %s", q, SPI_result_code_string(SPI_result));
		SPI_keepplan(p);
		plans[which] = p;
	}
	return plans[which];
}

/* the SQL path's lookup, as the caller, with a new snapshot per call; 0 if none */
static int32
sql_lookup(text *nsp, text *key)
{
	Datum		v[2] = {PointerGetDatum(nsp), PointerGetDatum(key)};
	bool		isnull;

	if (SPI_execute_plan(dict_plan(PLAN_LOOKUP), v, NULL, false, 1) != SPI_OK_SELECT)
		elog(ERROR, "dict_encode: SELECT from %s failed", DICT_TABLE);
	if (SPI_processed == 0)
		return 0;
	return DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
}

/*
 * The SQL path of a key not found: under the dictionary's lock, look again,
 * then INSERT the next id as the caller (policies, triggers, rules,
 * constraints act).  by_sql: row-level security applies, so look with SQL.
 * The next id comes from the whole namespace (table_max_id), policies or
 * not: ids must stay unique and dense.
 */
static int32
sql_add(Relation rel, text *nsp, text *key, bool by_sql)
{
	int32		id;
	Datum		v[3];
	bool		isnull;
	int			rc;

	dict_lock();
	id = by_sql ? sql_lookup(nsp, key) : table_lookup(rel, nsp, key);
	if (id != 0)
		return id;
	/*
	 * Not seen: new, or hidden from this caller (by a policy, or committed
	 * after a REPEATABLE READ snapshot).  The INSERT then fails as any INSERT
	 * would (WITH CHECK 42501 before the unique index's 23505): nothing here
	 * tells the caller more than that.
	 */
	v[0] = PointerGetDatum(nsp);
	v[1] = PointerGetDatum(key);
	v[2] = Int32GetDatum(next_id(nsp, table_max_id(rel, nsp)));
	rc = SPI_execute_plan(dict_plan(PLAN_INSERT), v, NULL, false, 0);
	if (rc < 0)
		elog(ERROR, "dict_encode: INSERT into %s failed: %s", DICT_TABLE, SPI_result_code_string(rc));
	if (rc != SPI_OK_INSERT_RETURNING || SPI_processed != 1)
		ereport(ERROR,
				(errcode(ERRCODE_TRIGGERED_ACTION_EXCEPTION),
				 errmsg("a trigger or rule on %s kept key \"%s\" of namespace \"%s\" from being stored",
						DICT_TABLE, text_to_cstring(key), text_to_cstring(nsp)),
				 errdetail("dict_encode stores one row per new key and returns its id.")));
	/* a BEFORE trigger may have changed it: the stored row is the answer */
	id = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	/* the fast path's next ids are stale now (a trigger may write anywhere) */
	for (uint32 i = 0; i < ns_cap; i++)
		ns[i].next = 0;
	return id;
}

/* dict_encode where row-level security applies: SQL only, no cache */
static int32
encode_by_sql(text *nsp, text *key)
{
	int32		id;

	SPI_connect();
	id = sql_lookup(nsp, key);
	if (id == 0)
	{
		Relation	rel = dict_open(rel_oid, 0, false);

		PreventCommandIfReadOnly("dict_encode() of a new key");
		PreventCommandIfParallelMode("dict_encode() of a new key");
		id = sql_add(rel, nsp, key, true);
		table_close(rel, NoLock);
	}
	SPI_finish();
	return id;
}

PG_FUNCTION_INFO_V1(dict_encode);
Datum
dict_encode(PG_FUNCTION_ARGS)
{
	text	   *nsp = PG_GETARG_TEXT_PP(0);
	text	   *key = PG_GETARG_TEXT_PP(1);
	const char *k = VARDATA_ANY(key);
	size_t		klen = VARSIZE_ANY_EXHDR(key);
	uint32		ns_no,
				e;
	Relation	rel;
	int32		id;
	bool		complete;

	dict_ready(fcinfo);
	if (rls_applies())
		PG_RETURN_INT32(encode_by_sql(PG_GETARG_TEXT_P(0), PG_GETARG_TEXT_P(1)));
	ns_no = strtab_intern(&namespaces, 0, VARDATA_ANY(nsp), VARSIZE_ANY_EXHDR(nsp));
	if (ns_no >= ns_cap)
	{
		uint32		old = ns_cap;

		while (ns_no >= ns_cap)
			ns_cap *= 2;
		ns = repalloc(ns, ns_cap * sizeof(ns_state));
		memset(ns + old, 0, (ns_cap - old) * sizeof(ns_state));
	}
	e = strtab_lookup(&cache, ns_no, k, klen);
	if (e != UINT32_MAX)
		PG_RETURN_INT32(cache_id[e]);

	/* unpacked copies: index scan keys and heap_form_tuple want plain varlenas */
	nsp = PG_GETARG_TEXT_P(0);
	key = PG_GETARG_TEXT_P(1);
	rel = dict_open(rel_oid, 0, false);
	if (plain < 0)
		plain = dict_plain(rel);
	complete = ns[ns_no].next != 0 && ns[ns_no].synced == (uint64) (ns[ns_no].next - 1);
	id = complete ? 0 : table_lookup(rel, nsp, key);
	if (id == 0)
	{
		if (!acl_insert_ok)
			aclcheck_error(ACLCHECK_NO_PRIV, OBJECT_TABLE, DICT_TABLE);
		PreventCommandIfReadOnly("dict_encode() of a new key");
		PreventCommandIfParallelMode("dict_encode() of a new key");
		if (!plain)
		{
			/* not cached: a trigger may have stored it otherwise */
			SPI_connect();
			id = sql_add(rel, nsp, key, false);
			SPI_finish();
			table_close(rel, NoLock);
			PG_RETURN_INT32(id);
		}
		if (ns[ns_no].next == 0)
		{
			dict_lock();
			/* whoever held it has committed or aborted: catch up, look again */
			ns[ns_no].next = (int64) table_max_id(rel, nsp) + 1;
			table_sync(rel, nsp, ns_no, (int32) (ns[ns_no].next - 1));
			if (ns[ns_no].synced == (uint64) (ns[ns_no].next - 1))
			{
				e = strtab_lookup(&cache, ns_no, k, klen);
				id = e == UINT32_MAX ? 0 : cache_id[e];
			}
			else
				id = table_lookup(rel, nsp, key);
		}
		if (id == 0)
		{
			id = next_id(nsp, ns[ns_no].next - 1);
			ns[ns_no].next++;
			table_insert(rel, nsp, key, id);
			if (ns[ns_no].synced == (uint32) (id - 1))
				ns[ns_no].synced = (uint32) id;
		}
	}
	table_close(rel, NoLock);
	cache_put(ns_no, k, klen, id);
	PG_RETURN_INT32(id);
}

/* dict_decode where row-level security applies */
static text *
decode_by_sql(text *nsp, int32 id)
{
	Datum		v[2] = {PointerGetDatum(nsp), Int32GetDatum(id)};
	text	   *result = NULL;
	bool		isnull;

	SPI_connect();
	if (SPI_execute_plan(dict_plan(PLAN_DECODE), v, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "dict_decode: SELECT from %s failed", DICT_TABLE);
	if (SPI_processed == 1)
		result = DatumGetTextPP(SPI_datumTransfer(SPI_getbinval(SPI_tuptable->vals[0],
																 SPI_tuptable->tupdesc, 1, &isnull),
												  false, -1));
	SPI_finish();
	return result;
}

PG_FUNCTION_INFO_V1(dict_decode);
Datum
dict_decode(PG_FUNCTION_ARGS)
{
	text	   *ns = PG_GETARG_TEXT_P(0);
	int32		id = PG_GETARG_INT32(1);
	Relation	rel,
				idx;
	ScanKeyData sk[2];
	IndexScanDesc scan;
	TupleTableSlot *slot;
	text	   *result = NULL;

	dict_ready(fcinfo);
	if (rls_applies())
	{
		result = decode_by_sql(ns, id);
		if (result == NULL)
			PG_RETURN_NULL();
		PG_RETURN_TEXT_P(result);
	}
	rel = table_open(rel_oid, AccessShareLock);
	idx = index_open(id_index_oid, AccessShareLock);
	slot = table_slot_create(rel, NULL);
	ScanKeyInit(&sk[0], 1, BTEqualStrategyNumber, F_TEXTEQ, PointerGetDatum(ns));
	ScanKeyInit(&sk[1], 2, BTEqualStrategyNumber, F_INT4EQ, Int32GetDatum(id));
	scan = index_beginscan(rel, idx, SnapshotSelf, 2, 0);
	index_rescan(scan, sk, 2, NULL, 0);
	if (index_getnext_slot(scan, ForwardScanDirection, slot))
	{
		bool		isnull;

		result = DatumGetTextPCopy(slot_getattr(slot, 2, &isnull));
	}
	index_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	index_close(idx, AccessShareLock);
	table_close(rel, AccessShareLock);
	if (result == NULL)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(result);
}
