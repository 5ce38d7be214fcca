#!/usr/bin/env bash
# Prove that each patch of the series compiles on its own, with
# CONFIG_BPF_SIGNED_LOADER on and off: check out every commit base..series
# of $OUT/linux in turn and build, with each test kernel's configuration
# (CONFIG_WERROR: a warning, C or Rust with CLIPPY=1, fails the build) every
# object that the series touches at that commit: the C files it changes or
# adds, IPE, the kernel crate and, with the option on, the Rust module. The
# scratch work tree and one build directory per variant sit next to the
# kernel build and are reused; a header change rebuilds only these objects,
# not the tree. It does not link vmlinux (that would rebuild the whole tree
# at each header change). About 18 minutes for 18 patches and both
# variants with the scratch directories reused (26 with one new); not part
# of make check.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

src=$(readlink -f "$OUT/linux")
for v in on off; do
	[ -f "$OUT/kernel-$v/.config" ] || die "no $OUT/kernel-$v/.config" "run: make kernel"
done
scratch="$(dirname "$src")/bisect"
wt=$scratch/linux log=$OUT/logs/check-bisect.log
mkdir -p "$OUT/logs"
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
	for v in on off; do
		bld=$scratch/build-$v
		t=("${targets[@]}")
		if [ "$v" = on ] && [ -f "$wt/kernel/bpf/signed_loader.rs" ]; then
			t+=(kernel/bpf/signed_loader.o)
		fi
		msg "[$n/${#commits[@]} $v] $subject"
		mkdir -p "$bld"
		cp "$OUT/kernel-$v/.config" "$bld/.config"
		{
			echo "=== $n $v $c $subject: ${t[*]}"
			in_root make -C "$wt" O="$bld" olddefconfig &&
				in_root make -C "$wt" O="$bld" -j"$JOBS" CLIPPY=1 "${t[@]}"
		} >>"$log" 2>&1 || {
			grep -E 'error|warning' "$log" | tail -n 20 >&2
			die "patch $n ($subject) does not build on its own with the option $v, see $log"
		}
	done
done
msg "each of the ${#commits[@]} patches builds on its own, option on and off (the objects of ${cfiles[*]}, IPE, Rust)"
