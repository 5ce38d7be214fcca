#!/usr/bin/env bash
# Runs inside the guest (see vm.sh): the BPF selftests named in
# tests/selftests.list through test_progs, and every KUnit suite the kernel
# ran at boot. Writes one line per test case, "PASS|FAIL|SKIP <name>", to
# the results file given as $1, and prints the outputs as it goes.
set -uo pipefail
results=${1:?usage: guest-tests.sh RESULTS-FILE}
TOP=$(cd "$(dirname "$0")/.." && pwd)
OUT=${OUT:-$TOP/out}
sel=$OUT/selftests
: >"$results"

mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
mountpoint -q /sys/kernel/debug || mount -t debugfs debugfs /sys/kernel/debug
mountpoint -q /sys/kernel/tracing || mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
mountpoint -q /sys/kernel/security || mount -t securityfs securityfs /sys/kernel/security
# The key of the test certificate in the builtin keyring (see build.sh): the
# IPE subtest signs its policies with it.
export IPE_POLICY_KEY=$OUT/keys/key.pem IPE_POLICY_CERT=$OUT/keys/cert.pem
echo "guest: $(uname -r), LSMs: $(cat /sys/kernel/security/lsm 2>/dev/null)"

# test_progs: one case per subtest, from its output (its JSON output lists
# only failed subtests).
tests=$(grep -v "^#" "$TOP/tests/selftests.list" | awk '{print $1}' | paste -sd,)
out=$(mktemp)
rc=0
(cd "$sel" && ./test_progs -t "$tests") >"$out" || rc=$?
cat "$out"
awk -f "$TOP/scripts/test_progs-results.awk" "$out" >>"$results"
if [ "$rc" != 0 ] && ! grep -q '^FAIL' "$results"; then
	echo "FAIL test_progs exit-status-$rc" >>"$results"
fi
grep -q test_progs "$results" || echo "FAIL test_progs produced-no-results" >>"$results"

# KUnit: the suites that ran at boot, one case per test.
for r in /sys/kernel/debug/kunit/*/results; do
	[ -f "$r" ] || continue
	suite=$(basename "$(dirname "$r")")
	cat "$r"
	# A case per test; a suite that fails as a whole (its own "not ok"
	# line, not indented) fails too, even when every case passed.
	awk -v suite="$suite" '/^    (not )?ok [0-9]+ / {
		bad = ($1 == "not"); name = bad ? $4 : $3
		v = /# SKIP/ ? "SKIP" : (bad ? "FAIL" : "PASS")
		print v, "kunit", suite "/" name
	}
	/^not ok [0-9]+ / { print "FAIL", "kunit", suite "/suite-level" }' "$r" >>"$results"
done
# The kernel log of the run, for the host's console scan (check.sh): the
# tests' part, then a marker and a deliberate WARN_ON (LKDTM's WARNING),
# which the scan must find: a scan that finds nothing is shown to look.
echo "console-scan: self-test, a deliberate WARN_ON follows" >/dev/kmsg
if [ -w /sys/kernel/debug/provoke-crash/DIRECT ]; then
	echo WARNING >/sys/kernel/debug/provoke-crash/DIRECT
fi
dmesg >"$results.dmesg"
echo "guest: $(grep -c '' "$results") test cases recorded"
