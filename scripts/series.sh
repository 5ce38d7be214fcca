#!/usr/bin/env bash
# Assemble the series onto the base as commits in $OUT/linux.
#
# $OUT/linux is a symlink to a persistent work tree in the cache, keyed by
# the base version and the build tools' versions, so that the out-of-tree build next to
# it stays incremental across clones. The commits are built with a
# temporary index (no checkout), and the work tree is then moved to the new
# head with "git checkout -f": only files whose content changed are
# rewritten, so make rebuilds only what the change touches. Commit dates
# come from the patches, so the same series gives the same commits.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

base_repo=$("$TOP/scripts/base.sh")
version=$(cat "$base_repo/.complete")
work="$CACHE/work/$(echo "$version" | tr '~:' '__')-$(build_tools_key)"
tree="$work/linux"
mkdir -p "$work" "$OUT"

if [ ! -d "$tree/.git" ]; then
	msg "checking out the base into $tree (once)"
	rm -rf "$tree"
	git clone -q --shared --no-checkout "$base_repo" "$tree"
	git -C "$tree" checkout -q --detach base
fi
git -C "$tree" fetch -q "$base_repo" tag base --force
ln -sfn "$tree" "$OUT/linux"

export GIT_INDEX_FILE="$work/series.index"
g() { git -C "$tree" "$@"; }
head=$(g rev-parse 'base^{commit}')
g read-tree "$head"

# Parse the manifest: "patch" lines and their indented overlay files.
apply_entry() {
	local patch=$1
	shift
	local mail="$work/mail" msgf="$work/msg" diff="$work/diff" info
	[ -f "$TOP/patches/$patch" ] || die "patches/series names $patch, which is missing"
	info=$(git mailinfo "$msgf" "$diff" <"$TOP/patches/$patch") ||
		die "$patch is not a patch in mail format" "make it with git format-patch"
	local author email date subject
	author=$(sed -n 's/^Author: //p' <<<"$info")
	email=$(sed -n 's/^Email: //p' <<<"$info")
	date=$(sed -n 's/^Date: //p' <<<"$info")
	subject=$(sed -n 's/^Subject: //p' <<<"$info")
	[ -n "$subject" ] && [ -n "$author" ] && [ -n "$date" ] ||
		die "$patch lacks a From:, Date: or Subject: header"
	if grep -q "^diff --git " "$diff"; then
		if ! g apply --cached --whitespace=error-all "$diff" 2>"$work/apply.err"; then
			g apply --cached --3way "$diff" 2>>"$work/apply.err" ||
				die "$patch does not apply to the base: $(cat "$work/apply.err")" \
					"rebase the patch (git am -3 in a base checkout) and refresh patches/$patch"
			notice "SERIES: $patch applies to this base only with a 3-way merge"
		fi
	fi
	local f blob
	for f in "$@"; do
		[ -f "$TOP/$f" ] || die "patches/series lists overlay file $f for $patch, but it is missing"
		blob=$(git -C "$tree" hash-object -w "$TOP/$f")
		g update-index --add --cacheinfo "$(stat -c %a "$TOP/$f" | sed 's/^7../100755/;s/^6../100644/')","$blob","$f"
	done
	local t
	t=$(g write-tree)
	{ printf '%s\n\n' "$subject"; cat "$msgf"; } >"$work/commit-msg"
	head=$(GIT_AUTHOR_NAME="$author" GIT_AUTHOR_EMAIL="$email" GIT_AUTHOR_DATE="$date" \
		GIT_COMMITTER_NAME="$author" GIT_COMMITTER_EMAIL="$email" GIT_COMMITTER_DATE="$date" \
		git -C "$tree" commit-tree "$t" -p "$head" -F "$work/commit-msg")
	msg "  $subject"
}

entry=() n=0
while IFS= read -r line || [ -n "$line" ]; do
	case "$line" in
	'#'* | '') continue ;;
	[[:space:]]*) [ ${#entry[@]} -gt 0 ] || die "patches/series: overlay file before any patch: $line"
		entry+=("$(echo "$line" | xargs)") ;;
	*) [ ${#entry[@]} -eq 0 ] || apply_entry "${entry[@]}"
		entry=("$line")
		n=$((n + 1)) ;;
	esac
done <"$TOP/patches/series"
[ ${#entry[@]} -eq 0 ] || apply_entry "${entry[@]}"
unset GIT_INDEX_FILE

# Move the work tree to the new head, touching only what changed.
g checkout -q -f --detach "$head"
# (make check-full's kernels are built inside the tree: keep them.)
g clean -q -f -d -x -e '/build-full-*/'
g update-ref refs/heads/series "$head"
msg "series: $n patches on $BASE_PKG $version, head $(g rev-parse --short "$head") ($OUT/linux)"
