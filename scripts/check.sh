#!/usr/bin/env bash
# The test command (make check): static checks, both kernels, then the VM
# tests against each (selftests, KUnit, the differential fuzzer, the race
# and leak runs), their kernel logs scanned for splats and the verifier
# that checked their signed loads proven, the two kernels' fuzz cases
# compared, all held to the expected cases of tests/expected.txt.
# Ends with one line "N passed, N failed[, N skipped]" counting the VM test
# cases; exits non-zero on any failure.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

step "toolchain";      "$TOP/scripts/toolchain.sh"
step "series";         "$TOP/scripts/series.sh"
                       "$TOP/scripts/format-series.sh"
step "git am + checkpatch"; "$TOP/scripts/check-series.sh"
step "rustfmt";        "$TOP/scripts/rustfmt.sh" --check
# The selftests take the "on" kernel's BTF, so they come after it.
step "kernel (on)";    "$TOP/scripts/build.sh" on
step "kernel (off)";   "$TOP/scripts/build.sh" off
step "tooling: a clone at a long path, its output to a file and a pipe"
"$TOP/scripts/tooling-paths.sh" >"$OUT/results-tooling.txt"
step "selftests";      "$TOP/scripts/selftests.sh"
step "fuzz corpus";    "$TOP/scripts/fuzz-corpus.sh"

# The differential fuzzer's seeded short run and the race run (make
# check-debug runs 10,000 fuzzed loads and 5,000 race iterations).
fuzz_count=${FUZZ_COUNT:-300} fuzz_seed=${FUZZ_SEED:-1} race_iters=${RACE_ITERATIONS:-2000}
for v in on off; do
	step "VM tests, CONFIG_BPF_SIGNED_LOADER=$([ $v = on ] && echo y || echo n)"
	"$TOP/scripts/vm-tests.sh" "$v" "$fuzz_count" "$fuzz_seed" "$race_iters"
done

# The two kernels' fuzz cases, compared one by one.
"$TOP/scripts/fuzz-compare.sh" "$OUT/results-on.txt.fuzz" "$OUT/results-off.txt.fuzz" \
	>"$OUT/results-fuzz.txt"

# The benchmark must keep working; its numbers are not judged here.
step "bench smoke"
if "$TOP/scripts/bench.sh" --smoke >"$OUT/logs/bench-smoke.log" 2>&1; then
	echo "PASS bench smoke" >"$OUT/results-bench.txt"
else
	tail -n 5 "$OUT/logs/bench-smoke.log" >&2
	echo "FAIL bench smoke (see $OUT/logs/bench-smoke.log)" >"$OUT/results-bench.txt"
fi

# What make shows must keep working: the demo's program checks its own
# claims and prints "demo: OK" only if each held. (A run of its own for the
# notices, which it repeats at its end: this run's stay for its summary.)
step "demo"
if RUN_ID=$RUN_ID-demo "$TOP/scripts/demo.sh" >"$OUT/logs/demo.log" 2>&1 &&
	grep -qx 'demo: OK' "$OUT/logs/demo.log"; then
	echo "PASS demo ok" >"$OUT/results-demo.txt"
else
	tail -n 5 "$OUT/logs/demo.log" >&2
	echo "FAIL demo ok (see $OUT/logs/demo.log)" >"$OUT/results-demo.txt"
fi

cat "$OUT"/results-{tooling,on,off,fuzz,bench,demo}.txt >"$OUT/results.txt"
# Every case of tests/expected.txt must have run, and nothing else.
"$TOP/scripts/check-manifest.sh" "$OUT/results.txt"
step "done (full results: $OUT/results.txt)"
summarize "$OUT/results.txt"
