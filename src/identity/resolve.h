/*
 * resolve.h — identity resolution (SPEC §2), in plain C.
 *
 * Rows (record, type, value) are added one by one and interned; idr_resolve
 * then runs the spec's algorithm on dense integer ids:
 *   - types by priority (rules order, then the rest by name bytes), values
 *     within a type in ascending byte order, each value's records in
 *     ascending byte order of record id, joined one by one to the person of
 *     the first record;
 *   - a join is refused when the joined person would hold more than `limit`
 *     distinct values of a limited type;
 *   - values that are blank, blocked or carried by more than `max_records`
 *     distinct records link nothing and count toward no limit;
 *   - persons numbered 1, 2, ... by their smallest record id, or kept stable
 *     against an earlier run (idr_add_previous).
 * Without any limit or max_records no join can be refused, so the persons are
 * the connected components whatever the order: then the values are not sorted
 * and the edges are joined as they arrived (the same answer, checked by the
 * unit tests against the ordered join).
 *
 * Memory per identifier row: 8 bytes of edge (16 while sorting); per distinct
 * record or value a 24-byte entry (plus its bytes past 16) and 11 to 21 bytes
 * of hash slots while reading; per limited type 4 bytes per record plus the
 * value sets.  idr_reserve sizes the hash tables from an estimate of the rows.
 */
#ifndef PERSONA_RESOLVE_H
#define PERSONA_RESOLVE_H

#include "identity/strtab.h"

#define IDR_NONE (-1)			/* no limit / no max_records */

typedef struct idr_type_rule
{
	const char *name;
	size_t		len;
	int64_t		limit;			/* IDR_NONE or >= 0 */
	int64_t		max_records;	/* IDR_NONE or >= 0 */
} idr_type_rule;

typedef struct idr_rules
{
	const idr_type_rule *types;
	int			ntypes;
	int64_t		max_records;	/* default for every type; IDR_NONE */
	const char *const *blocked;
	const size_t *blocked_len;
	int			nblocked;
} idr_rules;

typedef struct idr_stats
{
	uint64_t	refused;		/* joins refused by limits */
	uint64_t	supernodes;		/* distinct values over max_records */
	uint64_t	supernode_links;	/* records those values would have linked */
	uint64_t	blocked;		/* distinct values in blocked_values */
	uint64_t	blank;			/* distinct blank values */
	uint64_t	persons;
	uint64_t	kept_ids;		/* persons that kept an earlier id */
} idr_stats;

typedef struct idr_state
{
	core_host  *m;
	strtab		recs;
	strtab		vals;			/* tag = type id */
	strtab		types;
	uint32_t   *e_rec,
			   *e_val;
	size_t		ne,
				ecap;
	/* earlier run */
	uint32_t   *p_rec;
	int64_t    *p_old;
	size_t		np,
				pcap;
	bool		has_prev;
	int64_t		max_old;
	/* results, by record rank */
	uint32_t   *rec_order;		/* rank -> record id */
	int64_t    *person;			/* rank -> person_id */
	idr_stats	stats;
	uint64_t   *refused_by_type;	/* by type id */
} idr_state;

typedef enum idr_err
{
	IDR_OK = 0,
	IDR_TOO_MANY,				/* more than 2^32 - 2 records, values or rows */
	IDR_ID_OVERFLOW				/* new person ids would pass 2^63 - 1 */
} idr_err;

extern void idr_init(idr_state *s, core_host *m);
extern void idr_free(idr_state *s);
/* type/value NULL: the row only makes the record exist. */
extern idr_err idr_add(idr_state *s, const char *rec, size_t rlen,
					   const char *type, size_t tlen, const char *val, size_t vlen);
/*
 * n rows at once (rec[i] NULL is not allowed; type or val NULL as above):
 * hashes first, then the probes, with their hash slots prefetched, so the
 * cache misses of big tables overlap.
 */
typedef struct idr_row
{
	const char *rec,
			   *type,
			   *val;
	size_t		rlen,
				tlen,
				vlen;
} idr_row;
extern idr_err idr_add_rows(idr_state *s, const idr_row *rows, int n);
/* Before the first row: about how many rows will come (sizes the tables once). */
extern void idr_reserve(idr_state *s, uint64_t rows);
/* A row of the earlier run; call after every idr_add. */
extern idr_err idr_add_previous(idr_state *s, const char *rec, size_t rlen, int64_t person_id);
extern idr_err idr_resolve(idr_state *s, const idr_rules *rules);

/* blank = empty after trimming ASCII white space and U+3000 */
extern bool idr_blank(const char *s, size_t len);

#endif
