/*
 * markov.c — transition counts of order-k chains, their byte format, and the
 * exact removal-effect solve.
 */
#include "attribution/markov.h"

#include <math.h>
#include <stdlib.h>

#define MK_MAGIC 0x314b4d50		/* "PMK1" little-endian */

int			mk_force_method = 0;

static size_t
klen(const mk_chain *m)
{
	return 2 * (size_t) m->order;
}

static uint32_t
key_hash(const int32_t *k, size_t n)
{
	uint64_t	h = 0x9e3779b97f4a7c15ULL;

	for (size_t i = 0; i < n; i++)
	{
		h ^= (uint32_t) k[i];
		h *= 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
	}
	return (uint32_t) h;
}

static void
rehash(mk_chain *m, const at_alloc *a, size_t nslots)
{
	if (m->slots)
		a->release(a->ctx, m->slots);
	m->slots = at_malloc(a, sizeof(int64_t) * nslots);
	memset(m->slots, 0xff, sizeof(int64_t) * nslots);
	m->nslots = nslots;
	for (size_t i = 0; i < m->n; i++)
	{
		size_t		s = m->hashes[i] & (nslots - 1);

		while (m->slots[s] >= 0)
			s = (s + 1) & (nslots - 1);
		m->slots[s] = (int64_t) i;
	}
}

mk_chain *
mk_new(const at_alloc *a, int order)
{
	mk_chain   *m = at_calloc(a, sizeof(mk_chain));

	m->order = order;
	at_dict_init(&m->dict, a);
	rehash(m, a, 64);
	m->canonical = true;
	return m;
}

void
mk_free(mk_chain *m, const at_alloc *a)
{
	at_dict_free(&m->dict, a);
	if (m->keys)
	{
		a->release(a->ctx, m->keys);
		a->release(a->ctx, m->counts);
		a->release(a->ctx, m->hashes);
	}
	a->release(a->ctx, m->slots);
	a->release(a->ctx, m);
}

static void
add_transition(mk_chain *m, const at_alloc *a, const int32_t *key, int64_t count)
{
	size_t		kl = klen(m);
	uint32_t	h = key_hash(key, kl);
	size_t		s;

	for (s = h & (m->nslots - 1); m->slots[s] >= 0; s = (s + 1) & (m->nslots - 1))
	{
		size_t		i = (size_t) m->slots[s];

		if (m->hashes[i] == h && memcmp(&m->keys[i * kl], key, kl * sizeof(int32_t)) == 0)
		{
			m->counts[i] += count;
			return;
		}
	}
	{
		size_t		cap = m->cap;

		m->keys = at_grow(a, m->keys, &cap, m->n + 1, kl * sizeof(int32_t));
		cap = m->cap;
		m->counts = at_grow(a, m->counts, &cap, m->n + 1, sizeof(int64_t));
		cap = m->cap;
		m->hashes = at_grow(a, m->hashes, &cap, m->n + 1, sizeof(uint32_t));
		m->cap = cap;
	}
	memcpy(&m->keys[m->n * kl], key, kl * sizeof(int32_t));
	m->counts[m->n] = count;
	m->hashes[m->n] = h;
	m->slots[s] = (int64_t) m->n;
	m->n++;
	m->canonical = false;
	if (m->n * 2 > m->nslots)
		rehash(m, a, m->nslots * 2);
}

static void
special(int32_t *st, int order, int32_t code)
{
	st[0] = code;
	for (int i = 1; i < order; i++)
		st[i] = MK_PAD;
}

void
mk_add_path(mk_chain *m, const at_alloc *a, const int32_t *ch, size_t n, bool converted,
			double value)
{
	int			k = m->order;
	int32_t		key[2 * MK_MAX_ORDER];

	special(key, k, MK_START);
	for (size_t i = 0; i < n; i++)
	{
		size_t		len = i + 1 < (size_t) k ? i + 1 : (size_t) k;

		for (int j = 0; j < k; j++)
			key[k + j] = (size_t) j < len ? ch[i + 1 - len + j] : MK_PAD;
		add_transition(m, a, key, 1);
		memcpy(key, key + k, k * sizeof(int32_t));
	}
	special(key + k, k, converted ? MK_CONV : MK_NULL);
	add_transition(m, a, key, 1);
	if (converted)
	{
		if (n > 0)
		{
			m->conv++;
			at_sum_add(&m->value, value);
		}
		else
		{
			m->conv_empty++;
			at_sum_add(&m->value_empty, value);
		}
	}
}

