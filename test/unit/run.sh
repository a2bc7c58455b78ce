#!/usr/bin/env bash
# Plain-C unit tests: each test/unit/*_test.c links the module core it tests,
# with no PostgreSQL, and prints TAP lines ("ok N - ..." / "not ok N - ...").
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cc=${CC:-cc}
rc=0
for t in "$root"/test/unit/*_test.c; do
	[ -e "$t" ] || continue
	bin=${t%.c}
	srcs=$(sed -n 's|^// link: ||p' "$t")
	# shellcheck disable=SC2086
	if ! $cc -std=gnu99 -O1 -g -fsanitize=address,undefined -Wall -I"$root/src" -o "$bin" "$t" $(for s in $srcs; do echo "$root/$s"; done) -lroaring -lm 2>&1; then
		echo "not ok - $(basename "$t") does not compile"
		rc=1
		continue
	fi
	"$bin" || rc=1
	rm -f "$bin"
done
exit $rc
