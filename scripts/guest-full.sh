#!/usr/bin/env bash
# Runs inside the guest (see vm.sh) for make check-full: one shard of the
# base's BPF test suite, in RUN-DIR, which check-full.sh made (the suite's
# files, the test modules of the running kernel, and RUN-DIR/args, one
# argument a line, saying what to run):
#   test_progs NUMBERS      test_progs -n NUMBERS
#   test_progs-t NAMES      test_progs -t NAMES
#   test_verifier           the whole of test_verifier
# Writes RUN-DIR/log (the suite's output), RUN-DIR/dmesg and, last,
# RUN-DIR/rc with the suite's exit status: a shard without rc did not end.
#   guest-full.sh RUN-DIR
set -uo pipefail
dir=${1:?usage: guest-full.sh RUN-DIR}
cd "$dir" || exit 1
mapfile -t args <args
rm -f rc log dmesg

mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
mountpoint -q /sys/kernel/debug || mount -t debugfs debugfs /sys/kernel/debug
mountpoint -q /sys/kernel/tracing || mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
mountpoint -q /sys/kernel/security || mount -t securityfs securityfs /sys/kernel/security
# virtme-ng gives the guest an overlayfs /tmp; on it a security.bpf.* xattr
# that a BPF program sets (fs_kfuncs/set_remove_xattr) is not seen by a
# later getxattr(), so that test fails there on every kernel. The suite
# expects /tmp to be a plain file system: it gets a tmpfs of its own.
mount -t tmpfs -o mode=1777 tmpfs /tmp
echo "guest: $(uname -r), ${args[*]:0:2}"

# test_progs' watchdog kills a test after 120 s by default; under TCG a
# test may legitimately take longer, so it gets 600 s.
rc=0
case "${args[0]:-}" in
test_progs) ./test_progs -w 600 -n "${args[1]}" >log 2>&1 || rc=$? ;;
test_progs-t) ./test_progs -w 600 -t "${args[1]}" >log 2>&1 || rc=$? ;;
test_verifier) ./test_verifier >log 2>&1 || rc=$? ;;
*)
	echo "guest-full.sh: $dir/args says nothing this script runs" >&2
	exit 2
	;;
esac
dmesg >dmesg
echo "$rc" >rc
tail -n 3 log
