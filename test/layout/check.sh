#!/usr/bin/env bash
# The module contract, checked on the source tree (no build, no server):
#   1. a core file (src/<m>/*.c or *.h not named *_fmgr.*) includes no
#      PostgreSQL header and no glue header: only system headers (<...>) and
#      persona core headers ("<module>/<file>.h");
#   2. a core .c file has a header of the same name (its concept's interface);
#   3. every glue file src/<m>/*_fmgr.c includes its module's one glue header
#      "<m>/<m>_fmgr.h" and no other module's glue header, and a module has no
#      glue header but that one;
#   4. persona headers are included by their path from src/ ("bitmap/x.h");
#   5. modules include each other without a cycle (a module never includes a
#      module that includes it back, directly or through others).
# Prints one line per breach and "ok: ..." when there is none.
set -uo pipefail
cd "$(dirname "$0")/../../src"
bad=0
breach() { echo "breach: $*"; bad=$((bad + 1)); }
modules=$(for d in */; do d=${d%/}; [ "$d" = upgrade ] || echo "$d"; done)
edges=""
for m in $modules; do
	for f in "$m"/*.c "$m"/*.h; do
		[ -e "$f" ] || continue
		name=$(basename "$f")
		incs=$(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f")
		case $name in
			*_fmgr.c | *_fmgr.h) glue=1 ;;
			*) glue=0 ;;
		esac
		for inc in $incs; do
			dir=${inc%%/*}
			if [ "$inc" = "$dir" ] || [ ! -d "$dir" ] || [ "$dir" = upgrade ]; then
				# not a persona header: a PostgreSQL one (or a bare sibling name)
				if [ -e "$m/$inc" ]; then
					breach "$f includes \"$inc\": write \"$m/$inc\""
				elif [ $glue = 0 ]; then
					breach "$f is a core file but includes PostgreSQL's \"$inc\""
				fi
				continue
			fi
			[ -e "$inc" ] || { breach "$f includes \"$inc\", which does not exist"; continue; }
			[ "$dir" != "$m" ] && edges="$edges$m $dir"$'\n'
			case $(basename "$inc") in
				*_fmgr.h)
					if [ $glue = 0 ]; then
						breach "$f is a core file but includes the glue header $inc"
					elif [ "$inc" != "$m/${m}_fmgr.h" ] && [ "$name" != "${m}_fmgr.h" ]; then
						breach "$f includes $inc: a glue file includes its module's ${m}_fmgr.h only"
					fi ;;
			esac
		done
		if [ $glue = 0 ] && [ "${name%.c}" != "$name" ] && [ ! -e "$m/${name%.c}.h" ]; then
			breach "$f is a core file without its header $m/${name%.c}.h"
		fi
		if [ "${name%_fmgr.c}" != "$name" ] && ! grep -q "^#include \"$m/${m}_fmgr.h\"" "$f"; then
			breach "$f does not include its module's glue header $m/${m}_fmgr.h"
		fi
		if [ "${name%_fmgr.h}" != "$name" ] && [ "$name" != "${m}_fmgr.h" ]; then
			breach "$f: a module has one glue header, $m/${m}_fmgr.h"
		fi
	done
done
# module cycles: tsort reports a loop in the "includes" order
if ! cyc=$(printf '%s' "$edges" | sort -u | tsort 2>&1 >/dev/null) || [ -n "$cyc" ]; then
	breach "modules include each other in a cycle: $(printf '%s' "$cyc" | tr '\n' ' ')"
fi
[ $bad = 0 ] || exit 1
echo "ok: $(echo $modules | wc -w) modules, $(printf '%s' "$edges" | sort -u | grep -c .) module dependencies, no breach of the contract"
