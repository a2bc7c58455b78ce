/*
 * Unit tests of the audience expression language (src/audience/tag_expr.c):
 * random expression trees are printed with the fewest parentheses their
 * precedence allows (sometimes more), parsed back, evaluated on bitmaps and
 * compared with the tree's own answer computed on 64-bit masks.
 */
// link: src/audience/tag_expr.c
#include "audience/tag_expr.h"

#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *
m_alloc(void *ctx, size_t n)
{
	(void) ctx;
	return malloc(n ? n : 1);
}
static void
m_release(void *ctx, void *p)
{
	(void) ctx;
	free(p);
}
static const te_alloc A = {m_alloc, m_release, NULL};

/* tag pool: spelled in the expression / the name the parser must produce */
static const char *spell[] = {"a", "b.c", "x:1_2", "\"age:18-24\"", "\"say \"\"hi\"\"\"", "城市:上海", "\"\"", "Tag9"};
static const char *name[] = {"a", "b.c", "x:1_2", "age:18-24", "say \"hi\"", "城市:上海", "", "Tag9"};
#define NPOOL 8
static uint64_t mask[NPOOL];

typedef struct node
{
	int			op;				/* 0 leaf, '&' '-' '^' '|' */
	int			leaf;
	struct node *l,
			   *r;
} node;

static int
level(int op)
{
	switch (op)
	{
		case '|':
			return 1;
		case '^':
			return 2;
		case '&':
		case '-':
			return 3;
	}
	return 4;
}

static node *
gen(int depth)
{
	node	   *n = calloc(1, sizeof(node));

	if (depth == 0 || rnd() % 3 == 0)
	{
		n->leaf = rnd() % NPOOL;
		return n;
	}
	n->op = "&-^|"[rnd() % 4];
	n->l = gen(depth - 1);
	n->r = gen(depth - 1);
	return n;
}

static uint64_t
value(const node *n)
{
	uint64_t	l,
				r;

	if (!n->op)
		return mask[n->leaf];
	l = value(n->l);
	r = value(n->r);
	switch (n->op)
	{
		case '&':
			return l & r;
		case '-':
			return l & ~r;
		case '^':
			return l ^ r;
		default:
			return l | r;
	}
}

static void
print(const node *n, char *buf, size_t *len)
{
	const char *ws[] = {"", " ", "\t", "  "};

	if (!n->op)
	{
		*len += sprintf(buf + *len, "%s", spell[n->leaf]);
		return;
	}
	{
		int			p = level(n->op);
		int			extra = rnd() % 5 == 0;
		int			lp = level(n->l->op ? n->l->op : 0) < p || extra;
		int			rp = level(n->r->op ? n->r->op : 0) <= p || (rnd() % 5 == 0);

		if (lp)
			buf[(*len)++] = '(';
		print(n->l, buf, len);
		if (lp)
			buf[(*len)++] = ')';
		*len += sprintf(buf + *len, "%s%c%s", ws[rnd() % 4], n->op, ws[rnd() % 4]);
		if (rp)
			buf[(*len)++] = '(';
		print(n->r, buf, len);
		if (rp)
			buf[(*len)++] = ')';
	}
}

static void
free_node(node *n)
{
	if (n->op)
	{
		free_node(n->l);
		free_node(n->r);
	}
	free(n);
}

/* bit i of the mask maps to elements spread over several containers */
static roaring_bitmap_t *
to_bitmap(uint64_t m)
{
	roaring_bitmap_t *r = roaring_bitmap_create();

	for (int i = 0; i < 64; i++)
		if (m >> i & 1)
		{
			roaring_bitmap_add(r, (uint32_t) i * 70001u);
			roaring_bitmap_add(r, 4000000000u + (uint32_t) i);
		}
	return r;
}

static uint64_t
from_bitmap(const roaring_bitmap_t *r)
{
	uint64_t	m = 0;

	for (int i = 0; i < 64; i++)
		if (roaring_bitmap_contains(r, (uint32_t) i * 70001u))
			m |= 1ULL << i;
	return m;
}

