/*
 * resolve_helper.h — identity_resolve with a helper process (resolve_helper.c).
 */
#ifndef PERSONA_RESOLVE_HELPER_H
#define PERSONA_RESOLVE_HELPER_H

#include "identity/resolve_host.h"

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
