#!/usr/bin/env bash
# libFuzzer targets of the plain-C cores (clang from Debian; not part of CI).
#   bash test/fuzz/run.sh [RUNS]      default 1,000,000 executions per target
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
runs=${1:-1000000}
if ! command -v clang >/dev/null || ! ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1; then
	if [ "$(id -u)" = 0 ]; then
		apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clang libclang-rt-dev >/dev/null \
			|| DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clang libclang-rt-14-dev >/dev/null
	else
		echo "needs clang and libclang-rt-dev" >&2; exit 1
	fi
fi
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
build() {	# name sources...
	local name=$1; shift
	clang -g -O1 -fsanitize=fuzzer,address,undefined -I"$root/src" -o "$work/$name" "$@" -lroaring
}
build tag_expr "$root/test/fuzz/tag_expr_fuzz.c" "$root/src/audience/tag_expr.c"
build rb_validate "$root/test/fuzz/rb_validate_fuzz.c" "$root/src/bitmap/rb_format.c" "$root/src/bitmap/rb_kernels.c"
# seeds: a few valid inputs, so mutations start from the interesting shapes
mkdir -p "$work/corpus-tag_expr" "$work/corpus-rb_validate"
printf '%s' 'a & (b | "c d") - e ^ f' > "$work/corpus-tag_expr/1"
printf '%s' '("age:18-24" | 城市:上海) - x.y:z' > "$work/corpus-tag_expr/2"
seed() { printf "$(printf '%s' "$2" | sed 's/../\\x&/g')" > "$work/corpus-rb_validate/$1"; }
seed array 3a3000000100000000000000100000000100
seed two 3a3000000200000000000200ffff0000180000001e000000010002000300ffff
seed run 3b3000000100000500010005000500
seed runs2 3b300100030000feff0100a08601000100feff01000000a086
for t in tag_expr rb_validate; do
	echo "== $t: $runs executions"
	"$work/$t" -runs="$runs" -max_len=4096 -print_final_stats=1 "$work/corpus-$t" 2>&1 \
		| grep -E 'Done|stat::number_of_executed_units|stat::peak_rss|ERROR|SUMMARY' || true
done
