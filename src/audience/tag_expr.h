/*
 * tag_expr.h — the audience expression language: parse, list tags, evaluate.
 *
 * Plain C over CRoaring, no PostgreSQL types, so that the unit tests and the
 * fuzzer link it alone.
 *
 * Grammar, tightest first: ( … ); & and - (left to right); ^; |.
 * A tag is a run of letters, digits, '_', '.', ':' (bytes >= 0x80 count as
 * letters, so UTF-8 names need no quotes) or any text in double quotes, with
 * "" for a literal quote.  Whitespace is free.
 */
#ifndef PERSONA_TAG_EXPR_H
#define PERSONA_TAG_EXPR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <roaring/roaring.h>

typedef enum te_op
{
	TE_PUSH,					/* push the set of tag `arg` */
	TE_AND,
	TE_ANDNOT,
	TE_XOR,
	TE_OR
} te_op;

typedef struct te_instr
{
	te_op		op;
	int32_t		arg;
} te_instr;

/* A compiled expression: a postfix program over distinct tags. */
typedef struct tag_expr
{
	int32_t		ntags;
	char	  **tags;			/* distinct, in order of first appearance */
	size_t	   *taglens;
	int32_t		nprog;
	te_instr   *prog;
	int32_t		maxdepth;		/* evaluation stack needed */
	int32_t    *slots;			/* open-addressing table of tag indices */
	int32_t		nslots;			/* a power of two */
} tag_expr;

typedef struct te_error
{
	const char *message;		/* static text */
	int32_t		position;		/* 1-based character (not byte) position */
} te_error;

/* Allocation hooks: the PostgreSQL glue passes palloc, tests pass malloc. */
typedef struct te_alloc
{
	void	   *(*alloc) (void *ctx, size_t size);
	void		(*release) (void *ctx, void *p);
	void	   *ctx;
} te_alloc;

/* Longest expression accepted, so that nesting cannot exhaust the C stack. */
#define TE_MAX_LENGTH		(1024 * 1024)
#define TE_MAX_DEPTH		1000

/* NULL with *err set when the text is not a valid expression. */
extern tag_expr *te_compile(const char *text, size_t len, const te_alloc *a, te_error *err);
extern void te_free(tag_expr *e, const te_alloc *a);

/* Index of a tag in e->tags, or -1. */
extern int32_t te_find_tag(const tag_expr *e, const char *tag, size_t len);

/*
 * Evaluate over one bitmap per tag (NULL = empty set).  Returns a new bitmap
 * the caller frees, or NULL when CRoaring could not allocate or the host
 * asked to stop.
 */
extern roaring_bitmap_t *te_eval(const tag_expr *e, roaring_bitmap_t *const *sets);

/* The same, counting only: the last operation runs as a *_cardinality. */
extern bool te_eval_count(const tag_expr *e, roaring_bitmap_t *const *sets, uint64_t *count);

/*
 * Polled before each operation (NULL: never).  An expression can hold
 * hundreds of thousands of operations over large bitmaps; when this returns
 * true (a cancel is pending) the evaluation frees what it made and fails,
 * and the host handles the interrupt.  The host cannot simply leave with an
 * error in the middle: CRoaring allocates with malloc.
 */
extern bool (*te_stop_requested) (void);

#endif
