/*
 * resolve_host_fmgr.c — what the plain-C identity cores get from PostgreSQL, in
 * the backend that runs identity_resolve or connected_components and in
 * identity_resolve's helper process alike: memory, interrupts, the errors of
 * resolve.c's codes, and the summary the NOTICE reports.
 */
#include "postgres.h"

#include "identity/identity_fmgr.h"

#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/memutils.h"

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

MemoryContext
idr_host_init(core_host *m)
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

void
idr_host_release_kept(core_host *m)
{
	pool_release((idr_host *) m->ctx);
}

void
idr_raise(idr_err e)
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

void
idr_summarize(const idr_state *s, idr_summary *sum)
{
	StringInfoData d;
	bool		any = false;

	sum->nrecs = s->recs.n;
	sum->stats = s->stats;
	sum->has_prev = s->has_prev;
	sum->rec_bytes = 0;
	sum->rec_maxlen = 0;
	for (uint32 id = 0; id < s->recs.n; id++)
	{
		uint32		len = strtab_len(&s->recs, id);

		if (len > sum->rec_maxlen)
			sum->rec_maxlen = len;
		sum->rec_bytes += len;
	}
	initStringInfo(&d);
	for (uint32 t = 0; t < s->types.n; t++)
		if (s->refused_by_type[t])
		{
			appendStringInfo(&d, "%s%s: " UINT64_FORMAT, any ? ", " : "Joins refused by type: ",
							 pnstrdup(strtab_str(&s->types, t), strtab_len(&s->types, t)),
							 (uint64) s->refused_by_type[t]);
			any = true;
		}
	if (any)
		appendStringInfoChar(&d, '.');
	if (s->has_prev)
		appendStringInfo(&d, "%s" UINT64_FORMAT " of " UINT64_FORMAT " persons kept an earlier person_id.",
						 any ? " " : "", (uint64) s->stats.kept_ids, (uint64) s->stats.persons);
	sum->detail = d.data;
	sum->helper_kb = -1;
}

void
idr_report(const idr_summary *sum)
{
	ereport(NOTICE,
			(errmsg("identity_resolve: %u records, " UINT64_FORMAT " persons; " UINT64_FORMAT
					" joins refused by limits; " UINT64_FORMAT " values ignored as super-nodes (max_records); "
					UINT64_FORMAT " blocked values ignored",
					sum->nrecs, (uint64) sum->stats.persons, (uint64) sum->stats.refused,
					(uint64) sum->stats.supernodes, (uint64) sum->stats.blocked),
			 sum->detail[0] ? errdetail_internal("%s", sum->detail) : 0));
}
