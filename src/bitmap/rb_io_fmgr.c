/*
 * rb_io_fmgr.c — text, binary and array forms of roaringbitmap.
 */
#include "bitmap/bitmap_fmgr.h"

#include <limits.h>

#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "utils/array.h"
#include "utils/builtins.h"

int			rb_output_format = RB_OUTPUT_BYTEA;

static void
list_syntax_error(const RbListScan *s, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type %s: \"%s\"", s->typname, s->input),
			 errdetail("%s", detail),
			 errhint("%s", s->hint)));
}

void
rb_list_begin(RbListScan *s, const char *input, const char *typname, const char *hint)
{
	s->input = input;
	s->count = 0;
	s->typname = typname;
	s->hint = hint;
	s->p = input;
	while (isspace((unsigned char) *s->p))
		s->p++;
	if (*s->p != '{')
		list_syntax_error(s, "A set starts with \"{\".");
	s->p++;
	while (isspace((unsigned char) *s->p))
		s->p++;
	s->done = (*s->p == '}');
}

bool
rb_list_next(RbListScan *s, long long *v, bool *overflow, const char **tok, int *toklen)
{
	char	   *end;

	if (s->done)
	{
		/* after the closing brace: only white space */
		if (*s->p == '}')
		{
			s->p++;
			while (isspace((unsigned char) *s->p))
				s->p++;
			if (*s->p != '\0')
				list_syntax_error(s, psprintf("Unexpected text after \"}\" at character %d.",
											  (int) (s->p - s->input) + 1));
		}
		return false;
	}
	/* a 1 GB text holds 500 million elements */
	if ((++s->count % RB_CHECK_EVERY) == 0)
		CHECK_FOR_INTERRUPTS();
	errno = 0;
	*v = strtoll(s->p, &end, 10);
	if (end == s->p)
		list_syntax_error(s, psprintf("Expected an integer at character %d.",
									  (int) (s->p - s->input) + 1));
	*overflow = (errno == ERANGE);
	*tok = s->p;
	*toklen = (int) (end - s->p);
	s->p = end;
	while (isspace((unsigned char) *s->p))
		s->p++;
	if (*s->p == ',')
	{
		s->p++;
		while (isspace((unsigned char) *s->p))
			s->p++;
	}
	else if (*s->p == '}')
		s->done = true;
	else
		list_syntax_error(s, psprintf("Expected \",\" or \"}\" at character %d.",
									  (int) (s->p - s->input) + 1));
	return true;
}

/* '{1, 2, 3}' */
static bytea *
parse_array_literal(const char *input)
{
	RbListScan	s;
	uint32	   *vals;
	size_t		n = 0,
				cap = 64;
	long long	l;
	bool		overflow;
	const char *tok;
	int			toklen;
	RbOwned    *o;

	rb_list_begin(&s, input, "roaringbitmap",
				  "Write a set of integers such as {1,2,3}, or the \\x hex form of its binary serialization.");
	vals = palloc(cap * sizeof(uint32));
	while (rb_list_next(&s, &l, &overflow, &tok, &toklen))
	{
		if (overflow || l < INT_MIN || l > INT_MAX)
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("value \"%s\" is out of range for type integer", pnstrdup(tok, toklen)),
					 errdetail("roaringbitmap elements are int4, from -2147483648 to 2147483647.")));
		if (n == cap)
		{
			if (cap >= MaxAllocSize / sizeof(uint32) / 2)
				rb_check_result_size((uint64) cap * 2 * sizeof(uint32));
			cap *= 2;
			vals = repalloc(vals, cap * sizeof(uint32));
		}
		vals[n++] = (uint32) (int32) l;
	}
	o = rb_new_owned();
	rb_add_values(o->r, vals, n);
	pfree(vals);
	return rb_serialize_free(o);
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * The \x text form: pairs of hex digits, whitespace allowed between pairs
 * (as bytea accepts).  Errors are 22P02 with the character position, where
 * byteain would say 22023.
 */
