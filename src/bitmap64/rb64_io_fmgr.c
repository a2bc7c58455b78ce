/*
 * rb64_io_fmgr.c — text, binary, array forms of roaringbitmap64, and the casts
 * to and from roaringbitmap.
 */
#include "bitmap64/bitmap64_fmgr.h"

#include "catalog/pg_type.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"

static bytea *
from_values(uint64 *vals, size_t n)
{
	Rb64Set    *s = rb64set_new(CurrentMemoryContext);
	bytea	   *result;

	rb64set_check(rb64set_add_values(s, vals, n, false));
	result = rb64_serialize_set(s, false);
	rb64set_free(s);
	return result;
}

/* '{1, 2, 3}' */
static bytea *
parse_array_literal(const char *input)
{
	RbListScan	s;
	uint64	   *vals;
	size_t		n = 0,
				cap = 64;
	long long	l;
	bool		overflow;
	const char *tok;
	int			toklen;

	rb_list_begin(&s, input, "roaringbitmap64",
				  "Write a set of bigint values such as {1,2,3}, or the \\x hex form of its binary serialization.");
	vals = palloc(cap * sizeof(uint64));
	while (rb_list_next(&s, &l, &overflow, &tok, &toklen))
	{
		if (overflow)
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("value \"%s\" is out of range for type bigint", pnstrdup(tok, toklen)),
					 errdetail("roaringbitmap64 elements are bigint, from -9223372036854775808 to 9223372036854775807 (values of 2^63 and above are written negative).")));
		if (n == cap)
		{
			if (cap >= MaxAllocSize / sizeof(uint64) / 2)
				rb_check_result_size((uint64) cap * 2 * sizeof(uint64));
			cap *= 2;
			vals = repalloc(vals, cap * sizeof(uint64));
		}
		vals[n++] = (uint64) (int64) l;
	}
	return from_values(vals, n);
}

PG_FUNCTION_INFO_V1(roaringbitmap64_in);
Datum
roaringbitmap64_in(PG_FUNCTION_ARGS)
{
	char	   *input = PG_GETARG_CSTRING(0);

	if (input[0] == '\\' && input[1] == 'x')
	{
		bytea	   *b = rb_hex_decode(input, "roaringbitmap64");

		rb64_validate_or_error(VARDATA(b), VARSIZE(b) - VARHDRSZ,
							   ERRCODE_INVALID_TEXT_REPRESENTATION);
		PG_RETURN_BYTEA_P(rb64_stored_from_portable(b));
	}
	PG_RETURN_BYTEA_P(parse_array_literal(input));
}

PG_FUNCTION_INFO_V1(roaringbitmap64_out);
Datum
roaringbitmap64_out(PG_FUNCTION_ARGS)
{
	bytea	   *b = PG_GETARG_BYTEA_P(0);
	StringInfoData buf;
	Rb64Arg		a;
	bool		first = true;
	char		num[24];

	if (rb_output_format == RB_OUTPUT_BYTEA)
	{
		bytea	   *p = rb64_portable_of(b);
		size_t		len = VARSIZE(p) - VARHDRSZ;
		char	   *out = palloc(2 * len + 3);
		uint64		n;

		out[0] = '\\';
		out[1] = 'x';
		n = rb_hex_encode((const uint8 *) VARDATA(p), len, out + 2);
		out[2 + n] = '\0';
		PG_RETURN_CSTRING(out);
	}
	rb64_arg_from_bytea(b, &a);
	initStringInfo(&buf);
	appendStringInfoChar(&buf, '{');
	for (int64 i = 0; i < a.n; i++)
	{
		rb_interval_iter it;
		uint32		s,
					e;

		rb_interval_iter_init(&it, &a.b[i].view);
		while (rb_interval_next(&it, &s, &e))
		{
			for (uint64 x = s; x <= e; x++)
			{
				int			len = pg_lltoa((int64) rb64_join(a.b[i].key, (uint32) x), num);

				/* one interval can hold 2^32 values */
				if ((x & 0xFFFF) == 0)
					CHECK_FOR_INTERRUPTS();

				if (!first)
					appendStringInfoChar(&buf, ',');
				appendBinaryStringInfo(&buf, num, len);
				first = false;
			}
			CHECK_FOR_INTERRUPTS();
		}
		if (it.broken)
			rb64_corrupt_error();
	}
	appendStringInfoChar(&buf, '}');
	PG_RETURN_CSTRING(buf.data);
}

PG_FUNCTION_INFO_V1(roaringbitmap64_recv);
Datum
roaringbitmap64_recv(PG_FUNCTION_ARGS)
{
	bytea	   *result = rb_recv_raw((StringInfo) PG_GETARG_POINTER(0));

	rb64_validate_or_error(VARDATA(result), VARSIZE(result) - VARHDRSZ,
						   ERRCODE_INVALID_BINARY_REPRESENTATION);
	PG_RETURN_BYTEA_P(rb64_stored_from_portable(result));
}

