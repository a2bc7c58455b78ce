/*
 * Unit tests of the in-place reader and validator (src/bitmap/rb_format.c)
 * against CRoaring as the independent implementation, under ASan/UBSan.
 */
// link: src/bitmap/rb_format.c src/bitmap/rb_kernels.c src/bitmap/rb_simd.c src/bitmap/rb_canon.c src/bitmap/rb_merge.c
#include "bitmap/rb_kernels.h"
#include "bitmap/rb_canon.h"
#include "bitmap/rb_merge.h"

#include <roaring/roaring.h>
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A random bitmap mixing sparse values, dense ranges and full containers. */
static roaring_bitmap_t *
random_bitmap(void)
{
	roaring_bitmap_t *r = roaring_bitmap_create();
	int			parts = rnd() % 6;

	for (int p = 0; p < parts; p++)
	{
		/* mostly a few shared keys, so that containers of every kind meet */
		uint32_t	base = rnd() % 4 == 0 ? rnd() : ((rnd() % 6) << 16) | (rnd() & 0xFFFF);

		switch (rnd() % 4)
		{
			case 0:
				for (int i = rnd() % 200; i > 0; i--)
					roaring_bitmap_add(r, base + rnd() % 100000);
				break;
			case 1:
				roaring_bitmap_add_range_closed(r, base & ~0xFFFFu, (base & ~0xFFFFu) + rnd() % 70000 % (0xFFFFFFFFu - base + 1));
				break;
			case 2:
				for (int i = rnd() % 9000; i > 0; i--)
					roaring_bitmap_add(r, (base & ~0xFFFFu) | (rnd() & 0xFFFF));
				break;
			case 3:
				roaring_bitmap_add(r, rnd() % 2 ? 0 : UINT32_MAX);
				break;
		}
	}
	if (rnd() % 2)
		roaring_bitmap_run_optimize(r);
	return r;
}

static char *
serialize(const roaring_bitmap_t *r, size_t *len)
{
	*len = roaring_bitmap_portable_size_in_bytes(r);
	char	   *buf = malloc(*len + 1);

	roaring_bitmap_portable_serialize(r, buf);
	return buf;
}

static int
cmp_arrays(const uint32_t *a, size_t na, const uint32_t *b, size_t nb)
{
	for (size_t i = 0; i < na && i < nb; i++)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	return na < nb ? -1 : (na > nb ? 1 : 0);
}

