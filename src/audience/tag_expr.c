/*
 * tag_expr.c — parser and evaluator of audience expressions.
 *
 * Recursive descent straight into a postfix program: one pass, no tree.
 * Tags are deduplicated through a small open-addressing table that also
 * serves the per-row lookup of the aggregates, which must skip rows of
 * unrelated tags in O(1).
 */
#include "audience/tag_expr.h"

#include <stdlib.h>
#include <string.h>

typedef struct parser
{
	const char *s;
	size_t		len;
	size_t		pos;
	int			depth;
	const te_alloc *a;
	tag_expr   *e;
	int32_t		capprog;
	int32_t		captags;
	int32_t		depth_now;		/* evaluation stack depth while emitting */
	te_error   *err;
	bool		failed;
} parser;

static uint32_t
hash_bytes(const char *p, size_t n)
{
	uint32_t	h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (uint8_t) p[i]) * 16777619u;
	return h;
}

static void *
grow(parser *ps, void *old, size_t oldsize, size_t newsize)
{
	void	   *p = ps->a->alloc(ps->a->ctx, newsize);

	if (p && old)
		memcpy(p, old, oldsize);
	if (old)
		ps->a->release(ps->a->ctx, old);
	return p;
}

static int32_t
char_position(const char *s, size_t bytepos)
{
	int32_t		chars = 0;

	for (size_t i = 0; i < bytepos; i++)
		if (((uint8_t) s[i] & 0xC0) != 0x80)
			chars++;
	return chars + 1;
}

static void
fail(parser *ps, const char *msg, size_t at)
{
	if (ps->failed)
		return;
	ps->failed = true;
	ps->err->message = msg;
	ps->err->position = char_position(ps->s, at);
}

static void
emit(parser *ps, te_op op, int32_t arg)
{
	tag_expr   *e = ps->e;

	if (ps->failed)
		return;
	if (e->nprog == ps->capprog)
	{
		int32_t		cap = ps->capprog ? 2 * ps->capprog : 16;

		e->prog = grow(ps, e->prog, sizeof(te_instr) * ps->capprog, sizeof(te_instr) * cap);
		ps->capprog = cap;
	}
	e->prog[e->nprog].op = op;
	e->prog[e->nprog].arg = arg;
	e->nprog++;
	ps->depth_now += (op == TE_PUSH) ? 1 : -1;
	if (ps->depth_now > e->maxdepth)
		e->maxdepth = ps->depth_now;
}

static void
rehash(parser *ps, int32_t nslots)
{
	tag_expr   *e = ps->e;

	if (ps->e->slots)
		ps->a->release(ps->a->ctx, ps->e->slots);
	ps->e->slots = ps->a->alloc(ps->a->ctx, sizeof(int32_t) * nslots);
	ps->e->nslots = nslots;
	memset(ps->e->slots, 0xFF, sizeof(int32_t) * nslots);
	for (int32_t i = 0; i < e->ntags; i++)
	{
		uint32_t	h = hash_bytes(e->tags[i], e->taglens[i]) & (nslots - 1);

		while (ps->e->slots[h] >= 0)
			h = (h + 1) & (nslots - 1);
		ps->e->slots[h] = i;
	}
}

static int32_t
intern(parser *ps, const char *name, size_t n)
{
	tag_expr   *e = ps->e;
	uint32_t	h;
	char	   *copy;

	if (2 * (e->ntags + 1) > ps->e->nslots)
		rehash(ps, ps->e->nslots ? 2 * ps->e->nslots : 16);
	h = hash_bytes(name, n) & (ps->e->nslots - 1);
	while (ps->e->slots[h] >= 0)
	{
		int32_t		i = ps->e->slots[h];

		if (e->taglens[i] == n && memcmp(e->tags[i], name, n) == 0)
			return i;
		h = (h + 1) & (ps->e->nslots - 1);
	}
	if (e->ntags == ps->captags)
	{
		int32_t		cap = ps->captags ? 2 * ps->captags : 8;

		e->tags = grow(ps, e->tags, sizeof(char *) * ps->captags, sizeof(char *) * cap);
		e->taglens = grow(ps, e->taglens, sizeof(size_t) * ps->captags, sizeof(size_t) * cap);
		ps->captags = cap;
	}
	copy = ps->a->alloc(ps->a->ctx, n + 1);
	memcpy(copy, name, n);
	copy[n] = '\0';
	e->tags[e->ntags] = copy;
	e->taglens[e->ntags] = n;
	ps->e->slots[h] = e->ntags;
	return e->ntags++;
}

