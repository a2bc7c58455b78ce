/*
 * user_groups.h — attribution_agg's grouping of events by user, in plain C.
 *
 * The aggregate keeps its own events in one array (user, time, channel id or
 * -1 - index of a conversion value) and, in parallel plans, the workers'
 * serialized states ("parts") whole.  At the end every user's events are
 * gathered from wherever they are: runs of the state's own array and runs of
 * each part's bytes, read in place; the runs are taken in user id order
 * (the radix sort), so the credits depend only on the rows.  This lives in a
 * core, apart from the fmgr glue, so that the final function and the
 * parallel functions share it without calling each other, and so that a
 * unit test reaches the byte checks a crafted partial state meets.
 *
 * The bytes of a part: magic, model and options (each u32 length + bytes),
 * the channel names (u32 count; each u32 length + bytes, in id order), the
 * number of users (u64), then each user as id (u64), event count (u32),
 * conversion count (u32), its events (time u64, channel id u32 or
 * UINT32_MAX for a conversion) and the values of its conversions (f64) in
 * the order of its conversion events.  All little-endian (base/bytes.h).
 * Fixed-size records let a user's events be indexed without decoding them.
 */
#ifndef PERSONA_ATTRIBUTION_USER_GROUPS_H
#define PERSONA_ATTRIBUTION_USER_GROUPS_H

#include "attribution/journey.h"
#include "base/bytes.h"

#define UG_MAGIC 0x32414150		/* "PAA2" little-endian */
#define UG_USER_HDR 16			/* user u64, count u32, conversions u32 */
#define UG_EV_BYTES 12			/* ts u64, channel u32 */

/* An event of the state: its user, time, and channel id or -1 - value index. */
typedef struct ug_event
{
	int64_t		user;
	int64_t		ts;
	int32_t		ch;
} ug_event;

/*
 * A user's events in one place: a run of the state's own events (part 0,
 * from index off) or a run of bytes of part k >= 1 (at byte off: count
 * events, then nconv values).
 */
typedef struct ug_ref
{
	int64_t		user;
	uint32_t	count;
	uint32_t	nconv;
	uint32_t	part;
	uint32_t	off;
} ug_ref;

/* A part's channel map (its ids to the state's) and where its users start. */
typedef struct ug_part
{
	const uint8_t *base;
	const uint8_t *end;
	int32_t    *map;
	uint32_t	nch;
	const uint8_t *users;
	uint64_t	nusers;
} ug_part;

/*
 * A part's head: the magic, then model and options in place (their bytes,
 * each a varlena the glue checks).  False: not a partial state.
 */
extern bool ug_part_head(byte_reader *r, const uint8_t **model, uint32_t *model_len,
						 const uint8_t **options, uint32_t *options_len);

/*
 * Opens a part's bytes: its channel names join `d` (pi->map from the
 * part's ids to d's, allocated with `a`), its users are located.  False:
 * the bytes are not a valid partial state.
 */
extern bool ug_part_open(ug_part *pi, const uint8_t *data, size_t len, at_dict *d, const at_alloc *a);

/*
 * The events grouped by user: refs for the runs of one user of the state's
 * events `ev` (part 0) and of every part (parts[k] is part k + 1), sorted by
 * user id; *maxlen is the most events one user has over all its runs.
 * The refs are allocated with `a` (room for *nrefs).  False: a part is
 * invalid.  check: the host's cancel check during the sort, or NULL.
 */
extern bool ug_group(const ug_event *ev, size_t nev, const ug_part *parts, int nparts,
					 const at_alloc *a, void (*check) (void),
					 ug_ref **refs, size_t *nrefs, size_t *maxlen);

/*
 * The events of the user whose refs start at refs[k], into buf (room for
 * maxlen): channel ids mapped to the state's, conversions with their value
 * (vals: the state's own conversion values).  Returns the index of the next
 * user's first ref and sets *n; *ok false when a part's events are invalid.
 */
extern size_t ug_user_events(const ug_ref *refs, size_t nrefs, size_t k,
							 const ug_event *ev, const double *vals, const ug_part *parts,
							 at_event *buf, size_t *n, bool *ok);

/*
 * Elements of `size` bytes with the int64 user id at their start, grouped
 * by user with the project's radix sort (its buffer allocated with `a`);
 * input already in order is left as it is.
 */
extern void ug_sort_by_user(void *base, size_t n, size_t size, const at_alloc *a, void (*check) (void));

#endif
