/*
 * resolve.c — see resolve.h.
 */
#include "identity/resolve.h"
#include "identity/msort.h"

#include <string.h>

#define OVER UINT32_MAX			/* set length of a person past its limit */

void
idr_init(idr_state *s, core_host *m)
{
	memset(s, 0, sizeof(*s));
	s->m = m;
	strtab_init(&s->recs, m);
	strtab_init(&s->vals, m);
	strtab_init(&s->types, m);
	s->ecap = 4096;
	s->e_rec = CORE_ALLOC(m, s->ecap * sizeof(uint32_t));
	s->e_val = CORE_ALLOC(m, s->ecap * sizeof(uint32_t));
}

void
idr_free(idr_state *s)
{
	strtab_free(&s->recs);
	strtab_free(&s->vals);
	strtab_free(&s->types);
	CORE_FREE(s->m, s->e_rec);
	CORE_FREE(s->m, s->e_val);
	CORE_FREE(s->m, s->p_rec);
	CORE_FREE(s->m, s->p_old);
	CORE_FREE(s->m, s->rec_order);
	CORE_FREE(s->m, s->person);
	CORE_FREE(s->m, s->refused_by_type);
}

bool
idr_blank(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *) s;
	size_t		i = 0;

	while (i < len)
	{
		if (p[i] == ' ' || (p[i] >= '\t' && p[i] <= '\r'))
			i++;
		else if (i + 2 < len && p[i] == 0xE3 && p[i + 1] == 0x80 && p[i + 2] == 0x80)
			i += 3;				/* U+3000 ideographic space */
		else
			return false;
	}
	return true;
}

idr_err
idr_add(idr_state *s, const char *rec, size_t rlen,
		const char *type, size_t tlen, const char *val, size_t vlen)
{
	uint32_t	r = strtab_intern(&s->recs, 0, rec, rlen),
				t,
				v;

	if (r == UINT32_MAX)
		return IDR_TOO_MANY;
	if (type == NULL || val == NULL)
		return IDR_OK;
	t = strtab_intern(&s->types, 0, type, tlen);
	v = t == UINT32_MAX ? UINT32_MAX : strtab_intern(&s->vals, t, val, vlen);
	if (v == UINT32_MAX)
		return IDR_TOO_MANY;
	if (s->ne == s->ecap)
	{
		if (s->ecap >= ((size_t) 1 << 32) - 2)
			return IDR_TOO_MANY;
		s->ecap *= 2;
		s->e_rec = CORE_REALLOC(s->m, s->e_rec, s->ecap * sizeof(uint32_t));
		s->e_val = CORE_REALLOC(s->m, s->e_val, s->ecap * sizeof(uint32_t));
	}
	s->e_rec[s->ne] = r;
	s->e_val[s->ne] = v;
	s->ne++;
	return IDR_OK;
}

/*
 * The interning of a batch is a software pipeline: row i is hashed and its
 * two hash slots prefetched; STEP rows later the slots are read and the
 * entries they name prefetched; STEP rows after that the entries are read and
 * the strings' bytes prefetched; STEP rows after that the row is interned,
 * its chain of misses (slot, entry, bytes) already under way.  Rows are still
 * interned in their order, so the ids are those of idr_add one by one.
 */
#define STEP 8
#define AHEAD (3 * STEP)

static bool
add_edge(idr_state *s, uint32_t r, uint32_t v)
{
	if (s->ne == s->ecap)
	{
		if (s->ecap >= ((size_t) 1 << 32) - 2)
			return false;
		s->ecap *= 2;
		s->e_rec = CORE_REALLOC(s->m, s->e_rec, s->ecap * sizeof(uint32_t));
		s->e_val = CORE_REALLOC(s->m, s->e_val, s->ecap * sizeof(uint32_t));
	}
	s->e_rec[s->ne] = r;
	s->e_val[s->ne] = v;
	s->ne++;
	return true;
}

