/*
 * normalize.h — phone numbers and e-mail addresses in one canonical spelling,
 * so that the same person's identifiers match across systems.  Plain C.
 */
#ifndef PERSONA_NORMALIZE_H
#define PERSONA_NORMALIZE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * E.164 into out (at least 17 bytes, NUL-terminated); false when not a
 * plausible number.  `cn` says national numbers are read as Chinese mobiles;
 * any other country accepts international input (+ or 00) only.
 */
extern bool norm_phone(const char *s, size_t len, bool cn, char *out);

/* Canonical e-mail into out (at least len + 1 bytes); returns its length, or -1. */
extern long norm_email(const char *s, size_t len, char *out);

#endif