void
mk_merge(mk_chain *a, const mk_chain *b, const at_alloc *al)
{
	size_t		kl = klen(a);
	int32_t    *map = at_malloc(al, sizeof(int32_t) * (b->dict.n + 1));
	int32_t		key[2 * MK_MAX_ORDER];

	for (int32_t i = 0; i < b->dict.n; i++)
		map[i] = at_dict_id(&a->dict, al, b->dict.names[i], b->dict.lens[i]);
	for (size_t i = 0; i < b->n; i++)
	{
		for (size_t j = 0; j < kl; j++)
		{
			int32_t		v = b->keys[i * kl + j];

			key[j] = v >= 0 ? map[v] : v;
		}
		add_transition(a, al, key, b->counts[i]);
	}
	a->conv += b->conv;
	a->conv_empty += b->conv_empty;
	at_sum_merge(&a->value, &b->value);
	at_sum_merge(&a->value_empty, &b->value_empty);
	a->canonical = false;
	al->release(al->ctx, map);
}

/* ---- state order: START, tuples (lexicographic, shorter first), CONVERSION, NULL ---- */

static int64_t
slot_key(int32_t v, int pos)
{
	if (pos == 0)
	{
		if (v == MK_START)
			return -3;
		if (v == MK_CONV)
			return (int64_t) INT32_MAX + 1;
		if (v == MK_NULL)
			return (int64_t) INT32_MAX + 2;
	}
	return v;					/* MK_PAD (-1) sorts before every id */
}

static int
state_cmp(const int32_t *a, const int32_t *b, int order)
{
	for (int i = 0; i < order; i++)
	{
		int64_t		x = slot_key(a[i], i),
					y = slot_key(b[i], i);

		if (x != y)
			return x < y ? -1 : 1;
	}
	return 0;
}

static int	sort_order;

static int
key_cmp(const void *pa, const void *pb)
{
	const int32_t *a = *(const int32_t *const *) pa;
	const int32_t *b = *(const int32_t *const *) pb;
	int			c = state_cmp(a, b, sort_order);

	return c ? c : state_cmp(a + sort_order, b + sort_order, sort_order);
}

/*
 * The transitions' keys in key order: a merge sort of the pointers (runs of
 * 16 by insertion, then merges), where qsort could not be interrupted.  Keys
 * are distinct, so any correct sort gives the same order.
 */
static void
sort_keys(const int32_t **p, size_t n, const at_alloc *a, void (*check) (void))
{
	const int32_t **tmp,
			  **src = p,
			  **dst;

	if (n < 2)
		return;
	for (size_t lo = 0; lo < n; lo += 16)
	{
		size_t		hi = lo + 16 < n ? lo + 16 : n;

		if (check && (lo & 0xFFFF) == 0)
			check();
		for (size_t i = lo + 1; i < hi; i++)
		{
			const int32_t *x = p[i];
			size_t		j = i;

			while (j > lo && key_cmp(&p[j - 1], &x) > 0)
			{
				p[j] = p[j - 1];
				j--;
			}
			p[j] = x;
		}
	}
	tmp = at_malloc(a, sizeof(*tmp) * n);
	dst = tmp;
	for (size_t w = 16; w < n; w *= 2)
	{
		const int32_t **t;

		for (size_t lo = 0; lo < n; lo += 2 * w)
		{
			size_t		mid = lo + w < n ? lo + w : n;
			size_t		hi = lo + 2 * w < n ? lo + 2 * w : n;
			size_t		i = lo,
						j = mid,
						k = lo;

			while (i < mid && j < hi)
			{
				if (check && (k & 0xFFFF) == 0)
					check();
				dst[k++] = key_cmp(&src[j], &src[i]) < 0 ? src[j++] : src[i++];
			}
			memcpy(dst + k, src + i, (mid - i) * sizeof(*dst));
			k += mid - i;
			memcpy(dst + k, src + j, (hi - j) * sizeof(*dst));
		}
		t = src;
		src = dst;
		dst = t;
	}
	if (src != p)
		memcpy(p, src, n * sizeof(*p));
	a->release(a->ctx, tmp);
}