void
idr_reserve(idr_state *s, uint64_t rows)
{
	/* a wrong estimate must not cost much: at most 2^24 rows' worth */
	uint32_t	n = rows > (1u << 24) ? (1u << 24) : (uint32_t) rows;

	if (n < 4096 || s->ne != 0 || s->recs.n != 0)
		return;
	/* identifier rows usually name each record more than once */
	strtab_reserve(&s->recs, n / 2, (size_t) n / 2 * 8);
	strtab_reserve(&s->vals, n, (size_t) n * 8);
	s->ecap = n;
	s->e_rec = CORE_REALLOC(s->m, s->e_rec, s->ecap * sizeof(uint32_t));
	s->e_val = CORE_REALLOC(s->m, s->e_val, s->ecap * sizeof(uint32_t));
}

idr_err
idr_add_rows(idr_state *s, const idr_row *rows, int n)
{
	uint32_t	rh[AHEAD],
				vh[AHEAD],
				vt[AHEAD];
	const char *last_type = NULL;	/* rows often come grouped by type */
	size_t		last_tlen = 0;
	uint32_t	last_t = UINT32_MAX;

	for (int i = 0; i < n + AHEAD; i++)
	{
		int			j;

		/* intern row i - AHEAD */
		if ((j = i - AHEAD) >= 0)
		{
			const idr_row *w = &rows[j];
			int			k = j % AHEAD;
			uint32_t	r = strtab_intern_hashed(&s->recs, rh[k], 0, w->rec, w->rlen),
						v;

			if (r == UINT32_MAX)
				return IDR_TOO_MANY;
			/* vt UINT32_MAX: the row only makes its record exist */
			if (vt[k] != UINT32_MAX &&
				((v = strtab_intern_hashed(&s->vals, vh[k], vt[k], w->val, w->vlen)) == UINT32_MAX ||
				 !add_edge(s, r, v)))
				return IDR_TOO_MANY;
		}
		/* the bytes of row i - 2 STEP, the entries of row i - STEP */
		if ((j = i - 2 * STEP) >= 0 && j < n)
		{
			int			k = j % AHEAD;

			strtab_prefetch_bytes(&s->recs, rh[k]);
			if (vt[k] != UINT32_MAX)
				strtab_prefetch_bytes(&s->vals, vh[k]);
		}
		if ((j = i - STEP) >= 0 && j < n)
		{
			int			k = j % AHEAD;

			strtab_prefetch_entry(&s->recs, rh[k]);
			if (vt[k] != UINT32_MAX)
				strtab_prefetch_entry(&s->vals, vh[k]);
		}
		/* hash row i, fetch its slots */
		if (i < n)
		{
			const idr_row *w = &rows[i];
			int			k = i % AHEAD;

			rh[k] = strtab_hash(0, w->rec, w->rlen);
			strtab_prefetch(&s->recs, rh[k]);
			vt[k] = UINT32_MAX;
			if (w->type && w->val)
			{
				if (last_type && w->tlen == last_tlen && memcmp(w->type, last_type, last_tlen) == 0)
					vt[k] = last_t;
				else
				{
					vt[k] = strtab_intern(&s->types, 0, w->type, w->tlen);
					if (vt[k] == UINT32_MAX)
						return IDR_TOO_MANY;
					last_type = w->type;
					last_tlen = w->tlen;
					last_t = vt[k];
				}
				vh[k] = strtab_hash(vt[k], w->val, w->vlen);
				strtab_prefetch(&s->vals, vh[k]);
			}
		}
	}
	return IDR_OK;
}

idr_err
idr_add_previous(idr_state *s, const char *rec, size_t rlen, int64_t person_id)
{
	uint32_t	r = strtab_lookup(&s->recs, 0, rec, rlen);

	if (!s->has_prev || person_id > s->max_old)
		s->max_old = person_id;
	s->has_prev = true;
	if (r == UINT32_MAX)
		return IDR_OK;			/* a record gone since: only its id counts */
	if (s->np == s->pcap)
	{
		if (s->pcap >= ((size_t) 1 << 32) - 2)
			return IDR_TOO_MANY;
		s->pcap = s->pcap ? s->pcap * 2 : 4096;
		s->p_rec = CORE_REALLOC(s->m, s->p_rec, s->pcap * sizeof(uint32_t));
		s->p_old = CORE_REALLOC(s->m, s->p_old, s->pcap * sizeof(int64_t));
	}
	s->p_rec[s->np] = r;
	s->p_old[s->np] = person_id;
	s->np++;
	return IDR_OK;
}

