/*
 * loyalty_fmgr.h — the one header of the loyalty module's fmgr glue
 * (ledger_agg_fmgr.c, ledger_fmgr.c, ledger_io_fmgr.c, tiers_fmgr.c): the
 * points_ledger datum layout and conversions between numeric and exact
 * scaled points.
 */
#ifndef PERSONA_LOYALTY_FMGR_H
#define PERSONA_LOYALTY_FMGR_H

#include "postgres.h"
#include "fmgr.h"
#include "utils/memutils.h"
#include "utils/numeric.h"

#include "base/base_fmgr.h"
#include "loyalty/ledger.h"
#include "loyalty/tiers.h"

/*
 * The flat points_ledger: a version word, then the canonical events (sorted,
 * merged; see ledger_canonicalize).  The type is double-aligned, so the
 * events of a detoasted datum can be read in place.
 */
typedef struct LedgerFlat
{
	int32		vl_len_;
	uint32		version;
	LedgerEvent ev[FLEXIBLE_ARRAY_MEMBER];
} LedgerFlat;

#define LEDGER_VERSION 1
#define LEDGER_HDRSZ offsetof(LedgerFlat, ev)
#define LEDGER_NEVENTS(f) ((VARSIZE(f) - LEDGER_HDRSZ) / sizeof(LedgerEvent))
/* events a state may hold: its flat form stays below 1 GB */
#define LEDGER_MAX_EVENTS ((MaxAllocSize - LEDGER_HDRSZ) / sizeof(LedgerEvent))

/* numeric -> scaled int64 points (what names the argument in errors) */
extern int64 loyalty_numeric_to_scaled(Numeric n, const char *what);
extern Datum loyalty_scaled_to_numeric(int64 v);
/* the error of a decimal text s that ledger_parse_decimal refused with status */
extern void loyalty_decimal_error(int status, const char *s, const char *what) pg_attribute_noreturn();
/* errors for LEDGER_OVERFLOW from the plain-C core */
extern void loyalty_overflow_error(const char *what) pg_attribute_noreturn();

#endif
