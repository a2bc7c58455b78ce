/*
 * bytes.h — the one reader and writer of persona's serialized bytes, in
 * plain C.
 *
 * Every stored or shipped state (bitmaps, journeys, Markov chains, ledgers,
 * partial aggregate states, the identity helper's messages) is a sequence of
 * little-endian integers, doubles and byte strings.  Loads and stores here do
 * not assume alignment (a varlena's data can start anywhere) and compile to
 * single moves on little-endian machines.  The writer can run without a
 * buffer to count the size first, so a state is written into one allocation
 * of the exact size; the reader never reads past its end and records the
 * first problem instead, so crafted bytes are refused by the caller with its
 * own error, never read out of bounds.
 */
#ifndef PERSONA_BASE_BYTES_H
#define PERSONA_BASE_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* ---- unaligned little-endian loads and stores ---- */

static inline uint16_t
bytes_ld16(const uint8_t *p)
{
	return (uint16_t) (p[0] | (p[1] << 8));
}

static inline uint32_t
bytes_ld32(const uint8_t *p)
{
	return (uint32_t) p[0] | ((uint32_t) p[1] << 8) |
		((uint32_t) p[2] << 16) | ((uint32_t) p[3] << 24);
}

static inline uint64_t
bytes_ld64(const uint8_t *p)
{
	return (uint64_t) bytes_ld32(p) | ((uint64_t) bytes_ld32(p + 4) << 32);
}

static inline void
bytes_st16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t) v;
	p[1] = (uint8_t) (v >> 8);
}

static inline void
bytes_st32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t) v;
	p[1] = (uint8_t) (v >> 8);
	p[2] = (uint8_t) (v >> 16);
	p[3] = (uint8_t) (v >> 24);
}

static inline void
bytes_st64(uint8_t *p, uint64_t v)
{
	bytes_st32(p, (uint32_t) v);
	bytes_st32(p + 4, (uint32_t) (v >> 32));
}

/* ---- writer: counts when p is NULL, writes at p + len otherwise ---- */

typedef struct byte_writer
{
	uint8_t    *p;				/* NULL: only count */
	size_t		len;
} byte_writer;

static inline void
bw_bytes(byte_writer *w, const void *b, size_t n)
{
	if (w->p && n)
		memcpy(w->p + w->len, b, n);
	w->len += n;
}

static inline void
bw_u8(byte_writer *w, uint8_t v)
{
	bw_bytes(w, &v, 1);
}

static inline void
bw_u16(byte_writer *w, uint16_t v)
{
	uint8_t		b[2];

	bytes_st16(b, v);
	bw_bytes(w, b, 2);
}

static inline void
bw_u32(byte_writer *w, uint32_t v)
{
	uint8_t		b[4];

	bytes_st32(b, v);
	bw_bytes(w, b, 4);
}

static inline void
bw_u64(byte_writer *w, uint64_t v)
{
	uint8_t		b[8];

	bytes_st64(b, v);
	bw_bytes(w, b, 8);
}

static inline void
bw_f64(byte_writer *w, double v)
{
	uint64_t	u;

	memcpy(&u, &v, 8);
	bw_u64(w, u);
}

/* ---- reader: bounded; the first problem is kept in `error` ---- */

typedef struct byte_reader
{
	const uint8_t *p;
	const uint8_t *end;
	const char *error;			/* NULL, or the first problem met (static text) */
} byte_reader;

static inline void
br_init(byte_reader *r, const void *p, size_t n)
{
	r->p = (const uint8_t *) p;
	r->end = r->p + n;
	r->error = NULL;
}

static inline size_t
br_left(const byte_reader *r)
{
	return (size_t) (r->end - r->p);
}

/* The next n bytes in place, or NULL (and "truncated") when fewer are left. */
static inline const uint8_t *
br_skip(byte_reader *r, size_t n)
{
	const uint8_t *at = r->p;

	if (r->error)
		return NULL;
	if (br_left(r) < n)
	{
		r->error = "truncated";
		return NULL;
	}
	r->p += n;
	return at;
}

static inline bool
br_bytes(byte_reader *r, void *dst, size_t n)
{
	const uint8_t *at = br_skip(r, n);

	if (at == NULL)
		return false;
	if (n)
		memcpy(dst, at, n);
	return true;
}

static inline bool
br_u8(byte_reader *r, uint8_t *v)
{
	return br_bytes(r, v, 1);
}

static inline bool
br_u16(byte_reader *r, uint16_t *v)
{
	const uint8_t *at = br_skip(r, 2);

	if (at == NULL)
		return false;
	*v = bytes_ld16(at);
	return true;
}

static inline bool
br_u32(byte_reader *r, uint32_t *v)
{
	const uint8_t *at = br_skip(r, 4);

	if (at == NULL)
		return false;
	*v = bytes_ld32(at);
	return true;
}

static inline bool
br_u64(byte_reader *r, uint64_t *v)
{
	const uint8_t *at = br_skip(r, 8);

	if (at == NULL)
		return false;
	*v = bytes_ld64(at);
	return true;
}

static inline bool
br_f64(byte_reader *r, double *v)
{
	uint64_t	u;

	if (!br_u64(r, &u))
		return false;
	memcpy(v, &u, 8);
	return true;
}

#endif
