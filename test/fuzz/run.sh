#!/usr/bin/env bash
# libFuzzer targets of the plain-C cores (clang from Debian; not part of CI).
#   bash test/fuzz/run.sh [RUNS]      default 1,000,000 executions per target
#   TARGETS="rb64_validate seq_pattern" bash test/fuzz/run.sh 10000000
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
# undefined behaviour stops the run like a crash, and leaves its input behind
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
build() {	# name sources...
	local name=$1; shift
	clang -g -O1 -fsanitize=fuzzer,address,undefined -I"$root/src" -o "$work/$name" "$@" -lroaring
}
build tag_expr "$root/test/fuzz/tag_expr_fuzz.c" "$root/src/audience/tag_expr.c"
build rb_validate "$root/test/fuzz/rb_validate_fuzz.c" "$root/src/bitmap/rb_format.c" "$root/src/bitmap/rb_kernels.c"
build rb64_validate "$root/test/fuzz/rb64_validate_fuzz.c" "$root/src/bitmap64/rb64_format.c" "$root/src/bitmap64/rb64_stored.c" "$root/src/bitmap/rb_format.c" "$root/src/bitmap/rb_kernels.c"
build seq_pattern "$root/test/fuzz/seq_pattern_fuzz.c" "$root/src/events/pattern.c" "$root/src/events/funnel.c"
# seeds: a few valid inputs, so mutations start from the interesting shapes
targets=${TARGETS:-tag_expr rb_validate rb64_validate seq_pattern}
for t in tag_expr rb_validate rb64_validate seq_pattern; do mkdir -p "$work/corpus-$t"; done
printf '%s' 'a & (b | "c d") - e ^ f' > "$work/corpus-tag_expr/1"
printf '%s' '("age:18-24" | 城市:上海) - x.y:z' > "$work/corpus-tag_expr/2"
seed() { printf "$(printf '%s' "$2" | sed 's/../\\x&/g')" > "$work/corpus-rb_validate/$1"; }
seed array 3a3000000100000000000000100000000100
seed two 3a3000000200000000000200ffff0000180000001e000000010002000300ffff
seed run 3b3000000100000500010005000500
seed runs2 3b300100030000feff0100a08601000100feff01000000a086
# 64-bit: one bucket (high key 1) holding {0x10000}, and an empty bitmap
printf "$(printf '%s' 0100000000000000010000003a3000000100000001000000100000000000 | sed 's/../\\x&/g')" > "$work/corpus-rb64_validate/one"
printf "$(printf '%s' 0000000000000000 | sed 's/../\\x&/g')" > "$work/corpus-rb64_validate/empty"
# the stored form: two buckets behind a directory (count with bit 63, then key/offset pairs)
printf "$(printf '%s' 02000000000000800100000018000000020000002a000000 | sed 's/../\\x&/g')" > "$work/corpus-rb64_validate/dir2"
printf "$(printf '%s' 3a30000001000000000000001000000005003a3000000100000000000000100000000500 | sed 's/../\\x&/g')" >> "$work/corpus-rb64_validate/dir2"
printf '%s' '(?1).*(?2)(?t<=3600)(?3)' > "$work/corpus-seq_pattern/1"
printf '%s' '(?1)(?t>5).(?t!=10).*(?2)(?t==0)' > "$work/corpus-seq_pattern/2"
for t in $targets; do
	echo "== $t: $runs executions"
	"$work/$t" -runs="$runs" -max_len=4096 -print_final_stats=1 "$work/corpus-$t" 2>&1 \
		| grep -E 'Done|stat::number_of_executed_units|stat::peak_rss|ERROR|SUMMARY' || true
done