/* ---- union-find ---------------------------------------------------------- */

static inline uint32_t
uf_find(uint32_t *parent, uint32_t x)
{
	uint32_t	root = x;

	while (parent[root] != root)
		root = parent[root];
	while (parent[x] != root)	/* path compression */
	{
		uint32_t	next = parent[x];

		parent[x] = root;
		x = next;
	}
	return root;
}

/* ---- per-person value sets of a limited type ------------------------------
 * pool[p] = capacity, pool[p + 1] = length (OVER past the limit), then the
 * value ranks, ascending.  p = 0 is the empty set. */
typedef struct vset
{
	uint32_t   *pool;
	size_t		len,
				cap;
	uint32_t   *of;				/* by record rank (a root's entry is its person's) */
	uint32_t	limit;			/* capped at the number of values of the type */
	uint32_t   *tmp;			/* limit + 1 */
	uint32_t	type;
} vset;

static uint32_t
vset_new(core_host *m, vset *v, uint32_t cap)
{
	size_t		p = v->len;

	if (v->len + cap + 2 > v->cap)
	{
		while (v->len + cap + 2 > v->cap)
			v->cap *= 2;
		v->pool = CORE_REALLOC(m, v->pool, v->cap * sizeof(uint32_t));
	}
	v->pool[p] = cap;
	v->pool[p + 1] = 0;
	v->len += cap + 2;
	return (uint32_t) p;
}

/* distinct values of the union into tmp; OVER when past the limit */
static uint32_t
vset_union(vset *v, uint32_t a, uint32_t b)
{
	const uint32_t *pa,
			   *pb;
	uint32_t	na,
				nb,
				i = 0,
				j = 0,
				n = 0;

	na = v->pool[a + 1];
	nb = v->pool[b + 1];
	if (na == OVER || nb == OVER)
		return OVER;
	pa = v->pool + a + 2;
	pb = v->pool + b + 2;
	while (i < na || j < nb)
	{
		uint32_t	x;

		if (j >= nb || (i < na && pa[i] < pb[j]))
			x = pa[i++];
		else if (i >= na || pb[j] < pa[i])
			x = pb[j++];
		else
		{
			x = pa[i++];
			j++;
		}
		if (n == v->limit)
			return OVER;
		v->tmp[n++] = x;
	}
	return n;
}

/* ---- the algorithm -------------------------------------------------------- */

typedef struct prow
{
	int64_t		old;
	uint32_t	person;
	uint32_t	pad;
} prow;

static int
prow_cmp(const void *pa, const void *pb, void *arg)
{
	const prow *a = pa,
			   *b = pb;

	(void) arg;
	if (a->person != b->person)
		return a->person < b->person ? -1 : 1;
	return a->old < b->old ? -1 : a->old > b->old;
}

typedef struct proposal
{
	int64_t		old;
	uint64_t	count;
	uint32_t	person;
	uint32_t	pad;
} proposal;

static int
proposal_cmp(const void *pa, const void *pb, void *arg)
{
	const proposal *a = pa,
			   *b = pb;

	(void) arg;
	if (a->old != b->old)
		return a->old < b->old ? -1 : 1;
	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	return a->person < b->person ? -1 : a->person > b->person;
}

