#!/usr/bin/env bash
# Developer tool, the reverse of series.sh: turn the commits base..HEAD of a
# kernel work tree (for example a "git worktree add" of out/linux at base,
# where the series is edited and committed) into this repository's form.
# Files a commit adds become overlay files at their kernel paths; the rest
# of each commit becomes patches/NNNN-*.patch; patches/series is rewritten.
#   scripts/export-series.sh /path/to/worktree
set -euo pipefail
. "$(dirname "$0")/lib.sh"

src=${1:?usage: export-series.sh KERNEL-WORKTREE}
g() { git -C "$src" "$@"; }
g rev-parse -q --verify 'base^{commit}' >/dev/null || die "$src has no 'base' tag" \
	"use a work tree of out/linux, which has it"
[ -z "$(g status --porcelain --untracked-files=no)" ] || die "$src has uncommitted changes" "commit them first"

rm -f "$TOP"/patches/[0-9][0-9][0-9][0-9]-*.patch
manifest=$TOP/patches/series
# Overlay files of the old manifest go too: a commit may no longer add one.
sed -n 's/^\t//p' "$manifest" | while IFS= read -r f; do rm -f "$TOP/$f"; done
sed -n '/^#/p' "$manifest" >"$manifest.new"
n=0
for c in $(g rev-list --reverse base..HEAD); do
	n=$((n + 1))
	mapfile -t added < <(g diff-tree --no-commit-id -r --diff-filter=A --name-only "$c")
	name=$(g log -1 --format=%f "$c" | cut -c1-52)
	file=$(printf '%04d-%s.patch' "$n" "$name")
	excludes=()
	for f in "${added[@]}"; do
		excludes+=(":(exclude)$f")
		mkdir -p "$TOP/$(dirname "$f")"
		g show "$c:$f" >"$TOP/$f"
	done
	{
		g log -1 --format='From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001%nFrom: %an <%ae>%nDate: %aD%nSubject: [PATCH] %s%n' "$c"
		# The body without its trailing blank lines, which series.sh's
		# commits keep: a round trip must give the same patch.
		g log -1 --format=%b "$c" | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}'
		printf '\n---\n'
		g diff --no-color --full-index "$c^" "$c" -- . "${excludes[@]}"
	} >"$TOP/patches/$file"
	echo "$file" >>"$manifest.new"
	for f in "${added[@]}"; do echo "	$f" >>"$manifest.new"; done
done
mv "$manifest.new" "$manifest"
msg "exported $n commits to patches/ (and their added files as overlay files)"
