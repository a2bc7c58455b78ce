/*
 * strtab.c — see strtab.h.
 */
#include "identity/strtab.h"
#include "identity/msort.h"

#include <string.h>
#ifdef __linux__
#include <sys/mman.h>
#endif

/*
 * Ask for transparent huge pages under the hash slots: every probe is a
 * random access into a table of up to hundreds of MB, so with 4 kB pages
 * nearly every probe also misses the TLB and walks the page tables.  Only
 * the slots: the entries and bytes are appended in order, and huge pages
 * under them measured slower (4.5 s against 3.9 s for 10.5M rows).
 * A hint; nothing depends on it being honoured.
 */
static void
huge(void *p, size_t n)
{
#if defined(__linux__) && defined(MADV_HUGEPAGE)
	uintptr_t	a = ((uintptr_t) p + (1 << 21) - 1) & ~(uintptr_t) ((1 << 21) - 1),
				b = ((uintptr_t) p + n) & ~(uintptr_t) ((1 << 21) - 1);

	if (b > a)
		(void) madvise((void *) a, b - a, MADV_HUGEPAGE);
#else
	(void) p;
	(void) n;
#endif
}

static inline uint64_t
load64(const unsigned char *p)
{
	uint64_t	w;

	memcpy(&w, p, 8);
	return w;
}

static inline uint64_t
load32(const unsigned char *p)
{
	uint32_t	w;

	memcpy(&w, p, 4);
	return w;
}

/* the two halves of the 128-bit product, folded */
static inline uint64_t
fold_mul(uint64_t a, uint64_t b)
{
	unsigned __int128 r = (unsigned __int128) a * b;

	return (uint64_t) r ^ (uint64_t) (r >> 64);
}

/*
 * Identifiers are mostly 4 to 16 bytes: those are read as two overlapping
 * words, with no loop and no variable-length copy (a call to memcpy per key:
 * the word-at-a-time hash this replaced took three times as long over the
 * benchmark's 21M keys), and mixed by one 64x64->128-bit multiplication.
 * Every byte is read; the length is mixed in.
 */
uint32_t
strtab_hash(uint32_t tag, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *) s;
	uint64_t	seed = 0x9E3779B97F4A7C15ULL ^ ((uint64_t) tag << 32) ^ len,
				a,
				b;

	if (len <= 16)
	{
		if (len >= 8)
		{
			a = load64(p);
			b = load64(p + len - 8);
		}
		else if (len >= 4)
		{
			a = load32(p);
			b = load32(p + len - 4);
		}
		else if (len > 0)
		{
			a = ((uint64_t) p[0] << 16) | ((uint64_t) p[len >> 1] << 8) | p[len - 1];
			b = 0;
		}
		else
			a = b = 0;
	}
	else
	{
		for (size_t i = 0; i + 16 < len; i += 16)
			seed = fold_mul(load64(p + i) ^ 0xa0761d6478bd642fULL, load64(p + i + 8) ^ seed);
		a = load64(p + len - 16);
		b = load64(p + len - 8);
	}
	return (uint32_t) fold_mul(a ^ 0xa0761d6478bd642fULL, b ^ seed ^ 0xe7037ed1a0b428dbULL);
}

void
strtab_init(strtab *t, core_host *m)
{
	memset(t, 0, sizeof(*t));
	t->m = m;
	t->buf_cap = 1 << 16;
	t->buf = CORE_ALLOC(m, t->buf_cap);
	t->cap = 1024;
	t->ent = CORE_ALLOC(m, t->cap * sizeof(strtab_ent));
	t->nslots = 2048;
	t->slots = CORE_ALLOC(m, t->nslots * sizeof(uint64_t));
	memset(t->slots, 0, t->nslots * sizeof(uint64_t));
}

/*
 * Zero a new slot array a chunk at a time, yielding to the host in between:
 * the first touch of hundreds of MB (page faults, huge-page clearing) can
 * take seconds on a busy VM, and a cancel must not wait for it.
 */
static void
zero_slots(strtab *t, uint64_t *s, uint32_t n)
{
	for (uint32_t i = 0; i < n; i += (1u << 20))
	{
		uint32_t	k = n - i < (1u << 20) ? n - i : (1u << 20);

		memset(s + i, 0, (size_t) k * sizeof(uint64_t));
		CORE_TICK(t->m);
	}
}