void
mk_canonicalize(mk_chain *m, const at_alloc *a, void (*check) (void))
{
	size_t		kl = klen(m);
	int32_t    *rank,
			   *order;
	const int32_t **ptrs;
	int32_t    *keys;
	int64_t    *counts;
	at_dict		nd;
	bool		renumber = false;

	if (m->canonical)
		return;
	rank = at_malloc(a, sizeof(int32_t) * (m->dict.n + 1));
	order = at_malloc(a, sizeof(int32_t) * (m->dict.n + 1));
	at_dict_ranks(&m->dict, a, rank, order);
	for (int32_t i = 0; i < m->dict.n; i++)
		renumber |= rank[i] != i;
	if (renumber)
	{
		at_dict_init(&nd, a);
		for (int32_t k = 0; k < m->dict.n; k++)
			at_dict_id(&nd, a, m->dict.names[order[k]], m->dict.lens[order[k]]);
		at_dict_free(&m->dict, a);
		m->dict = nd;
		for (size_t i = 0; i < m->n * kl; i++)
			if (m->keys[i] >= 0)
				m->keys[i] = rank[m->keys[i]];
	}
	ptrs = at_malloc(a, sizeof(int32_t *) * (m->n + 1));
	for (size_t i = 0; i < m->n; i++)
		ptrs[i] = &m->keys[i * kl];
	sort_order = m->order;
	sort_keys(ptrs, m->n, a, check);
	keys = at_malloc(a, sizeof(int32_t) * kl * (m->cap ? m->cap : 1));
	counts = at_malloc(a, sizeof(int64_t) * (m->cap ? m->cap : 1));
	for (size_t i = 0; i < m->n; i++)
	{
		size_t		src = (size_t) (ptrs[i] - m->keys) / kl;

		memcpy(&keys[i * kl], ptrs[i], kl * sizeof(int32_t));
		counts[i] = m->counts[src];
	}
	if (m->keys)
	{
		a->release(a->ctx, m->keys);
		a->release(a->ctx, m->counts);
	}
	m->keys = keys;
	m->counts = counts;
	for (size_t i = 0; i < m->n; i++)
		m->hashes[i] = key_hash(&keys[i * kl], kl);
	rehash(m, a, m->nslots);
	a->release(a->ctx, ptrs);
	a->release(a->ctx, rank);
	a->release(a->ctx, order);
	m->canonical = true;
}

/* ---- bytes ---- */

void
mk_serialize(const mk_chain *m, at_writer *w)
{
	size_t		kl = klen(m);

	at_put_u32(w, MK_MAGIC);
	at_put_u32(w, (uint32_t) m->order);
	at_put_names(w, &m->dict, NULL);
	at_put_u64(w, (uint64_t) m->conv);
	at_put_u64(w, (uint64_t) m->conv_empty);
	at_put_f64(w, m->value.s);
	at_put_f64(w, m->value.c);
	at_put_f64(w, m->value_empty.s);
	at_put_f64(w, m->value_empty.c);
	at_put_u64(w, (uint64_t) m->n);
	for (size_t i = 0; i < m->n; i++)
	{
		for (size_t j = 0; j < kl; j++)
			at_put_u32(w, (uint32_t) m->keys[i * kl + j]);
		at_put_u64(w, (uint64_t) m->counts[i]);
	}
}

static bool
valid_state(at_reader *r, const int32_t *st, int order, int32_t nch, bool from)
{
	int			len = 0;

	if (st[0] == MK_START || st[0] == MK_CONV || st[0] == MK_NULL)
	{
		if (from ? st[0] != MK_START : st[0] == MK_START)
			return at_fail(r, from ? "a transition leaves CONVERSION or NULL" : "a transition enters START");
		for (int i = 1; i < order; i++)
			if (st[i] != MK_PAD)
				return at_fail(r, "invalid state");
		return true;
	}
	while (len < order && st[len] >= 0)
	{
		if (st[len] >= nch)
			return at_fail(r, "channel id out of range");
		len++;
	}
	if (len == 0)
		return at_fail(r, "invalid state");
	for (int i = len; i < order; i++)
		if (st[i] != MK_PAD)
			return at_fail(r, "invalid state");
	return true;
}

