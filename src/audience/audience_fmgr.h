/*
 * audience_fmgr.h — the one glue header of the audience module: what its
 * fmgr files (tag_expr_agg_fmgr.c) need from PostgreSQL, the bitmap module's
 * glue (audience states hold CRoaring bitmaps owned as bitmap_fmgr.h says)
 * and the tag-expression core.
 *
 * The module has one glue file today; it still includes this header rather
 * than the others directly, so that every module's glue is entered the same
 * way and a second glue file finds its shared declarations here.
 */
#ifndef PERSONA_AUDIENCE_FMGR_H
#define PERSONA_AUDIENCE_FMGR_H

#include "bitmap/bitmap_fmgr.h"
#include "audience/tag_expr.h"

#endif
