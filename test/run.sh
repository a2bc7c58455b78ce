#!/usr/bin/env bash
# make test: every test persona has, ending with one line "N passed, N failed".
#   0. the module contract on the source tree (test/layout/check.sh)
#   1. plain-C unit tests of the algorithm cores (test/unit)
#   2. pg_regress: sql/*.sql against expected/*.out
#   3. pgTAP: test/pgtap/*.sql through pg_prove
#   4. conformance: the event aggregates against ClickHouse 26 itself (chDB);
#      "skipped" with the reason when node/chdb cannot be had, never a pass
#   5. cluster-level scripts: test/cluster/*.sh (dump/restore, memory under errors)
set -uo pipefail
. "$(dirname "$0")/lib.sh"
cd "$PERSONA_ROOT"

persona_deps
persona_install
persona_cluster

passed=0
failed=0
failures=""
count() {	# count NAME OK?
	if [ "$2" = 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); failures="$failures $1"; fi
}

say "== module layout (test/layout/check.sh)"
out=$(bash test/layout/check.sh 2>&1); rc=$?
printf '%s\n' "$out" | sed 's/^/  /' >&2
count layout $rc

say "== unit tests (plain C)"
out=$(bash test/unit/run.sh 2>&1); rc=$?
printf '%s\n' "$out" | sed 's/^/  /' >&2
u_ok=$(printf '%s\n' "$out" | grep -c '^ok ')
u_bad=$(printf '%s\n' "$out" | grep -c '^not ok ')
passed=$((passed + u_ok)); failed=$((failed + u_bad))
[ $rc = 0 ] || [ "$u_bad" -gt 0 ] || { failed=$((failed + 1)); failures="$failures unit"; }

say "== pg_regress"
rm -rf results regression.diffs regression.out
make -s PG_CONFIG=$PG_BIN/pg_config installcheck > /tmp/persona-regress.$$ 2>&1
cat /tmp/persona-regress.$$ | grep -E '\.\.\. |^ok|^not ok|test ' | sed 's/^/  /' >&2
r_ok=$(grep -cE '\.\.\. ok|^ok ' /tmp/persona-regress.$$)
r_bad=$(grep -cE '\.\.\. FAILED|^not ok ' /tmp/persona-regress.$$)
passed=$((passed + r_ok)); failed=$((failed + r_bad))
if [ "$r_bad" -gt 0 ] && [ -f regression.diffs ]; then
	say "-- regression.diffs (first 200 lines)"
	head -200 regression.diffs >&2
fi
if [ "$r_ok" = 0 ] && [ "$r_bad" = 0 ]; then
	cat /tmp/persona-regress.$$ >&2
	failed=$((failed + 1)); failures="$failures pg_regress"
fi
rm -f /tmp/persona-regress.$$

say "== pgTAP"
tapdb=persona_tap
psql -q -X -d postgres -c "DROP DATABASE IF EXISTS $tapdb" -c "CREATE DATABASE $tapdb" >/dev/null
psql -q -X -d $tapdb -c "CREATE EXTENSION pgtap; CREATE EXTENSION persona;" >/dev/null \
	|| { failed=$((failed + 1)); failures="$failures pgtap-setup"; }
tap=$(pg_prove -d $tapdb --verbose test/pgtap/*.sql 2>&1)
printf '%s\n' "$tap" | grep -E '^(not ok|# )|\.\. |Result' | sed 's/^/  /' >&2
t_ok=$(printf '%s\n' "$tap" | grep -cE '^ok [0-9]')
t_bad=$(printf '%s\n' "$tap" | grep -cE '^not ok [0-9]')
passed=$((passed + t_ok)); failed=$((failed + t_bad))
if ! printf '%s\n' "$tap" | grep -q '^Result: PASS'; then
	if [ "$t_bad" = 0 ]; then
		printf '%s\n' "$tap" | tail -30 >&2
		failed=$((failed + 1)); failures="$failures pgtap-run"
	fi
fi

say "== conformance against ClickHouse 26 (chDB)"
skipped=""
out=$(bash test/conformance/run.sh 2>&1); rc=$?
printf '%s\n' "$out" | grep -vE '^ok ' | sed 's/^/  /' >&2
c_ok=$(printf '%s\n' "$out" | grep -cE '^ok [0-9]')
c_bad=$(printf '%s\n' "$out" | grep -cE '^not ok [0-9]')
if [ $rc = 77 ]; then
	skipped="conformance ($(printf '%s\n' "$out" | sed -n 's/^skipped: //p' | head -1))"
else
	passed=$((passed + c_ok)); failed=$((failed + c_bad))
	say "  $c_ok agree with ClickHouse, $c_bad differ"
	if [ $rc != 0 ] && [ "$c_bad" = 0 ]; then failed=$((failed + 1)); failures="$failures conformance"; fi
fi

say "== cluster scripts"
for s in test/cluster/*.sh; do
	[ -e "$s" ] || continue
	if out=$(bash "$s" 2>&1); then
		say "  ok   $(basename "$s")"; count "$s" 0
	else
		say "  FAIL $(basename "$s")"; printf '%s\n' "$out" | tail -20 | sed 's/^/    /' >&2
		count "$s" 1
	fi
done

[ -n "$failures" ] && say "failed:$failures"
if [ -n "$skipped" ]; then
	say "skipped: $skipped"
	echo "$passed passed, $failed failed, 1 skipped: $skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" = 0 ]
