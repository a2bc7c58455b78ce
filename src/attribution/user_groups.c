/*
 * user_groups.c — attribution_agg's grouping of events by user
 * (user_groups.h).
 */
#include "attribution/user_groups.h"
#include "base/radix_sort.h"

#include <math.h>

void
ug_sort_by_user(void *base, size_t n, size_t size, const at_alloc *a, void (*check) (void))
{
	bool		sorted = true;
	void	   *tmp,
			   *r;

	for (size_t i = 1; i < n && sorted; i++)
	{
		int64_t		x,
					y;

		memcpy(&x, (char *) base + (i - 1) * size, 8);
		memcpy(&y, (char *) base + i * size, 8);
		sorted = x <= y;
	}
	if (sorted)
		return;
	tmp = at_malloc(a, size * n);
	r = radix_sort(base, tmp, n, size, RS_INT64, check);
	if (r != base)
		memcpy(base, r, size * n);
	a->release(a->ctx, tmp);
}

static bool
skip_blob(byte_reader *r, const uint8_t **b, uint32_t *len)
{
	/* a varlena: at least its 4-byte header */
	if (!br_u32(r, len) || *len < 4)
		return false;
	*b = br_skip(r, *len);
	return *b != NULL;
}

bool
ug_part_head(byte_reader *r, const uint8_t **model, uint32_t *model_len,
			 const uint8_t **options, uint32_t *options_len)
{
	uint32_t	magic;

	return br_u32(r, &magic) && magic == UG_MAGIC &&
		skip_blob(r, model, model_len) && skip_blob(r, options, options_len);
}

bool
ug_part_open(ug_part *pi, const uint8_t *data, size_t len, at_dict *d, const at_alloc *a)
{
	byte_reader r;
	const uint8_t *m,
			   *o;
	uint32_t	mlen,
				olen;

	br_init(&r, data, len);
	if (!ug_part_head(&r, &m, &mlen, &o, &olen))
		return false;
	if (!br_u32(&r, &pi->nch) || pi->nch > br_left(&r) / 4)
		return false;
	pi->map = at_malloc(a, sizeof(int32_t) * ((size_t) pi->nch + 1));
	for (uint32_t i = 0; i < pi->nch; i++)
	{
		uint32_t	nlen;
		const uint8_t *b;

		if (!br_u32(&r, &nlen) || (b = br_skip(&r, nlen)) == NULL)
			break;
		pi->map[i] = at_dict_id(d, a, (const char *) b, nlen);
	}
	if (r.error || !br_u64(&r, &pi->nusers) || pi->nusers > br_left(&r) / UG_USER_HDR)
	{
		a->release(a->ctx, pi->map);
		pi->map = NULL;
		return false;
	}
	pi->base = data;
	pi->end = r.end;
	pi->users = r.p;
	return true;
}

/* Appends a part's users to refs (bounds checked); false when invalid. */
static bool
part_users(const ug_part *pi, uint32_t part, ug_ref *refs, size_t *n)
{
	const uint8_t *p = pi->users;

	for (uint64_t k = 0; k < pi->nusers; k++)
	{
		uint32_t	count,
					nconv;
		ug_ref	   *ref = &refs[*n];

		if ((size_t) (pi->end - p) < UG_USER_HDR)
			return false;
		ref->user = (int64_t) bytes_ld64(p);
		count = bytes_ld32(p + 8);
		nconv = bytes_ld32(p + 12);
		p += UG_USER_HDR;
		if (nconv > count || count == 0 ||
			(size_t) (pi->end - p) / UG_EV_BYTES < count ||
			(size_t) (pi->end - p) - (size_t) count * UG_EV_BYTES < (size_t) nconv * 8)
			return false;
		ref->count = count;
		ref->nconv = nconv;
		ref->part = part;
		ref->off = (uint32_t) (p - pi->base);
		p += (size_t) count * UG_EV_BYTES + (size_t) nconv * 8;
		(*n)++;
	}
	return p == pi->end;
}

