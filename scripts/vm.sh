#!/usr/bin/env bash
# Boot a built kernel with virtme-ng and run one command in the guest.
#   vm.sh VARIANT [command...]   no command: an interactive shell
# VARIANT: on, off, debug-on, debug-off, full-base, full-on, full-off.
# The guest sees the toolchain root as its root file system (read-only),
# with the repository and $OUT visible at their own paths ($OUT writable).
# KVM is used only when a short probe boot shows it works; otherwise TCG.
# A guest that does not finish within VM_TIMEOUT seconds is killed;
# VM_MEMORY (2G) and VM_QEMU_OPTS (more QEMU arguments) shape the VM, and
# VM_APPEND adds to the guest kernel's command line.
# VM_VERBOSE=1 shows the guest kernel's console. Output to a file or a
# pipe keeps all of it; the command may be of any length.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

variant=${1:-}
case "$variant" in
on | off | debug-on | debug-off | full-base | full-on | full-off) ;;
*) die "usage: vm.sh on|off|debug-on|debug-off|full-base|full-on|full-off [command...]" ;;
esac
shift
kernel="$OUT/kernel-$variant/bzImage"
[ -f "$kernel" ] || die "no $variant kernel at $kernel" "run: make kernel"
timeout_s=${VM_TIMEOUT:-1200}
mem=${VM_MEMORY:-2G}

vng_base=(vng --run "$kernel" --memory "$mem" --cpus 2
	--append "console=ttyS0 panic=-1 oops=panic log_buf_len=8M${VM_APPEND:+ $VM_APPEND}")

# The repository and $OUT (writable: the guest writes results there) and
# the selftests build (read-only) are shared with the guest at their own
# paths. The guest's root is the toolchain root, which needs the mount
# points. (virtme-ng mounts every --rwdir before any --rodir, so a
# read-only repository would hide an $OUT inside it.)
root=$(toolchain_root)
share() {
	local mode=$1 dir
	dir=$(readlink -f "$2")
	[ "$root" = / ] || mkdir -p "$root$dir"
	vng_base+=("--$mode=$dir=$dir")
}
share rwdir "$TOP"
case "$(readlink -f "$OUT")/" in "$TOP"/*) ;; *) share rwdir "$OUT" ;; esac
[ ! -e "$OUT/selftests" ] || share rodir "$OUT/selftests"
[ ! -e "$OUT/selftests-full" ] || share rodir "$OUT/selftests-full"
# A kernel built with modules (check-full's) has them at /lib/modules.
mods=$OUT/kernel-$variant/mods/lib/modules
if [ -d "$mods" ]; then
	[ "$root" = / ] || mkdir -p "$root/lib/modules"
	vng_base+=("--rodir=/lib/modules=$(readlink -f "$mods")")
fi

# Decide KVM or TCG once per host: a probe boot with KVM that must print a
# marker within 60 s (on nested paravirtual KVM the guest hangs instead).
# The answer is kept per host kernel, CPU and toolchain (VM_KVM=no skips it).
accel_key=$({ uname -r; grep -m1 'model name' /proc/cpuinfo; stat -c %t:%T /dev/kvm 2>&1; echo "$root"; } |
	sha256sum | cut -c1-16)
accel_file="$CACHE/vm/accel-$accel_key"
mkdir -p "$CACHE/vm"
if [ -f "$accel_file" ]; then
	decided="the decision of $(date -r "$accel_file" "+%F %R"), kept in $accel_file: remove the file to decide again"
else
	decided="decided just now"
	accel=tcg
	if [ "${VM_KVM:-auto}" != no ] && [ -w /dev/kvm ]; then
		if timeout -k 5 60 "$TOP/scripts/in-root.sh" "${vng_base[@]}" \
			--exec 'echo kvm-probe-ok' </dev/null 2>&1 | grep -q kvm-probe-ok; then
			accel=kvm
		fi
	fi
	echo "$accel" >"$accel_file"
fi
accel=$(cat "$accel_file")
if [ "$accel" = kvm ]; then
	notice "VM: KVM ($decided)"
else
	notice "VM: TCG, software emulation: /dev/kvm is missing or not writable here, or a probe boot with it failed ($decided)"
fi
[ "$accel" = kvm ] || vng_base+=(--disable-kvm)
# VM_VERBOSE=1: the guest kernel's console too (make check-full keeps it).
[ "${VM_VERBOSE:-0}" = 0 ] || vng_base+=(--verbose)
# VM_QEMU_OPTS: more QEMU arguments, e.g. VM_QEMU_OPTS='-cpu Nehalem'.
[ -z "${VM_QEMU_OPTS:-}" ] || vng_base+=("--qemu-opts=$VM_QEMU_OPTS")

if [ $# -eq 0 ]; then
	[ -t 0 ] || die "make vm without CMD needs a terminal" "pass CMD='...' to run a command"
	exec "$TOP/scripts/in-root.sh" "${vng_base[@]}"
fi

# The command travels in a file, not on the kernel command line (2048
# bytes on x86, where virtme-ng puts it base64-encoded): a file in the
# toolchain root, whose guest path is short whatever the clone's path is
# (with HOST_TOOLS=1, in $OUT/vm). It runs in this directory.
if [ "$root" = / ]; then
	cmd_dir=$OUT/vm guest_dir=$OUT/vm
else
	cmd_dir=$root/.vm guest_dir=/.vm
fi
mkdir -p "$cmd_dir"
cmd_file=$(mktemp "$cmd_dir/cmd.XXXXXX")
trap 'rm -f "$cmd_file"' EXIT
printf 'cd %q || exit 1\n%s\n' "$PWD" "$*" >"$cmd_file"

# virtme-ng gives QEMU -chardev file,path=/proc/self/fd/1, which reopens a
# file given as the output and writes it from the start: the output goes
# through a pipe, so that a caller's file (make > log) keeps what came
# before.
rc=0
timeout -k 10 "$timeout_s" "$TOP/scripts/in-root.sh" "${vng_base[@]}" --cwd / \
	--exec "bash $guest_dir/${cmd_file##*/}" </dev/null 2>&1 | cat || rc=$?
if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
	die "the guest did not finish within $timeout_s s and was killed" \
		"look at the console output above; raise VM_TIMEOUT= if the guest is just slow"
fi
exit "$rc"
