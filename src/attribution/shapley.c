/*
 * shapley.c — channel-set counts, their byte format, and exact Shapley values.
 */
#include "attribution/shapley.h"

#include <math.h>
#include <stdlib.h>

#define SH_MAGIC 0x31485350		/* "PSH1" little-endian */

static uint32_t
set_hash(const int32_t *ids, size_t n)
{
	uint64_t	h = 0x2545f4914f6cdd1dULL ^ n;

	for (size_t i = 0; i < n; i++)
	{
		h ^= (uint32_t) ids[i];
		h *= 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
	}
	return (uint32_t) h;
}

static void
rehash(sh_sets *s, const at_alloc *a, size_t nslots)
{
	if (s->slots)
		a->release(a->ctx, s->slots);
	s->slots = at_malloc(a, sizeof(int64_t) * nslots);
	memset(s->slots, 0xff, sizeof(int64_t) * nslots);
	s->nslots = nslots;
	for (size_t i = 0; i < s->n; i++)
	{
		size_t		k = s->e[i].hash & (nslots - 1);

		while (s->slots[k] >= 0)
			k = (k + 1) & (nslots - 1);
		s->slots[k] = (int64_t) i;
	}
}

sh_sets *
sh_new(const at_alloc *a)
{
	sh_sets    *s = at_calloc(a, sizeof(sh_sets));

	at_dict_init(&s->dict, a);
	rehash(s, a, 64);
	s->canonical = true;
	return s;
}

void
sh_free(sh_sets *s, const at_alloc *a)
{
	at_dict_free(&s->dict, a);
	if (s->e)
		a->release(a->ctx, s->e);
	if (s->ids)
		a->release(a->ctx, s->ids);
	a->release(a->ctx, s->slots);
	a->release(a->ctx, s);
}

static int64_t
find_set(const sh_sets *s, const int32_t *ids, size_t n, uint32_t h, size_t *slot)
{
	size_t		k;

	for (k = h & (s->nslots - 1); s->slots[k] >= 0; k = (k + 1) & (s->nslots - 1))
	{
		const sh_entry *e = &s->e[s->slots[k]];

		if (e->hash == h && e->len == n && memcmp(&s->ids[e->off], ids, n * sizeof(int32_t)) == 0)
			return s->slots[k];
	}
	if (slot)
		*slot = k;
	return -1;
}

/* The entry of a sorted, distinct id set, added when new. */
static sh_entry *
entry_of(sh_sets *s, const at_alloc *a, const int32_t *ids, size_t n)
{
	uint32_t	h = set_hash(ids, n);
	size_t		slot = 0;
	int64_t		i = find_set(s, ids, n, h, &slot);
	sh_entry   *e;

	if (i >= 0)
		return &s->e[i];
	s->e = at_grow(a, s->e, &s->cap, s->n + 1, sizeof(sh_entry));
	s->ids = at_grow(a, s->ids, &s->idcap, s->nids + n, sizeof(int32_t));
	memcpy(&s->ids[s->nids], ids, n * sizeof(int32_t));
	e = &s->e[s->n];
	memset(e, 0, sizeof(*e));
	e->off = (uint32_t) s->nids;
	e->len = (uint32_t) n;
	e->hash = h;
	s->nids += n;
	s->slots[slot] = (int64_t) s->n;
	s->n++;
	s->canonical = false;
	if (s->n * 2 > s->nslots)
	{
		rehash(s, a, s->nslots * 2);
		e = &s->e[s->n - 1];
	}
	return e;
}

static size_t
sort_distinct(int32_t *x, size_t n)
{
	size_t		k = 0;

	for (size_t i = 1; i < n; i++)
	{
		int32_t		v = x[i];
		size_t		j = i;

		while (j > 0 && x[j - 1] > v)
		{
			x[j] = x[j - 1];
			j--;
		}
		x[j] = v;
	}
	for (size_t i = 0; i < n; i++)
		if (k == 0 || x[k - 1] != x[i])
			x[k++] = x[i];
	return k;
}

void
sh_add_path(sh_sets *s, const at_alloc *a, const int32_t *ch, size_t n, bool converted,
			double value, int32_t *tmp)
{
	sh_entry   *e;

	memcpy(tmp, ch, n * sizeof(int32_t));
	n = sort_distinct(tmp, n);
	e = entry_of(s, a, tmp, n);
	e->paths++;
	if (converted)
	{
		e->conv++;
		at_sum_add(&e->value, value);
	}
}

