/*
 * Unit tests of the identity cores (src/identity): the interruptible merge
 * sort against qsort, the string hash (every byte counts), the string table
 * against a linear search, connected components and rule-free
 * identity_resolve against label propagation on random graphs, hand-checked limit/max_records/blocked/priority cases, the
 * stable-id rules, and the phone/e-mail normalisers.
 */
// link: src/identity/resolve.c src/identity/strtab.c src/identity/msort.c src/identity/components.c src/identity/normalize.c
#include "identity/components.h"
#include "identity/msort.h"
#include "identity/normalize.h"
#include "identity/resolve.h"

#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *m_alloc(void *c, size_t n) { (void) c; return malloc(n); }
static void *m_realloc(void *c, void *p, size_t n) { (void) c; return realloc(p, n); }
static void m_free(void *c, void *p) { (void) c; free(p); }
static int	ticks = 0;
static void m_tick(void *c) { (void) c; ticks++; }
static core_host M = {m_alloc, m_realloc, m_free, m_tick, NULL};

typedef struct kv { uint32_t key, seq; } kv;
static int kv_cmp(const void *a, const void *b, void *arg) { (void) arg; const kv *x = a, *y = b; return x->key < y->key ? -1 : x->key > y->key; }
static int kv_qcmp(const void *a, const void *b) { const kv *x = a, *y = b; return x->key != y->key ? (x->key < y->key ? -1 : 1) : (x->seq < y->seq ? -1 : x->seq > y->seq); }

static void
test_msort(void)
{
	int			ok = 1;

	for (int round = 0; round < 50 && ok; round++)
	{
		size_t		n = rnd() % (round < 40 ? 300 : 200000);
		kv		   *a = malloc((n + 1) * sizeof(kv)), *b = malloc((n + 1) * sizeof(kv));

		for (size_t i = 0; i < n; i++)
			a[i].key = rnd() % (round % 2 ? 10 : 1000000), a[i].seq = (uint32_t) i;
		memcpy(b, a, n * sizeof(kv));
		msort(a, n, sizeof(kv), kv_cmp, NULL, &M);
		qsort(b, n, sizeof(kv), kv_qcmp);	/* by (key, seq): the stable order */
		ok = n == 0 || memcmp(a, b, n * sizeof(kv)) == 0;
		free(a);
		free(b);
	}
	check(ok, "msort = stable qsort on 50 random arrays");
	check(ticks > 0, "msort yields to its host on big inputs");
}

/* 300,000 distinct keys get ids 0.. in order and are found again */
static int
intern_300k(strtab *t)
{
	for (uint32_t i = 0; i < 300000; i++)
	{
		char		s[16];

		snprintf(s, sizeof(s), "%u", i * 7919u);
		if (strtab_intern(t, 0, s, strlen(s)) != i)
			return 0;
	}
	for (uint32_t i = 0; i < 300000; i += 97)
	{
		char		s[16];

		snprintf(s, sizeof(s), "%u", i * 7919u);
		if (strtab_lookup(t, 0, s, strlen(s)) != i)
			return 0;
	}
	return 1;
}

static void
test_strtab(void)
{
	strtab		t;
	char		buf[64][16];
	uint32_t	ids[64];
	int			ok = 1;
	uint32_t	order[64];

	strtab_init(&t, &M);
	for (int i = 0; i < 64; i++)
	{
		snprintf(buf[i], sizeof(buf[i]), "k%u", rnd() % 40);
		ids[i] = strtab_intern(&t, (uint32_t) (i % 2), buf[i], strlen(buf[i]));
	}
	for (int i = 0; i < 64; i++)
		for (int j = 0; j < 64; j++)
			if ((strcmp(buf[i], buf[j]) == 0 && i % 2 == j % 2) != (ids[i] == ids[j]))
				ok = 0;
	check(ok, "strtab: same (tag, bytes) <=> same id");
	check(strtab_lookup(&t, 0, "absent", 6) == UINT32_MAX, "strtab_lookup of an absent key");
	strtab_sort(&t, NULL, order, NULL);
	ok = 1;
	for (uint32_t k = 1; k < t.n; k++)
		if (strtab_cmp_bytes(strtab_str(&t, order[k - 1]), strtab_len(&t, order[k - 1]), strtab_str(&t, order[k]), strtab_len(&t, order[k])) > 0)
			ok = 0;
	check(ok, "strtab_sort: byte order");
	strtab_free(&t);

	/* many strings, through table growth */
	strtab_init(&t, &M);
	ok = intern_300k(&t);
	check(ok && t.n == 300000, "strtab: 300,000 distinct keys get ids 0.. in order and are found again");
	strtab_free(&t);

	/* the same past a reservation too small for them */
	strtab_init(&t, &M);
	strtab_reserve(&t, 100000, 100000);
	ok = t.nslots >= 131072 && intern_300k(&t);
	check(ok && t.n == 300000, "strtab_reserve: room made at once, and growth past it still finds every key");
	strtab_free(&t);
}

