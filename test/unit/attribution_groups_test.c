/*
 * Unit tests of attribution_agg's grouping by user
 * (src/attribution/user_groups.c): random states split into the state's own
 * events and several serialized parts, grouped and read back, against a
 * naive model (every user's events gathered by a scan of all of them); and
 * crafted part bytes refused, never read out of bounds.
 */
// link: src/attribution/at_core.c src/attribution/user_groups.c
#include "attribution/user_groups.h"

#include "tap.h"

#include <stdlib.h>
#include <string.h>

static void *
m_alloc(void *ctx, size_t n)
{
	void	   *p;

	(void) ctx;
	p = malloc(n ? n : 1);
	if (!p)
		abort();
	return p;
}
static void
m_release(void *ctx, void *p)
{
	(void) ctx;
	free(p);
}
static const at_alloc A = {m_alloc, m_release, NULL};

/* an event of the naive model: user, time, channel name index or -1, value */
typedef struct mev
{
	int64_t		user;
	int64_t		ts;
	int			name;			/* -1: conversion */
	double		value;
} mev;

static const char *const NAMES[] = {"email", "search", "social", "display", "tv"};

/* A part in the format attribution_agg_serial writes (user_groups.h). */
static uint8_t *
write_part(const mev *ev, size_t n, size_t *len, const int *local)
{
	byte_writer w = {NULL, 0};
	uint8_t    *buf = NULL;
	uint8_t		varlena[8] = {8 << 2, 0, 0, 0, 'x', 'y', 'z', 'w'};	/* any 8-byte varlena */

	for (int pass = 0; pass < 2; pass++)
	{
		uint64_t	nusers = 0;

		for (size_t i = 0; i < n; i++)
			nusers += (i == 0 || ev[i].user != ev[i - 1].user);
		bw_u32(&w, UG_MAGIC);
		bw_u32(&w, 8);
		bw_bytes(&w, varlena, 8);
		bw_u32(&w, 8);
		bw_bytes(&w, varlena, 8);
		bw_u32(&w, 5);
		/* the part's ids are a permutation of the names: the map is exercised */
		for (int i = 0; i < 5; i++)
		{
			bw_u32(&w, (uint32_t) strlen(NAMES[local[i]]));
			bw_bytes(&w, NAMES[local[i]], strlen(NAMES[local[i]]));
		}
		bw_u64(&w, nusers);
		for (size_t k = 0, j; k < n; k = j)
		{
			uint32_t	nconv = 0;

			for (j = k; j < n && ev[j].user == ev[k].user; j++)
				nconv += ev[j].name < 0;
			bw_u64(&w, (uint64_t) ev[k].user);
			bw_u32(&w, (uint32_t) (j - k));
			bw_u32(&w, nconv);
			for (size_t i = k; i < j; i++)
			{
				uint32_t	id = UINT32_MAX;

				for (uint32_t q = 0; q < 5 && ev[i].name >= 0; q++)
					if (local[q] == ev[i].name)
						id = q;
				bw_u64(&w, (uint64_t) ev[i].ts);
				bw_u32(&w, id);
			}
			for (size_t i = k; i < j; i++)
				if (ev[i].name < 0)
					bw_f64(&w, ev[i].value);
		}
		if (pass == 0)
		{
			buf = malloc(w.len);
			*len = w.len;
			w.p = buf;
			w.len = 0;
		}
	}
	return buf;
}

static int
cmp_mev(const void *a, const void *b)
{
	const mev  *x = a,
			   *y = b;

	if (x->user != y->user)
		return x->user < y->user ? -1 : 1;
	return x->ts < y->ts ? -1 : x->ts > y->ts;
}

static int
cmp_ev(const void *a, const void *b)
{
	const at_event *x = a,
			   *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return x->ch - y->ch;
}