/*
 * The binary form is portable whatever the stored form (rb64_format.h); a
 * directory value is written portable straight into the message.
 */
PG_FUNCTION_INFO_V1(roaringbitmap64_send);
Datum
roaringbitmap64_send(PG_FUNCTION_ARGS)
{
	bytea	   *b = PG_GETARG_BYTEA_P(0);
	StringInfoData buf;
	Rb64Arg		a;
	size_t		size;

	if (!rb64_is_dir((const uint8 *) VARDATA(b), VARSIZE(b) - VARHDRSZ))
		PG_RETURN_BYTEA_P(rb_send_raw(b));
	rb64_arg_from_bytea(b, &a);
	size = rb64_buckets_size(a.b, a.n, false);
	pq_begintypsend(&buf);
	enlargeStringInfo(&buf, (int) size);
	rb64_write_buckets(a.b, a.n, false, (uint8 *) buf.data + buf.len);
	buf.len += (int) size;
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(rb64_to_bytea);
Datum
rb64_to_bytea(PG_FUNCTION_ARGS)
{
	PG_RETURN_BYTEA_P(rb64_portable_of(PG_GETARG_BYTEA_P(0)));
}

PG_FUNCTION_INFO_V1(roaringbitmap64_from_bytea);
Datum
roaringbitmap64_from_bytea(PG_FUNCTION_ARGS)
{
	bytea	   *b = PG_GETARG_BYTEA_P(0);

	rb64_validate_or_error(VARDATA(b), VARSIZE(b) - VARHDRSZ,
						   ERRCODE_INVALID_TEXT_REPRESENTATION);
	PG_RETURN_BYTEA_P(rb64_stored_from_portable(b));
}

PG_FUNCTION_INFO_V1(rb64_build);
Datum
rb64_build(PG_FUNCTION_ARGS)
{
	ArrayType  *a = PG_GETARG_ARRAYTYPE_P(0);
	int			n = ArrayGetNItems(ARR_NDIM(a), ARR_DIMS(a));
	uint64	   *vals;

	if (ARR_ELEMTYPE(a) != INT8OID)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("rb64_build expects a bigint[] array")));
	if (array_contains_nulls(a))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("array must not contain NULL elements"),
				 errhint("Filter them out first, e.g. array_remove(arr, NULL).")));
	vals = palloc(Max(n, 1) * sizeof(uint64));
	memcpy(vals, ARR_DATA_PTR(a), n * sizeof(uint64));
	PG_RETURN_BYTEA_P(from_values(vals, n));
}

PG_FUNCTION_INFO_V1(rb64_to_array);
Datum
rb64_to_array(PG_FUNCTION_ARGS)
{
	Rb64Arg		a;
	uint64		card,
				k = 0,
				next_check = 0;
	Size		nbytes;
	ArrayType  *result;
	uint64	   *out;

	rb64_arg_get(fcinfo, 0, &a);
	card = rb64_arg_cardinality(&a);
	if (card == 0)
		PG_RETURN_ARRAYTYPE_P(construct_empty_array(INT8OID));
	if (card > (uint64) MaxArraySize ||
		card * sizeof(int64) + ARR_OVERHEAD_NONULLS(1) > MaxAllocSize)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("roaringbitmap64 of " UINT64_FORMAT " elements is too large for a bigint[] array", card),
				 errhint("Use rb64_iterate() to stream the elements, or rb64_range()/rb64_select() to take a part.")));
	nbytes = ARR_OVERHEAD_NONULLS(1) + card * sizeof(int64);
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
	result->elemtype = INT8OID;
	ARR_DIMS(result)[0] = (int) card;
	ARR_LBOUND(result)[0] = 1;
	out = (uint64 *) ARR_DATA_PTR(result);
	for (int64 i = 0; i < a.n; i++)
	{
		rb_interval_iter it;
		uint32		s,
					e;

		rb_interval_iter_init(&it, &a.b[i].view);
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
					out[k++] = rb64_join(a.b[i].key, (uint32) x);
			}
		}
		if (it.broken)
			rb64_corrupt_error();
	}
	if (k != card)
		rb64_corrupt_error();
	PG_RETURN_ARRAYTYPE_P(result);
}

typedef struct IterateState
{
	Rb64Arg		a;
	int64		bi;				/* current bucket */
	rb_interval_iter it;
	uint64		next;
	uint64		end;			/* exclusive */
} IterateState;