/* label propagation over an edge list of small nodes */
static void
labels(int n, int ne, const int *ea, const int *eb, int *lbl)
{
	int			changed = 1;

	for (int i = 0; i < n; i++)
		lbl[i] = i;
	while (changed)
	{
		changed = 0;
		for (int e = 0; e < ne; e++)
		{
			int			m = lbl[ea[e]] < lbl[eb[e]] ? lbl[ea[e]] : lbl[eb[e]];

			if (lbl[ea[e]] != m || lbl[eb[e]] != m)
				lbl[ea[e]] = lbl[eb[e]] = m, changed = 1;
		}
	}
}

static void
test_components(void)
{
	int			ok = 1;

	for (int round = 0; round < 40 && ok; round++)
	{
		int			n = 1 + rnd() % 200,
					ne = rnd() % 300;
		int		   *ea = malloc(sizeof(int) * (ne + 1)), *eb = malloc(sizeof(int) * (ne + 1));
		int		   *lbl = malloc(sizeof(int) * n);
		char	   *seen = calloc(n, 1);
		cc_state	c;
		uint32_t	nseen = 0;

		cc_init(&c, &M);
		for (int e = 0; e < ne; e++)
		{
			ea[e] = rnd() % n;
			eb[e] = rnd() % n;
			/* node ids spread over the int64 range, order kept */
			cc_edge(&c, (int64_t) ea[e] * 1000000007LL - 50000000000LL, (int64_t) eb[e] * 1000000007LL - 50000000000LL);
			nseen += !seen[ea[e]];
			seen[ea[e]] = 1;
			nseen += !seen[eb[e]];
			seen[eb[e]] = 1;
		}
		labels(n, ne, ea, eb, lbl);
		cc_finish(&c);
		ok = c.n == nseen;
		for (uint32_t k = 0; k < c.n && ok; k++)
		{
			int64_t		comp = c.out[2 * k],
						node = c.out[2 * k + 1];
			int			ni = (int) ((node + 50000000000LL) / 1000000007LL);

			ok = comp == (int64_t) lbl[ni] * 1000000007LL - 50000000000LL;
			if (k > 0)
				ok = ok && (c.out[2 * k - 2] < comp || (c.out[2 * k - 2] == comp && c.out[2 * k - 1] < node));
		}
		cc_free(&c);
		free(ea);
		free(eb);
		free(lbl);
		free(seen);
	}
	check(ok, "connected components = label propagation on 40 random graphs, ordered by (component, node)");
}

static const idr_rules NO_RULES = {NULL, 0, IDR_NONE, NULL, NULL, 0};

/* resolve rows "rec type value" and return "rec=person ..." in record order */
static char *
resolve_str(const char *const *rows, int n, const idr_rules *rules,
			const char *const *prev_rec, const int64_t *prev_id, int nprev, idr_stats *st)
{
	idr_state	s;
	static char out[4096];
	size_t		o = 0;

	idr_init(&s, &M);
	for (int i = 0; i < n; i++)
	{
		char		r[32], t[32], v[32];

		if (sscanf(rows[i], "%31s %31s %31s", r, t, v) == 3)
			idr_add(&s, r, strlen(r), t, strlen(t), strcmp(v, "-") ? v : "", strcmp(v, "-") ? strlen(v) : 0);
	}
	for (int i = 0; i < nprev; i++)
		idr_add_previous(&s, prev_rec[i], strlen(prev_rec[i]), prev_id[i]);
	idr_resolve(&s, rules);
	out[0] = '\0';
	for (uint32_t k = 0; k < s.recs.n; k++)
		o += snprintf(out + o, sizeof(out) - o, "%s%.*s=%lld", k ? " " : "", (int) strtab_len(&s.recs, s.rec_order[k]),
					  strtab_str(&s.recs, s.rec_order[k]), (long long) s.person[k]);
	if (st)
		*st = s.stats;
	idr_free(&s);
	return out;
}