static void
skip_space(parser *ps)
{
	while (ps->pos < ps->len &&
		   (ps->s[ps->pos] == ' ' || ps->s[ps->pos] == '\t' || ps->s[ps->pos] == '\n' ||
			ps->s[ps->pos] == '\r' || ps->s[ps->pos] == '\f' || ps->s[ps->pos] == '\v'))
		ps->pos++;
}

static bool
is_tag_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		c == '_' || c == '.' || c == ':' || (uint8_t) c >= 0x80;
}

static void parse_or(parser *ps);

static void
parse_atom(parser *ps)
{
	skip_space(ps);
	if (ps->failed)
		return;
	if (ps->pos >= ps->len)
	{
		fail(ps, (ps->e->nprog == 0 && ps->depth == 0) ?
			 "expression is empty" : "expression ends where a tag or \"(\" is expected",
			 ps->pos);
		return;
	}
	if (ps->s[ps->pos] == '(')
	{
		size_t		open = ps->pos;

		if (++ps->depth > TE_MAX_DEPTH)
		{
			fail(ps, "expression nested too deeply (at most 1000 levels)", ps->pos);
			return;
		}
		ps->pos++;
		parse_or(ps);
		skip_space(ps);
		if (ps->failed)
			return;
		if (ps->pos >= ps->len || ps->s[ps->pos] != ')')
		{
			fail(ps, ps->pos >= ps->len ? "missing \")\" for the \"(\" opened here" :
				 "expected \")\"", ps->pos >= ps->len ? open : ps->pos);
			return;
		}
		ps->pos++;
		ps->depth--;
		return;
	}
	if (ps->s[ps->pos] == '"')
	{
		size_t		start = ps->pos;
		size_t		n = 0;
		char	   *buf = ps->a->alloc(ps->a->ctx, ps->len - ps->pos + 1);

		ps->pos++;
		for (;;)
		{
			if (ps->pos >= ps->len)
			{
				ps->a->release(ps->a->ctx, buf);
				fail(ps, "unterminated quoted tag", start);
				return;
			}
			if (ps->s[ps->pos] == '"')
			{
				if (ps->pos + 1 < ps->len && ps->s[ps->pos + 1] == '"')
				{
					buf[n++] = '"';
					ps->pos += 2;
					continue;
				}
				ps->pos++;
				break;
			}
			buf[n++] = ps->s[ps->pos++];
		}
		emit(ps, TE_PUSH, intern(ps, buf, n));
		ps->a->release(ps->a->ctx, buf);
		return;
	}
	if (is_tag_char(ps->s[ps->pos]))
	{
		size_t		start = ps->pos;

		while (ps->pos < ps->len && is_tag_char(ps->s[ps->pos]))
			ps->pos++;
		emit(ps, TE_PUSH, intern(ps, ps->s + start, ps->pos - start));
		return;
	}
	if (ps->s[ps->pos] == ')')
		fail(ps, "unexpected \")\" where a tag or \"(\" is expected", ps->pos);
	else if (strchr("&-^|", ps->s[ps->pos]))
		fail(ps, "operator where a tag or \"(\" is expected", ps->pos);
	else
		fail(ps, "unexpected character (tags are letters, digits, _ . : or \"quoted text\")", ps->pos);
}

/*
 * One precedence level, loosest first: | (0), ^ (1), & and - (2); operands
 * come from the next tighter level and join left to right.
 */
