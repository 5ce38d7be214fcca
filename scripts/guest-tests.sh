#!/usr/bin/env bash
# Runs inside the guest (see vm.sh): the BPF selftests named in
# tests/selftests.list through test_progs, every KUnit suite the kernel ran
# at boot, FUZZ_COUNT loads of the differential fuzzer from seed FUZZ_SEED
# (the corpus of fuzz-corpus.sh), and RACE_ITERATIONS of its race run.
# Writes one line per test case, "PASS|FAIL|SKIP <name>", to the results
# file given as $1, and prints the outputs as it goes.
#   guest-tests.sh RESULTS-FILE FUZZ_COUNT FUZZ_SEED RACE_ITERATIONS
set -uo pipefail
usage="usage: guest-tests.sh RESULTS-FILE FUZZ_COUNT FUZZ_SEED RACE_ITERATIONS"
results=${1:?$usage} fuzz_count=${2:?$usage} fuzz_seed=${3:?$usage} race_iters=${4:?$usage}
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
[ ! -e /sys/kernel/debug/kmemleak ] || echo clear >/sys/kernel/debug/kmemleak

# Which verifier checked each signed load (the host's path-proof.sh judges):
# kprobe events, while test_progs runs, on the Rust verifier's entry point
# (if this kernel has it) and on the verdict hook, which both kernels call
# once for each load that reaches the signature check; loads whose verdict
# is not "unsigned" are the signed ones. Writes "$results.path".
tr=/sys/kernel/tracing
path=$results.path
path_probes() {
	local unsigned
	# The value of BPF_SIG_UNSIGNED, from the running kernel's BTF.
	unsigned=$("$sel/bpftool" btf dump file /sys/kernel/btf/vmlinux 2>/dev/null | awk '
		/^\[[0-9]+\] ENUM .bpf_sig_verdict./ { e = 1; next }
		e && /^\[/ { exit }
		e && /.BPF_SIG_UNSIGNED. val=/ { sub(/.*val=/, ""); print; exit }')
	[ -n "$unsigned" ] || { echo "error no BPF_SIG_UNSIGNED in the kernel's BTF"; return; }
	echo 0 >"$tr/tracing_on"
	echo 4096 >"$tr/buffer_size_kb"
	: >"$tr/trace"
	echo 'p:sigpath/verdict security_bpf_prog_load_sig_verdict verdict' >>"$tr/kprobe_events" ||
		{ echo "error no kprobe on security_bpf_prog_load_sig_verdict"; return; }
	echo "verdict != $unsigned" >"$tr/events/sigpath/verdict/filter"
	if grep -qw bpf_signed_loader_verify /proc/kallsyms; then
		echo "rust_symbol yes"
		echo 'p:sigpath/rust bpf_signed_loader_verify' >>"$tr/kprobe_events" ||
			{ echo "error no kprobe on bpf_signed_loader_verify"; return; }
	else
		echo "rust_symbol no"
	fi
	echo 1 >"$tr/events/sigpath/enable"
	echo 1 >"$tr/tracing_on"
}
path_count() {
	echo 0 >"$tr/tracing_on"
	echo "signed_loads $(grep -c ' verdict: (' "$tr/trace")"
	echo "rust_entries $(grep -c ' rust: (' "$tr/trace")"
	echo "lost $(awk '/^(overrun|dropped events):/ { n += $NF } END { print n + 0 }' \
		"$tr"/per_cpu/cpu*/stats)"
	echo 0 >"$tr/events/sigpath/enable"
	echo >"$tr/kprobe_events"
}
path_probes >"$path" 2>&1

# The differential fuzzer: its cases go to "$results.fuzz" for the host to
# compare with the other kernel's (fuzz-compare.sh). Then 1,000 loads that
# must all be refused, and the race run (signed_load_fuzz.c, race_run()).
# Nothing may be left behind: the live BPF programs and maps and root's keys
# are counted once the boot has settled (frees after RCU grace periods, the
# key collector) and again after all three. They run before the "last"
# tests, whose sysctl refuses every unbound signature for the rest of the boot.
fz=$OUT/fuzz/signed_load_fuzz
settled() {
	local a b
	b=$("$fz" census)
	for _ in $(seq 60); do
		sleep 1
		a=$b
		b=$("$fz" census)
		[ "$a" != "$b" ] || break
	done
	echo "$b"
}
fuzz_runs() {
	local rc summary before after
	if [ -x "$fz" ]; then
		before=$(settled)
		"$fz" run "$OUT/fuzz" "$fuzz_seed" "$fuzz_count" >"$results.fuzz" 2>&1
		rc=$?
		summary=$(tail -n1 "$results.fuzz")
		tail -n1 "$results.fuzz"
		if [ "$rc" = 0 ] && [ "${summary#"fuzz: $fuzz_count loads,"}" != "$summary" ]; then
			echo "PASS fuzz no-violation (seed $fuzz_seed: ${summary#fuzz: })" >>"$results"
		else
			echo "FAIL fuzz no-violation (exit $rc: $(grep -m1 '^VIOLATION' "$results.fuzz" ||
				echo "$summary"))" >>"$results"
		fi
		"$fz" refuse "$OUT/fuzz" 1000 >"$results.refuse" 2>&1
		rc=$?
		summary=$(tail -n1 "$results.refuse")
		echo "$summary"
		if [ "$rc" = 0 ] && [ "$summary" = "refuse: 1000 loads, 0 accepted" ]; then
			echo "PASS fuzz refused-in-a-row (1000 loads, 0 accepted)" >>"$results"
		else
			echo "FAIL fuzz refused-in-a-row (exit $rc: $summary)" >>"$results"
		fi
		"$fz" race "$OUT/fuzz" "$race_iters" >"$results.race" 2>&1
		rc=$?
		summary=$(tail -n1 "$results.race")
		echo "$summary"
		if [ "$rc" = 0 ] && [ "${summary#"race: $race_iters iterations,"}" != "$summary" ]; then
			echo "PASS race no-violation (${summary#race: })" >>"$results"
		else
			echo "FAIL race no-violation (exit $rc, a violation, or no -EBUSY or no acceptance: $summary)" >>"$results"
		fi
		after=$(settled)
		echo "census before: $before; after: $after"
		if [ "${before%keys -1}" != "$before" ]; then
			echo "FAIL leaks bpf-objects-and-keys (no line of root in /proc/key-users: $before)" >>"$results"
		elif [ "$before" = "$after" ]; then
			echo "PASS leaks bpf-objects-and-keys ($after)" >>"$results"
		else
			echo "FAIL leaks bpf-objects-and-keys (before: $before; after: $after)" >>"$results"
		fi
	else
		echo "FAIL fuzz no-fuzzer (no $fz: run scripts/fuzz-corpus.sh)" >>"$results"
	fi
}