void
strtab_reserve(strtab *t, uint32_t n, size_t bytes)
{
	uint32_t	ns = t->nslots;

	if (t->n != 0)
		return;
	while ((uint64_t) n * 4 > (uint64_t) ns * 3 && ns < (1u << 30))
		ns *= 2;
	if (ns != t->nslots)
	{
		CORE_FREE(t->m, t->slots);
		t->slots = CORE_ALLOC(t->m, (size_t) ns * sizeof(uint64_t));
		huge(t->slots, (size_t) ns * sizeof(uint64_t));
		zero_slots(t, t->slots, ns);
		t->nslots = ns;
	}
	if (n > t->cap)
	{
		t->cap = n;
		t->ent = CORE_REALLOC(t->m, t->ent, (size_t) t->cap * sizeof(strtab_ent));
	}
	if (bytes > t->buf_cap)
	{
		t->buf_cap = bytes;
		t->buf = CORE_REALLOC(t->m, t->buf, t->buf_cap);
	}
}

void
strtab_free(strtab *t)
{
	CORE_FREE(t->m, t->buf);
	CORE_FREE(t->m, t->ent);
	CORE_FREE(t->m, t->slots);
	memset(t, 0, sizeof(*t));
}

void
strtab_drop_index(strtab *t)
{
	CORE_FREE(t->m, t->slots);
	t->slots = NULL;
	t->nslots = 0;
}

static uint32_t
find_slot(const strtab *t, uint32_t h, uint32_t tag, const char *s, size_t len, bool *found)
{
	uint32_t	mask = t->nslots - 1;
	uint32_t	i = h & mask;

	for (;;)
	{
		uint64_t	sl = t->slots[i];

		if (sl == 0)
		{
			*found = false;
			return i;
		}
		if ((uint32_t) (sl >> 32) == h)
		{
			const strtab_ent *e = &t->ent[(uint32_t) sl - 1];

			if (e->len == len && e->tag == tag &&
				memcmp(len <= STRTAB_INLINE ? e->s.bytes : t->buf + e->s.off, s, len) == 0)
			{
				*found = true;
				return i;
			}
		}
		i = (i + 1) & mask;
	}
}

uint32_t
strtab_lookup(const strtab *t, uint32_t tag, const char *s, size_t len)
{
	bool		found;
	uint32_t	i;

	if (len > UINT32_MAX)
		return UINT32_MAX;
	i = find_slot(t, strtab_hash(tag, s, len), tag, s, len, &found);
	return found ? (uint32_t) t->slots[i] - 1 : UINT32_MAX;
}

static void
grow_slots(strtab *t)
{
	uint32_t	n = t->nslots * 2;
	uint64_t   *s = CORE_ALLOC(t->m, (size_t) n * sizeof(uint64_t));

	huge(s, (size_t) n * sizeof(uint64_t));
	zero_slots(t, s, n);
	for (uint32_t k = 0; k < t->nslots; k++)
	{
		uint64_t	sl = t->slots[k];
		uint32_t	i;

		if ((k & (CORE_TICK_EVERY - 1)) == CORE_TICK_EVERY - 1)
			CORE_TICK(t->m);		/* (an error here abandons the whole table) */
		if (sl == 0)
			continue;
		i = (uint32_t) (sl >> 32) & (n - 1);
		while (s[i])
			i = (i + 1) & (n - 1);
		s[i] = sl;
	}
	CORE_FREE(t->m, t->slots);
	t->slots = s;
	t->nslots = n;
}

uint32_t
strtab_intern(strtab *t, uint32_t tag, const char *s, size_t len)
{
	if (len > UINT32_MAX)
		return UINT32_MAX;
	return strtab_intern_hashed(t, strtab_hash(tag, s, len), tag, s, len);
}

uint32_t
strtab_intern_hashed(strtab *t, uint32_t h, uint32_t tag, const char *s, size_t len)
{
	bool		found;
	uint32_t	i,
				e;

	if (len > UINT32_MAX)
		return UINT32_MAX;
	i = find_slot(t, h, tag, s, len, &found);
	if (found)
		return (uint32_t) t->slots[i] - 1;
	if (t->n >= UINT32_MAX - 1 || t->nslots >= (1u << 31))
		return UINT32_MAX;
	if (t->n == t->cap)
	{
		t->cap *= 2;
		t->ent = CORE_REALLOC(t->m, t->ent, (size_t) t->cap * sizeof(strtab_ent));
	}
	e = t->n++;
	if (len <= STRTAB_INLINE)
	{
		memset(t->ent[e].s.bytes, 0, STRTAB_INLINE);
		memcpy(t->ent[e].s.bytes, s, len);
	}
	else
	{
		if (t->buf_len + len > t->buf_cap)
		{
			while (t->buf_len + len > t->buf_cap)
				t->buf_cap *= 2;
			t->buf = CORE_REALLOC(t->m, t->buf, t->buf_cap);
		}
		memcpy(t->buf + t->buf_len, s, len);
		t->ent[e].s.off = t->buf_len;
		t->buf_len += len;
	}
	t->ent[e].len = (uint32_t) len;
	t->ent[e].tag = tag;
	t->slots[i] = ((uint64_t) h << 32) | (e + 1);
	if ((uint64_t) t->n * 4 > (uint64_t) t->nslots * 3)
		grow_slots(t);
	return e;
}

