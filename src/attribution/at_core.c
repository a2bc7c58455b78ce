/*
 * at_core.c — allocation helper, channel dictionary, state byte formats.
 */
#include "attribution/at_core.h"

#include <stdlib.h>

void *
at_grow(const at_alloc *a, void *p, size_t *cap, size_t need, size_t size)
{
	size_t		ncap;
	void	   *q;

	if (need <= *cap)
		return p;
	ncap = *cap ? *cap : 8;
	while (ncap < need)
		ncap *= 2;
	q = at_malloc(a, ncap * size);
	if (p)
	{
		memcpy(q, p, *cap * size);
		a->release(a->ctx, p);
	}
	*cap = ncap;
	return q;
}

static uint32_t
name_hash(const char *s, size_t len)
{
	uint32_t	h = 2166136261u;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (uint8_t) s[i]) * 16777619u;
	return h;
}

void
at_dict_init(at_dict *d, const at_alloc *a)
{
	memset(d, 0, sizeof(*d));
	d->nslots = 16;
	d->slots = at_malloc(a, sizeof(int32_t) * d->nslots);
	memset(d->slots, 0xff, sizeof(int32_t) * d->nslots);
}

int32_t
at_dict_find(const at_dict *d, const char *name, size_t len)
{
	uint32_t	h = name_hash(name, len);

	for (uint32_t i = h & (d->nslots - 1);; i = (i + 1) & (d->nslots - 1))
	{
		int32_t		id = d->slots[i];

		if (id < 0)
			return -1;
		if (d->hashes[id] == h && d->lens[id] == len && memcmp(d->names[id], name, len) == 0)
			return id;
	}
}

static void
dict_rehash(at_dict *d, const at_alloc *a)
{
	uint32_t	n = d->nslots * 2;

	a->release(a->ctx, d->slots);
	d->slots = at_malloc(a, sizeof(int32_t) * n);
	memset(d->slots, 0xff, sizeof(int32_t) * n);
	d->nslots = n;
	for (int32_t id = 0; id < d->n; id++)
	{
		uint32_t	i = d->hashes[id] & (n - 1);

		while (d->slots[i] >= 0)
			i = (i + 1) & (n - 1);
		d->slots[i] = id;
	}
}

int32_t
at_dict_id(at_dict *d, const at_alloc *a, const char *name, size_t len)
{
	int32_t		id = at_dict_find(d, name, len);
	uint32_t	h;
	size_t		cap;

	if (id >= 0)
		return id;
	if ((uint32_t) (d->n + 1) * 2 > d->nslots)
		dict_rehash(d, a);
	id = d->n;
	cap = d->cap;
	d->names = at_grow(a, d->names, &cap, (size_t) id + 1, sizeof(char *));
	cap = d->cap;
	d->lens = at_grow(a, d->lens, &cap, (size_t) id + 1, sizeof(uint32_t));
	cap = d->cap;
	d->hashes = at_grow(a, d->hashes, &cap, (size_t) id + 1, sizeof(uint32_t));
	d->cap = cap;
	d->names[id] = at_malloc(a, len + 1);
	memcpy(d->names[id], name, len);
	d->names[id][len] = '\0';
	d->lens[id] = (uint32_t) len;
	h = name_hash(name, len);
	d->hashes[id] = h;
	{
		uint32_t	i = h & (d->nslots - 1);

		while (d->slots[i] >= 0)
			i = (i + 1) & (d->nslots - 1);
		d->slots[i] = id;
	}
	d->n++;
	return id;
}

void
at_dict_free(at_dict *d, const at_alloc *a)
{
	for (int32_t i = 0; i < d->n; i++)
		a->release(a->ctx, d->names[i]);
	if (d->names)
	{
		a->release(a->ctx, d->names);
		a->release(a->ctx, d->lens);
		a->release(a->ctx, d->hashes);
	}
	a->release(a->ctx, d->slots);
	memset(d, 0, sizeof(*d));
}

