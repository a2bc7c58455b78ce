/*
 * Unit tests of the byte reader and writer (src/base/bytes.h): values written
 * at every alignment read back equal, the counting pass sizes exactly what the
 * writing pass writes, the byte order is little-endian whatever the machine's,
 * and a reader never goes past its end (every truncation of a record is
 * refused, and a refusal sticks).
 */
// link:
#include "base/bytes.h"

#include "tap.h"

static uint8_t buf[256];

static size_t
record(byte_writer *w, unsigned k)
{
	bw_u8(w, (uint8_t) k);
	bw_u16(w, (uint16_t) (k * 40503u));
	bw_u32(w, k * 2654435761u);
	bw_u64(w, (uint64_t) k * 0x9E3779B97F4A7C15ull);
	bw_f64(w, k / 7.0);
	bw_bytes(w, "persona", k % 8);
	return w->len;
}

static int
read_record(byte_reader *r, unsigned k)
{
	uint8_t		a;
	uint16_t	b;
	uint32_t	c;
	uint64_t	d;
	double		e;
	char		s[8];

	if (!br_u8(r, &a) || !br_u16(r, &b) || !br_u32(r, &c) || !br_u64(r, &d) || !br_f64(r, &e) ||
		!br_bytes(r, s, k % 8))
		return 0;
	return a == (uint8_t) k && b == (uint16_t) (k * 40503u) && c == k * 2654435761u &&
		d == (uint64_t) k * 0x9E3779B97F4A7C15ull && e == k / 7.0 && memcmp(s, "persona", k % 8) == 0;
}

int
main(void)
{
	int			bad_round = 0,
				bad_count = 0,
				bad_trunc = 0;

	for (unsigned k = 0; k < 2000; k++)
	{
		size_t		off = rnd() % 13;
		byte_writer count = {NULL, 0};
		byte_writer w = {buf + off, 0};
		byte_reader r;
		size_t		n = record(&count, k);

		if (record(&w, k) != n)
			bad_count++;
		br_init(&r, buf + off, n);
		if (!read_record(&r, k) || br_left(&r) != 0 || r.error != NULL)
			bad_round++;
		for (size_t cut = 0; cut < n; cut++)
		{
			br_init(&r, buf + off, cut);
			if (read_record(&r, k) || r.error == NULL)
				bad_trunc++;
		}
	}
	check(bad_count == 0, "the counting pass sizes what the writing pass writes");
	check(bad_round == 0, "2,000 records at random alignments read back equal");
	check(bad_trunc == 0, "every truncation of every record is refused with an error");
	{
		uint8_t		b[8];

		bytes_st32(b, 0x01020304u);
		check(b[0] == 4 && b[1] == 3 && b[2] == 2 && b[3] == 1, "little-endian stores");
		bytes_st64(b, 0x0102030405060708ull);
		check(bytes_ld64(b) == 0x0102030405060708ull && b[0] == 8 && b[7] == 1, "64-bit round trip, byte order");
	}
	{
		byte_reader r;
		uint32_t	v = 7;
		uint8_t		one = 1;

		br_init(&r, buf, 3);
		check(!br_u32(&r, &v) && v == 7 && br_left(&r) == 3, "a refused read leaves the value and the position");
		check(!br_u8(&r, &one) && one == 1, "and later reads are refused too");
	}
	return done_testing();
}