static void
test_resolve_vs_components(void)
{
	int			ok = 1,
				ok_ordered = 1;
	/* a default max_records nobody reaches: the ordered join, same persons */
	const idr_rules big = {NULL, 0, 1000000, NULL, NULL, 0};

	/*
	 * without rules, persons are the components of the record-value graph;
	 * without limits the joins run in arrival order (join_unordered), with a
	 * max_records in the spec's order (join_ordered): both must agree with
	 * label propagation
	 */
	for (int round = 0; round < 60 && ok && ok_ordered; round++)
	{
		int			nrec = 1 + rnd() % 60,
					nrows = rnd() % 120,
					nval = 1 + rnd() % 40;
		int		   *ea = malloc(sizeof(int) * (nrows + 1)), *eb = malloc(sizeof(int) * (nrows + 1));
		int		   *lbl = malloc(sizeof(int) * (nrec + nval));
		int		   *num = calloc(nrec + nval, sizeof(int));
		int			next = 0;

		for (int i = 0; i < nrows; i++)
		{
			ea[i] = rnd() % nrec;
			eb[i] = nrec + rnd() % nval;
		}
		labels(nrec + nval, nrows, ea, eb, lbl);
		for (int pass = 0; pass < 2; pass++)
		{
			idr_state	s;

			idr_init(&s, &M);
			/* records in reverse, values in random order: arrival order must not matter */
			for (int r = nrec - 1; r >= 0; r--)
			{
				char		rec[16];

				snprintf(rec, sizeof(rec), "r%03d", r);		/* byte order = numeric order */
				idr_add(&s, rec, strlen(rec), NULL, 0, NULL, 0);
			}
			for (int i = 0; i < nrows; i++)
			{
				char		rec[16], val[16];

				snprintf(rec, sizeof(rec), "r%03d", ea[i]);
				snprintf(val, sizeof(val), "v%d", eb[i]);
				idr_add(&s, rec, strlen(rec), "t", 1, val, strlen(val));
			}
			idr_resolve(&s, pass == 0 ? &NO_RULES : &big);
			/* same partition; numbering by smallest record */
			memset(num, 0, sizeof(int) * (nrec + nval));
			next = 0;
			for (int r = 0; r < nrec; r++)
			{
				if (num[lbl[r]] == 0)
					num[lbl[r]] = ++next;
				if (s.person[r] != num[lbl[r]])
					*(pass == 0 ? &ok : &ok_ordered) = 0;
			}
			idr_free(&s);
		}
		free(num);
		free(ea);
		free(eb);
		free(lbl);
	}
	check(ok, "identity_resolve without rules (unordered joins) = components numbered by smallest record, 60 random inputs");
	check(ok_ordered, "the same through the ordered join (a max_records nobody reaches)");
}

static const strtab *ref_t;
static const uint32_t *ref_rank;
static int
ref_cmp(const void *pa, const void *pb)
{
	uint32_t	a = *(const uint32_t *) pa,
				b = *(const uint32_t *) pb;

	if (ref_rank && ref_rank[strtab_tag(ref_t, a)] != ref_rank[strtab_tag(ref_t, b)])
		return ref_rank[strtab_tag(ref_t, a)] < ref_rank[strtab_tag(ref_t, b)] ? -1 : 1;
	return strtab_cmp_bytes(strtab_str(ref_t, a), strtab_len(ref_t, a), strtab_str(ref_t, b), strtab_len(ref_t, b));
}

/*
 * strtab_sort (an MSD radix sort over 16-byte prefixes) against qsort with a
 * plain comparison: shared prefixes longer than 16 and 32 bytes, strings
 * equal but for their length or trailing zero bytes, several tags ranked,
 * groups big enough to recurse deeply
 */