# test_progs: one case per subtest, from its output (its JSON output lists
# only failed subtests). A "skip" line of selftests.list keeps a subtest out
# (test_progs -d) and records it as skipped, with its reason. The tests of
# "last" lines run afterwards, in a test_progs run of their own: they change
# what the rest of the boot sees (a sysctl that cannot be cleared).
list=$TOP/tests/selftests.list
tests=$(awk '!/^#/ && NF && $1 != "skip" && $1 != "last" { print $1 }' "$list" | paste -sd,)
deny=$(awk '$1 == "skip" { print $2 }' "$list" | paste -sd,)
last=$(awk '$1 == "last" { print $2 }' "$list" | paste -sd,)
out=$(mktemp)
rc=0
# -a and -d match whole names (-t and -b would match arena_atomics too).
(cd "$sel" && ./test_progs -a "$tests" ${deny:+-d "$deny"}) >"$out" || rc=$?
path_count >>"$path" 2>&1
fuzz_runs
if [ -n "$last" ]; then
	(cd "$sel" && ./test_progs -a "$last") >>"$out" || rc=$?
fi
cat "$out"
awk -f "$TOP/scripts/test_progs-results.awk" "$out" >>"$results"
awk '$1 == "skip" { n = $2; sub(/^skip[ \t]+[^ \t]+[ \t]+/, "")
	print "SKIP test_progs " n " (" $0 ")" }' "$list" >>"$results"
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
# kmemleak, where the kernel has it (make check-debug): what leaked since
# the tests began (its earlier reports were cleared then), in two scans six
# seconds apart (it does not report an object younger than five seconds).
if [ -e /sys/kernel/debug/kmemleak ]; then
	echo scan >/sys/kernel/debug/kmemleak
	sleep 6
	echo scan >/sys/kernel/debug/kmemleak
	cat /sys/kernel/debug/kmemleak >"$results.kmemleak"
	if [ -s "$results.kmemleak" ]; then
		head -n 40 "$results.kmemleak"
		echo "FAIL kmemleak no-leak ($(grep -c '^unreferenced object' "$results.kmemleak") objects)" >>"$results"
	else
		echo "PASS kmemleak no-leak" >>"$results"
	fi
fi

# The kernel log of the run, for the host's console scan (check.sh): the
# tests' part, then a marker and a deliberate WARN_ON (LKDTM's WARNING),
# which the scan must find: a scan that finds nothing is shown to look.
echo "console-scan: self-test, a deliberate WARN_ON follows" >/dev/kmsg
if [ -w /sys/kernel/debug/provoke-crash/DIRECT ]; then
	echo WARNING >/sys/kernel/debug/provoke-crash/DIRECT
fi
dmesg >"$results.dmesg"
echo "guest: $(grep -c '' "$results") test cases recorded"