/* Final ids of persons 1..np (numbered by smallest record) from the earlier run. */
static idr_err
stable_ids(idr_state *s, const uint32_t *rrank, const uint32_t *pnum_of_rank,
		   uint32_t np, int64_t *final)
{
	core_host  *m = s->m;
	prow	   *rows = CORE_ALLOC(m, s->np * sizeof(prow));
	proposal   *props = CORE_ALLOC(m, (size_t) (np ? np : 1) * sizeof(proposal));
	uint32_t	nprops = 0;
	int64_t		next;
	uint8_t    *has;

	for (size_t i = 0; i < s->np; i++)
	{
		rows[i].person = pnum_of_rank[rrank[s->p_rec[i]]];
		rows[i].old = s->p_old[i];
		rows[i].pad = 0;
	}
	msort(rows, s->np, sizeof(prow), prow_cmp, NULL, m);
	/* each person proposes its most held earlier id (ties: the smaller) */
	for (size_t i = 0; i < s->np;)
	{
		uint32_t	p = rows[i].person;
		int64_t		best = 0;
		uint64_t	bestn = 0;

		while (i < s->np && rows[i].person == p)
		{
			size_t		j = i;

			while (j < s->np && rows[j].person == p && rows[j].old == rows[i].old)
				j++;
			if (j - i > bestn)
			{
				bestn = j - i;
				best = rows[i].old;
			}
			i = j;
		}
		props[nprops].old = best;
		props[nprops].count = bestn;
		props[nprops].person = p;
		props[nprops].pad = 0;
		nprops++;
	}
	CORE_FREE(m, rows);
	/* an id proposed by several goes to the most holding, then smallest person */
	msort(props, nprops, sizeof(proposal), proposal_cmp, NULL, m);
	has = CORE_ALLOC(m, (size_t) np + 1);
	memset(has, 0, (size_t) np + 1);
	for (uint32_t i = 0; i < nprops; i++)
		if (i == 0 || props[i].old != props[i - 1].old)
		{
			final[props[i].person] = props[i].old;
			has[props[i].person] = 1;
			s->stats.kept_ids++;
		}
	CORE_FREE(m, props);
	/* the rest: new ids above every earlier one */
	next = s->max_old;
	for (uint32_t p = 1; p <= np; p++)
	{
		if (has[p])
			continue;
		if (next == INT64_MAX)
			return IDR_ID_OVERFLOW;
		final[p] = ++next;
	}
	CORE_FREE(m, has);
	return IDR_OK;
}

/*
 * The spec's join, in its order: values by (type priority, bytes), each
 * value's records by bytes, joins refused past a limit.  parent/size: by
 * record rank, every record its own person.
 */