static void
test_random(void)
{
	int			agree = 1,
				order_ok = 1;

	for (int round = 0; round < 200; round++)
	{
		size_t		nall = 1 + rnd() % 300;
		mev		   *all = malloc(sizeof(mev) * nall);
		int			nparts = (int) (rnd() % 4);
		ug_event   *own = malloc(sizeof(ug_event) * nall);
		double	   *vals = malloc(sizeof(double) * nall);
		size_t		nown = 0,
					nval = 0;
		mev		  **pev = calloc(4, sizeof(mev *));
		size_t		pn[4] = {0};
		ug_part		parts[4];
		uint8_t    *bytes[4];
		at_dict		d;
		ug_ref	   *refs;
		size_t		nrefs,
					maxlen;
		int			users_seen = 0;

		at_dict_init(&d, &A);
		for (int i = 0; i < 5; i++)
			at_dict_id(&d, &A, NAMES[i], strlen(NAMES[i]));		/* own ids = name index */
		for (int k = 0; k < nparts; k++)
			pev[k] = malloc(sizeof(mev) * nall);
		for (size_t i = 0; i < nall; i++)
		{
			mev		   *e = &all[i];
			int			where = (int) (rnd() % (nparts + 1));

			e->user = (int64_t) (rnd() % 40) - 20;
			e->ts = (int64_t) i;
			e->name = rnd() % 4 == 0 ? -1 : (int) (rnd() % 5);
			e->value = e->name < 0 ? (double) (rnd() % 1000) / 10 : 0;
			if (where == 0)
			{
				ug_event   *o = &own[nown++];

				o->user = e->user;
				o->ts = e->ts;
				if (e->name < 0)
				{
					vals[nval] = e->value;
					o->ch = -1 - (int32_t) nval++;
				}
				else
					o->ch = e->name;
			}
			else
				pev[where - 1][pn[where - 1]++] = *e;
		}
		/* the state's own events in arrival order (not grouped): sorted as sort_events does */
		ug_sort_by_user(own, nown, sizeof(ug_event), &A, NULL);
		for (int k = 0; k < nparts; k++)
		{
			int			local[5] = {0, 1, 2, 3, 4};
			size_t		len;

			for (int i = 4; i > 0; i--)
			{
				int			j = (int) (rnd() % (i + 1)),
							t = local[i];

				local[i] = local[j];
				local[j] = t;
			}
			qsort(pev[k], pn[k], sizeof(mev), cmp_mev);
			bytes[k] = write_part(pev[k], pn[k], &len, local);
			if (!ug_part_open(&parts[k], bytes[k], len, &d, &A))
				agree = 0;
		}
		if (!ug_group(own, nown, parts, nparts, &A, NULL, &refs, &nrefs, &maxlen))
		{
			agree = 0;
			continue;
		}
		qsort(all, nall, sizeof(mev), cmp_mev);
		for (size_t k = 0, a = 0; k < nrefs;)
		{
			at_event   *buf = malloc(sizeof(at_event) * maxlen);
			size_t		n,
						b;
			bool		ok;
			int64_t		user = refs[k].user;

			if (k > 0 && refs[k - 1].user >= user)
				order_ok = 0;
			k = ug_user_events(refs, nrefs, k, own, vals, parts, buf, &n, &ok);
			users_seen++;
			qsort(buf, n, sizeof(at_event), cmp_ev);
			/* the naive model: the user's events by a scan of all of them */
			for (b = a; b < nall && all[b].user == user; b++)
				;
			if (!ok || a >= nall || all[a].user != user || b - a != n || n > maxlen)
				agree = 0;
			else
				for (size_t i = 0; i < n; i++)
				{
					const mev  *m = &all[a + i];

					if (buf[i].ts != m->ts ||
						(m->name < 0 ? buf[i].ch != AT_CONV || buf[i].value != m->value
						 : buf[i].ch != at_dict_find(&d, NAMES[m->name], strlen(NAMES[m->name]))))
						agree = 0;
				}
			a = b;
			free(buf);
		}
		{
			int			distinct = 0;

			for (size_t i = 0; i < nall; i++)
				distinct += (i == 0 || all[i].user != all[i - 1].user);
			if (distinct != users_seen)
				agree = 0;
		}
		for (int k = 0; k < nparts; k++)
		{
			free(parts[k].map);
			free(bytes[k]);
			free(pev[k]);
		}
		free(refs);
		free(pev);
		free(all);
		free(own);
		free(vals);
		at_dict_free(&d, &A);
	}
	check(agree, "every user's events, from the state and the parts, agree with a naive scan");
	check(order_ok, "users come in id order");
}

static void
test_corrupt(void)
{
	mev			ev[3] = {{5, 1, 0, 0}, {5, 2, -1, 2.5}, {9, 3, 1, 0}};
	int			local[5] = {0, 1, 2, 3, 4};
	size_t		len;
	uint8_t    *b = write_part(ev, 3, &len, local);
	at_dict		d;
	ug_part		pi;
	ug_ref	   *refs;
	size_t		nrefs,
				maxlen,
				n;
	int			all_refused = 1;
	bool		ok;
	at_event	buf[4];

	at_dict_init(&d, &A);
	check(ug_part_open(&pi, b, len, &d, &A) && pi.nusers == 2, "a well-formed part opens");
	free(pi.map);
	/* every truncation is refused, by the open or by the grouping */
	for (size_t cut = 0; cut < len; cut++)
	{
		if (ug_part_open(&pi, b, cut, &d, &A))
		{
			if (ug_group(NULL, 0, &pi, 1, &A, NULL, &refs, &nrefs, &maxlen))
			{
				all_refused = 0;
				free(refs);
			}
			free(pi.map);
		}
	}
	check(all_refused, "every truncated part is refused");
	{
		uint8_t		m[4];

		memcpy(m, b, 4);
		b[0] ^= 1;
		check(!ug_part_open(&pi, b, len, &d, &A), "a wrong magic is refused");
		memcpy(b, m, 4);
	}
	/* the last event's channel id (part id 1) becomes 7: out of range */
	bytes_st32(b + len - 4, 7);
	check(ug_part_open(&pi, b, len, &d, &A) &&
		  ug_group(NULL, 0, &pi, 1, &A, NULL, &refs, &nrefs, &maxlen) && nrefs == 2 &&
		  (ug_user_events(refs, nrefs, 1, NULL, NULL, &pi, buf, &n, &ok), !ok),
		  "a channel id beyond the part's names is refused when read");
	free(refs);
	free(pi.map);
	free(b);
	at_dict_free(&d, &A);
}

int
main(void)
{
	test_random();
	test_corrupt();
	return done_testing();
}