int
main(void)
{
	int			bad_valid = 0,
				bad_card = 0,
				bad_contains = 0,
				bad_rank = 0,
				bad_minmax = 0,
				bad_cmp = 0,
				bad_hash = 0,
				mutant_mismatch = 0,
				bad_andcard = 0,
				bad_merge = 0,
				mutants_accepted = 0;

	for (int iter = 0; iter < 400; iter++)
	{
		roaring_bitmap_t *a = random_bitmap();
		roaring_bitmap_t *b = iter % 3 == 0 ? roaring_bitmap_copy(a) : random_bitmap();
		size_t		la,
					lb;
		char	   *sa = serialize(a, &la);
		char	   *sb = serialize(b, &lb);
		const char *why;
		size_t		where;
		rb_view		va,
					vb;
		bool		broken;

		if (iter % 3 == 0 && rnd() % 2)
		{
			/* same set, other layout */
			roaring_bitmap_remove_run_compression(b);
			free(sb);
			sb = serialize(b, &lb);
		}
		if (!rb_validate(sa, la, &why, &where) || !rb_validate(sb, lb, &why, &where))
			bad_valid++;
		if (!rb_view_init(&va, sa, la) || !rb_view_init(&vb, sb, lb))
		{
			bad_valid++;
			continue;
		}
		if (rb_view_cardinality(&va) != roaring_bitmap_get_cardinality(a))
			bad_card++;
		for (int k = 0; k < 200; k++)
		{
			uint32_t	x = k % 2 ? rnd() : (roaring_bitmap_get_cardinality(a) ?
												 0 : rnd());
			int32_t		i;
			rb_container c;
			bool		in = false;

			if (k % 2 == 0 && roaring_bitmap_get_cardinality(a))
				roaring_bitmap_select(a, rnd() % roaring_bitmap_get_cardinality(a), &x);
			i = rb_view_find(&va, x >> 16);
			if (i >= 0 && rb_view_container(&va, i, &c))
				in = rb_container_contains(&c, x & 0xFFFF);
			if (in != roaring_bitmap_contains(a, x))
				bad_contains++;
			if (rb_view_rank(&va, x, &broken) != roaring_bitmap_rank(a, x) || broken)
				bad_rank++;
		}
		if (va.n > 0)
		{
			rb_container c0,
						cn;

			rb_view_container(&va, 0, &c0);
			rb_view_container(&va, va.n - 1, &cn);
			if ((((uint32_t) c0.key << 16) | rb_container_min(&c0)) != roaring_bitmap_minimum(a) ||
				(((uint32_t) cn.key << 16) | rb_container_max(&cn)) != roaring_bitmap_maximum(a))
				bad_minmax++;
		}
		{
			size_t		na = roaring_bitmap_get_cardinality(a),
						nb = roaring_bitmap_get_cardinality(b);
			uint32_t   *xa = malloc(4 * na + 4),
					   *xb = malloc(4 * nb + 4);
			int			want,
						got;

			roaring_bitmap_to_uint32_array(a, xa);
			roaring_bitmap_to_uint32_array(b, xb);
			want = cmp_arrays(xa, na, xb, nb);
			got = rb_view_compare(&va, &vb, &broken);
			if (want != got || broken)
				bad_cmp++;
			if ((want == 0) != (rb_view_hash(&va, 1, &broken) == rb_view_hash(&vb, 1, &broken)))
				bad_hash++;
			free(xa);
			free(xb);
		}

		{
			uint64_t	got = rb_view_and_cardinality(&va, &vb, &broken);

			if (broken || got != roaring_bitmap_and_cardinality(a, b))
				bad_andcard++;
			/* the prepared form gives the same count, either way round */
			{
				rb_dense   *d = malloc(rb_dense_size(va.n));

				if (!rb_dense_fill(d, &va) || rb_dense_and_cardinality(d, &vb, &broken) != got || broken)
					bad_andcard++;
				free(d);
				d = malloc(rb_dense_size(vb.n));
				if (!rb_dense_fill(d, &vb) || rb_dense_and_cardinality(d, &va, &broken) != got || broken)
					bad_andcard++;
				free(d);
			}
			/* and against itself: every container pair of equal kinds */
			if (rb_view_and_cardinality(&va, &va, &broken) != roaring_bitmap_get_cardinality(a))
				bad_andcard++;
		}

		/* folding the serialized b into a copy of a gives a | b */
		{
			roaring_bitmap_t *m = roaring_bitmap_copy(a);
			roaring_bitmap_t *want = roaring_bitmap_or(a, b);

			if (!rb_lazy_or_view(m, &vb))
				bad_merge++;
			roaring_bitmap_repair_after_lazy(m);
			if (!roaring_bitmap_equals(m, want) ||
				roaring_bitmap_get_cardinality(m) != roaring_bitmap_get_cardinality(want))
				bad_merge++;
			roaring_bitmap_free(m);
			roaring_bitmap_free(want);
			/* and intersecting in place gives a & b */
			m = roaring_bitmap_copy(a);
			want = roaring_bitmap_and(a, b);
			if (!rb_and_view(m, &vb) || !roaring_bitmap_equals(m, want) ||
				roaring_bitmap_get_cardinality(m) != roaring_bitmap_get_cardinality(want))
				bad_merge++;
			roaring_bitmap_free(m);
			roaring_bitmap_free(want);
		}

		/* corrupt a byte: never a crash; accepted bytes must read consistently */
		if (la > 0)
		{
			char	   *m = malloc(la);

			for (int k = 0; k < 20; k++)
			{
				memcpy(m, sa, la);
				m[rnd() % la] ^= (char) (1 + rnd() % 255);
				if (rb_validate(m, la, &why, &where))
				{
					roaring_bitmap_t *d = roaring_bitmap_portable_deserialize_safe(m, la);
					rb_view		vm;

					mutants_accepted++;
					if (d == NULL || !rb_view_init(&vm, m, la) ||
						rb_view_cardinality(&vm) != roaring_bitmap_get_cardinality(d))
						mutant_mismatch++;
					if (d)
						roaring_bitmap_free(d);
				}
			}
			/* and every truncation is rejected */
			for (size_t cut = 0; cut < la; cut += 1 + la / 16)
				if (rb_validate(sa, cut, &why, &where))
					mutant_mismatch++;
			free(m);
		}
		free(sa);
		free(sb);
		roaring_bitmap_free(a);
		roaring_bitmap_free(b);
	}
	check(bad_valid == 0, "every CRoaring serialization validates (400 random bitmaps)");
	check(bad_card == 0, "cardinality from the header equals CRoaring's");
	check(bad_contains == 0, "membership equals roaring_bitmap_contains on 80000 probes");
	check(bad_rank == 0, "rank equals roaring_bitmap_rank on 80000 probes");
	check(bad_minmax == 0, "min and max equal CRoaring's");
	check(bad_cmp == 0, "set order equals lexicographic order of the element arrays");
	check(bad_hash == 0, "hashes agree exactly for equal sets (incl. other layouts)");
	check(bad_andcard == 0, "in-place and prepared (dense) intersection counts equal CRoaring's on 800 pairs of mixed containers");
	printf("# kernels: %s\n", rb_kernel_name());
	check(bad_merge == 0, "OR-ing and AND-ing serialized bitmaps in place equal roaring_bitmap_or/and on 400 pairs");
	check(mutant_mismatch == 0, "corrupted bytes are rejected or read consistently; truncations rejected");
	printf("# %d corrupted inputs happened to be valid bitmaps\n", mutants_accepted);

	{
		/*
		 * CRoaring 0.2.66 leaves a bitset of exactly 4096 values after a range
		 * removal, and turns a 2048-run container into a bitset when a range
		 * is added: its own serialization of either is unreadable.
		 */
		roaring_bitmap_t *a = roaring_bitmap_create();
		roaring_bitmap_t *b = roaring_bitmap_create();
		size_t		la,
					lb;
		char	   *sa,
				   *sb;
		const char *why;
		size_t		where;
		int			raw_bad = 0;

		for (uint32_t x = 0; x <= 8192; x += 2)
			roaring_bitmap_add(a, x);
		roaring_bitmap_remove_range_closed(a, 10, 10);
		{
			/* a run container of 2048 one-value runs, as another library may write it */
			static unsigned char runs[4 + 1 + 4 + 2 + 4 * 2048];
			size_t		p = 0;

			runs[p++] = 0x3b;
			runs[p++] = 0x30;
			runs[p++] = 0;
			runs[p++] = 0;
			runs[p++] = 1;		/* run flag of container 0 */
			runs[p++] = 0;
			runs[p++] = 0;		/* key 0 */
			runs[p++] = 0xff;
			runs[p++] = 0x07;	/* cardinality 2048 */
			runs[p++] = 0x00;
			runs[p++] = 0x08;	/* 2048 runs */
			for (int g = 0; g < 2048; g++)
			{
				runs[p++] = (unsigned char) ((2 * g) & 0xff);
				runs[p++] = (unsigned char) ((2 * g) >> 8);
				runs[p++] = 0;
				runs[p++] = 0;
			}
			roaring_bitmap_free(b);
			b = roaring_bitmap_portable_deserialize_safe((const char *) runs, p);
			if (b == NULL || !rb_validate(runs, p, &why, &where))
				printf("# hand-made run container rejected\n");
			roaring_bitmap_add_range_closed(b, 60000, 60001);
		}
		sa = serialize(a, &la);
		sb = serialize(b, &lb);
		raw_bad = !rb_validate(sa, la, &why, &where) + !rb_validate(sb, lb, &why, &where);
		free(sa);
		free(sb);
		printf("# CRoaring's own serialization is invalid in %d of the 2 known cases\n", raw_bad);
		check(rb_canonicalize(a) && rb_canonicalize(b), "canonicalize succeeds");
		sa = serialize(a, &la);
		sb = serialize(b, &lb);
		check(rb_validate(sa, la, &why, &where) && rb_validate(sb, lb, &why, &where) &&
			  roaring_bitmap_get_cardinality(a) == 4096 && roaring_bitmap_get_cardinality(b) == 2050,
			  "after canonicalize both serialize to valid bytes of the same sets");
		free(sa);
		free(sb);
		roaring_bitmap_free(a);
		roaring_bitmap_free(b);
	}

	{
		const char *why;
		size_t		where;
		static const unsigned char overlap[] = {0x3b, 0x30, 0, 0, 1, 0, 0, 5, 0, 2, 0, 1, 0, 1, 0, 1, 0, 1, 0};
		static const unsigned char empty[] = {0x3a, 0x30, 0, 0, 0, 0, 0, 0};
		static const unsigned char many[] = {0x3a, 0x30, 0, 0, 1, 0, 1, 0};

		check(!rb_validate(overlap, sizeof(overlap), &why, &where), "overlapping runs rejected");
		check(rb_validate(empty, sizeof(empty), &why, &where), "the empty bitmap validates");
		check(!rb_validate(many, sizeof(many), &why, &where) && strstr(why, "65536"), "a count above 65536 is rejected");
	}
	/*
	 * Every bitset kernel this CPU can run (portable, popcnt, avx2, avx512)
	 * counts a bitset and an intersection of two bitsets, in place and
	 * prepared, as a bit-by-bit count does, on all-ones and random bitsets.
	 */
	{
		static const char *const kernels[] = {"portable", "popcnt", "avx2", "avx512"};
		enum
		{
			HDR = 16
		};
		static unsigned char ba[HDR + RB_BITSET_BYTES],
					bb[HDR + RB_BITSET_BYTES];
		rb_dense   *d = malloc(rb_dense_size(1));

		for (int k = 0; k < 4; k++)
		{
			int			wrong = 0;

			if (!rb_kernel_use(kernels[k]))
			{
				printf("# kernel %s: not on this CPU\n", kernels[k]);
				continue;
			}
			for (int t = 0; t < 200; t++)
			{
				unsigned char *xa = ba + HDR,
						   *xb = bb + HDR;
				uint32_t	ca = 0,
							cab = 0;
				rb_view		va,
							vb;
				bool		broken;

				/* all ones, then densities of 1/8 to 3/4 */
				for (int i = 0; i < RB_BITSET_BYTES; i++)
				{
					xa[i] = t == 0 ? 0xFF : rnd() & rnd() & (t % 2 ? rnd() : 0xFF);
					xb[i] = t == 1 ? 0xFF : rnd() | (t % 3 ? 0 : rnd());
				}
				for (int i = 0; i < RB_BITSET_BYTES; i++)
					for (int bit = 0; bit < 8; bit++)
					{
						ca += (xa[i] >> bit) & 1;
						cab += ((xa[i] & xb[i]) >> bit) & 1;
					}
				/* wrap both as one-container bitmaps (a bitset needs > 4096 values) */
				for (unsigned char *h = ba; h; h = h == ba ? bb : NULL)
				{
					uint32_t	n = 0;

					for (int i = 0; i < RB_BITSET_BYTES; i++)
						n += __builtin_popcount(h[HDR + i]);
					memset(h, 0, HDR);
					h[0] = 0x3a, h[1] = 0x30, h[4] = 1, h[12] = HDR;
					h[10] = (n - 1) & 0xFF, h[11] = (n - 1) >> 8;
				}
				if (ca <= 4096 || !rb_view_init(&va, ba, sizeof(ba)) || !rb_view_init(&vb, bb, sizeof(bb)))
					continue;	/* too sparse to be a bitset container */
				if (rb_bitset_cardinality(xa) != ca ||
					rb_view_and_cardinality(&va, &vb, &broken) != cab || broken ||
					!rb_dense_fill(d, &va) || rb_dense_and_cardinality(d, &vb, &broken) != cab)
					wrong++;
			}
			{
				char		what[100];

				snprintf(what, sizeof(what), "bitset and intersection counts equal a bit-by-bit count (kernel %s)", kernels[k]);
				check(wrong == 0, what);
			}
			/* the \\x text: every length up to 100 and unaligned starts, as printf writes it */
			wrong = 0;
			for (int len = 0; len <= 100; len++)
			{
				char		got[201],
							want[203];
				size_t		off = rnd() % 7;

				for (int i = 0; i < len; i++)
					snprintf(want + 2 * i, 3, "%02x", ba[off + i] = (unsigned char) rnd());
				memset(got, '?', sizeof(got));
				if (rb_hex_encode(ba + off, len, got) != (size_t) (2 * len) ||
					memcmp(got, want, 2 * len) != 0 || got[2 * len] != '?')
					wrong++;
			}
			{
				char		what[100];

				snprintf(what, sizeof(what), "hex text equals printf's %%02x at every length (kernel %s)", kernels[k]);
				check(wrong == 0, what);
			}
		}
		free(d);
		rb_kernel_use("best");
	}

	/*
	 * Array sortedness, checked eight values at a time: a fault at every
	 * position of a 100-value container (equal or descending neighbours) is
	 * found and located, and values on both sides of 0x8000 (where a signed
	 * comparison would go wrong) still ascend.
	 */
	{
		enum
		{
			N = 100, HDR = 8 + 4 + 4	/* cookie, count, descriptor, offset */
		};
		unsigned char buf[HDR + 2 * N];
		const char *why;
		size_t		where;
		int			missed = 0;

		memset(buf, 0, sizeof(buf));
		buf[0] = 0x3a;
		buf[1] = 0x30;
		buf[4] = 1;				/* one container, key 0 */
		buf[10] = (N - 1) & 0xFF;
		buf[11] = (N - 1) >> 8;
		buf[12] = HDR;
		for (int fault = 0; fault <= N; fault++)
			for (int kind = 0; kind < 2; kind++)
			{
				for (int k = 0; k < N; k++)
				{
					/* ascending across 0x8000: 0x7FCE, ..., 0x7FFF, 0x8000, ... */
					uint16_t	x = 0x7FCE + 2 * k;

					buf[HDR + 2 * k] = x & 0xFF;
					buf[HDR + 2 * k + 1] = x >> 8;
				}
				if (fault >= 1 && fault < N)
				{
					/* equal to, or below, its predecessor */
					uint16_t	x = 0x7FCE + 2 * (fault - 1) - kind;

					buf[HDR + 2 * fault] = x & 0xFF;
					buf[HDR + 2 * fault + 1] = x >> 8;
					if (rb_validate(buf, sizeof(buf), &why, &where) ||
						where != (size_t) (HDR + 2 * fault) || strstr(why, "ascending") == NULL)
						missed++;
				}
				else if (!rb_validate(buf, sizeof(buf), &why, &where))
					missed++;
			}
		check(missed == 0, "array order faults found at every position, unsigned order accepted");
	}
	/* the text length worked out from intervals equals the printed text's */
	{
		int			bad = 0;

		for (int t = 0; t < 300; t++)
		{
			roaring_bitmap_t *r = random_bitmap();
			size_t		len;
			char	   *buf = serialize(r, &len);
			rb_view		v;
			uint64_t	n = roaring_bitmap_get_cardinality(r),
						want = 2;
			uint32_t   *vals = malloc(sizeof(uint32_t) * (n + 1));
			char		num[16];

			if (t == 0)
			{
				/* the widest values of both signs, and 0 */
				roaring_bitmap_add(r, 0);
				roaring_bitmap_add(r, 2147483647u);
				roaring_bitmap_add(r, 2147483648u);
				roaring_bitmap_add(r, 4294967295u);
				free(buf);
				buf = serialize(r, &len);
				n = roaring_bitmap_get_cardinality(r);
				vals = realloc(vals, sizeof(uint32_t) * (n + 1));
			}
			roaring_bitmap_to_uint32_array(r, vals);
			for (uint64_t i = 0; i < n; i++)
				want += snprintf(num, sizeof(num), "%d", (int32_t) vals[i]) + (i > 0);
			if (!rb_view_init(&v, buf, len) || rb_text_length(&v) != want)
				bad++;
			free(vals);
			free(buf);
			roaring_bitmap_free(r);
		}
		check(bad == 0, "rb_text_length equals the length of the printed {a,b,...} form (300 random bitmaps)");
	}
	return done_testing();
}
