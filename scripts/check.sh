#!/usr/bin/env bash
# The test command (make check): static checks, both kernels, then the VM
# tests against each, their kernel logs scanned for splats and the verifier
# that checked their signed loads proven, all held to the expected cases of
# tests/expected.txt.
# Ends with one line "N passed, N failed[, N skipped]" counting the VM test
# cases; exits non-zero on any failure.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

start=$(date +%s)
step() { msg "[$(($(date +%s) - start))s] $*"; }

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

step "toolchain";      "$TOP/scripts/toolchain.sh"
step "series";         "$TOP/scripts/series.sh"
                       "$TOP/scripts/format-series.sh"
step "git am + checkpatch"; "$TOP/scripts/check-series.sh"
step "rustfmt";        "$TOP/scripts/rustfmt.sh" --check
# Both variants share one build directory: build first the one it holds,
# so that a warm run switches the option once, not twice. The selftests
# take the "on" kernel's BTF, so they come after both.
first=on second=off
if grep -qx '# CONFIG_BPF_SIGNED_LOADER is not set' "$(kernel_build_dir)/.config" 2>/dev/null; then
	first=off second=on
fi
step "kernel ($first)";   "$TOP/scripts/build.sh" "$first"
step "kernel ($second)";  "$TOP/scripts/build.sh" "$second"
step "selftests";      "$TOP/scripts/selftests.sh"

for v in on off; do
	step "VM tests, CONFIG_BPF_SIGNED_LOADER=$([ $v = on ] && echo y || echo n)"
	res="$OUT/results-$v.txt"
	rm -f "$res"
	"$TOP/scripts/vm.sh" "$v" "$TOP/scripts/guest-tests.sh $res" 2>&1 |
		tee "$OUT/logs/vm-$v.log" || true
	[ -s "$res" ] || echo "FAIL vm-$v guest-run-produced-no-results" >"$res"
	console_scan "$res.dmesg" >>"$res"
	"$TOP/scripts/path-proof.sh" "$v" "$res.path" >>"$res"
	sed -i "s/^\([A-Z]*\) /\1 [$v] /" "$res"
done

# The benchmark must keep working; its numbers are not judged here.
step "bench smoke"
if "$TOP/scripts/bench.sh" --smoke >"$OUT/logs/bench-smoke.log" 2>&1; then
	echo "PASS bench smoke" >"$OUT/results-bench.txt"
else
	tail -n 5 "$OUT/logs/bench-smoke.log" >&2
	echo "FAIL bench smoke (see $OUT/logs/bench-smoke.log)" >"$OUT/results-bench.txt"
fi

cat "$OUT"/results-on.txt "$OUT"/results-off.txt "$OUT"/results-bench.txt >"$OUT/results.txt"
# Every case of tests/expected.txt must have run, and nothing else.
"$TOP/scripts/check-manifest.sh" "$OUT/results.txt"
passed=$(grep -c '^PASS' "$OUT/results.txt" || true)
failed=$(grep -c '^FAIL' "$OUT/results.txt" || true)
skipped=$(grep -c '^SKIP' "$OUT/results.txt" || true)
grep '^FAIL' "$OUT/results.txt" >&2 || true
step "done (full results: $OUT/results.txt)"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