bytea *
rb_hex_decode(const char *input, const char *typname)
{
	size_t		len = strlen(input);
	bytea	   *result = palloc(VARHDRSZ + len / 2 + 1);
	uint8	   *out = (uint8 *) VARDATA(result);
	size_t		n = 0;

	for (size_t i = 2; i < len;)
	{
		int			hi,
					lo;

		if (isspace((unsigned char) input[i]))
		{
			i++;
			continue;
		}
		hi = hexval(input[i]);
		lo = i + 1 < len ? hexval(input[i + 1]) : -1;
		if (hi < 0 || lo < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("invalid input syntax for type %s: invalid hexadecimal data at character %zu",
							typname, (hi < 0 ? i : i + 1) + 1),
					 errhint("After \\x, write the bytes as pairs of hex digits.")));
		out[n++] = (uint8) (hi << 4 | lo);
		i += 2;
	}
	SET_VARSIZE(result, VARHDRSZ + n);
	return result;
}

PG_FUNCTION_INFO_V1(roaringbitmap_in);
Datum
roaringbitmap_in(PG_FUNCTION_ARGS)
{
	char	   *input = PG_GETARG_CSTRING(0);

	if (input[0] == '\\' && input[1] == 'x')
	{
		bytea	   *b = rb_hex_decode(input, "roaringbitmap");

		rb_validate_or_error(VARDATA(b), VARSIZE(b) - VARHDRSZ,
							 ERRCODE_INVALID_TEXT_REPRESENTATION);
		PG_RETURN_BYTEA_P(b);
	}
	PG_RETURN_BYTEA_P(parse_array_literal(input));
}

/* Append every element, in unsigned order, as a signed int4. */
static void
too_large_for_text(uint64 card)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("roaringbitmap of " UINT64_FORMAT " elements is too large for text output", card),
			 errdetail("A text value is limited to 1 GB."),
			 errhint("Use binary COPY or the bytea form, or keep one bitmap per bucket of ids (e.g. user_id >> 20).")));
}

static void
append_elements(StringInfo buf, const rb_view *v)
{
	rb_interval_iter it;
	uint32		s,
				e;
	bool		first = true;
	char		num[12];

	rb_interval_iter_init(&it, v);
	while (rb_interval_next(&it, &s, &e))
	{
		for (uint64 x = s; x <= e; x++)
		{
			int			len = pg_ltoa((int32) (uint32) x, num);

			/* one interval can hold 2^32 values */
			if ((x & 0xFFFF) == 0)
				CHECK_FOR_INTERRUPTS();

			if (!first)
				appendStringInfoChar(buf, ',');
			appendBinaryStringInfo(buf, num, len);
			first = false;
		}
		CHECK_FOR_INTERRUPTS();
	}
	if (it.broken)
		rb_corrupt_error();
}

PG_FUNCTION_INFO_V1(roaringbitmap_out);
Datum
roaringbitmap_out(PG_FUNCTION_ARGS)
{
	bytea	   *b = PG_GETARG_BYTEA_P(0);
	StringInfoData buf;

	if (rb_output_format == RB_OUTPUT_BYTEA)
	{
		/* always hex, whatever bytea_output says: the input reads only hex */
		size_t		len = VARSIZE(b) - VARHDRSZ;
		char	   *out;
		uint64		n;

		if (2 * len + 3 > MaxAllocSize)
		{
			rb_view		v;

			too_large_for_text(rb_view_init(&v, VARDATA(b), len) ? rb_view_cardinality(&v) : 0);
		}
		out = palloc(2 * len + 3);

		out[0] = '\\';
		out[1] = 'x';
		n = rb_hex_encode((const uint8 *) VARDATA(b), len, out + 2);
		out[2 + n] = '\0';
		PG_RETURN_CSTRING(out);
	}
	{
		rb_view		v;
		uint64		len;

		if (!rb_view_init(&v, VARDATA(b), VARSIZE(b) - VARHDRSZ))
			rb_corrupt_error();
		len = rb_text_length(&v);
		if (len == UINT64_MAX)
			rb_corrupt_error();
		if (len + 1 > MaxAllocSize)
			too_large_for_text(rb_view_cardinality(&v));
		buf.data = palloc(len + 1);
		buf.maxlen = (int) (len + 1);
		buf.len = 0;
		buf.data[0] = '\0';
		buf.cursor = 0;
		appendStringInfoChar(&buf, '{');
		append_elements(&buf, &v);
		appendStringInfoChar(&buf, '}');
		Assert(buf.len == (int) len);
	}
	PG_RETURN_CSTRING(buf.data);
}

