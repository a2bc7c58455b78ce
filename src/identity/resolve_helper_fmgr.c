/*
 * resolve_helper_fmgr.c — identity_resolve with a helper process.
 *
 * A resolve spends about as long in the executor, reading the caller's rows,
 * as in interning them (hash probes into tables of hundreds of MB), and the
 * two need not wait on each other.  With a helper, the backend reads on and
 * sends the rows, a batch at a time, through a shared-memory queue to a
 * background worker that interns them, resolves, and streams the answer back
 * in record order: the two halves run on two cores.  The worker connects to
 * no database and runs no SQL, only resolve.c on bytes.  When no worker can
 * be had (max_worker_processes or max_parallel_workers in use, single-user
 * mode) the backend resolves alone, with the same answer.
 *
 * Errors: resolve.c's codes and the worker's own errors are written to the
 * segment's header before the worker detaches, and the backend raises them;
 * a worker that vanishes otherwise is an error of its own.  A backend that
 * errors or is cancelled detaches too, which terminates the worker.
 *
 * Messages: a header (tag, n) and the scalars and strings are written and
 * read with base/bytes.h, every length checked against the message; the
 * per-row arrays (lengths, person ids) go as the backend's own arrays,
 * without a copy, in the host's byte order, which both ends share (they are
 * one build on one machine, and no message outlives the call).
 */
#include "postgres.h"

#include "identity/identity_fmgr.h"

#include "base/bytes.h"

#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "port/atomics.h"
#include "postmaster/bgworker.h"
#include "storage/dsm.h"
#include "storage/ipc.h"
#include "storage/proc.h"
#include "storage/shm_mq.h"
#include "tcop/tcopprot.h"
#include "utils/memutils.h"
#include "utils/resowner.h"

int			idr_helper_setting = IDR_HELPER_AUTO;

/*
 * The queues only decouple the two processes: a few batches in flight are
 * enough, and a small segment fits a small /dev/shm.
 */
#define QUEUE_IN ((Size) 4 << 20)
#define QUEUE_OUT ((Size) 1 << 20)
#define ANSWER_ROWS 8192
#define ANSWER_BYTES ((Size) 512 << 10)

enum
{
	M_START = 1, M_ROWS, M_PREV, M_END,	/* backend -> worker */
	M_SUMMARY, M_ANSWER, M_DONE	/* worker -> backend */
};

typedef struct msg
{
	uint32		tag;
	uint32		n;
} msg;

enum
{
	F_NONE, F_CODE, F_ERROR
};

typedef struct helper_shared
{
	pg_atomic_uint32 failed;
	uint32		code;			/* F_CODE: an idr_err */
	int			sqlerrcode;		/* F_ERROR */
	char		message[1024];
} helper_shared;

#define OFF_IN MAXALIGN(sizeof(helper_shared))
#define OFF_OUT (OFF_IN + QUEUE_IN)
#define SEG_SIZE (OFF_OUT + QUEUE_OUT)

struct idr_helper
{
	dsm_segment *seg;
	helper_shared *sh;
	shm_mq_handle *to,
			   *from;
	BackgroundWorkerHandle *bgw;
	/* the answer message being read */
	const char *a_msg;
	uint32		a_n,
				a_i;
	size_t		a_off,
				a_len;
	bool		done;
};

PGDLLEXPORT void persona_identity_helper(Datum arg);

/* ---- messages ------------------------------------------------------------ */

/* the header's bytes: tag and n */
#define MSG_BYTES 8

/* the reader's first problem (a length past the message's end) as an error */
static void
checked(const byte_reader *r)
{
	if (r->error)
		elog(ERROR, "persona identity helper: %s message", r->error);
}

/* the next n bytes of the message, in place */
static const char *
take(byte_reader *r, size_t n)
{
	const uint8 *p = br_skip(r, n);

	checked(r);
	return (const char *) p;
}

static void
put_msg(byte_writer *w, uint32 tag, uint32 n)
{
	bw_u32(w, tag);
	bw_u32(w, n);
}

static msg
take_msg(byte_reader *r)
{
	msg			m = {0, 0};

	br_u32(r, &m.tag);
	br_u32(r, &m.n);
	checked(r);
	return m;
}

static uint32
take_u32(byte_reader *r)
{
	uint32		v = 0;

	br_u32(r, &v);
	checked(r);
	return v;
}

static uint64
take_u64(byte_reader *r)
{
	uint64		v = 0;

	br_u64(r, &v);
	checked(r);
	return v;
}