static void
parse_level(parser *ps, int level)
{
	if (level == 3)
	{
		parse_atom(ps);
		return;
	}
	parse_level(ps, level + 1);
	for (;;)
	{
		char		c;
		te_op		op;

		skip_space(ps);
		if (ps->failed || ps->pos >= ps->len)
			return;
		c = ps->s[ps->pos];
		if (level == 0 && c == '|')
			op = TE_OR;
		else if (level == 1 && c == '^')
			op = TE_XOR;
		else if (level == 2 && (c == '&' || c == '-'))
			op = c == '&' ? TE_AND : TE_ANDNOT;
		else
			return;
		ps->pos++;
		parse_level(ps, level + 1);
		emit(ps, op, 0);
	}
}

static void
parse_or(parser *ps)
{
	parse_level(ps, 0);
}

void
te_free(tag_expr *e, const te_alloc *a)
{
	if (e == NULL)
		return;
	for (int32_t i = 0; i < e->ntags; i++)
		a->release(a->ctx, e->tags[i]);
	if (e->tags)
		a->release(a->ctx, e->tags);
	if (e->taglens)
		a->release(a->ctx, e->taglens);
	if (e->prog)
		a->release(a->ctx, e->prog);
	if (e->slots)
		a->release(a->ctx, e->slots);
	a->release(a->ctx, e);
}

tag_expr *
te_compile(const char *text, size_t len, const te_alloc *a, te_error *err)
{
	parser		ps;

	memset(&ps, 0, sizeof(ps));
	ps.s = text;
	ps.len = len;
	ps.a = a;
	ps.err = err;
	ps.e = a->alloc(a->ctx, sizeof(tag_expr));
	memset(ps.e, 0, sizeof(tag_expr));
	if (len > TE_MAX_LENGTH)
		fail(&ps, "expression longer than 1 MB", 0);
	else if (memchr(text, '\0', len))
		fail(&ps, "expression contains a NUL byte", (const char *) memchr(text, '\0', len) - text);
	else
	{
		parse_or(&ps);
		skip_space(&ps);
		if (!ps.failed && ps.pos < len)
		{
			if (text[ps.pos] == ')')
				fail(&ps, "unbalanced \")\"", ps.pos);
			else
				fail(&ps, "expected an operator (& - ^ |) or the end of the expression", ps.pos);
		}
	}
	if (ps.failed)
	{
		te_free(ps.e, a);
		return NULL;
	}
	return ps.e;
}

int32_t
te_find_tag(const tag_expr *e, const char *tag, size_t len)
{
	uint32_t	h;

	if (e->nslots == 0)
		return -1;
	h = hash_bytes(tag, len) & (e->nslots - 1);
	while (e->slots[h] >= 0)
	{
		int32_t		i = e->slots[h];

		if (e->taglens[i] == len && memcmp(e->tags[i], tag, len) == 0)
			return i;
		h = (h + 1) & (e->nslots - 1);
	}
	return -1;
}

/* ---- evaluation ---- */

typedef struct slot
{
	roaring_bitmap_t *r;
	bool		owned;
} slot;

static bool
apply(te_op op, slot *x, slot *y)
{
	bool		commutes = op != TE_ANDNOT;

	if (!x->owned && y->owned && commutes)
	{
		slot		t = *x;

		*x = *y;
		*y = t;
	}
	if (x->owned)
	{
		switch (op)
		{
			case TE_AND:
				roaring_bitmap_and_inplace(x->r, y->r);
				break;
			case TE_ANDNOT:
				roaring_bitmap_andnot_inplace(x->r, y->r);
				break;
			case TE_XOR:
				roaring_bitmap_xor_inplace(x->r, y->r);
				break;
			case TE_OR:
				roaring_bitmap_or_inplace(x->r, y->r);
				break;
			case TE_PUSH:
				break;
		}
	}
	else
	{
		roaring_bitmap_t *r = NULL;

		switch (op)
		{
			case TE_AND:
				r = roaring_bitmap_and(x->r, y->r);
				break;
			case TE_ANDNOT:
				r = roaring_bitmap_andnot(x->r, y->r);
				break;
			case TE_XOR:
				r = roaring_bitmap_xor(x->r, y->r);
				break;
			case TE_OR:
				r = roaring_bitmap_or(x->r, y->r);
				break;
			case TE_PUSH:
				break;
		}
		if (r == NULL)
			return false;
		x->r = r;
		x->owned = true;
	}
	if (y->owned)
		roaring_bitmap_free(y->r);
	y->owned = false;
	return true;
}

