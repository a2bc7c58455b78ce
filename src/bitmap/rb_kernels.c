/*
 * rb_kernels.c — set-operation cardinalities computed on the serialized
 * bytes, container by container, with no allocation.  Plain C.
 *
 * Debian's CRoaring 0.2.66 would first deserialize both operands (a malloc
 * and a copy per container); reading in place with the CPU's popcount
 * (rb_simd.c) is what makes rb_and_cardinality and its relatives cheap.  The
 * other cardinalities follow from the intersection and the header counts.
 */
#include "bitmap/rb_kernels.h"

#include <string.h>

/* ---- container pairs ---- */

static uint32_t
array_array(const rb_container *a, const rb_container *b)
{
	uint32_t	i = 0,
				j = 0,
				n = 0;

	/* a skewed pair gallops through the larger side */
	if (a->card * 64 < b->card || b->card * 64 < a->card)
	{
		const rb_container *s = a->card < b->card ? a : b;
		const rb_container *l = a->card < b->card ? b : a;
		uint32_t	lo = 0;

		for (i = 0; i < s->card; i++)
		{
			uint16_t	x = bytes_ld16(s->data + 2 * i);
			uint32_t	hi = l->card;

			while (lo < hi)
			{
				uint32_t	mid = (lo + hi) >> 1;

				if (bytes_ld16(l->data + 2 * mid) < x)
					lo = mid + 1;
				else
					hi = mid;
			}
			if (lo == l->card)
				break;
			if (bytes_ld16(l->data + 2 * lo) == x)
				n++;
		}
		return n;
	}
	while (i < a->card && j < b->card)
	{
		uint16_t	x = bytes_ld16(a->data + 2 * i),
					y = bytes_ld16(b->data + 2 * j);

		n += x == y;
		i += x <= y;
		j += y <= x;
	}
	return n;
}

static uint32_t
array_bitset(const rb_container *a, const rb_container *bs)
{
	uint32_t	n = 0;

	for (uint32_t i = 0; i < a->card; i++)
	{
		uint16_t	x = bytes_ld16(a->data + 2 * i);

		n += (bs->data[x >> 3] >> (x & 7)) & 1;
	}
	return n;
}

static uint32_t
array_run(const rb_container *a, const rb_container *r)
{
	uint32_t	n = 0,
				k = 0;

	for (uint32_t i = 0; i < a->card && k < r->nruns; i++)
	{
		uint32_t	x = bytes_ld16(a->data + 2 * i);

		while (k < r->nruns &&
			   (uint32_t) bytes_ld16(r->data + 4 * k) + bytes_ld16(r->data + 4 * k + 2) < x)
			k++;
		if (k < r->nruns && bytes_ld16(r->data + 4 * k) <= x)
			n++;
	}
	return n;
}

static uint32_t
run_bitset(const rb_container *r, const rb_container *bs)
{
	uint64_t	n = 0;

	for (uint32_t k = 0; k < r->nruns; k++)
	{
		uint32_t	s = bytes_ld16(r->data + 4 * k);

		n += rb_simd.popcount_range(bs->data, s, s + bytes_ld16(r->data + 4 * k + 2));
	}
	return (uint32_t) n;
}

static uint32_t
run_run(const rb_container *a, const rb_container *b)
{
	uint32_t	i = 0,
				j = 0,
				n = 0;

	while (i < a->nruns && j < b->nruns)
	{
		uint32_t	as = bytes_ld16(a->data + 4 * i),
					ae = as + bytes_ld16(a->data + 4 * i + 2);
		uint32_t	bs = bytes_ld16(b->data + 4 * j),
					be = bs + bytes_ld16(b->data + 4 * j + 2);
		uint32_t	s = as > bs ? as : bs;
		uint32_t	e = ae < be ? ae : be;

		if (s <= e)
			n += e - s + 1;
		if (ae <= be)
			i++;
		if (be <= ae)
			j++;
	}
	return n;
}