/* bytes with their length in front, and back as a palloc'd string */
static void
put_str(byte_writer *w, const char *p, uint32 len)
{
	bw_u32(w, len);
	bw_bytes(w, p, len);
}

static char *
take_str(byte_reader *r, uint32 *len)
{
	*len = take_u32(r);
	return pnstrdup(take(r, *len), *len);
}

/* A header alone (M_ROWS, M_PREV, M_END, M_DONE) or in front of arrays. */
typedef struct msg_head
{
	uint8		b[MSG_BYTES];
} msg_head;

static msg_head
msg_bytes(uint32 tag, uint32 n)
{
	msg_head	h;
	byte_writer w = {h.b, 0};

	put_msg(&w, tag, n);
	return h;
}

/* run once without a buffer to count the bytes, then to write them */
static void
pack_rules(byte_writer *w, const idr_rules *r, uint64 est_rows)
{
	int32		nt = r->ntypes,
				nb = r->nblocked;

	put_msg(w, M_START, 0);
	bw_u64(w, est_rows);
	bw_u64(w, (uint64) r->max_records);
	bw_u32(w, (uint32) nt);
	bw_u32(w, (uint32) nb);
	for (int i = 0; i < nt; i++)
	{
		bw_u64(w, (uint64) r->types[i].limit);
		bw_u64(w, (uint64) r->types[i].max_records);
		put_str(w, r->types[i].name, r->types[i].len);
	}
	for (int i = 0; i < nb; i++)
		put_str(w, r->blocked[i], r->blocked_len[i]);
}

/* the rules, copied out of the message into CurrentMemoryContext */
static void
unpack_rules(byte_reader *c, idr_rules *r, uint64 *est_rows)
{
	int32		nt,
				nb;
	idr_type_rule *types;
	char	  **blocked;
	size_t	   *blocked_len;

	*est_rows = take_u64(c);
	r->max_records = (int64) take_u64(c);
	nt = (int32) take_u32(c);
	nb = (int32) take_u32(c);
	if (nt < 0 || nb < 0)
		elog(ERROR, "persona identity helper: bad rules message");
	types = palloc0(sizeof(idr_type_rule) * (nt + 1));
	blocked = palloc0(sizeof(char *) * (nb + 1));
	blocked_len = palloc0(sizeof(size_t) * (nb + 1));
	for (int i = 0; i < nt; i++)
	{
		uint32		len;

		types[i].limit = (int64) take_u64(c);
		types[i].max_records = (int64) take_u64(c);
		types[i].name = take_str(c, &len);
		types[i].len = len;
	}
	for (int i = 0; i < nb; i++)
	{
		uint32		len;

		blocked[i] = take_str(c, &len);
		blocked_len[i] = len;
	}
	r->types = types;
	r->ntypes = nt;
	r->blocked = (const char *const *) blocked;
	r->blocked_len = blocked_len;
	r->nblocked = nb;
}

/*
 * The summary's counters one by one, so that the message does not depend on
 * the struct's layout; a counter added to idr_stats must be added here (the
 * static assertion in pack_summary says so).
 */
#define SUMMARY_STATS 7

static uint64 *
summary_stat(idr_stats *st, int i)
{
	switch (i)
	{
		case 0:
			return &st->refused;
		case 1:
			return &st->supernodes;
		case 2:
			return &st->supernode_links;
		case 3:
			return &st->blocked;
		case 4:
			return &st->blank;
		case 5:
			return &st->persons;
		default:
			return &st->kept_ids;
	}
}

/* run once without a buffer to count the bytes, then to write them */
static void
pack_summary(byte_writer *w, idr_summary *sum)
{
	StaticAssertStmt(sizeof(idr_stats) == SUMMARY_STATS * sizeof(uint64),
					 "every counter of idr_stats is in the summary message");
	put_msg(w, M_SUMMARY, 0);
	bw_u32(w, sum->nrecs);
	bw_u32(w, sum->rec_maxlen);
	bw_f64(w, sum->rec_bytes);
	for (int i = 0; i < SUMMARY_STATS; i++)
		bw_u64(w, *summary_stat(&sum->stats, i));
	bw_u8(w, sum->has_prev ? 1 : 0);
	bw_u64(w, (uint64) sum->helper_kb);
	put_str(w, sum->detail, strlen(sum->detail));
}

/* ---- the backend's side -------------------------------------------------- */

static void
stop_worker(dsm_segment *seg, Datum arg)
{
	TerminateBackgroundWorker((BackgroundWorkerHandle *) DatumGetPointer(arg));
}