bool		(*te_stop_requested) (void) = NULL;

/* Runs the program; the last operation is left undone when stop_before_last. */
static bool
run(const tag_expr *e, roaring_bitmap_t *const *sets, slot *stack, int32_t *sp,
	roaring_bitmap_t *empty, int32_t nsteps)
{
	for (int32_t i = 0; i < nsteps; i++)
	{
		const te_instr *in = &e->prog[i];

		if (te_stop_requested && in->op != TE_PUSH && te_stop_requested())
			return false;

		if (in->op == TE_PUSH)
		{
			stack[*sp].r = sets[in->arg] ? sets[in->arg] : empty;
			stack[*sp].owned = false;
			(*sp)++;
		}
		else
		{
			(*sp)--;
			if (!apply(in->op, &stack[*sp - 1], &stack[*sp]))
				return false;
		}
	}
	return true;
}

static void
drop_stack(slot *stack, int32_t sp)
{
	for (int32_t i = 0; i < sp; i++)
		if (stack[i].owned)
			roaring_bitmap_free(stack[i].r);
}

roaring_bitmap_t *
te_eval(const tag_expr *e, roaring_bitmap_t *const *sets)
{
	slot		small[16];
	slot	   *stack = e->maxdepth <= 16 ? small : malloc(sizeof(slot) * e->maxdepth);
	int32_t		sp = 0;
	roaring_bitmap_t *empty = roaring_bitmap_create();
	roaring_bitmap_t *result = NULL;

	if (stack && empty && run(e, sets, stack, &sp, empty, e->nprog) && sp == 1)
	{
		result = stack[0].owned ? stack[0].r : roaring_bitmap_copy(stack[0].r);
		stack[0].owned = false;
	}
	if (stack)
		drop_stack(stack, sp);
	if (stack != small)
		free(stack);
	if (empty)
		roaring_bitmap_free(empty);
	return result;
}

bool
te_eval_count(const tag_expr *e, roaring_bitmap_t *const *sets, uint64_t *count)
{
	slot		small[16];
	slot	   *stack = e->maxdepth <= 16 ? small : malloc(sizeof(slot) * e->maxdepth);
	int32_t		sp = 0;
	roaring_bitmap_t *empty = roaring_bitmap_create();
	bool		ok = false;
	te_op		last = e->prog[e->nprog - 1].op;

	if (stack && empty &&
		run(e, sets, stack, &sp, empty, last == TE_PUSH ? e->nprog : e->nprog - 1))
	{
		const roaring_bitmap_t *x = stack[0].r;
		const roaring_bitmap_t *y = sp > 1 ? stack[1].r : NULL;

		ok = true;
		switch (last)
		{
			case TE_PUSH:
				*count = roaring_bitmap_get_cardinality(x);
				break;
			case TE_AND:
				*count = roaring_bitmap_and_cardinality(x, y);
				break;
			case TE_ANDNOT:
				*count = roaring_bitmap_andnot_cardinality(x, y);
				break;
			case TE_XOR:
				*count = roaring_bitmap_xor_cardinality(x, y);
				break;
			case TE_OR:
				*count = roaring_bitmap_or_cardinality(x, y);
				break;
		}
	}
	if (stack)
		drop_stack(stack, sp);
	if (stack != small)
		free(stack);
	if (empty)
		roaring_bitmap_free(empty);
	return ok;
}