void
sh_merge(sh_sets *a, const sh_sets *b, const at_alloc *al)
{
	int32_t    *map = at_malloc(al, sizeof(int32_t) * (b->dict.n + 1));
	int32_t    *tmp = at_malloc(al, sizeof(int32_t) * (b->dict.n + 1));

	for (int32_t i = 0; i < b->dict.n; i++)
		map[i] = at_dict_id(&a->dict, al, b->dict.names[i], b->dict.lens[i]);
	for (size_t i = 0; i < b->n; i++)
	{
		const sh_entry *be = &b->e[i];
		sh_entry   *e;

		for (uint32_t j = 0; j < be->len; j++)
			tmp[j] = map[b->ids[be->off + j]];
		sort_distinct(tmp, be->len);
		e = entry_of(a, al, tmp, be->len);
		e->paths += be->paths;
		e->conv += be->conv;
		at_sum_merge(&e->value, &be->value);
	}
	al->release(al->ctx, map);
	al->release(al->ctx, tmp);
	a->canonical = false;
}

static const int32_t *cmp_ids;

static int
entry_cmp(const void *pa, const void *pb)
{
	const sh_entry *x = pa,
			   *y = pb;
	uint32_t	n = x->len < y->len ? x->len : y->len;

	for (uint32_t i = 0; i < n; i++)
		if (cmp_ids[x->off + i] != cmp_ids[y->off + i])
			return cmp_ids[x->off + i] < cmp_ids[y->off + i] ? -1 : 1;
	return x->len < y->len ? -1 : x->len > y->len;
}

void
sh_canonicalize(sh_sets *s, const at_alloc *a)
{
	int32_t    *rank,
			   *order,
			   *ids;
	size_t		k = 0;

	if (s->canonical)
		return;
	rank = at_malloc(a, sizeof(int32_t) * (s->dict.n + 1));
	order = at_malloc(a, sizeof(int32_t) * (s->dict.n + 1));
	at_dict_ranks(&s->dict, a, rank, order);
	{
		at_dict		nd;

		at_dict_init(&nd, a);
		for (int32_t i = 0; i < s->dict.n; i++)
			at_dict_id(&nd, a, s->dict.names[order[i]], s->dict.lens[order[i]]);
		at_dict_free(&s->dict, a);
		s->dict = nd;
	}
	for (size_t i = 0; i < s->nids; i++)
		s->ids[i] = rank[s->ids[i]];
	for (size_t i = 0; i < s->n; i++)
		sort_distinct(&s->ids[s->e[i].off], s->e[i].len);
	/* sets in lexicographic order of their ids, stored contiguously */
	cmp_ids = s->ids;
	qsort(s->e, s->n, sizeof(sh_entry), entry_cmp);
	ids = at_malloc(a, sizeof(int32_t) * (s->nids + 1));
	for (size_t i = 0; i < s->n; i++)
	{
		memcpy(&ids[k], &s->ids[s->e[i].off], s->e[i].len * sizeof(int32_t));
		s->e[i].off = (uint32_t) k;
		s->e[i].hash = set_hash(&ids[k], s->e[i].len);
		k += s->e[i].len;
	}
	if (s->ids)
		a->release(a->ctx, s->ids);
	s->ids = ids;
	s->idcap = s->nids + 1;
	rehash(s, a, s->nslots);
	a->release(a->ctx, rank);
	a->release(a->ctx, order);
	s->canonical = true;
}

void
sh_serialize(const sh_sets *s, at_writer *w)
{
	at_put_u32(w, SH_MAGIC);
	at_put_names(w, &s->dict, NULL);
	at_put_u64(w, (uint64_t) s->n);
	for (size_t i = 0; i < s->n; i++)
	{
		const sh_entry *e = &s->e[i];

		at_put_u32(w, e->len);
		for (uint32_t j = 0; j < e->len; j++)
			at_put_u32(w, (uint32_t) s->ids[e->off + j]);
		at_put_u64(w, (uint64_t) e->paths);
		at_put_u64(w, (uint64_t) e->conv);
		at_put_f64(w, e->value.s);
		at_put_f64(w, e->value.c);
	}
}

