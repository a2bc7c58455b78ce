/*
 * state_fmgr.c — the expanded-object wrapper of markov_chain and channel_sets.
 */
#include "attribution/attribution_fmgr.h"

#include "utils/memutils.h"

static Size atexp_get_flat_size(ExpandedObjectHeader *eohptr);
static void atexp_flatten_into(ExpandedObjectHeader *eohptr, void *result, Size allocated_size);

static const ExpandedObjectMethods atexp_methods = {atexp_get_flat_size, atexp_flatten_into};

const char *
atexp_typname(AtKind kind)
{
	return kind == AT_MARKOV ? "markov_chain" : "channel_sets";
}

AtExp *
atexp_new(AtKind kind, MemoryContext parent)
{
	MemoryContext cxt = AllocSetContextCreate(parent, "attribution state", ALLOCSET_SMALL_SIZES);
	AtExp	   *e = MemoryContextAllocZero(cxt, sizeof(AtExp));

	EOH_init_header(&e->hdr, &atexp_methods, cxt);
	e->kind = kind;
	e->alloc = at_pg_alloc(cxt);
	return e;
}

static void
write_obj(AtExp *e, at_writer *w)
{
	if (e->kind == AT_MARKOV)
	{
		mk_canonicalize(e->obj, &e->alloc, at_check_interrupts);
		mk_serialize(e->obj, w);
	}
	else
	{
		sh_canonicalize(e->obj, &e->alloc);
		sh_serialize(e->obj, w);
	}
}

static Size
atexp_get_flat_size(ExpandedObjectHeader *eohptr)
{
	AtExp	   *e = (AtExp *) eohptr;
	at_writer	w = {NULL, 0};

	write_obj(e, &w);
	if (w.len > MaxAllocSize - VARHDRSZ)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s: the state would take %zu bytes, more than 1 GB", atexp_typname(e->kind), w.len)));
	e->flat_size = VARHDRSZ + w.len;
	return e->flat_size;
}

static void
atexp_flatten_into(ExpandedObjectHeader *eohptr, void *result, Size allocated_size)
{
	AtExp	   *e = (AtExp *) eohptr;
	at_writer	w = {(uint8_t *) VARDATA(result), 0};

	write_obj(e, &w);
	Assert(VARHDRSZ + w.len == allocated_size);
	SET_VARSIZE(result, allocated_size);
}

AtExp *
atexp_parse(const char *data, size_t len, AtKind kind, MemoryContext parent, int sqlstate)
{
	AtExp	   *e = atexp_new(kind, parent);
	at_reader	r = {(const uint8_t *) data, (const uint8_t *) data + len, NULL, at_check_interrupts};

	if (kind == AT_MARKOV)
		e->obj = mk_deserialize(&r, &e->alloc);
	else
		e->obj = sh_deserialize(&r, &e->alloc);
	if (e->obj == NULL)
		at_bad_state(atexp_typname(kind), r.error ? r.error : "invalid data", sqlstate);
	at_check_names(kind == AT_MARKOV ? &((mk_chain *) e->obj)->dict : &((sh_sets *) e->obj)->dict,
				   atexp_typname(kind), sqlstate);
	return e;
}

AtExp *
atexp_of(Datum d, AtKind kind, MemoryContext parent, bool need_rw)
{
	bytea	   *flat;

	if (VARATT_IS_EXTERNAL_EXPANDED(DatumGetPointer(d)) &&
		DatumGetEOHP(d)->eoh_methods == &atexp_methods &&
		((AtExp *) DatumGetEOHP(d))->kind == kind &&
		(!need_rw || VARATT_IS_EXTERNAL_EXPANDED_RW(DatumGetPointer(d))))
		return (AtExp *) DatumGetEOHP(d);
	flat = DatumGetByteaPP(d);
	return atexp_parse(VARDATA_ANY(flat), VARSIZE_ANY_EXHDR(flat), kind, parent, ERRCODE_DATA_CORRUPTED);
}