static uint32_t
container_and_card(const rb_container *a, const rb_container *b)
{
	/* order the pair as (array, bitset, run) to halve the cases */
	if (a->type > b->type)
	{
		const rb_container *t = a;

		a = b;
		b = t;
	}
	switch (a->type)
	{
		case RB_ARRAY:
			return b->type == RB_ARRAY ? array_array(a, b) :
				b->type == RB_BITSET ? array_bitset(a, b) : array_run(a, b);
		case RB_BITSET:
			return b->type == RB_BITSET ? (uint32_t) rb_simd.and_popcount(a->data, b->data) :
				run_bitset(b, a);
		case RB_RUN:
			return run_run(a, b);
	}
	return 0;
}

uint64_t
rb_view_and_cardinality(const rb_view *a, const rb_view *b, bool *broken)
{
	int32_t		i = 0,
				j = 0;
	uint64_t	total = 0;

	if (rb_simd.and_popcount == NULL)
		rb_simd_choose();
	*broken = false;
	while (i < a->n && j < b->n)
	{
		uint16_t	ka = rb_view_key(a, i),
					kb = rb_view_key(b, j);

		if (ka < kb)
			i++;
		else if (kb < ka)
			j++;
		else
		{
			rb_container ca,
						cb;

			if (!rb_view_container(a, i, &ca) || !rb_view_container(b, j, &cb))
			{
				*broken = true;
				return 0;
			}
			total += container_and_card(&ca, &cb);
			i++;
			j++;
		}
	}
	return total;
}

/* ---- a prepared operand ---- */

size_t
rb_dense_size(int32_t ncontainers)
{
	return sizeof(rb_dense) + (size_t) ncontainers * 1024 * sizeof(uint64_t);
}

bool
rb_dense_fill(rb_dense *d, const rb_view *v)
{
	if (rb_simd.and_popcount == NULL)
		rb_simd_choose();
	d->n = v->n;
	memset(d->index, 0xFF, sizeof(d->index));
	memset(d->words, 0, (size_t) v->n * 1024 * sizeof(uint64_t));
	for (int32_t i = 0; i < v->n; i++)
	{
		rb_container c;
		uint64_t   *w = d->words + (size_t) i * 1024;

		if (!rb_view_container(v, i, &c))
			return false;
		d->index[c.key] = i;
		switch (c.type)
		{
			case RB_ARRAY:
				for (uint32_t k = 0; k < c.card; k++)
				{
					uint16_t	x = bytes_ld16(c.data + 2 * k);

					w[x >> 6] |= 1ULL << (x & 63);
				}
				break;
			case RB_BITSET:
				memcpy(w, c.data, RB_BITSET_BYTES);
				break;
			case RB_RUN:
				for (uint32_t k = 0; k < c.nruns; k++)
				{
					uint32_t	s = bytes_ld16(c.data + 4 * k);
					uint32_t	e = s + bytes_ld16(c.data + 4 * k + 2);

					for (uint32_t x = s; x <= e; x++)
						w[x >> 6] |= 1ULL << (x & 63);
				}
				break;
		}
	}
	return true;
}

/* Each container of v costs its own size: bit probes, a popcount, or ranges. */
uint64_t
rb_dense_and_cardinality(const rb_dense *d, const rb_view *v, bool *broken)
{
	uint64_t	total = 0;

	*broken = false;
	for (int32_t i = 0; i < v->n; i++)
	{
		int32_t		j = d->index[rb_view_key(v, i)];
		const uint64_t *w;
		rb_container c;

		if (j < 0)
			continue;
		if (!rb_view_container(v, i, &c))
		{
			*broken = true;
			return 0;
		}
		w = d->words + (size_t) j * 1024;
		switch (c.type)
		{
			case RB_ARRAY:
				for (uint32_t k = 0; k < c.card; k++)
				{
					uint16_t	x = bytes_ld16(c.data + 2 * k);

					total += (w[x >> 6] >> (x & 63)) & 1;
				}
				break;
			case RB_BITSET:
				total += rb_simd.and_popcount((const uint8_t *) w, c.data);
				break;
			case RB_RUN:
				for (uint32_t k = 0; k < c.nruns; k++)
				{
					uint32_t	s = bytes_ld16(c.data + 4 * k);

					total += rb_simd.popcount_range((const uint8_t *) w, s, s + bytes_ld16(c.data + 4 * k + 2));
				}
				break;
		}
	}
	return total;
}