PG_FUNCTION_INFO_V1(roaringbitmap_recv);
Datum
roaringbitmap_recv(PG_FUNCTION_ARGS)
{
	bytea	   *result = rb_recv_raw((StringInfo) PG_GETARG_POINTER(0));

	rb_validate_or_error(VARDATA(result), VARSIZE(result) - VARHDRSZ,
						 ERRCODE_INVALID_BINARY_REPRESENTATION);
	PG_RETURN_BYTEA_P(result);
}

PG_FUNCTION_INFO_V1(roaringbitmap_send);
Datum
roaringbitmap_send(PG_FUNCTION_ARGS)
{
	struct varlena *raw = (struct varlena *) DatumGetPointer(PG_GETARG_DATUM(0));
	bytea	   *b = PG_GETARG_BYTEA_P(0);

	/*
	 * The wire form is the stored form.  A value just detoasted is already a
	 * private copy with a 4-byte header: send it as it is instead of copying
	 * every byte once more.
	 */
	if ((struct varlena *) b != raw)
		PG_RETURN_BYTEA_P(b);
	PG_RETURN_BYTEA_P(rb_send_raw(b));
}

/* bytea -> roaringbitmap: the layouts are identical once validated. */
PG_FUNCTION_INFO_V1(roaringbitmap_from_bytea);
Datum
roaringbitmap_from_bytea(PG_FUNCTION_ARGS)
{
	bytea	   *b = PG_GETARG_BYTEA_P(0);

	rb_validate_or_error(VARDATA(b), VARSIZE(b) - VARHDRSZ,
						 ERRCODE_INVALID_TEXT_REPRESENTATION);
	PG_RETURN_BYTEA_P(b);
}

PG_FUNCTION_INFO_V1(rb_build);
Datum
rb_build(PG_FUNCTION_ARGS)
{
	ArrayType  *a = PG_GETARG_ARRAYTYPE_P(0);
	int			n = ArrayGetNItems(ARR_NDIM(a), ARR_DIMS(a));
	RbOwned    *o;
	uint32	   *vals;

	if (ARR_ELEMTYPE(a) != INT4OID)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("rb_build expects an int4[] array")));
	if (array_contains_nulls(a))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("array must not contain NULL elements"),
				 errhint("Filter them out first, e.g. array_remove(arr, NULL).")));
	o = rb_new_owned();
	vals = palloc(Max(n, 1) * sizeof(uint32));
	memcpy(vals, ARR_DATA_PTR(a), n * sizeof(uint32));
	rb_add_values(o->r, vals, n);
	pfree(vals);
	PG_RETURN_BYTEA_P(rb_serialize_free(o));
}

