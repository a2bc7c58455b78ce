/*
 * resolve_host.h — the PostgreSQL side of the identity cores, shared by the
 * backend and identity_resolve's helper process (resolve_helper.c).
 */
#ifndef PERSONA_RESOLVE_HOST_H
#define PERSONA_RESOLVE_HOST_H

#include "identity/resolve.h"

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

#endif
