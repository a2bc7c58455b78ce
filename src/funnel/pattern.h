/*
 * pattern.h — ClickHouse sequence patterns in plain C: (?N), '.', '.*' and
 * (?t op S) time constraints, matched over a sorted event run.
 *
 * A pattern compiles to steps, one per single-event atom ((?N) or '.').  A step
 * records whether other events may lie between it and the step before ('.*'
 * or a time constraint between them; otherwise the two events are adjacent in
 * the run) and the time constraints between the event of the step before and
 * its own, as an allowed range [lo, hi] of microseconds minus a few excluded
 * values ('!=').  '.*' next to a time constraint is refused: ClickHouse
 * measures such a constraint from where '.*' began, not from the atom.
 */
#ifndef PERSONA_EVENTS_PATTERN_H
#define PERSONA_EVENTS_PATTERN_H

#include "funnel/funnel.h"

#define SEQ_MAX_STEPS 64
#define SEQ_MAX_EXCLUDE 8

typedef struct seq_step
{
	int			cond;			/* 1..32, or 0 for '.' (any event) */
	int			gap;			/* '.*' between the step before and this one */
	int64_t		lo,
				hi;				/* allowed microseconds since the step before */
	int			nexclude;
	int64_t		exclude[SEQ_MAX_EXCLUDE];
} seq_step;

typedef struct seq_pattern
{
	int			nsteps;
	seq_step	steps[SEQ_MAX_STEPS];
} seq_pattern;

typedef struct seq_error
{
	char		message[160];
	int			position;		/* 1-based character */
} seq_error;

/* 0 on success; -1 with the message and position of the problem. */
extern int	seq_compile(const char *s, size_t len, int nconds, seq_pattern *p, seq_error *err);

/*
 * Non-overlapping matches of p in the sorted run e[0..n), as ClickHouse's
 * sequenceCount counts them: each match is the lexicographically smallest
 * tuple of event positions from where the search starts, and the next search
 * starts after its last event.  Stop at the first match when `first_only`.
 * `work` holds nsteps * (n + 1) uint32.  Calls the host's ev_sort_check
 * (funnel.h), when set, every 65,536 events of each pass.
 */
extern int64_t seq_count(const seq_pattern *p, const ev_event *e, size_t n,
						 int first_only, uint32_t *work);

#endif
