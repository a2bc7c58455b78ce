/*
 * evcodec.c — the compact form of a sorted event run (see evcodec.h).
 */
#include "funnel/evcodec.h"

/* zigzag: small negative and positive numbers both take few bytes */
static inline uint64_t
zz(int64_t v)
{
	return ((uint64_t) v << 1) ^ (uint64_t) (v >> 63);
}

static inline int64_t
unzz(uint64_t v)
{
	return (int64_t) (v >> 1) ^ -(int64_t) (v & 1);
}

uint8_t *
evc_encode(const ev_event *e, size_t n, int nconds, uint8_t *out)
{
	int			mb = evc_mask_bytes(nconds);
	uint64_t	prev = 0;
	size_t		i;

	for (i = 0; i < n; i++)
	{
		/*
		 * gaps in uint64: between -infinity and +infinity the gap exceeds
		 * INT64_MAX but still fits, and wraps back exactly in evc_decode
		 */
		out = evc_put_varint(out, i == 0 ? zz(e[0].ts) : (uint64_t) e[i].ts - prev);
		prev = (uint64_t) e[i].ts;
		switch (mb)
		{
			case 4:
				out[3] = (uint8_t) (e[i].mask >> 24);
				out[2] = (uint8_t) (e[i].mask >> 16);
				/* FALLTHROUGH */
			case 2:
				out[1] = (uint8_t) (e[i].mask >> 8);
				/* FALLTHROUGH */
			default:
				out[0] = (uint8_t) e[i].mask;
		}
		out += mb;
	}
	return out;
}

const uint8_t *
evc_decode(const uint8_t *p, const uint8_t *end, size_t n, int nconds, ev_event *out)
{
	int			mb = evc_mask_bytes(nconds);
	uint32_t	over = nconds >= 32 ? 0 : ~(uint32_t) 0 << nconds;
	uint64_t	prev = 0;
	size_t		i;

	for (i = 0; i < n; i++)
	{
		uint64_t	v;
		uint32_t	m;

		p = evc_get_varint(p, end, &v);
		if (p == NULL || end - p < mb)
			return NULL;
		prev = i == 0 ? (uint64_t) unzz(v) : prev + v;
		m = p[0];
		if (mb >= 2)
			m |= (uint32_t) p[1] << 8;
		if (mb == 4)
			m |= (uint32_t) p[2] << 16 | (uint32_t) p[3] << 24;
		p += mb;
		if (m & over)
			return NULL;
		out[i].ts = (int64_t) prev;
		out[i].mask = m;
		out[i].slot = 0;
	}
	return p;
}
