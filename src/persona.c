/*
 * persona.c — module entry: the library magic and the settings.
 */
#include "postgres.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/guc.h"

#include "bitmap/bitmap_fmgr.h"
#include "funnel/funnel.h"
#include "identity/identity_fmgr.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

/* ev_sort's scratch: in the current context, so an error frees it */
static void *
ev_scratch_alloc(size_t size)
{
	return palloc_extended(size, MCXT_ALLOC_HUGE);
}

static void
ev_scratch_free(void *p)
{
	pfree(p);
}

static void
check_interrupts(void)
{
	CHECK_FOR_INTERRUPTS();
}

static const struct config_enum_entry output_format_options[] = {
	{"bytea", RB_OUTPUT_BYTEA, false},
	{"array", RB_OUTPUT_ARRAY, false},
	{NULL, 0, false}
};

static const struct config_enum_entry identity_helper_options[] = {
	{"off", IDR_HELPER_OFF, false},
	{"auto", IDR_HELPER_AUTO, false},
	{"on", IDR_HELPER_ON, false},
	{"false", IDR_HELPER_OFF, true},
	{"no", IDR_HELPER_OFF, true},
	{"0", IDR_HELPER_OFF, true},
	{"true", IDR_HELPER_ON, true},
	{"yes", IDR_HELPER_ON, true},
	{"1", IDR_HELPER_ON, true},
	{NULL, 0, false}
};

void
_PG_init(void)
{
	/* the plain-C cores' long loops check for a cancel */
	rb_interrupt_hook = rb_check_interrupts;
	ev_sort_alloc = ev_scratch_alloc;
	ev_sort_free = ev_scratch_free;
	ev_sort_check = check_interrupts;
	DefineCustomEnumVariable("persona.output_format",
							 "Text output of roaringbitmap values: bytea (hex of the portable binary form, compact in dumps) or array ({1,2,3}).",
							 NULL,
							 &rb_output_format,
							 RB_OUTPUT_BYTEA,
							 output_format_options,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);
	DefineCustomEnumVariable("persona.identity_helper",
							 "Whether identity_resolve hands its rows to a helper process that resolves them while the backend reads on: auto (when the planner expects 500,000 rows or more and max_parallel_workers_per_gather is not 0), on, or off.",
							 "The helper is a background worker counted as a parallel worker (max_worker_processes, max_parallel_workers); when none is free, the backend resolves alone, with the same answer.",
							 &idr_helper_setting,
							 IDR_HELPER_AUTO,
							 identity_helper_options,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);
#if PG_VERSION_NUM >= 150000
	MarkGUCPrefixReserved("persona");
#else
	EmitWarningsOnPlaceholders("persona");
#endif
}