sh_sets *
sh_deserialize(at_reader *r, const at_alloc *a)
{
	uint32_t	magic;
	uint64_t	n;
	sh_sets    *s;
	int32_t    *ids = NULL;

	if (!at_get_u32(r, &magic) || magic != SH_MAGIC)
	{
		at_fail(r, "bad header");
		return NULL;
	}
	s = sh_new(a);
	if (!at_get_names(r, &s->dict, a) || !at_get_u64(r, &n))
		goto bad;
	if (n > (uint64_t) (r->end - r->p) / 36)
	{
		at_fail(r, "set count larger than the data");
		goto bad;
	}
	ids = at_malloc(a, sizeof(int32_t) * (s->dict.n + 1));
	for (uint64_t i = 0; i < n; i++)
	{
		uint32_t	len;
		uint64_t	paths,
					conv;
		at_sum		v;
		sh_entry   *e;

		at_reader_tick(r, i);
		if (!at_get_u32(r, &len))
			goto bad;
		if (len > (uint32_t) s->dict.n)
		{
			at_fail(r, "set larger than the channel list");
			goto bad;
		}
		for (uint32_t j = 0; j < len; j++)
		{
			uint32_t	v32;

			if (!at_get_u32(r, &v32))
				goto bad;
			if (v32 >= (uint32_t) s->dict.n || (j > 0 && (int32_t) v32 <= ids[j - 1]))
			{
				at_fail(r, "set ids out of range or not ascending");
				goto bad;
			}
			ids[j] = (int32_t) v32;
		}
		if (!at_get_u64(r, &paths) || !at_get_u64(r, &conv) ||
			!at_get_f64(r, &v.s) || !at_get_f64(r, &v.c))
			goto bad;
		if (paths < 1 || paths > INT64_MAX / 4 || conv > paths)
		{
			at_fail(r, "path counts out of range");
			goto bad;
		}
		if (!isfinite(v.s) || !isfinite(v.c))
		{
			at_fail(r, "value total is not finite");
			goto bad;
		}
		if (i > 0)
		{
			sh_entry	probe = {(uint32_t) s->nids, len, 0, 0, 0, {0, 0}};

			/* compare with the previous set: append the ids, then compare */
			s->ids = at_grow(a, s->ids, &s->idcap, s->nids + len, sizeof(int32_t));
			memcpy(&s->ids[s->nids], ids, len * sizeof(int32_t));
			cmp_ids = s->ids;
			if (entry_cmp(&s->e[s->n - 1], &probe) >= 0)
			{
				at_fail(r, "sets are not strictly ascending");
				goto bad;
			}
		}
		e = entry_of(s, a, ids, len);
		e->paths = (int64_t) paths;
		e->conv = (int64_t) conv;
		e->value = v;
	}
	if (r->p != r->end)
	{
		at_fail(r, "trailing bytes");
		goto bad;
	}
	a->release(a->ctx, ids);
	s->canonical = true;
	return s;
bad:
	if (ids)
		a->release(a->ctx, ids);
	sh_free(s, a);
	return NULL;
}

void
sh_shapley(const double *v, int n, double *phi)
{
	double		w[SH_MAX_PLAYERS + 1];

	/* w[k] = k! (n-k-1)! / n!, by a product that stays in range */
	for (int k = 0; k < n; k++)
	{
		double		x = 1.0 / n;

		for (int i = 1; i <= k; i++)
			x *= (double) i / (double) (n - i);
		w[k] = x;
	}
	for (int i = 0; i < n; i++)
	{
		uint32_t	bit = 1u << i;
		double		acc = 0;

		for (uint32_t mask = 0; mask < (1u << n); mask++)
			if (!(mask & bit))
				acc += w[__builtin_popcount(mask)] * (v[mask | bit] - v[mask]);
		phi[i] = acc;
	}
}

bool
sh_attribute(const sh_sets *s, const at_alloc *a, double *conv, double *val,
			 void (*check) (void), size_t *bad_size)
{
	double	   *v = NULL;
	double		phi[SH_MAX_PLAYERS];
	int32_t		sub[SH_MAX_PLAYERS];

	for (size_t i = 0; i < s->n; i++)
		if (s->e[i].conv > 0 && s->e[i].len > SH_MAX_PLAYERS)
		{
			*bad_size = s->e[i].len;
			return false;
		}
	for (size_t i = 0; i < s->n; i++)
	{
		const sh_entry *p = &s->e[i];
		int			n = (int) p->len;
		const int32_t *ids = &s->ids[p->off];
		double		total = 0;

		if (p->conv == 0)
			continue;
		if (n == 0)
		{
			conv[s->dict.n] += (double) p->conv;
			val[s->dict.n] += at_sum_get(&p->value);
			continue;
		}
		if (check)
			check();
		v = at_malloc(a, sizeof(double) << n);
		v[0] = 0;
		for (uint32_t mask = 1; mask < (1u << n); mask++)
		{
			int			k = 0;
			int64_t		j;

			for (int b = 0; b < n; b++)
				if (mask & (1u << b))
					sub[k++] = ids[b];
			j = find_set(s, sub, (size_t) k, set_hash(sub, (size_t) k), NULL);
			v[mask] = j >= 0 ? (double) s->e[j].conv / (double) s->e[j].paths : 0;
		}
		sh_shapley(v, n, phi);
		a->release(a->ctx, v);
		for (int b = 0; b < n; b++)
		{
			if (phi[b] < 0)
				phi[b] = 0;
			total += phi[b];
		}
		for (int b = 0; b < n; b++)
		{
			double		share = total > 0 ? phi[b] / total : 1.0 / n;

			conv[ids[b]] += share * (double) p->conv;
			val[ids[b]] += share * at_sum_get(&p->value);
		}
	}
	return true;
}
