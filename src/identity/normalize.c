/*
 * normalize.c — see normalize.h.
 */
#include "identity/normalize.h"

#include <string.h>

static bool
cn_mobile(const char *d, size_t n)
{
	return n == 11 && d[0] == '1';
}

bool
norm_phone(const char *s, size_t len, bool cn, char *out)
{
	char		d[32];
	size_t		n = 0;
	bool		plus = false;

	for (size_t i = 0; i < len; i++)
	{
		char		c = s[i];

		if (c >= '0' && c <= '9')
		{
			if (n == sizeof(d))
				return false;
			d[n++] = c;
		}
		else if (c == '+' && n == 0 && !plus)
			plus = true;
		else if (c == ' ' || c == '-' || c == '(' || c == ')' || c == '[' || c == ']' || c == '\t')
			continue;
		else
			return false;
	}
	/* 00 is the international prefix, as + */
	if (!plus && n > 2 && d[0] == '0' && d[1] == '0')
	{
		memmove(d, d + 2, n - 2);
		n -= 2;
		plus = true;
	}
	if (!plus && cn)
	{
		if (cn_mobile(d, n))
		{
			out[0] = '+';
			out[1] = '8';
			out[2] = '6';
			memcpy(out + 3, d, n);
			out[3 + n] = '\0';
			return true;
		}
		if (n == 13 && d[0] == '8' && d[1] == '6' && cn_mobile(d + 2, 11))
			plus = true;
		else
			return false;
	}
	if (!plus)
		return false;
	if (n < 8 || n > 15 || d[0] == '0')
		return false;
	if (d[0] == '8' && d[1] == '6' && !cn_mobile(d + 2, n - 2))
		return false;
	out[0] = '+';
	memcpy(out + 1, d, n);
	out[1 + n] = '\0';
	return true;
}

static bool
is_space(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

long
norm_email(const char *s, size_t len, char *out)
{
	size_t		b = 0,
				e = len,
				at = 0,
				nat = 0,
				n = 0;
	const char *dom;
	size_t		dlen;

	while (b < e && is_space(s[b]))
		b++;
	while (e > b && is_space(s[e - 1]))
		e--;
	for (size_t i = b; i < e; i++)
		if (s[i] == '@')
		{
			nat++;
			at = i;
		}
	if (nat != 1 || at == b || at == e - 1)
		return -1;
	for (size_t i = b; i < e; i++)
		out[i - b] = (s[i] >= 'A' && s[i] <= 'Z') ? s[i] + ('a' - 'A') : s[i];
	dom = out + (at - b) + 1;
	dlen = e - at - 1;
	if ((dlen == 9 && memcmp(dom, "gmail.com", 9) == 0) ||
		(dlen == 14 && memcmp(dom, "googlemail.com", 14) == 0))
	{
		for (size_t i = 0; i < at - b; i++)
		{
			if (out[i] == '+')
				break;
			if (out[i] != '.')
				out[n++] = out[i];
		}
		if (n == 0)
			return -1;
		memcpy(out + n, "@gmail.com", 10);
		n += 10;
		out[n] = '\0';
		return (long) n;
	}
	out[e - b] = '\0';
	return (long) (e - b);
}
