#!/usr/bin/env bash
# Prove that each patch of the series compiles on its own: check out every
# commit base..series of $OUT/linux in turn and build, with the "on"
# kernel's configuration (CONFIG_WERROR) and CLIPPY=1, every object that the
# series touches at that commit: the C files it changes or adds, IPE, the
# kernel crate and the Rust module. The scratch work tree and build
# directory sit next to the kernel build and are reused; a header change
# rebuilds only these objects, not the tree. It does not link vmlinux (that
# would rebuild the whole tree at each header change). About 10 minutes
# for 14 patches; not part of make check.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

src=$(readlink -f "$OUT/linux")
config=$OUT/kernel-on/.config
[ -f "$config" ] || die "no $config" "run: make kernel-on"
scratch="$(dirname "$src")/bisect"
wt=$scratch/linux bld=$scratch/build log=$OUT/logs/check-bisect.log
mkdir -p "$bld" "$OUT/logs"
: >"$log"

if [ ! -e "$wt/.git" ]; then
	git -C "$src" worktree prune
	git -C "$src" worktree add -q --detach "$wt" base
fi

# Every C file the series changes or adds, its object; IPE as a whole.
mapfile -t cfiles < <(git -C "$src" diff --name-only base series -- '*.c' |
	grep -v -e '^tools/' -e '^rust/helpers/' -e '^security/ipe/')
mapfile -t commits < <(git -C "$src" rev-list --reverse base..series)
n=0
for c in "${commits[@]}"; do
	n=$((n + 1))
	git -C "$wt" checkout -q --detach "$c"
	subject=$(git -C "$wt" log -1 --format=%s)
	targets=()
	for f in "${cfiles[@]}"; do
		[ -f "$wt/$f" ] && targets+=("${f%.c}.o")
	done
	targets+=(security/ipe/ rust/kernel.o rust/helpers/helpers.o)
	[ -f "$wt/kernel/bpf/signed_loader.rs" ] && targets+=(kernel/bpf/signed_loader.o)
	msg "[$n/${#commits[@]}] $subject"
	cp "$config" "$bld/.config"
	{
		echo "=== $n $c $subject: ${targets[*]}"
		in_root make -C "$wt" O="$bld" olddefconfig &&
			in_root make -C "$wt" O="$bld" -j"$JOBS" CLIPPY=1 "${targets[@]}"
	} >>"$log" 2>&1 || {
		grep -E 'error|warning' "$log" | tail -n 20 >&2
		die "patch $n ($subject) does not build on its own, see $log"
	}
done
msg "each of the ${#commits[@]} patches builds on its own (the objects of ${cfiles[*]}, IPE, Rust)"
