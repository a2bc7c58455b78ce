/*
 * options.c — typed, validated reads of jsonb options (see options.h).
 */
#include "postgres.h"

#include "base/base_fmgr.h"

#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"

#include <math.h>

static const char *
jbv_type_name(enum jbvType t)
{
	switch (t)
	{
		case jbvNull: return "null";
		case jbvString: return "a string";
		case jbvNumeric: return "a number";
		case jbvBool: return "a boolean";
		case jbvArray: return "an array";
		case jbvObject: return "an object";
		case jbvBinary: return "an array or object";
		default: return "a JSON value";
	}
}

static enum jbvType
jbv_kind(const JsonbValue *v)
{
	if (v->type == jbvBinary)
		return JsonContainerIsArray(v->val.binary.data) ? jbvArray : jbvObject;
	return v->type;
}

static char *
accepted_list(const char *const *accepted)
{
	StringInfoData s;

	initStringInfo(&s);
	for (int i = 0; accepted[i]; i++)
		appendStringInfo(&s, "%s\"%s\"", i ? ", " : "", accepted[i]);
	return s.data;
}

void
opt_check_container(JsonbContainer *c, const char *what, const char *const *accepted)
{
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;

	if (!JsonContainerIsObject(c))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid %s: expected a JSON object", what),
				 errhint("Accepted keys: %s.", accepted_list(accepted))));

	it = JsonbIteratorInit(c);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		bool		known = false;

		if (tok != WJB_KEY)
			continue;
		for (int i = 0; accepted[i] && !known; i++)
			known = strlen(accepted[i]) == (size_t) v.val.string.len &&
				memcmp(accepted[i], v.val.string.val, v.val.string.len) == 0;
		if (!known)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid %s: unknown key \"%.*s\"", what,
							v.val.string.len, v.val.string.val),
					 errhint("Accepted keys: %s.", accepted_list(accepted))));
	}
}

void
opt_check_object(Jsonb *j, const char *what, const char *const *accepted)
{
	opt_check_container(&j->root, what, accepted);
}

bool
opt_find(JsonbContainer *c, const char *key, JsonbValue *out)
{
	if (!JsonContainerIsObject(c))
		return false;
	if (!getKeyJsonValueFromContainer(c, key, strlen(key), out))
		return false;
	return out->type != jbvNull;
}

static void
wrong_type(const char *what, const char *key, const char *want, const JsonbValue *got)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid %s: \"%s\" must be %s, not %s", what, key, want,
					jbv_type_name(jbv_kind(got)))));
}

char *
opt_text(JsonbContainer *c, const char *what, const char *key, const char *dflt)
{
	JsonbValue	v;

	if (!opt_find(c, key, &v))
		return dflt ? pstrdup(dflt) : NULL;
	if (v.type != jbvString)
		wrong_type(what, key, "a string", &v);
	return pnstrdup(v.val.string.val, v.val.string.len);
}

double
opt_float8(JsonbContainer *c, const char *what, const char *key, double dflt)
{
	JsonbValue	v;

	if (!opt_find(c, key, &v))
		return dflt;
	if (v.type != jbvNumeric)
		wrong_type(what, key, "a number", &v);
	return DatumGetFloat8(DirectFunctionCall1(numeric_float8, NumericGetDatum(v.val.numeric)));
}

int64
opt_int64(JsonbContainer *c, const char *what, const char *key, int64 min, int64 max, int64 dflt)
{
	JsonbValue	v;
	double		d;

	if (!opt_find(c, key, &v))
		return dflt;
	if (v.type != jbvNumeric)
		wrong_type(what, key, "an integer", &v);
	/* the bounds callers pass are far below 2^53, where doubles are exact */
	d = DatumGetFloat8(DirectFunctionCall1(numeric_float8, NumericGetDatum(v.val.numeric)));
	if (d != floor(d))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid %s: \"%s\" must be an integer", what, key)));
	if (d < (double) min || d > (double) max)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid %s: \"%s\" must be between " INT64_FORMAT " and " INT64_FORMAT,
						what, key, min, max)));
	return DatumGetInt64(DirectFunctionCall1(numeric_int8, NumericGetDatum(v.val.numeric)));
}

bool
opt_bool(JsonbContainer *c, const char *what, const char *key, bool dflt)
{
	JsonbValue	v;

	if (!opt_find(c, key, &v))
		return dflt;
	if (v.type != jbvBool)
		wrong_type(what, key, "true or false", &v);
	return v.val.boolean;
}

Numeric
opt_numeric(JsonbContainer *c, const char *what, const char *key)
{
	JsonbValue	v;

	if (!opt_find(c, key, &v))
		return NULL;
	if (v.type != jbvNumeric)
		wrong_type(what, key, "a number", &v);
	return v.val.numeric;
}

