/*
 * dict.c — dict_encode / dict_decode: dense per-namespace int4 ids for
 * string keys, kept in the extension's table persona_dict.
 *
 * Why C and direct heap/index access: bulk encoding must reach 100,000 new
 * keys per second, which an SPI INSERT per key cannot.  Why it is safe:
 *   - a new key is only added while holding a transaction-long lock on its
 *     namespace (a heavyweight lock tagged (persona_dict, hash(namespace))),
 *     and the key is looked up again after taking it, with SnapshotSelf, which
 *     sees every committed row: two sessions encoding the same new key get
 *     the same id, and the next id is max(id) + 1, so ids stay dense;
 *   - a backend-local cache maps known keys to ids; it is emptied on any
 *     (sub)transaction abort, so an id that was rolled back is never served,
 *     and when the table is not the one it was filled from (extension
 *     dropped and created again, moved to another schema).
 * The table is found in the schema of the calling function, so the extension
 * stays relocatable.  Privileges are checked like an INSERT/SELECT would.
 */
#include "postgres.h"

#include "identity/strtab.h"

#include "access/genam.h"
#include "access/heapam.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_collation_d.h"
#include "catalog/index.h"
#include "common/hashfn.h"
#include "miscadmin.h"
#include "nodes/execnodes.h"
#include "storage/lmgr.h"
#include "tcop/utility.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#define DICT_TABLE "persona_dict"
#define DICT_KEY_INDEX "persona_dict_pkey"		/* (namespace, key) */
#define DICT_ID_INDEX "persona_dict_namespace_id_key"	/* (namespace, id) */
#define CACHE_MAX 2000000		/* keys; emptied when full */

static MemoryContext cache_cxt = NULL;	/* the namespaces and their state */
static MemoryContext keys_cxt = NULL;	/* the key cache, child of cache_cxt */
static idr_mem cache_mem,
			keys_mem;
static strtab cache;			/* tag = namespace number */
static int32 *cache_id;
static uint32 cache_id_cap;
static strtab namespaces;
static Oid	cache_relid = InvalidOid;

/*
 * Per namespace.  `next` is the next id while this transaction holds the
 * namespace's lock (0 otherwise).  Ids 1 .. `synced` are all in the cache.
 * Ids are dense, so after taking the lock, reading the ids above `synced`
 * (few, or all of them once per backend) makes the cache hold every key of
 * the namespace: under the lock a miss is then a new key, with no index
 * lookup.
 */
typedef struct ns_state
{
	int32		next;
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
	/* ids given out in the aborted subtransaction are gone, and so is its lock */
	if (event == SUBXACT_EVENT_ABORT_SUB)
		held = 0;
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
	Datum		values[3] = {PointerGetDatum(ns), PointerGetDatum(key), Int32GetDatum(id)};
	bool		nulls[3] = {false, false, false};
	HeapTuple	tup = heap_form_tuple(RelationGetDescr(rel), values, nulls);
	Oid			idxs[2] = {key_index_oid, id_index_oid};

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
	complete = ns[ns_no].next != 0 && ns[ns_no].synced == (uint32) (ns[ns_no].next - 1);
	id = complete ? 0 : table_lookup(rel, nsp, key);
	if (id == 0)
	{
		if (!acl_insert_ok)
			aclcheck_error(ACLCHECK_NO_PRIV, OBJECT_TABLE, DICT_TABLE);
		PreventCommandIfReadOnly("dict_encode() of a new key");
		PreventCommandIfParallelMode("dict_encode() of a new key");
		if (ns[ns_no].next == 0)
		{
			LockDatabaseObject(rel_oid, hash_any((unsigned char *) VARDATA_ANY(nsp), VARSIZE_ANY_EXHDR(nsp)),
							   0, ExclusiveLock);
			/* whoever held it has committed or aborted: catch up, look again */
			ns[ns_no].next = table_max_id(rel, nsp) + 1;
			table_sync(rel, nsp, ns_no, ns[ns_no].next - 1);
			if (ns[ns_no].synced == (uint32) (ns[ns_no].next - 1))
			{
				e = strtab_lookup(&cache, ns_no, k, klen);
				id = e == UINT32_MAX ? 0 : cache_id[e];
			}
			else
				id = table_lookup(rel, nsp, key);
		}
		if (id == 0)
		{
			if (ns[ns_no].next == PG_INT32_MAX)
				ereport(ERROR,
						(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
						 errmsg("dictionary namespace \"%s\" is full", text_to_cstring(nsp)),
						 errdetail("Ids are int4; %d keys are the most one namespace holds.", PG_INT32_MAX - 1)));
			id = ns[ns_no].next++;
			table_insert(rel, nsp, key, id);
			if (ns[ns_no].synced == (uint32) (id - 1))
				ns[ns_no].synced = (uint32) id;
		}
	}
	table_close(rel, NoLock);
	cache_put(ns_no, k, klen, id);
	PG_RETURN_INT32(id);
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