static void
join_ordered(idr_state *s, const idr_rules *rules, const uint32_t *trank,
			 const int64_t *tlimit, const int64_t *tmax, const uint32_t *rrank,
			 uint32_t *parent, uint32_t *size)
{
	core_host  *m = s->m;
	uint32_t	R = s->recs.n,
				V = s->vals.n,
				T = s->types.n;
	uint32_t   *vrank,
			   *vtype;			/* by value rank: the type id */
	uint32_t   *vstart,
			   *vrec;
	uint8_t    *ignored;
	vset	   *sets = NULL;
	int			nsets = 0;
	size_t		work = 0;

	{
		uint32_t   *vorder = CORE_ALLOC(m, (size_t) V * sizeof(uint32_t));

		vrank = CORE_ALLOC(m, (size_t) V * sizeof(uint32_t));
		strtab_sort(&s->vals, trank, vorder, vrank);
		vtype = vorder;			/* reuse: rank -> type id */
		for (uint32_t k = 0; k < V; k++)
			vtype[k] = strtab_tag(&s->vals, vorder[k]);
	}

	/* edges sorted by (value rank, record rank): two stable counting passes */
	{
		size_t		ne = s->ne;
		uint32_t   *cnt = CORE_ALLOC(m, ((size_t) (R > V ? R : V) + 1) * sizeof(uint32_t));
		uint32_t   *t_rec = CORE_ALLOC(m, ne * sizeof(uint32_t));
		uint32_t   *t_val = CORE_ALLOC(m, ne * sizeof(uint32_t));
		uint32_t	sum = 0;

		memset(cnt, 0, ((size_t) R + 1) * sizeof(uint32_t));
		for (size_t i = 0; i < ne; i++)
		{
			s->e_rec[i] = rrank[s->e_rec[i]];
			s->e_val[i] = vrank[s->e_val[i]];
			cnt[s->e_rec[i]]++;
		}
		CORE_TICK(m);
		for (uint32_t r = 0; r < R; r++)
		{
			uint32_t	c = cnt[r];

			cnt[r] = sum;
			sum += c;
		}
		for (size_t i = 0; i < ne; i++)
		{
			uint32_t	k = cnt[s->e_rec[i]]++;

			t_rec[k] = s->e_rec[i];
			t_val[k] = s->e_val[i];
		}
		CORE_TICK(m);
		CORE_FREE(m, s->e_rec);
		CORE_FREE(m, s->e_val);
		s->e_rec = s->e_val = NULL;

		vstart = CORE_ALLOC(m, ((size_t) V + 1) * sizeof(uint32_t));
		vrec = CORE_ALLOC(m, (ne ? ne : 1) * sizeof(uint32_t));
		memset(vstart, 0, ((size_t) V + 1) * sizeof(uint32_t));
		for (size_t i = 0; i < ne; i++)
			vstart[t_val[i] + 1]++;
		for (uint32_t v = 0; v < V; v++)
			vstart[v + 1] += vstart[v];
		memcpy(cnt, vstart, (size_t) V * sizeof(uint32_t));
		for (size_t i = 0; i < ne; i++)
			vrec[cnt[t_val[i]]++] = t_rec[i];
		CORE_TICK(m);
		CORE_FREE(m, t_rec);
		CORE_FREE(m, t_val);
		CORE_FREE(m, cnt);

		/* a record carrying a value twice counts once */
		{
			uint32_t	w = 0;

			for (uint32_t v = 0; v < V; v++)
			{
				uint32_t	b = vstart[v],
							e = vstart[v + 1];

				vstart[v] = w;
				for (uint32_t i = b; i < e; i++)
					if (i == b || vrec[i] != vrec[i - 1])
						vrec[w++] = vrec[i];
			}
			vstart[V] = w;
		}
	}

	/* values that link nothing */
	ignored = CORE_ALLOC(m, V ? V : 1);
	memset(ignored, 0, V);
	{
		strtab		blocked;

		strtab_init(&blocked, m);
		for (int i = 0; i < rules->nblocked; i++)
			strtab_intern(&blocked, 0, rules->blocked[i], rules->blocked_len[i]);
		for (uint32_t id = 0; id < V; id++)
		{
			uint32_t	k = vrank[id];
			const char *str = strtab_str(&s->vals, id);
			uint32_t	len = strtab_len(&s->vals, id);
			uint32_t	n = vstart[k + 1] - vstart[k];
			int64_t		mx = tmax[vtype[k]];

			if (idr_blank(str, len))
			{
				ignored[k] = 1;
				s->stats.blank++;
			}
			else if (rules->nblocked && strtab_lookup(&blocked, 0, str, len) != UINT32_MAX)
			{
				ignored[k] = 1;
				s->stats.blocked++;
			}
			else if (mx != IDR_NONE && (int64_t) n > mx)
			{
				ignored[k] = 1;
				s->stats.supernodes++;
				s->stats.supernode_links += n;
			}
			if ((work += 8) >= CORE_TICK_EVERY)
			{
				work = 0;
				CORE_TICK(m);
			}
		}
		strtab_free(&blocked);
	}
	CORE_FREE(m, vrank);

	/* the value sets of each limited type, per record */
	for (uint32_t t = 0; t < T; t++)
		if (tlimit[t] != IDR_NONE)
			nsets++;
	if (nsets)
		sets = CORE_ALLOC(m, nsets * sizeof(vset));
	nsets = 0;
	for (uint32_t t = 0; t < T; t++)
	{
		vset	   *v;
		uint32_t	nvals = 0;

		if (tlimit[t] == IDR_NONE)
			continue;
		v = &sets[nsets++];
		v->type = t;
		for (uint32_t k = 0; k < V; k++)
			if (vtype[k] == t && !ignored[k])
				nvals++;
		v->limit = (uint32_t) (tlimit[t] < (int64_t) nvals ? tlimit[t] : nvals);
		v->tmp = CORE_ALLOC(m, ((size_t) v->limit + 1) * sizeof(uint32_t));
		v->cap = 1024;
		v->len = 2;				/* offset 0: the empty set */
		v->pool = CORE_ALLOC(m, v->cap * sizeof(uint32_t));
		v->pool[0] = 0;
		v->pool[1] = 0;
		v->of = CORE_ALLOC(m, ((size_t) R ? R : 1) * sizeof(uint32_t));
		memset(v->of, 0, (size_t) R * sizeof(uint32_t));
		for (uint32_t k = 0; k < V; k++)
		{
			if (vtype[k] != t || ignored[k])
				continue;
			for (uint32_t i = vstart[k]; i < vstart[k + 1]; i++)
			{
				uint32_t	r = vrec[i];
				uint32_t	p = v->of[r];
				uint32_t	n;

				if (p == 0)
					p = v->of[r] = vset_new(m, v, 1);
				n = v->pool[p + 1];
				if (n == OVER)
					continue;
				if (n == v->limit)
				{
					v->pool[p + 1] = OVER;	/* a single record past the limit */
					continue;
				}
				if (n == v->pool[p])
				{
					uint32_t	cap = n * 2 < v->limit ? n * 2 : v->limit;
					uint32_t	q = vset_new(m, v, cap);

					memcpy(v->pool + q + 1, v->pool + p + 1, (n + 1) * sizeof(uint32_t));
					v->of[r] = p = q;
				}
				v->pool[p + 2 + n] = k;
				v->pool[p + 1] = n + 1;
			}
			if ((work += vstart[k + 1] - vstart[k] + 1) >= CORE_TICK_EVERY)
			{
				work = 0;
				CORE_TICK(m);
			}
		}
	}

	/* join */
	for (uint32_t k = 0; k < V; k++)
	{
		uint32_t	b = vstart[k],
					e = vstart[k + 1];

		if ((work += e - b + 1) >= CORE_TICK_EVERY)
		{
			work = 0;
			CORE_TICK(m);
		}
		if (ignored[k] || e - b < 2)
			continue;
		for (uint32_t i = b + 1; i < e; i++)
		{
			uint32_t	x = uf_find(parent, vrec[b]);
			uint32_t	y = uf_find(parent, vrec[i]);
			uint32_t	root,
						other;
			int			refused = -1;

			if (x == y)
				continue;
			for (int j = 0; j < nsets && refused < 0; j++)
			{
				vset	   *v = &sets[j];

				if (v->of[x] && v->of[y] && vset_union(v, v->of[x], v->of[y]) == OVER)
					refused = j;
				else if ((v->of[x] && v->pool[v->of[x] + 1] == OVER) ||
						 (v->of[y] && v->pool[v->of[y] + 1] == OVER))
					refused = j;
			}
			if (refused >= 0)
			{
				s->stats.refused++;
				s->refused_by_type[sets[refused].type]++;
				continue;
			}
			root = size[x] >= size[y] ? x : y;
			other = root == x ? y : x;
			parent[other] = root;
			size[root] += size[other];
			for (int j = 0; j < nsets; j++)
			{
				vset	   *v = &sets[j];
				uint32_t	pr = v->of[root],
							po = v->of[other],
							n;

				if (po == 0)
					continue;
				if (pr == 0)
				{
					v->of[root] = po;
					continue;
				}
				n = vset_union(v, pr, po);
				if (n > v->pool[pr])
				{
					if (n <= v->pool[po])
						v->of[root] = pr = po;
					else
						v->of[root] = pr = vset_new(m, v, n * 2 < v->limit ? n * 2 : v->limit);
				}
				memcpy(v->pool + pr + 2, v->tmp, n * sizeof(uint32_t));
				v->pool[pr + 1] = n;
			}
		}
	}
	for (int j = 0; j < nsets; j++)
	{
		CORE_FREE(m, sets[j].pool);
		CORE_FREE(m, sets[j].of);
		CORE_FREE(m, sets[j].tmp);
	}
	CORE_FREE(m, sets);
	CORE_FREE(m, vstart);
	CORE_FREE(m, vrec);
	CORE_FREE(m, ignored);
	CORE_FREE(m, vtype);
}