int
at_name_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	int			c = memcmp(a, b, alen < blen ? alen : blen);

	if (c)
		return c;
	return alen < blen ? -1 : alen > blen;
}

void
at_dict_ranks(const at_dict *d, const at_alloc *a, int32_t *rank, int32_t *order)
{
	(void) a;
	/* insertion sort: dictionaries hold channels, a handful to a few hundred */
	for (int32_t i = 0; i < d->n; i++)
	{
		int32_t		j = i;

		while (j > 0 && at_name_cmp(d->names[order[j - 1]], d->lens[order[j - 1]],
									d->names[i], d->lens[i]) > 0)
		{
			order[j] = order[j - 1];
			j--;
		}
		order[j] = i;
	}
	for (int32_t k = 0; k < d->n; k++)
		rank[order[k]] = k;
}

/* ---- byte formats ---- */

void
at_put_bytes(at_writer *w, const void *b, size_t n)
{
	if (w->p)
		memcpy(w->p + w->len, b, n);
	w->len += n;
}

void
at_put_u32(at_writer *w, uint32_t v)
{
	uint8_t		b[4];

	for (int i = 0; i < 4; i++)
		b[i] = (uint8_t) (v >> (8 * i));
	at_put_bytes(w, b, 4);
}

void
at_put_u64(at_writer *w, uint64_t v)
{
	uint8_t		b[8];

	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t) (v >> (8 * i));
	at_put_bytes(w, b, 8);
}

void
at_put_f64(at_writer *w, double v)
{
	uint64_t	u;

	memcpy(&u, &v, 8);
	at_put_u64(w, u);
}

bool
at_fail(at_reader *r, const char *why)
{
	if (!r->error)
		r->error = why;
	return false;
}

bool
at_get_bytes(at_reader *r, const uint8_t **b, size_t n)
{
	if ((size_t) (r->end - r->p) < n)
		return at_fail(r, "truncated data");
	*b = r->p;
	r->p += n;
	return true;
}

bool
at_get_u32(at_reader *r, uint32_t *v)
{
	const uint8_t *b;

	if (!at_get_bytes(r, &b, 4))
		return false;
	*v = 0;
	for (int i = 0; i < 4; i++)
		*v |= (uint32_t) b[i] << (8 * i);
	return true;
}

bool
at_get_u64(at_reader *r, uint64_t *v)
{
	const uint8_t *b;

	if (!at_get_bytes(r, &b, 8))
		return false;
	*v = 0;
	for (int i = 0; i < 8; i++)
		*v |= (uint64_t) b[i] << (8 * i);
	return true;
}

bool
at_get_f64(at_reader *r, double *v)
{
	uint64_t	u;

	if (!at_get_u64(r, &u))
		return false;
	memcpy(v, &u, 8);
	return true;
}

void
at_put_names(at_writer *w, const at_dict *d, const int32_t *order)
{
	at_put_u32(w, (uint32_t) d->n);
	for (int32_t k = 0; k < d->n; k++)
	{
		int32_t		id = order ? order[k] : k;

		at_put_u32(w, d->lens[id]);
		at_put_bytes(w, d->names[id], d->lens[id]);
	}
}

#define AT_MAX_CHANNELS 100000

bool
at_get_names(at_reader *r, at_dict *d, const at_alloc *a)
{
	uint32_t	n;

	if (!at_get_u32(r, &n))
		return false;
	if (n > AT_MAX_CHANNELS || n > (size_t) (r->end - r->p) / 4)
		return at_fail(r, "impossible channel count");
	for (uint32_t i = 0; i < n; i++)
	{
		uint32_t	len;
		const uint8_t *b;

		if (!at_get_u32(r, &len) || !at_get_bytes(r, &b, len))
			return false;
		if (memchr(b, 0, len))
			return at_fail(r, "channel name contains a zero byte");
		if (i > 0 && at_name_cmp(d->names[i - 1], d->lens[i - 1], (const char *) b, len) >= 0)
			return at_fail(r, "channel names are not strictly ascending");
		at_dict_id(d, a, (const char *) b, len);
	}
	return true;
}