bool
ug_group(const ug_event *ev, size_t nev, const ug_part *parts, int nparts,
		 const at_alloc *a, void (*check) (void),
		 ug_ref **refsp, size_t *nrefsp, size_t *maxlenp)
{
	size_t		nrefs = 0,
				n = 0,
				maxlen = 1;
	ug_ref	   *refs;

	for (size_t i = 0; i < nev; i++)
		nrefs += (i == 0 || ev[i].user != ev[i - 1].user);
	for (int k = 0; k < nparts; k++)
		nrefs += parts[k].nusers;
	refs = at_malloc(a, sizeof(ug_ref) * (nrefs + 1));
	for (size_t k = 0, j; k < nev; k = j)
	{
		for (j = k; j < nev && ev[j].user == ev[k].user; j++)
			;
		refs[n].user = ev[k].user;
		refs[n].count = (uint32_t) (j - k);
		refs[n].nconv = 0;
		refs[n].part = 0;
		refs[n++].off = (uint32_t) k;
	}
	for (int k = 0; k < nparts; k++)
		if (!part_users(&parts[k], (uint32_t) k + 1, refs, &n))
		{
			a->release(a->ctx, refs);
			return false;
		}
	ug_sort_by_user(refs, n, sizeof(ug_ref), a, check);
	/* a user's events may be in several parts: its longest journey is the sum */
	for (size_t k = 0; k < n;)
	{
		size_t		len = 0,
					j = k;

		for (; j < n && refs[j].user == refs[k].user; j++)
			len += refs[j].count;
		if (len > maxlen)
			maxlen = len;
		k = j;
	}
	*refsp = refs;
	*nrefsp = n;
	*maxlenp = maxlen;
	return true;
}

/* A part's events of one user into buf (channel ids mapped, checked). */
static bool
part_events(const ug_part *pi, const ug_ref *r, at_event *buf)
{
	const uint8_t *p = pi->base + r->off;
	const uint8_t *vals = p + (size_t) r->count * UG_EV_BYTES;
	uint32_t	vi = 0;

	for (uint32_t i = 0; i < r->count; i++, p += UG_EV_BYTES)
	{
		uint32_t	ch = bytes_ld32(p + 8);

		buf[i].ts = (int64_t) bytes_ld64(p);
		if (ch == UINT32_MAX)
		{
			uint64_t	b;

			if (vi >= r->nconv)
				return false;
			b = bytes_ld64(vals + 8 * vi++);
			buf[i].ch = AT_CONV;
			memcpy(&buf[i].value, &b, 8);
			if (!isfinite(buf[i].value))
				return false;
		}
		else
		{
			if (ch >= pi->nch)
				return false;
			buf[i].ch = pi->map[ch];
			buf[i].value = 0;
		}
	}
	return vi == r->nconv;
}

size_t
ug_user_events(const ug_ref *refs, size_t nrefs, size_t k,
			   const ug_event *ev, const double *vals, const ug_part *parts,
			   at_event *buf, size_t *np, bool *ok)
{
	size_t		n = 0,
				j;

	*ok = true;
	for (j = k; j < nrefs && refs[j].user == refs[k].user; j++)
	{
		const ug_ref *r = &refs[j];

		if (r->part > 0)
		{
			if (!part_events(&parts[r->part - 1], r, buf + n))
			{
				*ok = false;
				break;
			}
		}
		else
		{
			for (uint32_t i = 0; i < r->count; i++)
			{
				const ug_event *e = &ev[r->off + i];

				buf[n + i].ts = e->ts;
				buf[n + i].ch = e->ch < 0 ? AT_CONV : e->ch;
				buf[n + i].value = e->ch < 0 ? vals[-1 - (int64_t) e->ch] : 0;
			}
		}
		n += r->count;
	}
	*np = n;
	return j;
}