/* The worker detached early: what it left in the header, as an error. */
static void pg_attribute_noreturn()
worker_gone(idr_helper *h)
{
	uint32		f = pg_atomic_read_u32(&h->sh->failed);

	pg_read_barrier();
	if (f == F_CODE)
		idr_raise((idr_err) h->sh->code);
	if (f == F_ERROR)
		ereport(ERROR,
				(errcode(h->sh->sqlerrcode),
				 errmsg("%s", h->sh->message),
				 errcontext("identity_resolve's helper process")));
	ereport(ERROR,
			(errcode(ERRCODE_SYSTEM_ERROR),
			 errmsg("identity_resolve's helper process exited before it finished"),
			 errhint("See the server log for why. With SET persona.identity_helper = off the resolve runs in this backend alone.")));
}

static void
put(idr_helper *h, shm_mq_iovec *iov, int n)
{
	if (shm_mq_sendv(h->to, iov, n, false, true) != SHM_MQ_SUCCESS)
		worker_gone(h);
}

static const char *
get(idr_helper *h, Size *len)
{
	void	   *data;

	if (shm_mq_receive(h->from, len, &data, false) != SHM_MQ_SUCCESS)
		worker_gone(h);
	return data;
}

idr_helper *
idr_helper_start(const idr_rules *rules, uint64 est_rows)
{
	BackgroundWorker w;
	BackgroundWorkerHandle *bgw;
	dsm_segment *seg;
	idr_helper *h;
	shm_mq	   *to,
			   *from;
	char	   *base;
	pid_t		pid;
	bool		ok;
	MemoryContext old;
	byte_writer b = {NULL, 0};
	shm_mq_iovec iov;

	if (!IsUnderPostmaster)
		return NULL;
	seg = dsm_create(SEG_SIZE, DSM_CREATE_NULL_IF_MAXSEGMENTS);
	if (seg == NULL)
		return NULL;
	base = dsm_segment_address(seg);
	pg_atomic_init_u32(&((helper_shared *) base)->failed, F_NONE);
	to = shm_mq_create(base + OFF_IN, QUEUE_IN);
	shm_mq_set_sender(to, MyProc);
	from = shm_mq_create(base + OFF_OUT, QUEUE_OUT);
	shm_mq_set_receiver(from, MyProc);

	/*
	 * A parallel worker by class, so that max_parallel_workers bounds the
	 * helpers as it bounds parallel query: a DBA who turned parallelism off
	 * gets no helpers either.
	 */
	memset(&w, 0, sizeof(w));
	w.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION | BGWORKER_CLASS_PARALLEL;
	w.bgw_start_time = BgWorkerStart_ConsistentState;
	w.bgw_restart_time = BGW_NEVER_RESTART;
	snprintf(w.bgw_library_name, BGW_MAXLEN, "persona");
	snprintf(w.bgw_function_name, BGW_MAXLEN, "persona_identity_helper");
	snprintf(w.bgw_name, BGW_MAXLEN, "persona identity helper for PID %d", MyProcPid);
	snprintf(w.bgw_type, BGW_MAXLEN, "persona identity helper");
	w.bgw_main_arg = UInt32GetDatum(dsm_segment_handle(seg));
	w.bgw_notify_pid = MyProcPid;

	/*
	 * The handle must outlive an error here: the segment's detach, which
	 * terminates the worker, runs when the resource owner lets go of it.
	 */
	old = MemoryContextSwitchTo(TopTransactionContext);
	ok = RegisterDynamicBackgroundWorker(&w, &bgw);
	MemoryContextSwitchTo(old);
	if (!ok)
	{
		dsm_detach(seg);
		ereport(DEBUG1,
				(errmsg("identity_resolve: no background worker free (max_worker_processes, max_parallel_workers); resolving in this backend")));
		return NULL;
	}
	on_dsm_detach(seg, stop_worker, PointerGetDatum(bgw));
	if (WaitForBackgroundWorkerStartup(bgw, &pid) != BGWH_STARTED)
	{
		dsm_detach(seg);
		pfree(bgw);
		ereport(DEBUG1,
				(errmsg("identity_resolve: the helper process did not start; resolving in this backend")));
		return NULL;
	}

	h = palloc0(sizeof(idr_helper));
	h->seg = seg;
	h->sh = (helper_shared *) base;
	h->bgw = bgw;
	h->to = shm_mq_attach(to, seg, bgw);
	h->from = shm_mq_attach(from, seg, bgw);
	/* attached, it is in pg_stat_activity before the first row is read */
	if (shm_mq_wait_for_attach(h->to) != SHM_MQ_SUCCESS)
		worker_gone(h);

	pack_rules(&b, rules, est_rows);
	b.p = palloc(b.len);
	b.len = 0;
	pack_rules(&b, rules, est_rows);
	iov.data = (const char *) b.p;
	iov.len = b.len;
	put(h, &iov, 1);
	pfree(b.p);
	return h;
}