static bool
finite_sum(at_reader *r, at_sum *s)
{
	if (!at_get_f64(r, &s->s) || !at_get_f64(r, &s->c))
		return false;
	if (!isfinite(s->s) || !isfinite(s->c))
		return at_fail(r, "value total is not finite");
	return true;
}

mk_chain *
mk_deserialize(at_reader *r, const at_alloc *a)
{
	uint32_t	magic,
				order;
	uint64_t	conv,
				conv_empty,
				n;
	mk_chain   *m;
	size_t		kl;
	int32_t		key[2 * MK_MAX_ORDER],
				prev[2 * MK_MAX_ORDER];

	if (!at_get_u32(r, &magic) || magic != MK_MAGIC)
	{
		at_fail(r, "bad header");
		return NULL;
	}
	if (!at_get_u32(r, &order))
		return NULL;
	if (order < 1 || order > MK_MAX_ORDER)
	{
		at_fail(r, "order out of range");
		return NULL;
	}
	m = mk_new(a, (int) order);
	kl = klen(m);
	if (!at_get_names(r, &m->dict, a) ||
		!at_get_u64(r, &conv) || !at_get_u64(r, &conv_empty) ||
		!finite_sum(r, &m->value) || !finite_sum(r, &m->value_empty) ||
		!at_get_u64(r, &n))
		goto bad;
	if (conv > INT64_MAX || conv_empty > INT64_MAX)
	{
		at_fail(r, "conversion count out of range");
		goto bad;
	}
	m->conv = (int64_t) conv;
	m->conv_empty = (int64_t) conv_empty;
	if (n > (uint64_t) (r->end - r->p) / (4 * kl + 8))
	{
		at_fail(r, "transition count larger than the data");
		goto bad;
	}
	for (uint64_t i = 0; i < n; i++)
	{
		uint64_t	count;

		at_reader_tick(r, i);
		for (size_t j = 0; j < kl; j++)
		{
			uint32_t	v;

			if (!at_get_u32(r, &v))
				goto bad;
			key[j] = (int32_t) v;
		}
		if (!at_get_u64(r, &count))
			goto bad;
		if (!valid_state(r, key, m->order, m->dict.n, true) ||
			!valid_state(r, key + m->order, m->order, m->dict.n, false))
			goto bad;
		if (count < 1 || count > INT64_MAX / 4)
		{
			at_fail(r, "transition count out of range");
			goto bad;
		}
		if (i > 0)
		{
			const int32_t *pa = prev,
					   *pb = key;

			sort_order = m->order;
			if (key_cmp(&pa, &pb) >= 0)
			{
				at_fail(r, "transitions are not strictly ascending");
				goto bad;
			}
		}
		memcpy(prev, key, kl * sizeof(int32_t));
		add_transition(m, a, key, (int64_t) count);
	}
	if (r->p != r->end)
	{
		at_fail(r, "trailing bytes");
		goto bad;
	}
	m->canonical = true;
	return m;
bad:
	mk_free(m, a);
	return NULL;
}

char *
mk_state_name(const mk_chain *m, const int32_t *st, const at_alloc *a)
{
	size_t		len = 0;
	char	   *s,
			   *p;
	const char *fixed = NULL;

	if (st[0] == MK_START)
		fixed = "START";
	else if (st[0] == MK_CONV)
		fixed = "CONVERSION";
	else if (st[0] == MK_NULL)
		fixed = "NULL";
	if (fixed)
	{
		s = at_malloc(a, strlen(fixed) + 1);
		strcpy(s, fixed);
		return s;
	}
	for (int i = 0; i < m->order && st[i] >= 0; i++)
		len += m->dict.lens[st[i]] + 3;
	s = p = at_malloc(a, len + 1);
	for (int i = 0; i < m->order && st[i] >= 0; i++)
	{
		if (i > 0)
		{
			memcpy(p, " > ", 3);
			p += 3;
		}
		memcpy(p, m->dict.names[st[i]], m->dict.lens[st[i]]);
		p += m->dict.lens[st[i]];
	}
	*p = '\0';
	return s;
}