PG_FUNCTION_INFO_V1(rb_to_array);
Datum
rb_to_array(PG_FUNCTION_ARGS)
{
	RbArg		arg;
	uint64		card;
	Size		nbytes;
	ArrayType  *result;
	uint32	   *out;

	rb_arg_get(fcinfo, 0, &arg);
	card = rb_arg_cardinality(&arg);
	if (card == 0)
		PG_RETURN_ARRAYTYPE_P(construct_empty_array(INT4OID));
	if (card > (uint64) MaxArraySize ||
		card * sizeof(int32) + ARR_OVERHEAD_NONULLS(1) > MaxAllocSize)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("roaringbitmap of " UINT64_FORMAT " elements is too large for an int4[] array", card),
				 errhint("Use rb_iterate() to stream the elements, or rb_range()/rb_select() to take a part.")));
	nbytes = ARR_OVERHEAD_NONULLS(1) + card * sizeof(int32);
	/*
	 * Not palloc0: zeroing half a gigabyte (and faulting its pages in) took
	 * seconds with no cancel check.  The fill below writes every element and
	 * checks as it goes; only the header is cleared.
	 */
	result = palloc(nbytes);
	memset(result, 0, ARR_OVERHEAD_NONULLS(1));
	SET_VARSIZE(result, nbytes);
	result->ndim = 1;
	result->dataoffset = 0;
	result->elemtype = INT4OID;
	ARR_DIMS(result)[0] = (int) card;
	ARR_LBOUND(result)[0] = 1;
	out = (uint32 *) ARR_DATA_PTR(result);

	/*
	 * 134 million elements take seconds: written RB_CHECK_EVERY at a time,
	 * with a cancel check before each slice.
	 */
	if (arg.exp)
	{
		roaring_uint32_iterator_t it;
		uint64		k = 0;

		roaring_init_iterator(rb_arg_roaring(&arg), &it);
		while (k < card)
		{
			uint32		got;

			CHECK_FOR_INTERRUPTS();
			got = roaring_read_uint32_iterator(&it, out + k,
											   (uint32) Min(card - k, RB_CHECK_EVERY));
			if (got == 0)
				break;
			k += got;
		}
		if (k != card)
			rb_corrupt_error();
	}
	else
	{
		rb_interval_iter it;
		uint32		s,
					e;
		uint64		k = 0,
					next_check = 0;

		rb_interval_iter_init(&it, &arg.view);
		while (rb_interval_next(&it, &s, &e))
		{
			uint64		x = s;

			/* an interval can hold 2^32 values: cut into slices */
			while (x <= e && k < card)
			{
				uint64		stop = Min((uint64) e, x + RB_CHECK_EVERY - 1);

				if (k >= next_check)
				{
					CHECK_FOR_INTERRUPTS();
					next_check = k + RB_CHECK_EVERY;
				}
				for (; x <= stop && k < card; x++)
					out[k++] = (uint32) x;
			}
		}
		if (it.broken || k != card)
			rb_corrupt_error();
	}
	PG_RETURN_ARRAYTYPE_P(result);
}

/* Streams from the flat bytes: no copy of the elements, any cardinality. */
typedef struct IterateState
{
	rb_view		view;
	rb_interval_iter it;
	uint64		next;
	uint64		end;			/* exclusive */
} IterateState;

PG_FUNCTION_INFO_V1(rb_iterate);
Datum
rb_iterate(PG_FUNCTION_ARGS)
{
	FuncCallContext *funcctx;
	IterateState *st;

	if (SRF_IS_FIRSTCALL())
	{
		MemoryContext old;
		bytea	   *b;

		funcctx = SRF_FIRSTCALL_INIT();
		old = MemoryContextSwitchTo(funcctx->multi_call_memory_ctx);
		b = PG_GETARG_BYTEA_P_COPY(0);
		st = palloc0(sizeof(IterateState));
		if (!rb_view_init(&st->view, VARDATA(b), VARSIZE(b) - VARHDRSZ))
			rb_corrupt_error();
		rb_interval_iter_init(&st->it, &st->view);
		funcctx->user_fctx = st;
		MemoryContextSwitchTo(old);
	}
	funcctx = SRF_PERCALL_SETUP();
	st = funcctx->user_fctx;
	if (st->next >= st->end)
	{
		uint32		s,
					e;

		if (!rb_interval_next(&st->it, &s, &e))
		{
			if (st->it.broken)
				rb_corrupt_error();
			SRF_RETURN_DONE(funcctx);
		}
		st->next = s;
		st->end = (uint64) e + 1;
	}
	SRF_RETURN_NEXT(funcctx, Int32GetDatum((int32) (uint32) st->next++));
}