/* Names the option in the error of a failing input function (PG 15 has no soft errors). */
typedef struct OptErrCtx
{
	const char *what;
	const char *key;
} OptErrCtx;

static void
opt_error_context(void *arg)
{
	OptErrCtx  *e = arg;

	errcontext("%s key \"%s\"", e->what, e->key);
}

static Datum
input_with_context(PGFunction in, char *s, const char *what, const char *key)
{
	OptErrCtx	e = {what, key};
	ErrorContextCallback cb;
	Datum		d;

	cb.callback = opt_error_context;
	cb.arg = &e;
	cb.previous = error_context_stack;
	error_context_stack = &cb;
	d = DirectFunctionCall3(in, CStringGetDatum(s), ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
	error_context_stack = cb.previous;
	return d;
}

Interval *
opt_interval(JsonbContainer *c, const char *what, const char *key)
{
	JsonbValue	v;

	if (!opt_find(c, key, &v))
		return NULL;
	if (v.type != jbvString)
		wrong_type(what, key, "an interval string such as \"30 days\"", &v);
	return DatumGetIntervalP(input_with_context(interval_in,
												pnstrdup(v.val.string.val, v.val.string.len),
												what, key));
}

bool
opt_timestamptz(JsonbContainer *c, const char *what, const char *key, TimestampTz *out)
{
	JsonbValue	v;

	if (!opt_find(c, key, &v))
		return false;
	if (v.type != jbvString)
		wrong_type(what, key, "a timestamp string", &v);
	*out = DatumGetTimestampTz(input_with_context(timestamptz_in,
												  pnstrdup(v.val.string.val, v.val.string.len),
												  what, key));
	return true;
}

/* The array under `key` as a container, or NULL when absent. */
static JsonbContainer *
array_of(JsonbContainer *c, const char *what, const char *key, const char *want, int *n)
{
	JsonbValue	v;

	*n = 0;
	if (!opt_find(c, key, &v))
		return NULL;
	if (jbv_kind(&v) != jbvArray || v.type != jbvBinary)
		wrong_type(what, key, want, &v);
	*n = JsonContainerSize(v.val.binary.data);
	return v.val.binary.data;
}

char **
opt_text_array(JsonbContainer *c, const char *what, const char *key, int *n)
{
	JsonbContainer *a = array_of(c, what, key, "an array of strings", n);
	char	  **r;

	if (!a)
		return NULL;
	r = palloc0(sizeof(char *) * (*n + 1));
	for (int i = 0; i < *n; i++)
	{
		JsonbValue *e = getIthJsonbValueFromContainer(a, i);

		if (e->type != jbvString)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid %s: element %d of \"%s\" must be a string, not %s",
							what, i + 1, key, jbv_type_name(jbv_kind(e)))));
		r[i] = pnstrdup(e->val.string.val, e->val.string.len);
	}
	return r;
}

Numeric *
opt_numeric_array(JsonbContainer *c, const char *what, const char *key, int *n)
{
	JsonbContainer *a = array_of(c, what, key, "an array of numbers", n);
	Numeric    *r;

	if (!a)
		return NULL;
	r = palloc0(sizeof(Numeric) * (*n + 1));
	for (int i = 0; i < *n; i++)
	{
		JsonbValue *e = getIthJsonbValueFromContainer(a, i);

		if (e->type != jbvNumeric)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid %s: element %d of \"%s\" must be a number, not %s",
							what, i + 1, key, jbv_type_name(jbv_kind(e)))));
		r[i] = e->val.numeric;
	}
	return r;
}

JsonbContainer **
opt_object_array(JsonbContainer *c, const char *what, const char *key, int *n)
{
	JsonbContainer *a = array_of(c, what, key, "an array of objects", n);
	JsonbContainer **r;

	if (!a)
		return NULL;
	r = palloc0(sizeof(JsonbContainer *) * (*n + 1));
	for (int i = 0; i < *n; i++)
	{
		JsonbValue *e = getIthJsonbValueFromContainer(a, i);

		if (e->type != jbvBinary || !JsonContainerIsObject(e->val.binary.data))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid %s: element %d of \"%s\" must be an object, not %s",
							what, i + 1, key, jbv_type_name(jbv_kind(e)))));
		r[i] = e->val.binary.data;
	}
	return r;
}

int64
opt_interval_usecs(const Interval *iv)
{
	return iv->time + (int64) iv->day * USECS_PER_DAY +
		(int64) iv->month * DAYS_PER_MONTH * USECS_PER_DAY;
}
