#!/usr/bin/env bash
# Prove that $OUT/series applies with "git am" to the pristine base and
# gives exactly the assembled tree, and that every patch is
# "checkpatch.pl --strict" clean.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

tree=$(readlink -f "$OUT/linux")
series=$OUT/series
[ -f "$series/0000-cover-letter.patch" ] || die "no series in $series" "run: make series"
mapfile -t patches < <(find "$series" -name '[0-9][0-9][0-9][0-9]-*.patch' ! -name '0000-*' | sort)

scratch=$(dirname "$tree")/am-check
git -C "$tree" worktree remove --force "$scratch" 2>/dev/null || rm -rf "$scratch"
git -C "$tree" worktree prune
msg "git am of ${#patches[@]} patches onto a pristine base checkout"
# Only the files the series touches are checked out (sparse): git am needs
# no others, and the commits it makes still hold the whole tree.
git -C "$tree" worktree add -q --no-checkout --detach "$scratch" base
git -C "$scratch" sparse-checkout set --no-cone $(git -C "$tree" diff --name-only base series | sed 's|^|/|')
git -C "$scratch" checkout -q
if [ ${#patches[@]} -gt 0 ]; then
	git -C "$scratch" -c user.name=check -c user.email=check@localhost am -q "${patches[@]}" ||
		die "git am of $series failed on the pristine base" \
			"run 'make series-tree series' again; if it persists a patch is malformed"
fi
want=$(git -C "$tree" rev-parse 'series^{tree}')
got=$(git -C "$scratch" rev-parse 'HEAD^{tree}')
git -C "$tree" worktree remove --force "$scratch"
[ "$want" = "$got" ] || die "git am gave tree $got, the assembled series is $want" \
	"format-series.sh and series.sh disagree: report this as a bug"
msg "git am: OK (tree $got)"

fail=0
for p in "${patches[@]}"; do
	if ! out=$(cd "$tree" && in_root perl scripts/checkpatch.pl --strict -q "$p" 2>&1); then
		printf '%s\n' "$out" >&2
		warn "checkpatch --strict: $(basename "$p")"
		fail=1
	fi
done
[ "$fail" = 0 ] || die "checkpatch --strict found problems (above)" "fix the patches in patches/ and overlay files"
msg "checkpatch --strict: ${#patches[@]} patches clean"
