/*
 * components.c — see components.h.
 */
#include "identity/components.h"
#include "identity/msort.h"

#include <string.h>

static inline uint32_t
hash64(int64_t k)
{
	uint64_t	h = (uint64_t) k;

	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return (uint32_t) h;
}

void
cc_init(cc_state *c, core_host *m)
{
	memset(c, 0, sizeof(*c));
	c->m = m;
	c->cap = 1024;
	c->key = CORE_ALLOC(m, c->cap * sizeof(int64_t));
	c->parent = CORE_ALLOC(m, c->cap * sizeof(uint32_t));
	c->size = CORE_ALLOC(m, c->cap * sizeof(uint32_t));
	c->nslots = 2048;
	c->slots = CORE_ALLOC(m, c->nslots * sizeof(uint32_t));
	memset(c->slots, 0, c->nslots * sizeof(uint32_t));
}

void
cc_free(cc_state *c)
{
	CORE_FREE(c->m, c->key);
	CORE_FREE(c->m, c->parent);
	CORE_FREE(c->m, c->size);
	CORE_FREE(c->m, c->slots);
	CORE_FREE(c->m, c->out);
}

static void
grow(cc_state *c)
{
	uint32_t	n = c->nslots * 2;
	uint32_t   *s = CORE_ALLOC(c->m, (size_t) n * sizeof(uint32_t));

	memset(s, 0, (size_t) n * sizeof(uint32_t));
	for (uint32_t e = 0; e < c->n; e++)
	{
		uint32_t	i = hash64(c->key[e]) & (n - 1);

		while (s[i])
			i = (i + 1) & (n - 1);
		s[i] = e + 1;
	}
	CORE_FREE(c->m, c->slots);
	c->slots = s;
	c->nslots = n;
}

/* dense id of node a, UINT32_MAX when full */
static uint32_t
node_id(cc_state *c, int64_t a)
{
	uint32_t	mask = c->nslots - 1;
	uint32_t	i = hash64(a) & mask;
	uint32_t	e;

	while (c->slots[i])
	{
		if (c->key[c->slots[i] - 1] == a)
			return c->slots[i] - 1;
		i = (i + 1) & mask;
	}
	if (c->n >= (1u << 31))
		return UINT32_MAX;
	if (c->n == c->cap)
	{
		c->cap *= 2;
		c->key = CORE_REALLOC(c->m, c->key, (size_t) c->cap * sizeof(int64_t));
		c->parent = CORE_REALLOC(c->m, c->parent, (size_t) c->cap * sizeof(uint32_t));
		c->size = CORE_REALLOC(c->m, c->size, (size_t) c->cap * sizeof(uint32_t));
	}
	e = c->n++;
	c->key[e] = a;
	c->parent[e] = e;
	c->size[e] = 1;
	c->slots[i] = e + 1;
	if ((uint64_t) c->n * 2 > c->nslots)
		grow(c);
	return e;
}

static inline uint32_t
find(uint32_t *parent, uint32_t x)
{
	uint32_t	root = x;

	while (parent[root] != root)
		root = parent[root];
	while (parent[x] != root)
	{
		uint32_t	next = parent[x];

		parent[x] = root;
		x = next;
	}
	return root;
}

bool
cc_node(cc_state *c, int64_t a)
{
	return node_id(c, a) != UINT32_MAX;
}

bool
cc_edge(cc_state *c, int64_t a, int64_t b)
{
	uint32_t	x = node_id(c, a),
				y;

	if (x == UINT32_MAX || (y = node_id(c, b)) == UINT32_MAX)
		return false;
	x = find(c->parent, x);
	y = find(c->parent, y);
	if (x == y)
		return true;
	if (c->size[x] < c->size[y])
	{
		uint32_t	t = x;

		x = y;
		y = t;
	}
	c->parent[y] = x;
	c->size[x] += c->size[y];
	return true;
}

static int
pair_cmp(const void *pa, const void *pb, void *arg)
{
	const int64_t *a = pa,
			   *b = pb;

	(void) arg;
	if (a[0] != b[0])
		return a[0] < b[0] ? -1 : 1;
	return a[1] < b[1] ? -1 : a[1] > b[1];
}

void
cc_finish(cc_state *c)
{
	int64_t    *minkey = c->key;	/* reused below: the key array is ours */
	int64_t    *out = CORE_ALLOC(c->m, ((size_t) c->n ? c->n : 1) * 2 * sizeof(int64_t));

	CORE_FREE(c->m, c->slots);
	c->slots = NULL;
	for (uint32_t e = 0; e < c->n; e++)
		out[2 * e + 1] = c->key[e];
	/* the smallest key of each root, kept in the root's key slot */
	for (uint32_t e = 0; e < c->n; e++)
	{
		uint32_t	r = find(c->parent, e);

		if (out[2 * e + 1] < minkey[r])
			minkey[r] = out[2 * e + 1];
		if ((e & (CORE_TICK_EVERY - 1)) == 0)
			CORE_TICK(c->m);
	}
	for (uint32_t e = 0; e < c->n; e++)
		out[2 * e] = minkey[c->parent[e]];
	msort(out, c->n, 2 * sizeof(int64_t), pair_cmp, NULL, c->m);
	c->out = out;
}
