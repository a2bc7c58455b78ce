#!/usr/bin/env bash
# Funnel, retention and sequence benchmark on the shared event data set
# (test/bench/events/data.sql: 1M users x ~20 events over 90 days at SCALE=1):
# persona's one-pass and GROUP BY-user forms against the best plain-SQL
# formulations, PostgreSQL's own floors on the same table, and ClickHouse
# (windowFunnel, retention, sequenceCount) on the same data when available.
#   SCALE=1 (default) or SCALE=0.05 for a quick run;  NO_CLICKHOUSE=1 skips it.
set -euo pipefail
. "$(dirname "$0")/../common.sh"
. "$(dirname "$0")/clickhouse.sh"
bench_setup test/bench/events/data.sql

have_ch=0
if [ -z "${NO_CLICKHOUSE:-}" ] && ch_start; then
	say "loading the events into ClickHouse $(ch_version) ..."
	t0=$(date +%s)
	say "ClickHouse: $(ch_load_events) rows in $(( $(date +%s) - t0 )) s"
	have_ch=1
fi

# The workloads, each as persona, plain SQL, a floor and ClickHouse text.
F_IN="event IN ('exposure', 'click', 'activate', 'register', 'pay')"
F_CONDS="event = 'exposure', event = 'click', event = 'activate', event = 'register', event = 'pay'"
# the step-name form: one expression per row, matched against the steps in C
F_STEPS="event, ARRAY['exposure', 'click', 'activate', 'register', 'pay']"
# week boundaries as literals: timestamptz + interval is only STABLE, it would be
# computed on every row
wk() { date -u -d "2026-01-01 + $(( 7 * $1 )) days" '+%Y-%m-%d'; }
W=""; for i in 0 1 2 3 4 5 6 7; do
	W="$W${W:+, }ts >= '$(wk $i) 00:00+00' AND ts < '$(wk $((i + 1))) 00:00+00'"
done
CH_W=""; for i in 0 1 2 3 4 5 6 7; do
	CH_W="$CH_W${CH_W:+, }ts >= toDateTime('2026-01-01 00:00:00') + $((7 * i * 86400)) AND ts < toDateTime('2026-01-01 00:00:00') + $((7 * (i + 1) * 86400))"
done
R_WHERE="ts < timestamptz '2026-02-26 00:00+00'"

declare -A Q
Q[funnel_onepass]="SELECT window_funnel_counts(user_id, '7 days', ts, $F_CONDS)::text FROM events WHERE $F_IN"
# the step-name form needs no filter: events named no step are skipped in C,
# cheaper than evaluating the IN list
Q[funnel_onepass_steps]="SELECT window_funnel_counts(user_id, '7 days', ts, $F_STEPS)::text FROM events"
Q[funnel_groupby_steps]="SELECT funnel_counts_agg(l, 5)::text FROM (SELECT user_id, window_funnel('7 days', ts, $F_STEPS) l FROM events WHERE $F_IN GROUP BY user_id) s"
Q[funnel_groupby]="SELECT funnel_counts_agg(l, 5)::text FROM (SELECT user_id, window_funnel('7 days', ts, $F_CONDS) l FROM events WHERE $F_IN GROUP BY user_id) s"
# the definition stacked: s_i = the start of the latest chain an event takes to
# level i (the greatest s_{i-1} before it, if within 7 days)
Q[funnel_sql]="WITH e AS (SELECT user_id, ts, CASE event WHEN 'exposure' THEN 1 WHEN 'click' THEN 2 WHEN 'activate' THEN 3 WHEN 'register' THEN 4 ELSE 5 END k FROM events WHERE $F_IN),
 l1 AS (SELECT *, CASE WHEN k = 1 THEN ts END s1 FROM e),
 l2 AS (SELECT *, CASE WHEN k = 2 AND ts <= p + interval '7 days' THEN p END s2 FROM (SELECT *, max(s1) OVER w p FROM l1 WINDOW w AS (PARTITION BY user_id ORDER BY ts, k ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)) x),
 l3 AS (SELECT *, CASE WHEN k = 3 AND ts <= p + interval '7 days' THEN p END s3 FROM (SELECT user_id, ts, k, s1, s2, max(s2) OVER w p FROM l2 WINDOW w AS (PARTITION BY user_id ORDER BY ts, k ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)) x),
 l4 AS (SELECT *, CASE WHEN k = 4 AND ts <= p + interval '7 days' THEN p END s4 FROM (SELECT user_id, ts, k, s1, s2, s3, max(s3) OVER w p FROM l3 WINDOW w AS (PARTITION BY user_id ORDER BY ts, k ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)) x),
 l5 AS (SELECT *, CASE WHEN k = 5 AND ts <= p + interval '7 days' THEN p END s5 FROM (SELECT user_id, ts, k, s1, s2, s3, s4, max(s4) OVER w p FROM l4 WINDOW w AS (PARTITION BY user_id ORDER BY ts, k ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)) x),
 lv AS (SELECT user_id, max(CASE WHEN s5 IS NOT NULL THEN 5 WHEN s4 IS NOT NULL THEN 4 WHEN s3 IS NOT NULL THEN 3 WHEN s2 IS NOT NULL THEN 2 WHEN s1 IS NOT NULL THEN 1 ELSE 0 END) l FROM l5 GROUP BY user_id)
 SELECT ARRAY[count(*) FILTER (WHERE l >= 1), count(*) FILTER (WHERE l >= 2), count(*) FILTER (WHERE l >= 3), count(*) FILTER (WHERE l >= 4), count(*) FILTER (WHERE l >= 5)]::text FROM lv"
