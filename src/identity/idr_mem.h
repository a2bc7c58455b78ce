/*
 * idr_mem.h — how the plain-C identity cores get memory and yield to their host.
 *
 * The cores never call malloc directly: inside PostgreSQL every array lives in
 * the function's memory context (freed on error, huge allocations allowed),
 * and `tick` runs CHECK_FOR_INTERRUPTS so a long resolve can be cancelled.
 * Allocation failures are the host's business (palloc throws; the unit tests
 * abort), so the cores never check for NULL.
 */
#ifndef PERSONA_IDR_MEM_H
#define PERSONA_IDR_MEM_H

#include <stddef.h>
#include <stdint.h>

typedef struct idr_mem
{
	void	   *(*alloc) (void *ctx, size_t size);
	void	   *(*realloc) (void *ctx, void *p, size_t size);
	void		(*release) (void *ctx, void *p);
	void		(*tick) (void *ctx);	/* may not return (cancellation) */
	void	   *ctx;
} idr_mem;

static inline size_t idr_nz(size_t n) { return n ? n : 1; }

#define IDR_ALLOC(m, n)			((m)->alloc((m)->ctx, idr_nz(n)))
#define IDR_REALLOC(m, p, n)	((m)->realloc((m)->ctx, (p), idr_nz(n)))
#define IDR_FREE(m, p)			do { if (p) (m)->release((m)->ctx, (p)); } while (0)
#define IDR_TICK(m)				do { if ((m)->tick) (m)->tick((m)->ctx); } while (0)

/* work units between two ticks */
#define IDR_TICK_EVERY 65536

#endif