static int
error_at(const char *text, const char *msgpart, int pos)
{
	te_error	err;
	tag_expr   *e = te_compile(text, strlen(text), &A, &err);

	if (e)
	{
		te_free(e, &A);
		printf("# accepted: %s\n", text);
		return 0;
	}
	if (err.position != pos || !strstr(err.message, msgpart))
	{
		printf("# %s: \"%s\" at %d\n", text, err.message, err.position);
		return 0;
	}
	return 1;
}

static int polls,
			stop_after;

static bool
stop_hook(void)
{
	return ++polls > stop_after;
}

/*
 * A long expression stopped by the host: te_eval and te_eval_count fail, and
 * free every intermediate bitmap (LeakSanitizer would report one at exit);
 * the host was asked between operations, not only at the end.
 */
static void
stopped_by_host(void)
{
	char	   *text = malloc(64 * 1024);
	size_t		len = 0;
	te_error	err;
	tag_expr   *e;
	roaring_bitmap_t *sets[2],
			   *res;
	uint64_t	n;

	/* a | (b & a) | (b & a) ...: ORs of intermediate results */
	len += sprintf(text + len, "a");
	for (int i = 0; i < 2000; i++)
		len += sprintf(text + len, " | (b & a)");
	e = te_compile(text, len, &A, &err);
	sets[0] = to_bitmap(mask[0]);
	sets[1] = to_bitmap(mask[1]);
	te_stop_requested = stop_hook;
	polls = 0;
	stop_after = 1000000;
	res = te_eval(e, sets);
	check(res != NULL && polls >= 4000, "the host is polled before each of 4000 operations");
	roaring_bitmap_free(res);
	polls = 0;
	stop_after = 1500;
	res = te_eval(e, sets);
	check(res == NULL, "a stop requested midway: te_eval fails");
	if (res)
		roaring_bitmap_free(res);
	polls = 0;
	check(!te_eval_count(e, sets, &n), "a stop requested midway: te_eval_count fails");
	te_stop_requested = NULL;
	roaring_bitmap_free(sets[0]);
	roaring_bitmap_free(sets[1]);
	te_free(e, &A);
	free(text);
}