Q[floor_count]="SELECT count(*) FROM events"
Q[floor_groupby]="SELECT count(*) FROM (SELECT user_id, count(*) FROM events WHERE $F_IN GROUP BY user_id) s"
# The floor above only groups: its count(*) is unused, so PostgreSQL drops it
# (the plan's Output is user_id, NULL).  The same grouping with a per-user
# aggregate whose state is internal, like window_funnel's (sum(bigint) keeps an
# int128: serialized by each worker, deserialized and combined by the leader,
# one call each per group): what PostgreSQL's own aggregates pay for that.
Q[floor_groupby_internal]="SELECT count(*) FILTER (WHERE v > 0) FROM (SELECT user_id, sum(user_id) v FROM events WHERE $F_IN GROUP BY user_id) s"
# PostgreSQL's cheapest aggregates over the retention rows (same filter, same
# parallel plan): no way of answering retention can read those rows faster
Q[floor_retention_count]="SELECT count(*) FROM events WHERE $R_WHERE"
Q[floor_retention_count_ts]="SELECT count(ts) FROM events WHERE $R_WHERE"
Q[floor_retention_max]="SELECT max(user_id), max(ts) FROM events WHERE $R_WHERE"
Q[retention_onepass]="SELECT retention_counts(user_id, $W)::text FROM events WHERE $R_WHERE"
# the period form: week i is [origin + (i-1) * 7 days, origin + i * 7 days)
Q[retention_onepass_period]="SELECT retention_counts(user_id, ts, '2026-01-01 00:00+00', '7 days', 8)::text FROM events WHERE $R_WHERE"
Q[retention_groupby_period]="SELECT ARRAY[sum(r[1]), sum(r[2]), sum(r[3]), sum(r[4]), sum(r[5]), sum(r[6]), sum(r[7]), sum(r[8])]::text FROM (SELECT user_id, retention(ts, '2026-01-01 00:00+00', '7 days', 8) r FROM events WHERE $R_WHERE GROUP BY user_id) s"
Q[retention_groupby]="SELECT ARRAY[sum(r[1]), sum(r[2]), sum(r[3]), sum(r[4]), sum(r[5]), sum(r[6]), sum(r[7]), sum(r[8])]::text FROM (SELECT user_id, retention($W) r FROM events WHERE $R_WHERE GROUP BY user_id) s"
# one bit per week per user, then counts
Q[retention_sql]="SELECT ARRAY[count(*) FILTER (WHERE m & 1 = 1), count(*) FILTER (WHERE m & 3 = 3), count(*) FILTER (WHERE m & 5 = 5), count(*) FILTER (WHERE m & 9 = 9), count(*) FILTER (WHERE m & 17 = 17), count(*) FILTER (WHERE m & 33 = 33), count(*) FILTER (WHERE m & 65 = 65), count(*) FILTER (WHERE m & 129 = 129)]::text
 FROM (SELECT user_id, bit_or(1 << ((extract(epoch FROM ts)::bigint - 1767225600) / 604800)::int) m FROM events WHERE $R_WHERE AND ts >= timestamptz '2026-01-01 00:00+00' GROUP BY user_id) s"