void
idr_helper_rows(idr_helper *h, int n, const uint32 (*lens)[3], const char *bytes, size_t nbytes)
{
	msg_head	m = msg_bytes(M_ROWS, n);
	shm_mq_iovec iov[3] = {
		{(const char *) m.b, MSG_BYTES},
		{(const char *) lens, sizeof(uint32[3]) * n},
		{bytes, nbytes}
	};

	put(h, iov, 3);
}

void
idr_helper_previous(idr_helper *h, int n, const int64 *person, const uint32 *lens,
					const char *bytes, size_t nbytes)
{
	msg_head	m = msg_bytes(M_PREV, n);
	shm_mq_iovec iov[4] = {
		{(const char *) m.b, MSG_BYTES},
		{(const char *) person, sizeof(int64) * n},
		{(const char *) lens, sizeof(uint32) * n},
		{bytes, nbytes}
	};

	put(h, iov, 4);
}

void
idr_helper_resolve(idr_helper *h, idr_summary *sum)
{
	msg_head	end = msg_bytes(M_END, 0);
	shm_mq_iovec iov = {(const char *) end.b, MSG_BYTES};
	Size		len;
	const char *data;
	byte_reader c;
	msg			m;
	uint32		dlen;
	uint8		has_prev = 0;

	put(h, &iov, 1);
	data = get(h, &len);
	br_init(&c, data, len);
	m = take_msg(&c);
	if (m.tag != M_SUMMARY)
		elog(ERROR, "persona identity helper: unexpected message %u", m.tag);
	sum->nrecs = take_u32(&c);
	sum->rec_maxlen = take_u32(&c);
	br_f64(&c, &sum->rec_bytes);
	for (int i = 0; i < SUMMARY_STATS; i++)
		*summary_stat(&sum->stats, i) = take_u64(&c);
	br_u8(&c, &has_prev);
	checked(&c);
	sum->has_prev = has_prev != 0;
	sum->helper_kb = (int64) take_u64(&c);
	sum->detail = take_str(&c, &dlen);
}

bool
idr_helper_answer(idr_helper *h, const char **rec, uint32 *len, int64 *person)
{
	const char *p;

	while (h->a_i == h->a_n)
	{
		Size		mlen;
		msg			m;
		byte_reader r;

		if (h->done)
			return false;
		h->a_msg = get(h, &mlen);
		br_init(&r, h->a_msg, mlen);
		m = take_msg(&r);
		if (m.tag == M_DONE)
		{
			h->done = true;
			return false;
		}
		if (m.tag != M_ANSWER || mlen < MSG_BYTES + (Size) m.n * 12)
			elog(ERROR, "persona identity helper: unexpected message %u", m.tag);
		h->a_len = mlen;
		h->a_n = m.n;
		h->a_i = 0;
		h->a_off = MSG_BYTES + (Size) m.n * 12;
	}
	/* an answer message: msg, n persons, n lengths, the records' bytes */
	p = h->a_msg + MSG_BYTES;
	memcpy(person, p + sizeof(int64) * h->a_i, sizeof(int64));
	memcpy(len, p + sizeof(int64) * h->a_n + sizeof(uint32) * h->a_i, sizeof(uint32));
	if (*len > h->a_len - h->a_off)
		elog(ERROR, "persona identity helper: truncated message");
	*rec = h->a_msg + h->a_off;
	h->a_off += *len;
	h->a_i++;
	return true;
}

void
idr_helper_end(idr_helper *h)
{
	BackgroundWorkerHandle *bgw = h->bgw;

	dsm_detach(h->seg);
	pfree(bgw);
	pfree(h);
}

/* ---- the worker's side --------------------------------------------------- */

static void
send_or_exit(shm_mq_handle *q, shm_mq_iovec *iov, int n)
{
	/* the backend detached: it errored or was cancelled, nobody waits */
	if (shm_mq_sendv(q, iov, n, false, true) != SHM_MQ_SUCCESS)
		proc_exit(0);
}

