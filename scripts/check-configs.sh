#!/usr/bin/env bash
# Prove that the Rust abstractions are gated only on what they need: build
# the kernel crate and the Rust helpers of the assembled series (CLIPPY=1,
# CONFIG_WERROR) in two reduced configurations, tinyconfig plus 64BIT,
# RUST and KUNIT:
#   nokeys   BPF_SYSCALL=y, KEYS=n: rust/kernel/bpf/ without key.rs
#   nobpf    BPF_SYSCALL=n: no rust/kernel/bpf/ at all
# In both, CONFIG_BPF_SIGNED_LOADER=y is asked for and must not come out
# set: it depends on SYSTEM_DATA_VERIFICATION, which neither has. The build
# directories sit next to the kernel build and are reused. About 4 minutes
# with new directories; not part of make check.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

src=$(readlink -f "$OUT/linux")
[ -f "$src/Makefile" ] || die "no assembled series in $OUT/linux" "run: make series-tree"
mkdir -p "$OUT/logs"

check_config() {
	local name=$1
	shift
	local bld log
	bld="$(dirname "$src")/config-$name"
	log=$OUT/logs/check-configs-$name.log
	mkdir -p "$bld"
	msg "config $name: $*"
	{
		in_root make -C "$src" O="$bld" tinyconfig &&
			in_root "$src/scripts/config" --file "$bld/.config" \
				-e 64BIT -e RUST -e KUNIT -e WERROR -d MODVERSIONS \
				-e BPF_SIGNED_LOADER "$@" &&
			in_root make -C "$src" O="$bld" olddefconfig
	} >"$log" 2>&1 || die "config $name could not be made, see $log"
	# What was asked for must hold, or the build below proves nothing.
	local want=(-e RUST "$@") i
	for ((i = 0; i < ${#want[@]}; i += 2)); do
		local opt=CONFIG_${want[i + 1]}
		if [ "${want[i]}" = -e ]; then
			grep -q "^$opt=y" "$bld/.config" || die "config $name: $opt is not set" "see $log"
		else
			! grep -q "^$opt=y" "$bld/.config" || die "config $name: $opt is still set" "see $log"
		fi
	done
	if grep -q '^CONFIG_BPF_SIGNED_LOADER=y' "$bld/.config"; then
		die "config $name: CONFIG_BPF_SIGNED_LOADER=y without SYSTEM_DATA_VERIFICATION"
	fi
	in_root make -C "$src" O="$bld" -j"$JOBS" CLIPPY=1 rust/ >>"$log" 2>&1 || {
		grep -E 'error|warning' "$log" | tail -n 20 >&2
		die "config $name: the Rust code does not build, see $log"
	}
}

check_config nokeys -e BPF_SYSCALL -d KEYS
check_config nobpf -d BPF_SYSCALL
msg "the kernel crate builds without CONFIG_KEYS and without CONFIG_BPF_SYSCALL"
