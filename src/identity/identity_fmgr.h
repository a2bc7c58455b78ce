/*
 * identity_fmgr.h — the one glue header of the identity module: what its
 * *_fmgr.c files share.
 *
 * identity_fmgr.c (connected_components, identity_resolve), normalize_fmgr.c,
 * dict_fmgr.c, and the two halves of the PostgreSQL side of the cores:
 * resolve_host_fmgr.c (the cores' memory and errors, in the backend and in
 * identity_resolve's helper process) and resolve_helper_fmgr.c (that helper
 * process).  The plain-C cores (components, msort, normalize, resolve,
 * strtab) never include this header; it includes theirs, so a glue file
 * needs no other persona header.
 */
#ifndef PERSONA_IDENTITY_FMGR_H
#define PERSONA_IDENTITY_FMGR_H

#include "postgres.h"

#include "base/base_fmgr.h"

#include "identity/components.h"
#include "identity/normalize.h"
#include "identity/resolve.h"

/* ---- the cores' host (resolve_host_fmgr.c) ---- */

/*
 * The cores' memory: a context of their own (the caller deletes it), with
 * big freed blocks kept for the next phase; tick runs CHECK_FOR_INTERRUPTS.
 */
extern MemoryContext idr_host_init(core_host *m);
/* the kept blocks back, before a phase that allocates outside the cores */
extern void idr_host_release_kept(core_host *m);

/* resolve.c's error codes as PostgreSQL errors (IDR_OK: nothing) */
extern void idr_raise(idr_err e);

/* What the NOTICE says, and what the answer needs to be sized. */
typedef struct idr_summary
{
	uint32		nrecs;
	uint32		rec_maxlen;
	double		rec_bytes;
	idr_stats	stats;
	bool		has_prev;
	char	   *detail;			/* "" when there is nothing to detail */
	int64		helper_kb;		/* the helper's peak private memory, or -1 */
} idr_summary;

extern void idr_summarize(const idr_state *s, idr_summary *sum);
extern void idr_report(const idr_summary *sum);

/* ---- identity_resolve with a helper process (resolve_helper_fmgr.c) ---- */

/* persona.identity_helper */
typedef enum idr_helper_mode
{
	IDR_HELPER_OFF,
	IDR_HELPER_AUTO,			/* when the planner expects IDR_HELPER_MIN_ROWS */
	IDR_HELPER_ON
} idr_helper_mode;

#define IDR_HELPER_MIN_ROWS 500000

extern PGDLLIMPORT int idr_helper_setting;

typedef struct idr_helper idr_helper;

/* A started helper with the rules, or NULL when no worker could be had. */
extern idr_helper *idr_helper_start(const idr_rules *rules, uint64 est_rows);

/*
 * n identifier rows: lens[i] = the byte lengths of record, type and value
 * (UINT32_MAX for NULL), whose bytes follow each other in `bytes`.
 */
extern void idr_helper_rows(idr_helper *h, int n, const uint32 (*lens)[3],
							const char *bytes, size_t nbytes);
/* n rows of the earlier run, after every identifier row; the same layout */
extern void idr_helper_previous(idr_helper *h, int n, const int64 *person,
								const uint32 *lens, const char *bytes, size_t nbytes);
/* No more rows: the helper resolves; its summary. */
extern void idr_helper_resolve(idr_helper *h, idr_summary *sum);
/* The answer's next row, in record order; false after the last. */
extern bool idr_helper_answer(idr_helper *h, const char **rec, uint32 *len, int64 *person);
/* After the last answer row: the helper's segment goes. */
extern void idr_helper_end(idr_helper *h);

#endif