/*
 * sort items: rank, then 16 bytes of the string big-endian (zero-padded) at
 * the current depth, then all the bytes.  Ids share long prefixes
 * ("wx:mp:oM…"), so the items are sorted by an MSD radix sort over the bytes
 * of (rank, pfx, pfx2): one histogram pass per byte position, a scatter only
 * where the byte differs (a shared prefix costs a read, no move), small groups
 * by insertion.  A group still tied after its 16 bytes is re-keyed with the
 * next 16 bytes of its strings; only strings equal but for their length (or
 * too deep a recursion) go to the comparison sort.  No comparison callback per
 * pair, which made the sort of millions of ids the slowest step.
 */
typedef struct sitem
{
	uint64_t	pfx,
				pfx2;
	uint32_t	rank;
	uint32_t	id;
} sitem;

static int
sitem_cmp(const void *pa, const void *pb, void *arg)
{
	const sitem *a = pa,
			   *b = pb;
	const strtab *t = arg;

	if (a->rank != b->rank)
		return a->rank < b->rank ? -1 : 1;
	if (a->pfx != b->pfx)
		return a->pfx < b->pfx ? -1 : 1;
	if (a->pfx2 != b->pfx2)
		return a->pfx2 < b->pfx2 ? -1 : 1;
	return strtab_cmp_bytes(strtab_str(t, a->id), strtab_len(t, a->id),
							strtab_str(t, b->id), strtab_len(t, b->id));
}

