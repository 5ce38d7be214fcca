#!/usr/bin/env bash
# The pristine base as a work tree of its own, next to the series' work tree
# ($OUT/linux), for make check-full's unpatched kernel and the selftests it
# runs everywhere. Made once; put back on the base commit when a tracked
# file differs from it (what builds leave in the tree stays). Prints its path.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

series_tree=$(readlink -f "$OUT/linux")
[ -d "$series_tree/.git" ] || die "$OUT/linux is not assembled" "run: make series-tree"
tree=$(kernel_src full-base)
if [ ! -d "$tree/.git" ]; then
	msg "checking out the pristine base into $tree (once)"
	rm -rf "$tree"
	git -c init.defaultBranch=base clone -q --shared --no-checkout "$series_tree" "$tree"
fi
git -C "$tree" fetch -q "$series_tree" tag base --force
if [ "$(git -C "$tree" rev-parse HEAD 2>/dev/null)" != "$(git -C "$tree" rev-parse 'base^{commit}')" ] ||
	[ -n "$(git -C "$tree" status --porcelain --untracked-files=no)" ]; then
	git -C "$tree" checkout -q -f --detach base
fi
echo "$tree"