int
main(void)
{
	int			wrong = 0,
				badparse = 0,
				badcount = 0,
				badtags = 0;
	char	   *buf = malloc(1 << 20);

	for (int i = 0; i < NPOOL; i++)
		mask[i] = ((uint64_t) rnd() << 32) | rnd();

	for (int iter = 0; iter < 3000; iter++)
	{
		node	   *t = gen(1 + iter % 7);
		size_t		len = 0;
		te_error	err;
		tag_expr   *e;

		if (rnd() % 4 == 0)
			len += sprintf(buf, "  ");
		print(t, buf, &len);
		buf[len] = '\0';
		e = te_compile(buf, len, &A, &err);
		if (!e)
		{
			badparse++;
			printf("# failed to parse: %s (%s at %d)\n", buf, err.message, err.position);
		}
		else
		{
			roaring_bitmap_t *sets[NPOOL];
			roaring_bitmap_t *res;
			uint64_t	cnt;

			for (int k = 0; k < e->ntags; k++)
			{
				int			pool = -1;

				for (int q = 0; q < NPOOL; q++)
					if (strlen(name[q]) == e->taglens[k] && memcmp(name[q], e->tags[k], e->taglens[k]) == 0)
						pool = q;
				if (pool < 0 || te_find_tag(e, name[pool], strlen(name[pool])) != k)
					badtags++;
				/* a tag with no rows is the empty set: leave one out sometimes */
				sets[k] = pool >= 0 ? to_bitmap(mask[pool]) : NULL;
			}
			res = te_eval(e, sets);
			if (res == NULL || from_bitmap(res) != value(t) ||
				roaring_bitmap_get_cardinality(res) != 2 * (uint64_t) __builtin_popcountll(value(t)))
			{
				wrong++;
				if (wrong < 5)
					printf("# wrong: %s\n", buf);
			}
			if (!te_eval_count(e, sets, &cnt) || res == NULL || cnt != roaring_bitmap_get_cardinality(res))
				badcount++;
			if (res)
				roaring_bitmap_free(res);
			for (int k = 0; k < e->ntags; k++)
				if (sets[k])
					roaring_bitmap_free(sets[k]);
			te_free(e, &A);
		}
		free_node(t);
	}
	check(badparse == 0, "3000 random expressions, minimally parenthesized, all parse");
	check(wrong == 0, "evaluation equals the expression tree computed on masks");
	check(badcount == 0, "counting equals the cardinality of the evaluated set");
	check(badtags == 0, "tags are unquoted and deduplicated; lookup finds each");

	{
		/* a | b & c is a | (b & c); a - b & c is (a - b) & c; a ^ b | c is (a ^ b) | c */
		uint64_t	a = mask[0],
					b = mask[1],
					c = mask[2];
		struct
		{
			const char *text;
			uint64_t	want;
		}			cases[] = {
			{"a | b.c & x:1_2", a | (b & c)},
			{"a - b.c & x:1_2", (a & ~b) & c},
			{"a & b.c - x:1_2", (a & b) & ~c},
			{"a ^ b.c | x:1_2", (a ^ b) | c},
			{"a | b.c ^ x:1_2", a | (b ^ c)},
			{"a ^ b.c & x:1_2", a ^ (b & c)},
			{"(a | b.c) & x:1_2", (a | b) & c},
			{"a - (b.c - x:1_2)", a & ~(b & ~c)},
		};
		int			bad = 0;

		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		{
			te_error	err;
			tag_expr   *e = te_compile(cases[i].text, strlen(cases[i].text), &A, &err);
			roaring_bitmap_t *sets[3],
					   *res;

			if (!e || e->ntags != 3)
			{
				bad++;
				continue;
			}
			for (int k = 0; k < 3; k++)
				sets[k] = to_bitmap(mask[k]);
			res = te_eval(e, sets);
			if (from_bitmap(res) != cases[i].want)
				bad++;
			roaring_bitmap_free(res);
			for (int k = 0; k < 3; k++)
				roaring_bitmap_free(sets[k]);
			te_free(e, &A);
		}
		check(bad == 0, "precedence: & and - bind tighter than ^, ^ tighter than |, left to right");
	}

	check(error_at("", "empty", 1) && error_at("   ", "empty", 4), "empty expression");
	check(error_at("a &", "ends where a tag", 4), "dangling operator, position at the end");
	check(error_at("a b", "expected an operator", 3), "two tags in a row");
	check(error_at("(a | b", "missing \")\"", 1), "unclosed parenthesis points at the \"(\"");
	check(error_at("a)", "unbalanced", 2), "stray \")\"");
	check(error_at("a | \"abc", "unterminated", 5), "unterminated quote");
	check(error_at("a # b", "expected an operator", 3), "unknown operator");
	check(error_at("& a", "operator where a tag", 1), "leading operator");
	check(error_at("()", "unexpected \")\"", 2), "empty parentheses");
	check(error_at("上海 # b", "expected an operator", 4), "positions count characters, not bytes");
	{
		size_t		n = 5000;
		char	   *deep = malloc(2 * n + 2);

		memset(deep, '(', n);
		deep[n] = 'a';
		memset(deep + n + 1, ')', n);
		deep[2 * n + 1] = '\0';
		check(error_at(deep, "nested too deeply", 1001), "deep nesting is an error, not a stack overflow");
		free(deep);
	}

	{
		/* fuzz: random strings never crash; errors point inside the text */
		const char	alphabet[] = "ab()&-^| \"x:._\xe4\xb8\x8a";
		int			badpos = 0,
					accepted = 0;

		for (int iter = 0; iter < 200000; iter++)
		{
			size_t		len = rnd() % 24;
			te_error	err;
			tag_expr   *e;

			for (size_t k = 0; k < len; k++)
				buf[k] = alphabet[rnd() % (sizeof(alphabet) - 1)];
			buf[len] = '\0';
			e = te_compile(buf, len, &A, &err);
			if (e)
			{
				roaring_bitmap_t **sets = calloc(e->ntags + 1, sizeof(*sets));
				roaring_bitmap_t *res = te_eval(e, sets);

				accepted++;
				if (res)
					roaring_bitmap_free(res);
				free(sets);
				te_free(e, &A);
			}
			else if (err.position < 1 || err.position > (int) len + 1)
				badpos++;
		}
		printf("# fuzz: %d of 200000 random strings were valid expressions\n", accepted);
		check(badpos == 0, "200000 random strings: no crash, error positions inside the text");
	}
	free(buf);
	stopped_by_host();
	return done_testing();
}
