#!/usr/bin/env bash
# libFuzzer targets of the plain-C cores (clang from Debian; not part of CI).
#   bash test/fuzz/run.sh [RUNS]      default 1,000,000 executions per target
#   TARGETS="rb64_validate seq_pattern" bash test/fuzz/run.sh 10000000
#
# The bitmap targets take inputs up to 256 KiB: a bitset container alone is
# 8 KiB, and a value of several containers, or of several 64-bit buckets
# behind a directory, is tens of KiB.  Their seeds are real serializations,
# written at run time by test/fuzz/seeds.c from the code the extension stores
# with.  After each bitmap target, its coverage (-print_coverage=1) must show
# the bitset validator and, for the 64-bit target, the bucket directory
# reader as reached; the run fails otherwise.
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
bitmap32="$root/src/bitmap/rb_format.c $root/src/bitmap/rb_kernels.c $root/src/bitmap/rb_simd.c"
bitmap64="$root/src/bitmap64/rb64_format.c $root/src/bitmap64/rb64_stored.c"
build tag_expr "$root/test/fuzz/tag_expr_fuzz.c" "$root/src/audience/tag_expr.c"
# shellcheck disable=SC2086
build rb_validate "$root/test/fuzz/rb_validate_fuzz.c" $bitmap32
# shellcheck disable=SC2086
build rb64_validate "$root/test/fuzz/rb64_validate_fuzz.c" $bitmap64 $bitmap32
build seq_pattern "$root/test/fuzz/seq_pattern_fuzz.c" "$root/src/funnel/pattern.c" "$root/src/funnel/funnel.c"
targets=${TARGETS:-tag_expr rb_validate rb64_validate seq_pattern}
for t in tag_expr rb_validate rb64_validate seq_pattern; do mkdir -p "$work/corpus-$t"; done

# seeds of the text targets
printf '%s' 'a & (b | "c d") - e ^ f' > "$work/corpus-tag_expr/1"
printf '%s' '("age:18-24" | 城市:上海) - x.y:z' > "$work/corpus-tag_expr/2"
printf '%s' '(?1).*(?2)(?t<=3600)(?3)' > "$work/corpus-seq_pattern/1"
printf '%s' '(?1)(?t>5).(?t!=10).*(?2)(?t==0)' > "$work/corpus-seq_pattern/2"
# seeds of the bitmap targets: every container kind, alone and together,
# both cookies, 64-bit values of one and several buckets in the binary and
# the stored (directory) form; seeds.c says which
# shellcheck disable=SC2086
clang -g -O1 -std=gnu99 -I"$root/src" -o "$work/seeds" "$root/test/fuzz/seeds.c" \
	"$root/src/bitmap/rb_canon.c" $bitmap32 $bitmap64 -lroaring
"$work/seeds" "$work/corpus-rb_validate" "$work/corpus-rb64_validate"

# max_len: text targets stay short (their grammar is local); bitmaps need room
max_len() {
	case $1 in
		rb_validate | rb64_validate) echo 262144 ;;
		*) echo 4096 ;;
	esac
}
# what a bitmap target must have reached: function name, what it stands for
must_reach() {
	case $1 in
		rb_validate) echo "rb_bitset_cardinality:bitset-container-validation" ;;
		rb64_validate) echo "rb_bitset_cardinality:bitset-container-validation rb64_parse_dir:bucket-directory-reader" ;;
	esac
}
status=0
for t in $targets; do
	echo "== $t: $runs executions, inputs up to $(max_len "$t") bytes, $(ls "$work/corpus-$t" | wc -l) seeds"
	"$work/$t" -runs="$runs" -max_len="$(max_len "$t")" -print_final_stats=1 -print_coverage=1 \
		"$work/corpus-$t" > "$work/$t.log" 2>&1 || status=1
	grep -E 'Done|stat::number_of_executed_units|stat::peak_rss|ERROR|SUMMARY' "$work/$t.log" || true
	for want in $(must_reach "$t"); do
		fn=${want%%:*}
		if grep -qE "^COVERED_FUNC: .* $fn " "$work/$t.log"; then
			echo "reached: $fn (${want#*:})"
		else
			echo "NOT REACHED: $fn (${want#*:})"; status=1
		fi
	done
done
exit $status