/* the 16 bytes of string e from byte `from` on, big-endian, zero-padded */
static inline void
load_prefix(const strtab *t, sitem *it, size_t from)
{
	const strtab_ent *e = &t->ent[it->id];
	const unsigned char *s = (const unsigned char *) strtab_str(t, it->id);
	uint32_t	len = e->len;
	uint64_t	p = 0,
				p2 = 0;

	if (from == 0 && len <= STRTAB_INLINE)
	{
		/* inline bytes are stored zero-padded to 16: two loads */
		memcpy(&p, e->s.bytes, 8);
		memcpy(&p2, e->s.bytes + 8, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		p = __builtin_bswap64(p);
		p2 = __builtin_bswap64(p2);
#endif
		it->pfx = p;
		it->pfx2 = p2;
		return;
	}
	for (size_t k = from; k < from + 8; k++)
		p = (p << 8) | (k < len ? s[k] : 0);
	for (size_t k = from + 8; k < from + 16; k++)
		p2 = (p2 << 8) | (k < len ? s[k] : 0);
	it->pfx = p;
	it->pfx2 = p2;
}

/* byte `level` of the key: 0..3 rank, 4..11 pfx, 12..19 pfx2 (most significant first) */
static inline unsigned
key_byte(const sitem *it, int level)
{
	if (level < 4)
		return (it->rank >> (24 - 8 * level)) & 0xFF;
	if (level < 12)
		return (it->pfx >> (56 - 8 * (level - 4))) & 0xFF;
	return (it->pfx2 >> (56 - 8 * (level - 12))) & 0xFF;
}

#define RADIX_SMALL 24			/* groups up to this size: insertion sort */
#define RADIX_MAX_FRAMES 48		/* deeper: the comparison sort */

typedef struct rsort
{
	const strtab *t;
	sitem	   *tmp;
	size_t		work;
} rsort;

static void
insertion(sitem *a, size_t n, const strtab *t)
{
	for (size_t i = 1; i < n; i++)
	{
		sitem		x = a[i];
		size_t		j = i;

		while (j > 0 && sitem_cmp(&a[j - 1], &x, (void *) t) > 0)
		{
			a[j] = a[j - 1];
			j--;
		}
		a[j] = x;
	}
}

static void
tick(rsort *r, size_t n)
{
	if ((r->work += n) >= CORE_TICK_EVERY)
	{
		r->work = 0;
		CORE_TICK(r->t->m);
	}
}

/*
 * Sort a[0..n) whose items agree on every key byte before `level` and on
 * every string byte before `depth`.
 */
static void
radix(rsort *r, sitem *a, size_t n, int level, size_t depth, int frames)
{
	uint32_t	cnt[256],
				pos[256];

	for (;;)
	{
		unsigned	b0;
		bool		one = true;

		if (n <= RADIX_SMALL)
		{
			insertion(a, n, r->t);
			tick(r, n * 4);
			return;
		}
		if (level == 20)
		{
			/* tied on these 16 bytes: on to the next 16, unless all are used up */
			bool		longer = false;

			depth += 16;
			for (size_t i = 0; i < n; i++)
				if (strtab_len(r->t, a[i].id) > depth)
				{
					longer = true;
					break;
				}
			if (!longer || frames >= RADIX_MAX_FRAMES)
			{
				/* equal but for length (or too deep): compare */
				msort(a, n, sizeof(sitem), sitem_cmp, (void *) r->t, r->t->m);
				return;
			}
			for (size_t i = 0; i < n; i++)
				load_prefix(r->t, &a[i], depth);
			tick(r, n);
			level = 4;
		}
		memset(cnt, 0, sizeof(cnt));
		b0 = key_byte(&a[0], level);
		if (level >= 4)
		{
			/*
			 * A byte of pfx or pfx2: the same pass finds how many of the
			 * word's next bytes all items share (ids share long prefixes:
			 * "crm:C", "wx:oa:o"), so that a shared prefix costs one pass,
			 * not one per byte.
			 */
			bool		lo = level < 12;
			uint64_t	w0 = lo ? a[0].pfx : a[0].pfx2,
						diff = 0;

			for (size_t i = 0; i < n; i++)
			{
				uint64_t	w = lo ? a[i].pfx : a[i].pfx2;

				cnt[(w >> (56 - 8 * (level - (lo ? 4 : 12)))) & 0xFF]++;
				diff |= w ^ w0;
			}
			tick(r, n);
			if (diff == 0)
				level = lo ? 12 : 20;	/* the rest of the word is shared */
			else
			{
				int			same = __builtin_clzll(diff) / 8,	/* leading bytes shared */
							at = level - (lo ? 4 : 12);

				if (same <= at)
					break;		/* this byte differs: scatter by it */
				level += same - at;
			}
			continue;
		}
		for (size_t i = 0; i < n; i++)
		{
			unsigned	b = key_byte(&a[i], level);

			cnt[b]++;
			one &= b == b0;
		}
		tick(r, n);
		if (!one)
			break;
		level++;				/* every item has this byte: no move */
	}

	/* scatter into tmp by this byte, copy back, then each bucket on its own */
	{
		uint32_t	sum = 0;

		for (int b = 0; b < 256; b++)
		{
			pos[b] = sum;
			sum += cnt[b];
		}
		for (size_t i = 0; i < n; i++)
			r->tmp[pos[key_byte(&a[i], level)]++] = a[i];
		memcpy(a, r->tmp, n * sizeof(sitem));
		tick(r, n * 2);
		sum = 0;
		for (int b = 0; b < 256; b++)
		{
			if (cnt[b] > 1)
				radix(r, a + sum, cnt[b], level + 1, depth, frames + 1);
			sum += cnt[b];
		}
	}
}

void
strtab_sort(const strtab *t, const uint32_t *rank, uint32_t *order, uint32_t *rank_of_id)
{
	sitem	   *it = CORE_ALLOC(t->m, (size_t) t->n * sizeof(sitem));
	rsort		r;
	uint32_t	maxrank = 0;
	int			level;

	for (uint32_t e = 0; e < t->n; e++)
	{
		it[e].id = e;
		load_prefix(t, &it[e], 0);
		it[e].rank = rank ? rank[strtab_tag(t, e)] : 0;
		if (it[e].rank > maxrank)
			maxrank = it[e].rank;
	}
	/* rank bytes that are zero in every item need no pass */
	for (level = 0; level < 4 && (maxrank >> (24 - 8 * level)) == 0; level++)
		;
	r.t = t;
	r.work = 0;
	r.tmp = t->n > RADIX_SMALL ? CORE_ALLOC(t->m, (size_t) t->n * sizeof(sitem)) : NULL;
	if (t->n > 1)
		radix(&r, it, t->n, level, 0, 0);
	CORE_FREE(t->m, r.tmp);
	for (uint32_t k = 0; k < t->n; k++)
	{
		order[k] = it[k].id;
		if (rank_of_id)
			rank_of_id[it[k].id] = k;
	}
	CORE_FREE(t->m, it);
}
