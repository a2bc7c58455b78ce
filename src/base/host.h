/*
 * host.h — how a plain-C core gets memory and yields to its host.
 *
 * Cores never call malloc directly: inside PostgreSQL every array lives in
 * the function's memory context (freed on error, huge allocations allowed),
 * and `tick` runs CHECK_FOR_INTERRUPTS so a long loop can be cancelled; in a
 * unit test or a fuzzer the host is malloc and a counter.
 * Allocation failures are the host's business (palloc throws; the unit tests
 * abort), so the cores never check for NULL.
 */
#ifndef PERSONA_BASE_HOST_H
#define PERSONA_BASE_HOST_H

#include <stddef.h>
#include <stdint.h>

typedef struct core_host
{
	void	   *(*alloc) (void *ctx, size_t size);
	void	   *(*realloc) (void *ctx, void *p, size_t size);
	void		(*release) (void *ctx, void *p);
	void		(*tick) (void *ctx);	/* may not return (cancellation) */
	void	   *ctx;
} core_host;

static inline size_t core_nz(size_t n) { return n ? n : 1; }

#define CORE_ALLOC(m, n)		((m)->alloc((m)->ctx, core_nz(n)))
#define CORE_REALLOC(m, p, n)	((m)->realloc((m)->ctx, (p), core_nz(n)))
#define CORE_FREE(m, p)			do { if (p) (m)->release((m)->ctx, (p)); } while (0)
#define CORE_TICK(m)			do { if ((m)->tick) (m)->tick((m)->ctx); } while (0)

/* work units between two ticks */
#define CORE_TICK_EVERY 65536

#endif