static void
test_strtab_sort(void)
{
	int			ok = 1;

	for (int round = 0; round < 12 && ok; round++)
	{
		strtab		t;
		uint32_t	n = round < 4 ? 1 + rnd() % 50 : 2000 + rnd() % 40000;
		uint32_t   *order,
				   *inv,
				   *ref;
		uint32_t	rank[5] = {3, 0, 70000, 2, 1};
		int			ranked = round % 2;

		strtab_init(&t, &M);
		for (uint32_t i = 0; i < n; i++)
		{
			char		s[128];
			int			len = 0,
						kind = rnd() % 6;

			if (kind == 0)		/* a long shared prefix, then digits */
				len = snprintf(s, sizeof(s), "wx:mp:oMaBcDeFgHiJkLmNoPqRsTuVwXyZ%u", rnd() % 5000);
			else if (kind == 1) /* beyond 32 shared bytes */
				len = snprintf(s, sizeof(s), "0123456789abcdef0123456789abcdef!%u", rnd() % 3000);
			else if (kind == 2) /* a prefix of each other, with zero bytes */
			{
				len = rnd() % 40;
				memset(s, 'a', len);
				if (len && rnd() % 3 == 0)
					s[len - 1] = '\0';
			}
			else if (kind == 3) /* random bytes, high ones too */
			{
				len = rnd() % 24;
				for (int k = 0; k < len; k++)
					s[k] = (char) (rnd() % 4 ? 'a' + rnd() % 3 : rnd() % 256);
			}
			else
				len = snprintf(s, sizeof(s), "crm:C%u", rnd() % 100000);
			strtab_intern(&t, ranked ? rnd() % 5 : 0, s, len);
		}
		order = malloc(sizeof(uint32_t) * t.n);
		inv = malloc(sizeof(uint32_t) * t.n);
		ref = malloc(sizeof(uint32_t) * t.n);
		strtab_sort(&t, ranked ? rank : NULL, order, inv);
		for (uint32_t i = 0; i < t.n; i++)
			ref[i] = i;
		ref_t = &t;
		ref_rank = ranked ? rank : NULL;
		qsort(ref, t.n, sizeof(uint32_t), ref_cmp);
		for (uint32_t i = 0; i < t.n && ok; i++)
			ok = ref_cmp(&ref[i], &order[i]) == 0 && inv[order[i]] == i;
		free(order);
		free(inv);
		free(ref);
		strtab_free(&t);
	}
	check(ok, "strtab_sort = qsort by (rank, bytes) on 12 random tables up to 42,000 strings");

	/*
	 * A group that only the comparison sort can order (strings equal but for
	 * their length), reached after 0 to 3 bytes that split the table, stored
	 * in an order that is not the sorted one.
	 */
	ok = 1;
	for (int splits = 0; splits < 4 && ok; splits++)
	{
		strtab		t;
		uint32_t   *order,
				   *ref;
		char		s[64];
		static const char *const decoys[] = {"b", "ab", "aab"};

		strtab_init(&t, &M);
		for (int j = 29; j >= 0; j--)	/* longest first: stored order is not sorted order */
		{
			memset(s, 'a', 16);
			memset(s + 16, 0, j);
			strtab_intern(&t, 0, s, 16 + j);
		}
		for (int d = 0; d < splits; d++)
			strtab_intern(&t, 0, decoys[d], strlen(decoys[d]));
		order = malloc(sizeof(uint32_t) * t.n);
		ref = malloc(sizeof(uint32_t) * t.n);
		strtab_sort(&t, NULL, order, NULL);
		for (uint32_t i = 0; i < t.n; i++)
			ref[i] = i;
		ref_t = &t;
		ref_rank = NULL;
		qsort(ref, t.n, sizeof(uint32_t), ref_cmp);
		for (uint32_t i = 0; i < t.n && ok; i++)
			ok = ref[i] == order[i];
		free(order);
		free(ref);
		strtab_free(&t);
	}
	check(ok, "strtab_sort: 30 strings equal but for their length, reached after 0 to 3 splitting bytes");
}