/*
 * Without limits or max_records: one pass over the edges in arrival order,
 * each record joined to the first record seen with the value (union by size
 * on record ids), then the roots expressed as record ranks in parent[].
 */
static void
join_unordered(idr_state *s, const idr_rules *rules, const uint32_t *rrank,
			   uint32_t *parent, uint32_t *size)
{
	core_host  *m = s->m;
	uint32_t	R = s->recs.n,
				V = s->vals.n;
	/* one block for both (see idr_resolve) */
	uint32_t   *first = CORE_ALLOC(m, ((size_t) V + R) * sizeof(uint32_t));
	uint32_t   *up = first + V;
	size_t		work = 0;

	/* values that link nothing: first = UINT32_MAX - 1; unseen: UINT32_MAX */
	{
		strtab		blocked;

		strtab_init(&blocked, m);
		for (int i = 0; i < rules->nblocked; i++)
			strtab_intern(&blocked, 0, rules->blocked[i], rules->blocked_len[i]);
		for (uint32_t v = 0; v < V; v++)
		{
			const char *str = strtab_str(&s->vals, v);
			uint32_t	len = strtab_len(&s->vals, v);

			first[v] = UINT32_MAX;
			if (idr_blank(str, len))
			{
				first[v] = UINT32_MAX - 1;
				s->stats.blank++;
			}
			else if (rules->nblocked && strtab_lookup(&blocked, 0, str, len) != UINT32_MAX)
			{
				first[v] = UINT32_MAX - 1;
				s->stats.blocked++;
			}
			if ((work += 8) >= CORE_TICK_EVERY)
			{
				work = 0;
				CORE_TICK(m);
			}
		}
		strtab_free(&blocked);
	}
	/* size[] is by rank in the caller, but here only sizes matter: by id */
	for (uint32_t r = 0; r < R; r++)
		up[r] = r;
	for (size_t i = 0; i < s->ne; i++)
	{
		uint32_t	v = s->e_val[i],
					r = s->e_rec[i],
					f = first[v],
					x,
					y;

		if (f == UINT32_MAX - 1)
			continue;
		if (f == UINT32_MAX)
		{
			first[v] = r;
			continue;
		}
		x = uf_find(up, f);
		y = uf_find(up, r);
		if (x != y)
		{
			if (size[x] < size[y])
			{
				uint32_t	t = x;

				x = y;
				y = t;
			}
			up[y] = x;
			size[x] += size[y];
		}
		if ((++work & (CORE_TICK_EVERY - 1)) == 0)
			CORE_TICK(m);
	}
	CORE_FREE(m, s->e_rec);
	CORE_FREE(m, s->e_val);
	s->e_rec = s->e_val = NULL;
	/* a record's person root, as a rank (a root's rank maps to itself) */
	for (uint32_t k = 0; k < R; k++)
		parent[k] = rrank[uf_find(up, s->rec_order[k])];
	CORE_FREE(m, first);
}

