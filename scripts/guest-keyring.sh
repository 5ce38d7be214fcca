#!/usr/bin/env bash
# Runs inside the guest (see vm.sh) of a boot with bpf.keyring_unsealed=1:
# the .bpf keyring's test (it provisions the keyring, then checks what it
# admits and refuses; every other signed-loader test names a keyring of its
# own, which this boot refuses) and the Rust verifier's KUnit suite, which
# ran at boot under the flag. Writes "PASS|FAIL|SKIP <name>" lines to $1
# and the kernel log to $1.dmesg.
#   guest-keyring.sh RESULTS-FILE
set -uo pipefail
results=${1:?usage: guest-keyring.sh RESULTS-FILE}
TOP=$(cd "$(dirname "$0")/.." && pwd)
OUT=${OUT:-$TOP/out}
sel=$OUT/selftests
: >"$results"

mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
mountpoint -q /sys/kernel/debug || mount -t debugfs debugfs /sys/kernel/debug
mountpoint -q /sys/kernel/security || mount -t securityfs securityfs /sys/kernel/security
echo "guest: $(uname -r), bpf.keyring_unsealed=$(cat /sys/module/bpf/parameters/keyring_unsealed 2>&1)"

out=$(mktemp)
rc=0
(cd "$sel" && ./test_progs -a signed_loader_bpf_keyring) >"$out" || rc=$?
cat "$out"
awk -f "$TOP/scripts/test_progs-results.awk" "$out" >>"$results"
if [ "$rc" != 0 ] && ! grep -q '^FAIL' "$results"; then
	echo "FAIL test_progs exit-status-$rc" >>"$results"
fi
grep -q test_progs "$results" || echo "FAIL test_progs produced-no-results" >>"$results"

r=/sys/kernel/debug/kunit/bpf_signed_loader/results
if [ -f "$r" ]; then
	cat "$r"
	awk '/^    (not )?ok [0-9]+ / {
		bad = ($1 == "not"); name = bad ? $4 : $3
		v = /# SKIP/ ? "SKIP" : (bad ? "FAIL" : "PASS")
		print v, "kunit", "bpf_signed_loader/" name
	}
	/^not ok [0-9]+ / { print "FAIL", "kunit", "bpf_signed_loader/suite-level" }' "$r" >>"$results"
fi
dmesg >"$results.dmesg"
echo "guest: $(grep -c '' "$results") test cases recorded"