static void
test_rules(void)
{
	idr_type_rule crm1[] = {{"crm", 3, 1, IDR_NONE}};
	idr_rules	r_crm = {crm1, 1, IDR_NONE, NULL, NULL, 0};
	idr_type_rule phone_first[] = {{"phone", 5, IDR_NONE, IDR_NONE}, {"crm", 3, 1, IDR_NONE}};
	idr_rules	r_phone_first = {phone_first, 2, IDR_NONE, NULL, NULL, 0};
	const char *blocked[] = {"000"};
	size_t		blen[] = {3};
	idr_rules	r_block = {NULL, 0, IDR_NONE, blocked, blen, 1};
	idr_rules	r_max2 = {NULL, 0, 2, NULL, NULL, 0};
	idr_type_rule dev3[] = {{"dev", 3, IDR_NONE, 3}};
	idr_rules	r_dev3 = {dev3, 1, 2, NULL, NULL, 0};
	idr_stats	st;
	const char *two_crm[] = {"a crm A", "b crm B", "a phone 1", "b phone 1", "c phone 1"};
	const char *chain[] = {"a crm A", "c crm B", "b phone 1", "a phone 1", "c phone 1"};
	const char *blk[] = {"a phone 000", "b phone 000", "c phone -", "d phone -", "e phone 1", "f phone 1"};
	const char *dev[] = {"a dev X", "b dev X", "c dev X", "d email e", "c email e"};
	const char *over[] = {"a crm A", "a crm B", "b phone 1", "a phone 1"};

	check(strcmp(resolve_str(two_crm, 5, &r_crm, NULL, NULL, 0, &st), "a=1 b=2 c=1") == 0 && st.refused == 1,
		  "limit 1: two CRM ids never merge; the refusal is counted");
	/* phone first: b joins a's person via phone '1'... a(A)+b: ok; c(B) refused */
	check(strcmp(resolve_str(chain, 5, &r_phone_first, NULL, NULL, 0, &st), "a=1 b=1 c=2") == 0 && st.refused == 1,
		  "records join the person of the first record, in record order, one by one");
	check(strcmp(resolve_str(blk, 6, &r_block, NULL, NULL, 0, &st), "a=1 b=2 c=3 d=4 e=5 f=5") == 0 &&
		  st.blocked == 1 && st.blank == 1, "blocked and blank values link nothing");
	check(strcmp(resolve_str(blk, 6, &r_max2, NULL, NULL, 0, &st), "a=1 b=1 c=2 d=3 e=4 f=4") == 0 && st.supernodes == 0,
		  "max_records: a value on exactly max_records records still links");
	check(strcmp(resolve_str(dev, 5, &r_dev3, NULL, NULL, 0, &st), "a=1 b=1 c=1 d=1") == 0 && st.supernodes == 0,
		  "a type's max_records overrides the default");
	{
		idr_rules	r = {NULL, 0, 2, NULL, NULL, 0};

		check(strcmp(resolve_str(dev, 5, &r, NULL, NULL, 0, &st), "a=1 b=2 c=3 d=3") == 0 && st.supernodes == 1,
			  "a value on more than max_records records is a super-node");
	}
	check(strcmp(resolve_str(over, 4, &r_crm, NULL, NULL, 0, &st), "a=1 b=2") == 0 && st.refused == 1,
		  "a record already past a limit joins nobody");
	{
		const char *pr[] = {"a", "b", "c", "zz"};
		int64_t		pid[] = {7, 9, 9, 12};
		const char *rows[] = {"a t 1", "b t 1", "c t 2"};

		check(strcmp(resolve_str(rows, 3, &NO_RULES, pr, pid, 4, &st), "a=7 b=7 c=9") == 0 && st.kept_ids == 2,
			  "stable ids: tie within a person -> smaller id; the other person keeps its id");
	}
	{
		const char *pr[] = {"a", "b", "c"};
		int64_t		pid[] = {5, 5, 5};
		const char *rows[] = {"a t 1", "b t 1", "c t 2", "d t 3"};

		check(strcmp(resolve_str(rows, 4, &NO_RULES, pr, pid, 3, &st), "a=5 b=5 c=6 d=7") == 0,
			  "stable ids: the larger part keeps the id; the rest get new ids above the max, by smallest record");
	}
}