Q[sequence_groupby]="SELECT sum(c)::text FROM (SELECT user_id, sequence_count('(?1).*(?2)', ts, event = 'click', event = 'pay') c FROM events WHERE event IN ('click', 'pay') GROUP BY user_id) s"
# non-overlapping click ... pay = pays whose previous click-or-pay event is a click
Q[sequence_sql]="SELECT count(*)::text FROM (SELECT event, lag(event) OVER (PARTITION BY user_id ORDER BY ts, event = 'pay') prev FROM events WHERE event IN ('click', 'pay')) s WHERE event = 'pay' AND prev = 'click'"

declare -A CH
CH[funnel]="SELECT [countIf(l >= 1), countIf(l >= 2), countIf(l >= 3), countIf(l >= 4), countIf(l >= 5)] FROM (SELECT user_id, windowFunnel(604800)(ts, $F_CONDS) l FROM events WHERE $F_IN GROUP BY user_id)"
CH[retention]="SELECT [sum(r[1]), sum(r[2]), sum(r[3]), sum(r[4]), sum(r[5]), sum(r[6]), sum(r[7]), sum(r[8])] FROM (SELECT user_id, retention($CH_W) r FROM events WHERE ts < toDateTime('2026-02-26 00:00:00') GROUP BY user_id)"
CH[sequence]="SELECT sum(c) FROM (SELECT user_id, sequenceCount('(?1).*(?2)')(ts, event = 'click', event = 'pay') c FROM events WHERE event IN ('click', 'pay') GROUP BY user_id)"
CH[floor_count]="SELECT count() FROM events"
CH[floor_groupby]="SELECT count() FROM (SELECT user_id, count() FROM events WHERE $F_IN GROUP BY user_id)"

P=(psql -X -q -At -v ON_ERROR_STOP=1)
SETTINGS="SET work_mem = '1GB'; SET max_parallel_workers_per_gather = 2;"
pg() { "${P[@]}" -c "$SETTINGS" -c "$1"; }
pg_ms() { "${P[@]}" -c "$SETTINGS" -c "SELECT round(bench_median(\$q\$$1\$q\$)::numeric, 1)"; }

"${P[@]}" -c "DROP TABLE IF EXISTS events_bench" -c "CREATE TABLE events_bench (workload text, way text, kind text, ms numeric, answer text)"
add() {	# workload way kind ms answer
	"${P[@]}" -c "INSERT INTO events_bench VALUES ('$1', '$2', '$3', $4, \$a\$$5\$a\$)"
}

say "answers ..."
declare -A A
for k in "${!Q[@]}"; do A[$k]=$(pg "${Q[$k]}" | tail -1); done
check() {	# label a b
	if [ "$2" = "$3" ]; then say "  $1: $2 (answers agree)"; else say "  $1: ANSWERS DIFFER: $2 vs $3"; fi
}
check "funnel one-pass / GROUP BY user" "${A[funnel_onepass]}" "${A[funnel_groupby]}"
check "funnel one-pass / plain SQL" "${A[funnel_onepass]}" "${A[funnel_sql]}"
check "funnel one-pass / one-pass, step names" "${A[funnel_onepass]}" "${A[funnel_onepass_steps]}"
check "funnel one-pass / GROUP BY user, step names" "${A[funnel_onepass]}" "${A[funnel_groupby_steps]}"
check "retention one-pass / GROUP BY user" "${A[retention_onepass]}" "${A[retention_groupby]}"
check "retention one-pass / plain SQL" "${A[retention_onepass]}" "${A[retention_sql]}"
check "retention one-pass / one-pass, periods" "${A[retention_onepass]}" "${A[retention_onepass_period]}"
check "retention one-pass / GROUP BY user, periods" "${A[retention_onepass]}" "${A[retention_groupby_period]}"
check "sequence_count / plain SQL" "${A[sequence_groupby]}" "${A[sequence_sql]}"
declare -A CA
if [ $have_ch = 1 ]; then
	for k in funnel retention sequence; do CA[$k]=$(ch_query "${CH[$k]}" | tr '[]' '{}'); done
	check "funnel persona / ClickHouse windowFunnel" "${A[funnel_onepass]}" "${CA[funnel]}"
	check "retention persona / ClickHouse retention" "${A[retention_onepass]}" "${CA[retention]}"
	check "sequence persona / ClickHouse sequenceCount" "${A[sequence_groupby]}" "${CA[sequence]}"
fi