idr_err
idr_resolve(idr_state *s, const idr_rules *rules)
{
	core_host  *m = s->m;
	uint32_t	R = s->recs.n,
				T;
	uint32_t   *trank,
			   *rrank;
	int64_t    *tlimit,
			   *tmax;
	uint32_t   *parent,
			   *size;

	/* rule types exist even when no row carries them */
	for (int i = 0; i < rules->ntypes; i++)
		if (strtab_intern(&s->types, 0, rules->types[i].name, rules->types[i].len) == UINT32_MAX)
			return IDR_TOO_MANY;
	T = s->types.n;
	/* reading is over: the hash indexes of records and values go */
	strtab_drop_index(&s->recs);
	strtab_drop_index(&s->vals);

	/* type priority: the rules' order, then the others by name bytes */
	trank = CORE_ALLOC(m, (size_t) T * sizeof(uint32_t));
	tlimit = CORE_ALLOC(m, (size_t) T * sizeof(int64_t));
	tmax = CORE_ALLOC(m, (size_t) T * sizeof(int64_t));
	{
		uint32_t   *order = CORE_ALLOC(m, (size_t) T * sizeof(uint32_t));
		uint8_t    *listed = CORE_ALLOC(m, T);
		uint32_t	k = 0;

		memset(listed, 0, T);
		for (uint32_t t = 0; t < T; t++)
		{
			tlimit[t] = IDR_NONE;
			tmax[t] = rules->max_records;
		}
		for (int i = 0; i < rules->ntypes; i++)
		{
			uint32_t	t = strtab_lookup(&s->types, 0, rules->types[i].name, rules->types[i].len);

			if (listed[t])
				continue;		/* the host rejects duplicates; keep the first */
			listed[t] = 1;
			trank[t] = k++;
			tlimit[t] = rules->types[i].limit;
			if (rules->types[i].max_records != IDR_NONE)
				tmax[t] = rules->types[i].max_records;
		}
		strtab_sort(&s->types, NULL, order, NULL);
		for (uint32_t i = 0; i < T; i++)
			if (!listed[order[i]])
				trank[order[i]] = k++;
		CORE_FREE(m, order);
		CORE_FREE(m, listed);
	}

	/* ranks: records by bytes, values by (type priority, bytes) */
	/*
	 * Arrays of a phase are allocated in pairs, one block each (rec_order
	 * and rrank, parent and size, first and up): the host keeps big freed
	 * blocks (here the hash slots, then the sort's buffers) for requests of
	 * at least a quarter of their size, and a miss gives them all back.
	 * Separately, the first array of 17 MB took the 64 MB slots and the
	 * second missed the 128 MB ones, which went back to the kernel while
	 * the sort's two 104 MB buffers came fresh: a page fault per 4 kB.
	 * Paired, only one of those buffers is fresh.
	 */
	s->rec_order = CORE_ALLOC(m, (size_t) R * 2 * sizeof(uint32_t));
	rrank = s->rec_order + R;
	strtab_sort(&s->recs, NULL, s->rec_order, rrank);
	/* join */
	s->refused_by_type = CORE_ALLOC(m, (size_t) (T ? T : 1) * sizeof(uint64_t));
	memset(s->refused_by_type, 0, (size_t) T * sizeof(uint64_t));
	parent = CORE_ALLOC(m, (size_t) R * 2 * sizeof(uint32_t));
	size = parent + R;
	for (uint32_t r = 0; r < R; r++)
	{
		parent[r] = r;
		size[r] = 1;
	}
	{
		bool		ordered = false;

		/*
		 * Without limits no join is ever refused, so the persons are the
		 * connected components whatever the order of the joins: the values
		 * need no sort.  max_records needs each value's distinct records.
		 */
		for (uint32_t t = 0; t < T; t++)
			if (tlimit[t] != IDR_NONE || tmax[t] != IDR_NONE)
				ordered = true;
		if (ordered)
			join_ordered(s, rules, trank, tlimit, tmax, rrank, parent, size);
		else
			join_unordered(s, rules, rrank, parent, size);
	}
	CORE_FREE(m, trank);
	CORE_FREE(m, tlimit);
	CORE_FREE(m, tmax);

	/* persons numbered by their smallest record; size[] becomes the number */
	{
		uint32_t	np = 0;
		uint32_t   *pnum = size;	/* by root; by rank below */
		int64_t    *final;

		for (uint32_t r = 0; r < R; r++)
			if (parent[r] == r)
				pnum[r] = 0;
		for (uint32_t r = 0; r < R; r++)
		{
			uint32_t	root = uf_find(parent, r);

			if (pnum[root] == 0)
				pnum[root] = ++np;
			parent[r] = root;	/* flat from here on */
		}
		for (uint32_t r = 0; r < R; r++)
			parent[r] = pnum[parent[r]];	/* rank -> person number */
		s->stats.persons = np;
		final = CORE_ALLOC(m, ((size_t) np + 1) * sizeof(int64_t));
		if (s->has_prev)
		{
			idr_err		err = stable_ids(s, rrank, parent, np, final);

			if (err != IDR_OK)
				return err;
		}
		else
			for (uint32_t p = 0; p <= np; p++)
				final[p] = p;
		s->person = CORE_ALLOC(m, ((size_t) R ? R : 1) * sizeof(int64_t));
		for (uint32_t r = 0; r < R; r++)
			s->person[r] = final[parent[r]];
		CORE_FREE(m, final);
	}
	CORE_FREE(m, parent);		/* and size; rrank goes with rec_order */
	return IDR_OK;
}
