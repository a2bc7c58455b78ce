/*
 * options.h — reading the jsonb options, rules and policies that persona's
 * functions take, with one set of error messages.
 *
 * Every reader names the argument ("options", "rules", "policy") so errors read
 * like `invalid options: "lookback" must be an interval string such as "30 days"`.
 * Unknown keys are errors that list the accepted ones (SQLSTATE 22023), because a
 * misspelt option silently ignored is a wrong answer the analyst never sees.
 */
#ifndef PERSONA_OPTIONS_H
#define PERSONA_OPTIONS_H

#include "postgres.h"
#include "utils/jsonb.h"
#include "datatype/timestamp.h"

/* Error unless `j` is an object whose keys are all in `accepted` (NULL-terminated). */
extern void opt_check_object(Jsonb *j, const char *what, const char *const *accepted);

/* Same check for an object nested inside (an element of an array, say). */
extern void opt_check_container(JsonbContainer *c, const char *what, const char *const *accepted);

/* The value under `key`, or false when absent or JSON null. */
extern bool opt_find(JsonbContainer *c, const char *key, JsonbValue *out);

/* Typed readers: absent or null gives the default; a wrong type is an error. */
extern char *opt_text(JsonbContainer *c, const char *what, const char *key, const char *dflt);
extern double opt_float8(JsonbContainer *c, const char *what, const char *key, double dflt);
extern int64 opt_int64(JsonbContainer *c, const char *what, const char *key, int64 min, int64 max, int64 dflt);
extern bool opt_bool(JsonbContainer *c, const char *what, const char *key, bool dflt);
/* A JSON number, exactly (a Numeric datum); NULL when absent. */
extern Numeric opt_numeric(JsonbContainer *c, const char *what, const char *key);
/* An interval written as a string ("30 days", "PT12H"); NULL when absent. */
extern Interval *opt_interval(JsonbContainer *c, const char *what, const char *key);
/* A timestamptz written as a string; returns false when absent. */
extern bool opt_timestamptz(JsonbContainer *c, const char *what, const char *key, TimestampTz *out);

/*
 * Arrays: the elements of `key`, which must be an array (NULL and *n = 0 when
 * absent).  Text elements must be strings; numeric elements must be numbers.
 */
extern char **opt_text_array(JsonbContainer *c, const char *what, const char *key, int *n);
extern Numeric *opt_numeric_array(JsonbContainer *c, const char *what, const char *key, int *n);
/* Containers of an array of objects (each element must be an object). */
extern JsonbContainer **opt_object_array(JsonbContainer *c, const char *what, const char *key, int *n);

/* Interval as microseconds, for code that does time arithmetic in plain C.
 * Months count as 30 days and days as 24 hours, like interval comparison does;
 * say so in the docs of any option that uses this. */
extern int64 opt_interval_usecs(const Interval *iv);

#endif