/* ---- the solve ---- */

typedef struct mk_system
{
	size_t		ns;				/* transient states = distinct from-states, sorted */
	size_t	   *first;			/* transitions of state s: first[s] .. first[s+1] */
	int64_t    *to;				/* per transition: state index, -1 CONVERSION, -2 elsewhere */
	double	   *out;			/* total count leaving each state */
	const int32_t **state;		/* slots of each state */
} mk_system;

static int64_t
find_state(const mk_system *sys, const int32_t *st, int order)
{
	size_t		lo = 0,
				hi = sys->ns;

	while (lo < hi)
	{
		size_t		mid = (lo + hi) / 2;
		int			c = state_cmp(sys->state[mid], st, order);

		if (c == 0)
			return (int64_t) mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -2;
}

static bool
contains(const int32_t *st, int order, int32_t c)
{
	for (int i = 0; i < order && st[i] >= 0; i++)
		if (st[i] == c)
			return true;
	return false;
}

/* x[0] (START) of (I - Q) x = b by Gaussian elimination with partial pivoting. */
static double
solve_dense(double *A, double *b, size_t n, void (*check) (void))
{
	for (size_t k = 0; k < n; k++)
	{
		size_t		piv = k;
		double		best = fabs(A[k * n + k]);

		if (check)
			check();
		for (size_t i = k + 1; i < n; i++)
			if (fabs(A[i * n + k]) > best)
			{
				best = fabs(A[i * n + k]);
				piv = i;
			}
		if (best == 0)
			continue;			/* cannot happen for I - Q of an absorbing chain */
		if (piv != k)
		{
			for (size_t j = k; j < n; j++)
			{
				double		t = A[k * n + j];

				A[k * n + j] = A[piv * n + j];
				A[piv * n + j] = t;
			}
			{
				double		t = b[k];

				b[k] = b[piv];
				b[piv] = t;
			}
		}
		for (size_t i = k + 1; i < n; i++)
		{
			double		f = A[i * n + k];

			if (f == 0)
				continue;
			f /= A[k * n + k];
			A[i * n + k] = 0;
			for (size_t j = k + 1; j < n; j++)
				A[i * n + j] -= f * A[k * n + j];
			b[i] -= f * b[k];
		}
	}
	for (size_t i = n; i-- > 0;)
	{
		double		s = b[i];

		for (size_t j = i + 1; j < n; j++)
			s -= A[i * n + j] * b[j];
		b[i] = A[i * n + i] != 0 ? s / A[i * n + i] : 0;
	}
	return b[0];
}

/* P(START) with channel `removed` (-1: none) taken out. */
static bool
absorb(const mk_chain *m, const mk_system *sys, int32_t removed, const at_alloc *a,
	   void (*check) (void), double *result, const char **err)
{
	size_t		ns = sys->ns;
	int64_t    *idx = at_malloc(a, sizeof(int64_t) * ns);
	size_t		n = 0;
	bool		dense;

	for (size_t s = 0; s < ns; s++)
		idx[s] = removed >= 0 && contains(sys->state[s], m->order, removed) ? -1 : (int64_t) n++;
	dense = mk_force_method == 1 || (mk_force_method == 0 && n <= MK_DENSE_MAX);
	if (dense)
	{
		double	   *A = at_calloc(a, sizeof(double) * n * n);
		double	   *b = at_calloc(a, sizeof(double) * n);

		for (size_t i = 0; i < n; i++)
			A[i * n + i] = 1;
		for (size_t s = 0; s < ns; s++)
		{
			if (idx[s] < 0 || sys->out[s] == 0)
				continue;
			for (size_t t = sys->first[s]; t < sys->first[s + 1]; t++)
			{
				double		p = (double) m->counts[t] / sys->out[s];

				if (sys->to[t] == -1)
					b[idx[s]] += p;
				else if (sys->to[t] >= 0 && idx[sys->to[t]] >= 0)
					A[idx[s] * n + idx[sys->to[t]]] -= p;
			}
		}
		*result = solve_dense(A, b, n, check);
		a->release(a->ctx, A);
		a->release(a->ctx, b);
	}
	else
	{
		/*
		 * Gauss-Seidel from 0: the iterates rise monotonically to the
		 * absorption probabilities.  Stop when the change, extrapolated by
		 * the observed contraction rate, is below 1e-13.
		 */
		double	   *x = at_calloc(a, sizeof(double) * ns);
		double		prev = 0;
		bool		ok = false;

		for (long sweep = 0; sweep < 1000000; sweep++)
		{
			double		delta = 0;

			if (check)
				check();
			for (size_t s = 0; s < ns; s++)
			{
				double		acc = 0,
							self = 0,
							v;

				if (idx[s] < 0 || sys->out[s] == 0)
					continue;
				for (size_t t = sys->first[s]; t < sys->first[s + 1]; t++)
				{
					double		p = (double) m->counts[t] / sys->out[s];
					int64_t		to = sys->to[t];

					if (to == -1)
						acc += p;
					else if (to == (int64_t) s)
						self += p;
					else if (to >= 0 && idx[to] >= 0)
						acc += p * x[to];
				}
				v = self < 1 ? acc / (1 - self) : 0;
				if (fabs(v - x[s]) > delta)
					delta = fabs(v - x[s]);
				x[s] = v;
			}
			if (delta == 0 ||
				(sweep > 2 && delta < prev && delta * (delta / prev) / (1 - delta / prev) < 1e-13))
			{
				ok = true;
				break;
			}
			prev = delta;
		}
		*result = x[0];
		a->release(a->ctx, x);
		if (!ok)
		{
			*err = "the iterative solve did not converge in 1,000,000 sweeps";
			a->release(a->ctx, idx);
			return false;
		}
	}
	a->release(a->ctx, idx);
	return true;
}

bool
mk_removal_effects(const mk_chain *m, const at_alloc *a, mk_result *res,
				   void (*check) (void), const char **err)
{
	size_t		kl = klen(m);
	mk_system	sys;
	bool		ok = true;

	res->re = at_calloc(a, sizeof(double) * (m->dict.n + 1));
	res->p_full = 0;
	res->nstates = 0;
	if (m->n == 0)
		return true;
	/* distinct from-states, in order (the transitions are sorted by them) */
	sys.state = at_malloc(a, sizeof(int32_t *) * m->n);
	sys.first = at_malloc(a, sizeof(size_t) * (m->n + 1));
	sys.ns = 0;
	for (size_t i = 0; i < m->n; i++)
	{
		if (check && (i % 65536) == 0)
			check();
		if (i == 0 || state_cmp(&m->keys[(i - 1) * kl], &m->keys[i * kl], m->order) != 0)
		{
			sys.state[sys.ns] = &m->keys[i * kl];
			sys.first[sys.ns++] = i;
		}
	}
	sys.first[sys.ns] = m->n;
	sys.to = at_malloc(a, sizeof(int64_t) * m->n);
	sys.out = at_calloc(a, sizeof(double) * sys.ns);
	for (size_t s = 0; s < sys.ns; s++)
	{
		if (check && (s % 4096) == 0)
			check();
		for (size_t t = sys.first[s]; t < sys.first[s + 1]; t++)
		{
			const int32_t *to = &m->keys[t * kl + m->order];

			sys.out[s] += (double) m->counts[t];
			if (to[0] == MK_CONV)
				sys.to[t] = -1;
			else if (to[0] == MK_NULL)
				sys.to[t] = -2;
			else
				sys.to[t] = find_state(&sys, to, m->order);	/* -2: a dead end */
		}
	}
	res->nstates = sys.ns;
	if (sys.state[0][0] != MK_START)
		goto done;				/* nothing leaves START: P = 0 */
	ok = absorb(m, &sys, -1, a, check, &res->p_full, err);
	for (int32_t c = 0; ok && c < m->dict.n; c++)
	{
		double		pr = 0;

		ok = absorb(m, &sys, c, a, check, &pr, err);
		res->re[c] = res->p_full > 0 ? 1 - pr / res->p_full : 0;
		/* removing a channel can only lower P; keep rounding from going below 0 */
		if (res->re[c] < 0)
			res->re[c] = 0;
	}
done:
	a->release(a->ctx, sys.state);
	a->release(a->ctx, sys.first);
	a->release(a->ctx, sys.to);
	a->release(a->ctx, sys.out);
	return ok;
}
