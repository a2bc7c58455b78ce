/*
 * normalize_fmgr.c — normalize_phone and normalize_email (normalize.c).
 */
#include "postgres.h"

#include "identity/identity_fmgr.h"

#include "utils/builtins.h"

PG_FUNCTION_INFO_V1(normalize_phone);
Datum
normalize_phone(PG_FUNCTION_ARGS)
{
	text	   *phone = PG_GETARG_TEXT_PP(0);
	text	   *country = PG_GETARG_TEXT_PP(1);
	const char *c = VARDATA_ANY(country);
	char		out[40];

	if (VARSIZE_ANY_EXHDR(country) != 2 ||
		!((c[0] >= 'A' && c[0] <= 'Z') || (c[0] >= 'a' && c[0] <= 'z')) ||
		!((c[1] >= 'A' && c[1] <= 'Z') || (c[1] >= 'a' && c[1] <= 'z')))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid default_country \"%s\"", text_to_cstring(country)),
				 errhint("Give a two-letter ISO 3166 country code: 'CN' reads national numbers as Chinese mobile numbers; any other code accepts international numbers (+ or 00) only.")));
	if (!norm_phone(VARDATA_ANY(phone), VARSIZE_ANY_EXHDR(phone),
					(c[0] == 'C' || c[0] == 'c') && (c[1] == 'N' || c[1] == 'n'), out))
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(out));
}

PG_FUNCTION_INFO_V1(normalize_email);
Datum
normalize_email(PG_FUNCTION_ARGS)
{
	text	   *email = PG_GETARG_TEXT_PP(0);
	size_t		len = VARSIZE_ANY_EXHDR(email);
	char	   *out = palloc(len + 16);
	long		n = norm_email(VARDATA_ANY(email), len, out);

	if (n < 0)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text_with_len(out, (int) n));
}
