/*
 * persona.c — module entry: the library magic and the settings.
 */
#include "postgres.h"
#include "fmgr.h"
#include "utils/guc.h"

#include "bitmap/roaringbitmap.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

static const struct config_enum_entry output_format_options[] = {
	{"bytea", RB_OUTPUT_BYTEA, false},
	{"array", RB_OUTPUT_ARRAY, false},
	{NULL, 0, false}
};

void
_PG_init(void)
{
	DefineCustomEnumVariable("persona.output_format",
							 "Text output of roaringbitmap values: bytea (hex of the portable binary form, compact in dumps) or array ({1,2,3}).",
							 NULL,
							 &rb_output_format,
							 RB_OUTPUT_BYTEA,
							 output_format_options,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);
#if PG_VERSION_NUM >= 150000
	MarkGUCPrefixReserved("persona");
#else
	EmitWarningsOnPlaceholders("persona");
#endif
}