static void
test_normalize(void)
{
	struct { const char *in; int cn; const char *want; } ph[] = {
		{"13812345678", 1, "+8613812345678"}, {"138 1234 5678", 1, "+8613812345678"},
		{"(138)-1234-5678", 1, "+8613812345678"}, {"+86 13812345678", 1, "+8613812345678"},
		{"0086-138-1234-5678", 1, "+8613812345678"}, {"86 138 1234 5678", 1, "+8613812345678"},
		{"+1 415 555 0100", 1, "+14155550100"}, {"+1 415 555 0100", 0, "+14155550100"},
		{"4155550100", 0, NULL}, {"13812345678", 0, NULL}, {"2381234567", 1, NULL},
		{"+86 23812345678", 1, NULL}, {"+1234567", 1, NULL}, {"+1234567890123456", 1, NULL},
		{"138a12345678", 1, NULL}, {"", 1, NULL}, {"++8613812345678", 1, NULL}, {"+8613812345678+", 1, NULL},
	};
	struct { const char *in; const char *want; } em[] = {
		{" A.B@Example.COM\t", "a.b@example.com"}, {"a.b+x@gmail.com", "ab@gmail.com"},
		{"A.B+x+y@GOOGLEMAIL.com", "ab@gmail.com"}, {"a+b@yahoo.com", "a+b@yahoo.com"},
		{"noat", NULL}, {"@x", NULL}, {"x@", NULL}, {"a@b@c", NULL}, {"..@gmail.com", NULL},
	};
	int			ok = 1;
	char		out[64];

	for (size_t i = 0; i < sizeof(ph) / sizeof(ph[0]); i++)
	{
		bool		r = norm_phone(ph[i].in, strlen(ph[i].in), ph[i].cn, out);

		if (r != (ph[i].want != NULL) || (r && strcmp(out, ph[i].want) != 0))
		{
			printf("# phone %s: got %s\n", ph[i].in, r ? out : "NULL");
			ok = 0;
		}
	}
	check(ok, "normalize_phone on 18 spellings");
	ok = 1;
	for (size_t i = 0; i < sizeof(em) / sizeof(em[0]); i++)
	{
		long		n = norm_email(em[i].in, strlen(em[i].in), out);

		if ((n >= 0) != (em[i].want != NULL) || (n >= 0 && strcmp(out, em[i].want) != 0))
		{
			printf("# email %s: got %s\n", em[i].in, n >= 0 ? out : "NULL");
			ok = 0;
		}
	}
	check(ok, "normalize_email on 9 spellings");
}

/*
 * idr_add_rows (batched, pipelined prefetches, tables sized by idr_reserve)
 * against idr_add row by row on the same rows: the same ids, the same edges and the same
 * persons, with and without rules, through table growth (an estimate too
 * small, too big or none), rows in random order or grouped by record, and
 * rows that only name a record.
 */