static void
send_answer(shm_mq_handle *q, idr_state *s)
{
	int64	   *person = palloc(sizeof(int64) * ANSWER_ROWS);
	uint32	   *lens = palloc(sizeof(uint32) * ANSWER_ROWS);
	StringInfoData bytes;
	uint32		k = 0;

	initStringInfo(&bytes);
	while (k < s->recs.n)
	{
		msg			m = {M_ANSWER, 0};
		msg_head	head;
		shm_mq_iovec iov[4];

		resetStringInfo(&bytes);
		while (k < s->recs.n && m.n < ANSWER_ROWS && (Size) bytes.len < ANSWER_BYTES)
		{
			uint32		id = s->rec_order[k];

			if (k + 8 < s->recs.n)
				__builtin_prefetch(strtab_str(&s->recs, s->rec_order[k + 8]));
			if (k + 16 < s->recs.n)
				__builtin_prefetch(&s->recs.ent[s->rec_order[k + 16]]);
			person[m.n] = s->person[k];
			lens[m.n] = strtab_len(&s->recs, id);
			appendBinaryStringInfo(&bytes, strtab_str(&s->recs, id), lens[m.n]);
			m.n++;
			k++;
		}
		head = msg_bytes(m.tag, m.n);
		iov[0].data = (const char *) head.b;
		iov[0].len = MSG_BYTES;
		iov[1].data = (const char *) person;
		iov[1].len = sizeof(int64) * m.n;
		iov[2].data = (const char *) lens;
		iov[2].len = sizeof(uint32) * m.n;
		iov[3].data = bytes.data;
		iov[3].len = bytes.len;
		send_or_exit(q, iov, 4);
		CHECK_FOR_INTERRUPTS();
	}
}

/* a "Name:   123 kB" line of /proc/self/status, or -1 (not Linux) */
static int64
status_kb(const char *name)
{
	FILE	   *f = fopen("/proc/self/status", "r");
	char		line[256];
	size_t		n = strlen(name);
	int64		kb = -1;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, name, n) == 0 && line[n] == ':')
		{
			kb = strtol(line + n + 1, NULL, 10);
			break;
		}
	fclose(f);
	return kb;
}

/* an error code of resolve.c for the backend to raise */
static void
fail_code(helper_shared *sh, idr_err e)
{
	sh->code = e;
	pg_write_barrier();
	pg_atomic_write_u32(&sh->failed, F_CODE);
}

static void
work(helper_shared *sh, shm_mq_handle *in, shm_mq_handle *out, MemoryContext cxt, core_host *m)
{
	idr_state	s;
	idr_rules	rules;
	idr_summary sum;
	idr_row    *rows = NULL;
	int			rows_cap = 0;
	uint64		est;
	idr_err		e;
	Size		len;
	void	   *data;
	byte_reader c;
	msg			h;

	/*
	 * The peak private memory, for the backend to report (DEBUG1): the
	 * high-water mark less the shared and file pages mapped by then, less
	 * the private memory before the rows.
	 */
	int64		anon0 = status_kb("RssAnon");

	MemoryContextSwitchTo(cxt);
	idr_init(&s, m);
	if (shm_mq_receive(in, &len, &data, false) != SHM_MQ_SUCCESS)
		return;
	br_init(&c, data, len);
	h = take_msg(&c);
	if (h.tag != M_START)
		elog(ERROR, "persona identity helper: unexpected message %u", h.tag);
	unpack_rules(&c, &rules, &est);
	if (est > 0)
		idr_reserve(&s, est);

	for (;;)
	{
		if (shm_mq_receive(in, &len, &data, false) != SHM_MQ_SUCCESS)
			return;
		br_init(&c, data, len);
		h = take_msg(&c);
		if (h.tag == M_END)
			break;
		if (h.tag == M_ROWS)
		{
			const char *lens = take(&c, sizeof(uint32[3]) * (size_t) h.n);
			const char *bytes;

			if ((int) h.n > rows_cap)
			{
				rows_cap = h.n;
				rows = rows ? repalloc(rows, sizeof(idr_row) * rows_cap) : palloc(sizeof(idr_row) * rows_cap);
			}
			for (uint32 i = 0; i < h.n; i++)
			{
				uint32		l[3];
				const char *p[3];

				memcpy(l, lens + sizeof(uint32[3]) * i, sizeof(l));
				for (int k = 0; k < 3; k++)
				{
					bytes = l[k] == UINT32_MAX ? NULL : take(&c, l[k]);
					p[k] = bytes;
				}
				if (p[0] == NULL)
					elog(ERROR, "persona identity helper: a row without its record");
				rows[i] = (idr_row) {
					.rec = p[0],.type = p[1],.val = p[2],
					.rlen = l[0],.tlen = p[1] ? l[1] : 0,.vlen = p[2] ? l[2] : 0
				};
			}
			if ((e = idr_add_rows(&s, rows, h.n)) != IDR_OK)
			{
				fail_code(sh, e);
				return;
			}
		}
		else if (h.tag == M_PREV)
		{
			const char *person = take(&c, sizeof(int64) * (size_t) h.n);
			const char *lens = take(&c, sizeof(uint32) * (size_t) h.n);

			for (uint32 i = 0; i < h.n; i++)
			{
				int64		pid;
				uint32		l;

				memcpy(&pid, person + sizeof(int64) * i, sizeof(pid));
				memcpy(&l, lens + sizeof(uint32) * i, sizeof(l));
				if ((e = idr_add_previous(&s, take(&c, l), l, pid)) != IDR_OK)
				{
					fail_code(sh, e);
					return;
				}
			}
		}
		else
			elog(ERROR, "persona identity helper: unexpected message %u", h.tag);
		CHECK_FOR_INTERRUPTS();
	}

	if ((e = idr_resolve(&s, &rules)) != IDR_OK)
	{
		fail_code(sh, e);
		return;
	}
	idr_summarize(&s, &sum);
	if (anon0 >= 0)
		sum.helper_kb = status_kb("VmHWM") - status_kb("RssShmem") - status_kb("RssFile") - anon0;
	{
		byte_writer b = {NULL, 0};
		shm_mq_iovec iov;

		pack_summary(&b, &sum);
		b.p = palloc(b.len);
		b.len = 0;
		pack_summary(&b, &sum);
		iov.data = (const char *) b.p;
		iov.len = b.len;
		send_or_exit(out, &iov, 1);
	}
	idr_host_release_kept(m);
	send_answer(out, &s);
	{
		msg_head	d = msg_bytes(M_DONE, 0);
		shm_mq_iovec iov = {(const char *) d.b, MSG_BYTES};

		send_or_exit(out, &iov, 1);
	}
}

