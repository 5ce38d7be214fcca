#!/usr/bin/env bash
# Prove that $OUT/series applies with "git am" to the pristine base and
# gives exactly the assembled tree, and that every patch is
# "checkpatch.pl --strict" clean, and that a MAINTAINERS entry covers
# every file the series adds.
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
# checkpatch asks "does MAINTAINERS need updating?" (FILE_PATH_CHANGES) of
# every patch that adds a file, even one an existing entry covers; ask
# get_maintainer.pl instead whether an entry other than THE REST does.
for f in $(git -C "$tree" diff --name-only --diff-filter=A base series); do
	subs=$(cd "$tree" && in_root perl scripts/get_maintainer.pl --no-email --no-l \
		--subsystem --no-git --no-git-fallback -f "$f" | grep -vx 'THE REST' || true)
	if [ -z "$subs" ]; then
		warn "no MAINTAINERS entry covers $f, which the series adds"
		fail=1
	fi
done
for p in "${patches[@]}"; do
	if ! out=$(cd "$tree" && in_root perl scripts/checkpatch.pl --strict -q \
		--ignore FILE_PATH_CHANGES "$p" 2>&1); then
		printf '%s\n' "$out" >&2
		warn "checkpatch --strict: $(basename "$p")"
		fail=1
	fi
done
[ "$fail" = 0 ] || die "checkpatch --strict found problems (above)" "fix the patches in patches/ and overlay files"
msg "checkpatch --strict: ${#patches[@]} patches clean"