PG_FUNCTION_INFO_V1(rb64_iterate);
Datum
rb64_iterate(PG_FUNCTION_ARGS)
{
	FuncCallContext *funcctx;
	IterateState *st;

	if (SRF_IS_FIRSTCALL())
	{
		MemoryContext old;

		funcctx = SRF_FIRSTCALL_INIT();
		old = MemoryContextSwitchTo(funcctx->multi_call_memory_ctx);
		st = palloc0(sizeof(IterateState));
		rb64_arg_from_bytea(PG_GETARG_BYTEA_P_COPY(0), &st->a);
		st->bi = -1;
		funcctx->user_fctx = st;
		MemoryContextSwitchTo(old);
	}
	funcctx = SRF_PERCALL_SETUP();
	st = funcctx->user_fctx;
	while (st->next >= st->end)
	{
		uint32		s,
					e;

		if (st->bi >= 0 && rb_interval_next(&st->it, &s, &e))
		{
			st->next = s;
			st->end = (uint64) e + 1;
			break;
		}
		if (st->bi >= 0 && st->it.broken)
			rb64_corrupt_error();
		if (++st->bi >= st->a.n)
			SRF_RETURN_DONE(funcctx);
		rb_interval_iter_init(&st->it, &st->a.b[st->bi].view);
	}
	SRF_RETURN_NEXT(funcctx,
					Int64GetDatum((int64) rb64_join(st->a.b[st->bi].key, (uint32) st->next++)));
}

/*
 * Between the two types, values keep what SQL shows: int4 -1 becomes
 * bigint -1 (2^64 - 1 unsigned), as pg_roaringbitmap 1.2 converts.  So a
 * 32-bit bitmap splits into bucket 0 (0 .. 2^31-1) and bucket 2^32-1
 * (the negative int4 values, low halves unchanged).
 */
#define NEG_KEY UINT32_MAX
#define INT4_SIGN ((uint32) 0x80000000)

PG_FUNCTION_INFO_V1(rb64_from_roaringbitmap);
Datum
rb64_from_roaringbitmap(PG_FUNCTION_ARGS)
{
	bytea	   *b = PG_GETARG_BYTEA_P(0);
	RbOwned    *pos,
			   *neg;
	Rb64Out		o;

	pos = rb_deserialize_owned(VARDATA(b), VARSIZE(b) - VARHDRSZ);
	neg = rb_owned_new(CurrentMemoryContext);
	neg->r = roaring_bitmap_copy(pos->r);
	rb64_oom_check(neg->r);
	roaring_bitmap_remove_range_closed(pos->r, INT4_SIGN, UINT32_MAX);
	roaring_bitmap_remove_range_closed(neg->r, 0, INT4_SIGN - 1);
	rb64out_init(&o);
	rb64out_bitmap(&o, 0, pos);
	rb64out_bitmap(&o, NEG_KEY, neg);
	PG_RETURN_BYTEA_P(rb64out_finish(&o));
}

static void
does_not_fit(int64 value)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("value " INT64_FORMAT " is out of range for type integer", value),
			 errdetail("rb64_to_roaringbitmap needs every element between -2147483648 and 2147483647."),
			 errhint("Take the part that fits first, e.g. rb64_range(bm, 0, 2147483648).")));
}

/* roaringbitmap64 -> roaringbitmap: 22003 unless every value fits int4. */
PG_FUNCTION_INFO_V1(rb64_to_roaringbitmap);
Datum
rb64_to_roaringbitmap(PG_FUNCTION_ARGS)
{
	Rb64Arg		a;
	RbOwned    *o = rb_new_owned();

	rb64_arg_get(fcinfo, 0, &a);
	for (int64 i = 0; i < a.n; i++)
	{
		const rb_view *v = &a.b[i].view;
		rb_container c;
		uint32		low;

		if (a.b[i].key != 0 && a.b[i].key != NEG_KEY)
		{
			if (!rb_view_container(v, 0, &c))
				rb64_corrupt_error();
			does_not_fit((int64) rb64_join(a.b[i].key, ((uint32) c.key << 16) | rb_container_min(&c)));
		}
		/* bucket 0 must stay below 2^31, bucket 2^32-1 at or above */
		if (!rb_view_container(v, a.b[i].key == 0 ? v->n - 1 : 0, &c))
			rb64_corrupt_error();
		low = ((uint32) c.key << 16) |
			(a.b[i].key == 0 ? rb_container_max(&c) : rb_container_min(&c));
		if (a.b[i].key == 0 ? low >= INT4_SIGN : low < INT4_SIGN)
			does_not_fit((int64) rb64_join(a.b[i].key, low));
		if (!rb_lazy_or_view(o->r, v))
			rb64_corrupt_error();
	}
	roaring_bitmap_repair_after_lazy(o->r);
	PG_RETURN_BYTEA_P(rb_serialize_free(o));
}