static void
test_add_rows(void)
{
	idr_type_rule lim[] = {{"p", 1, 1, IDR_NONE}};
	idr_rules	r_lim = {lim, 1, 40, NULL, NULL, 0};
	int			ok = 1;

	for (int round = 0; round < 6 && ok; round++)
	{
		int			n = 20000 + (int) (rnd() % 40000);
		int			nrec = 1 + n / (1 + round % 3),
					nval = 1 + n / 2;
		idr_row    *rows = malloc(sizeof(idr_row) * n);
		char	   *buf = malloc((size_t) n * 48);
		uint64_t	est[] = {0, 5000, (uint64_t) n, (uint64_t) n * 4, 0, 100};

		for (int i = 0; i < n; i++)
		{
			char	   *r = buf + (size_t) i * 48,
					   *v = r + 24;
			int			kind = (int) (rnd() % 20);

			/* odd rounds: rows grouped by record, as many tables list them */
			snprintf(r, 24, "rec:%u", round % 2 ? (unsigned) (i / 3) : rnd() % nrec);
			snprintf(v, 24, "%u", rnd() % nval);
			rows[i].rec = r;
			rows[i].rlen = strlen(r);
			rows[i].type = kind == 0 ? NULL : kind < 8 ? "p" : "q";
			rows[i].tlen = 1;
			rows[i].val = kind == 1 ? NULL : v;
			rows[i].vlen = kind == 1 ? 0 : strlen(v);
		}
		for (int pass = 0; pass < 2 && ok; pass++)
		{
			idr_state	a,
						b;
			const idr_rules *rules = pass ? &r_lim : &NO_RULES;

			idr_init(&a, &M);
			idr_init(&b, &M);
			idr_reserve(&b, est[round]);
			for (int i = 0; i < n; i++)
				idr_add(&a, rows[i].rec, rows[i].rlen, rows[i].type, rows[i].tlen, rows[i].val, rows[i].vlen);
			for (int i = 0; i < n;)
			{
				int			k = 1 + (int) (rnd() % 3000);

				if (k > n - i)
					k = n - i;
				if (idr_add_rows(&b, rows + i, k) != IDR_OK)
					ok = 0;
				i += k;
			}
			if (a.recs.n != b.recs.n || a.vals.n != b.vals.n || a.ne != b.ne ||
				memcmp(a.e_rec, b.e_rec, a.ne * sizeof(uint32_t)) != 0 ||
				memcmp(a.e_val, b.e_val, a.ne * sizeof(uint32_t)) != 0)
				ok = 0;
			for (uint32_t id = 0; id < a.vals.n && ok; id++)
				if (strtab_tag(&a.vals, id) != strtab_tag(&b.vals, id) ||
					strtab_len(&a.vals, id) != strtab_len(&b.vals, id) ||
					memcmp(strtab_str(&a.vals, id), strtab_str(&b.vals, id), strtab_len(&a.vals, id)) != 0)
					ok = 0;
			if (ok)
			{
				idr_resolve(&a, rules);
				idr_resolve(&b, rules);
				ok = memcmp(a.person, b.person, a.recs.n * sizeof(int64_t)) == 0 &&
					memcmp(a.rec_order, b.rec_order, a.recs.n * sizeof(uint32_t)) == 0 &&
					a.stats.refused == b.stats.refused && a.stats.persons == b.stats.persons;
				if (pass && a.stats.refused == 0)
					ok = 0;		/* the rules must have refused something */
			}
			idr_free(&a);
			idr_free(&b);
		}
		free(rows);
		free(buf);
	}
	check(ok, "idr_add_rows (batches, reserved tables) = idr_add row by row: ids, edges, persons");
}

/*
 * strtab_hash reads every byte of its key and nothing past it: changing any
 * one byte, at every length up to 64 (short keys are read as overlapping
 * words, long ones in 16-byte steps), changes the hash; the length and the
 * tag are part of it; keys are copied to the very end of an allocation of
 * their length, so that a read past them trips the address sanitizer.
 */
static void
test_hash(void)
{
	int			bytes_ok = 1,
				same_ok = 1,
				len_ok = 1,
				tag_ok = 1;

	for (size_t len = 0; len <= 64; len++)
	{
		unsigned char *k = malloc(len ? len : 1),
				   *k2 = malloc(len ? len : 1);
		uint32_t	h;

		for (size_t i = 0; i < len; i++)
			k[i] = (unsigned char) (rnd() % 256);
		memcpy(k2, k, len);
		h = strtab_hash(7, (const char *) k, len);
		same_ok &= strtab_hash(7, (const char *) k2, len) == h;
		tag_ok &= strtab_hash(8, (const char *) k, len) != h;
		if (len > 0)
			len_ok &= strtab_hash(7, (const char *) k, len - 1) != h;
		for (size_t i = 0; i < len; i++)
			for (int bit = 0; bit < 8; bit++)
			{
				k2[i] ^= (unsigned char) (1 << bit);
				bytes_ok &= strtab_hash(7, (const char *) k2, len) != h;
				k2[i] ^= (unsigned char) (1 << bit);
			}
		free(k);
		free(k2);
	}
	check(bytes_ok, "strtab_hash: flipping any bit of a key of 0 to 64 bytes changes the hash");
	check(same_ok, "strtab_hash: the same bytes elsewhere hash the same");
	check(len_ok, "strtab_hash: a key and its prefix one byte shorter hash differently");
	check(tag_ok, "strtab_hash: the tag is part of the hash");
}

int
main(void)
{
	test_msort();
	test_hash();
	test_strtab();
	test_strtab_sort();
	test_components();
	test_resolve_vs_components();
	test_add_rows();
	test_rules();
	test_normalize();
	return done_testing();
}