say "timing (median of 3, the ways of each workload one after another) ..."
time_pg() {	# workload way kind key
	local ms
	ms=$(pg_ms "${Q[$4]}" | tail -1)
	say "  $1 / $2: $ms ms"
	add "$1" "$2" "$3" "$ms" "${A[$4]}"
}
time_ch() {	# workload way kind key
	local ms
	[ $have_ch = 1 ] || return 0
	ms=$(ch_median "${CH[$4]}") || return 0
	say "  $1 / $2: $ms ms"
	add "$1" "$2" "$3" "$ms" "${CA[$4]:-}"
}
time_pg "floors" "PostgreSQL count(*)" floor floor_count
time_ch "floors" "ClickHouse count()" ch floor_count
time_pg "floors" "PostgreSQL count(*) GROUP BY user_id, funnel rows" floor floor_groupby
time_ch "floors" "ClickHouse count() GROUP BY user_id, funnel rows" ch floor_groupby
time_pg "floors" "PostgreSQL sum(user_id) GROUP BY user_id, funnel rows (internal state)" floor floor_groupby_internal
time_pg "funnel, 5 steps, 7 days" "persona window_funnel_counts (one pass)" persona funnel_onepass
time_pg "funnel, 5 steps, 7 days" "persona window_funnel_counts, step names (one pass, no filter)" persona funnel_onepass_steps
time_pg "funnel, 5 steps, 7 days" "persona window_funnel GROUP BY user + funnel_counts_agg" persona funnel_groupby
time_pg "funnel, 5 steps, 7 days" "persona window_funnel, step names, GROUP BY user + funnel_counts_agg" persona funnel_groupby_steps
time_pg "funnel, 5 steps, 7 days" "plain SQL, stacked window functions" sql funnel_sql
time_ch "funnel, 5 steps, 7 days" "ClickHouse windowFunnel GROUP BY user" ch funnel
time_pg "retention, 8 weeks" "floor: PostgreSQL count(*), retention rows" floor floor_retention_count
time_pg "retention, 8 weeks" "floor: PostgreSQL count(ts), retention rows" floor floor_retention_count_ts
time_pg "retention, 8 weeks" "floor: PostgreSQL max(user_id), max(ts), retention rows" floor floor_retention_max
time_pg "retention, 8 weeks" "persona retention_counts (one pass)" persona retention_onepass
time_pg "retention, 8 weeks" "persona retention_counts, periods (one pass)" persona retention_onepass_period
time_pg "retention, 8 weeks" "persona retention GROUP BY user + sums" persona retention_groupby
time_pg "retention, 8 weeks" "persona retention, periods, GROUP BY user + sums" persona retention_groupby_period
time_pg "retention, 8 weeks" "plain SQL, bit_or of weeks GROUP BY user" sql retention_sql
time_ch "retention, 8 weeks" "ClickHouse retention GROUP BY user" ch retention
time_pg "sequence_count (?1).*(?2), click then pay" "persona sequence_count GROUP BY user" persona sequence_groupby
time_pg "sequence_count (?1).*(?2), click then pay" "plain SQL, lag()" sql sequence_sql
time_ch "sequence_count (?1).*(?2), click then pay" "ClickHouse sequenceCount GROUP BY user" ch sequence

psql -X -q -v ON_ERROR_STOP=1 <<'SQL'
\pset footer off
SELECT b.workload, b.way, b.ms,
       round(b.ms / nullif((SELECT min(ms) FROM events_bench c WHERE c.workload = b.workload AND c.kind = 'ch'), 0), 2) AS "÷ ClickHouse",
       round(b.ms / nullif((SELECT ms FROM events_bench f WHERE f.way = 'PostgreSQL count(*) GROUP BY user_id, funnel rows'), 0), 2) AS "÷ PG GROUP BY floor",
       round(b.ms / nullif((SELECT ms FROM events_bench f WHERE f.way = 'PostgreSQL count(*)'), 0), 2) AS "÷ PG count(*)",
       round(b.ms / nullif((SELECT ms FROM events_bench f WHERE f.way = 'PostgreSQL sum(user_id) GROUP BY user_id, funnel rows (internal state)'), 0), 2) AS "÷ PG internal-state floor",
       round((SELECT min(ms) FROM events_bench s WHERE s.workload = b.workload AND s.kind = 'sql') / b.ms, 1) AS "plain SQL ÷ this"
FROM events_bench b
ORDER BY CASE WHEN b.workload = 'floors' THEN 0 ELSE 1 END, b.workload, b.ms;
SQL
say "settings: work_mem = 1GB, max_parallel_workers_per_gather = 2 (PostgreSQL); ClickHouse defaults (max_threads = cores)"
say "machine: $(machine); SCALE=$SCALE; $(psql -X -qAt -c 'SELECT count(*) FROM events') events"
