/*
 * attribution_fmgr.c — model options, allocation hooks and SRF plumbing shared by
 * the attribution module's fmgr glue.
 */
#include "attribution/attribution_fmgr.h"

#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include <math.h>

static void *
pg_alloc(void *ctx, size_t size)
{
	return MemoryContextAllocHuge((MemoryContext) ctx, size);
}

static void
pg_release(void *ctx, void *p)
{
	(void) ctx;
	pfree(p);
}

at_alloc
at_pg_alloc(MemoryContext cxt)
{
	at_alloc	a = {pg_alloc, pg_release, cxt};

	return a;
}

void
at_check_interrupts(void)
{
	CHECK_FOR_INTERRUPTS();
}

static const char *const model_names[] = {
	"first_touch", "last_touch", "last_non_direct", "linear", "position_based", "time_decay", NULL
};

static const char *const attribute_keys[] = {
	"lookback", "collapse_repeats", "direct_channels", "first", "last", "half_life", NULL
};

static const char *const path_keys[] = {"lookback", "collapse_repeats", NULL};

static int64
positive_interval(JsonbContainer *c, const char *key, int64 dflt)
{
	Interval   *iv = opt_interval(c, "options", key);
	int64		us;

	if (iv == NULL)
		return dflt;
	us = opt_interval_usecs(iv);
	if (us <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid options: \"%s\" must be a positive interval", key),
				 errhint("Write an interval such as \"30 days\"; months count as 30 days.")));
	return us;
}

void
at_parse_path_options(Jsonb *options, int64 *lookback, bool *collapse)
{
	JsonbContainer *c = &options->root;

	opt_check_object(options, "options", path_keys);
	*lookback = positive_interval(c, "lookback", 30 * USECS_PER_DAY);
	*collapse = opt_bool(c, "options", "collapse_repeats", false);
}

void
at_parse_model(const char *model, Jsonb *options, AtModel *out)
{
	JsonbContainer *c = &options->root;
	int			k;

	memset(out, 0, sizeof(*out));
	for (k = 0; model_names[k]; k++)
		if (strcmp(model, model_names[k]) == 0)
			break;
	if (model_names[k] == NULL)
	{
		StringInfoData s;

		initStringInfo(&s);
		for (int i = 0; model_names[i]; i++)
			appendStringInfo(&s, "%s%s", i ? ", " : "", model_names[i]);
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown attribution model \"%s\"", model),
				 errhint("Accepted models: %s.", s.data)));
	}
	out->m.kind = (at_model_kind) k;
	opt_check_object(options, "options", attribute_keys);
	out->m.lookback = positive_interval(c, "lookback", 30 * USECS_PER_DAY);
	out->m.collapse = opt_bool(c, "options", "collapse_repeats", false);
	out->m.first = opt_float8(c, "options", "first", 0.4);
	out->m.last = opt_float8(c, "options", "last", 0.4);
	if (!(out->m.first >= 0 && out->m.first <= 1) || !(out->m.last >= 0 && out->m.last <= 1) ||
		out->m.first + out->m.last > 1 + 1e-12)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid options: \"first\" and \"last\" must be between 0 and 1 and sum to at most 1"),
				 errdetail("Got first = %g, last = %g.", out->m.first, out->m.last)));
	out->m.half_life = (double) positive_interval(c, "half_life", 7 * USECS_PER_DAY);
	out->direct = opt_text_array(c, "options", "direct_channels", &out->ndirect);
	if (out->direct == NULL)
	{
		out->direct = palloc(sizeof(char *));
		out->direct[0] = pstrdup("direct");
		out->ndirect = 1;
	}
}

bool *
at_direct_flags(const AtModel *am, char **names, const uint32 *lens, int32 n)
{
	bool	   *f = palloc0(sizeof(bool) * Max(n, 1));

	for (int32 i = 0; i < n; i++)
		for (int k = 0; k < am->ndirect; k++)
			if (strlen(am->direct[k]) == lens[i] && memcmp(am->direct[k], names[i], lens[i]) == 0)
				f[i] = true;
	return f;
}

void
at_check_names(const at_dict *d, const char *typname, int sqlstate)
{
	for (int32 i = 0; i < d->n; i++)
		if (!pg_verifymbstr(d->names[i], (int) d->lens[i], true))
			at_bad_state(typname, "a channel name is not valid in the database encoding", sqlstate);
}

void
at_bad_state(const char *typname, const char *why, int sqlstate)
{
	ereport(ERROR,
			(errcode(sqlstate),
			 errmsg("invalid %s data: %s", typname, why)));
}