void
persona_identity_helper(Datum arg)
{
	dsm_segment *seg;
	helper_shared *sh;
	char	   *base;
	shm_mq_handle *in,
			   *out;
	core_host		m;
	MemoryContext volatile cxt = NULL;

	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();
	/*
	 * No database: only so that the helper shows in pg_stat_activity, where
	 * a DBA looks for what runs and what to terminate.
	 */
	BackgroundWorkerInitializeConnection(NULL, NULL, 0);
	pgstat_report_activity(STATE_RUNNING, MyBgworkerEntry->bgw_name);
	CurrentResourceOwner = ResourceOwnerCreate(NULL, "persona identity helper");
	seg = dsm_attach(DatumGetUInt32(arg));
	if (seg == NULL)
		proc_exit(0);			/* the backend has given up already */
	base = dsm_segment_address(seg);
	sh = (helper_shared *) base;
	shm_mq_set_receiver((shm_mq *) (base + OFF_IN), MyProc);
	shm_mq_set_sender((shm_mq *) (base + OFF_OUT), MyProc);
	in = shm_mq_attach((shm_mq *) (base + OFF_IN), seg, NULL);
	out = shm_mq_attach((shm_mq *) (base + OFF_OUT), seg, NULL);

	PG_TRY();
	{
		cxt = idr_host_init(&m);
		work(sh, in, out, cxt, &m);
	}
	PG_CATCH();
	{
		ErrorData  *ed;

		/* room first: the error may be that memory ran out */
		MemoryContextSwitchTo(TopMemoryContext);
		if (cxt)
			MemoryContextDelete(cxt);
		ed = CopyErrorData();
		sh->sqlerrcode = ed->sqlerrcode;
		{
			const char *em = ed->message ? ed->message : "unknown error";
			size_t		n = strlen(em);

			/* cut short, then not in the middle of a UTF-8 character */
			if (n >= sizeof(sh->message))
			{
				n = sizeof(sh->message) - 1;
				while (n > 0 && ((unsigned char) em[n] & 0xC0) == 0x80)
					n--;
			}
			memcpy(sh->message, em, n);
			sh->message[n] = '\0';
		}
		pg_write_barrier();
		pg_atomic_write_u32(&sh->failed, F_ERROR);
		PG_RE_THROW();
	}
	PG_END_TRY();
	dsm_detach(seg);
	proc_exit(0);
}
