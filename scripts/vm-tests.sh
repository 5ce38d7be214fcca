#!/usr/bin/env bash
# The VM tests against one kernel: guest-tests.sh in the guest, then, on the
# host, the scan of the guest's kernel log for splats and the proof of which
# verifier checked its signed loads.
#   vm-tests.sh on|off|debug-on|debug-off FUZZ_COUNT FUZZ_SEED RACE_ITERATIONS
# Writes $OUT/results-<variant>.txt, one "PASS|FAIL|SKIP [on|off] <case>"
# line per case ([on] for the Rust path, [off] for C; the debug kernels'
# cases are named like those of the kernels they debug), the fuzz cases
# next to it (.fuzz) and the console log in $OUT/logs/vm-<variant>.log.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

usage="usage: vm-tests.sh VARIANT FUZZ_COUNT FUZZ_SEED RACE_ITERATIONS"
variant=${1:?$usage} fuzz_count=${2:?$usage} fuzz_seed=${3:?$usage} race_iters=${4:?$usage}
res=$OUT/results-$variant.txt
rm -f "$res" "$res".*

# Two cases from a guest's kernel log: no splat while the tests ran, and
# the deliberate WARN_ON that guest-tests.sh causes after its marker found.
console_scan() {
	local log=$1 mark="console-scan: self-test"
	if [ ! -f "$log" ]; then
		echo "FAIL console no-kernel-log"
		return
	fi
	sed "/$mark/,\$d" "$log" >"$log.tests"
	sed -n "/$mark/,\$p" "$log" >"$log.selftest"
	if "$TOP/scripts/console-scan.sh" "$log.tests" >&2; then
		echo "PASS console no-splat"
	else
		echo "FAIL console no-splat (the splat is printed above; log: $log)"
	fi
	if "$TOP/scripts/console-scan.sh" "$log.selftest" >/dev/null; then
		echo "FAIL console scan-finds-a-deliberate-warn (it found nothing in $log.selftest)"
	else
		echo "PASS console scan-finds-a-deliberate-warn"
	fi
}

# The guest's output is shown and kept in $OUT/logs/vm-VARIANT.log.
# audit=1: signed_loader_info reads the BPF audit records of its loads.
VM_APPEND=audit=1 "$TOP/scripts/vm.sh" "$variant" "$TOP/scripts/guest-tests.sh $res $fuzz_count $fuzz_seed $race_iters" 2>&1 |
	tee "$OUT/logs/vm-$variant.log" || true
[ -s "$res" ] || echo "FAIL vm-$variant guest-run-produced-no-results" >"$res"
console_scan "$res.dmesg" >>"$res"
"$TOP/scripts/path-proof.sh" "$variant" "$res.path" >>"$res"

# A second boot, with bpf.keyring_unsealed=1: the .bpf keyring provisioned
# and used, the loader's own keyrings refused (guest-keyring.sh). Its cases
# are named "unsealed ...".
VM_APPEND="audit=1 bpf.keyring_unsealed=1" "$TOP/scripts/vm.sh" "$variant" \
	"$TOP/scripts/guest-keyring.sh $res.unsealed" 2>&1 | tee "$OUT/logs/vm-$variant-unsealed.log" || true
[ -s "$res.unsealed" ] || echo "FAIL vm-$variant guest-run-produced-no-results" >"$res.unsealed"
if [ ! -f "$res.unsealed.dmesg" ]; then
	echo "FAIL console no-kernel-log" >>"$res.unsealed"
elif "$TOP/scripts/console-scan.sh" "$res.unsealed.dmesg" >&2; then
	echo "PASS console no-splat" >>"$res.unsealed"
else
	echo "FAIL console no-splat (the splat is printed above; log: $res.unsealed.dmesg)" >>"$res.unsealed"
fi
sed "s/^\([A-Z]*\) /\1 unsealed /" "$res.unsealed" >>"$res"
sed -i "s/^\([A-Z]*\) /\1 [${variant#debug-}] /" "$res"
