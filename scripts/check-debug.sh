#!/usr/bin/env bash
# make check-debug: the VM tests of make check on the debug kernels (clang,
# config/debug.config: KASAN, kmemleak, lockdep, atomic-sleep checks, UBSAN,
# Rust debug assertions and overflow checks, the Rust KUnit tests and the
# kernel crate's doctests), Rust path and C path, with the full differential
# fuzz run (FUZZ_COUNT loads per kernel, 10,000 by default). Any report of
# a checker (console scan, kmemleak) fails it, as does any failed case.
# The cases of tests/expected.txt must all run (the bench smoke run aside);
# the KUnit suites only the debug kernels have must run and pass.
# Outside CI's time budget: see the README for its times.
# Ends with one line "N passed, N failed[, N skipped]".
set -euo pipefail
. "$(dirname "$0")/lib.sh"

step "toolchain";        "$TOP/scripts/toolchain.sh"
step "series";           "$TOP/scripts/series.sh"
# The selftests are built against the "on" kernel's BTF, as in make check.
step "kernel (on)";      "$TOP/scripts/build.sh" on
step "kernel (debug-on)";  "$TOP/scripts/build.sh" debug-on
step "kernel (debug-off)"; "$TOP/scripts/build.sh" debug-off
step "selftests";        "$TOP/scripts/selftests.sh"
step "fuzz corpus";      "$TOP/scripts/fuzz-corpus.sh"

# Under TCG the checkers make the guests several times slower.
export VM_TIMEOUT=${VM_TIMEOUT:-10800}
fuzz_count=${FUZZ_COUNT:-10000} fuzz_seed=${FUZZ_SEED:-1} race_iters=${RACE_ITERATIONS:-5000}
for v in debug-on debug-off; do
	step "VM tests, $v kernel"
	"$TOP/scripts/vm-tests.sh" "$v" "$fuzz_count" "$fuzz_seed" "$race_iters"
done
"$TOP/scripts/fuzz-compare.sh" "$OUT/results-debug-on.txt.fuzz" "$OUT/results-debug-off.txt.fuzz" \
	>"$OUT/results-debug-fuzz.txt"

# The manifest of make check, less the bench, plus kmemleak; the cases of
# KUnit suites tests/expected.txt does not know (the debug kernels' own)
# are held apart: they must have run, and must not fail.
res=$OUT/results-debug.txt
manifest=$OUT/expected-debug.txt
{
	grep -v '^bench smoke$' "$TOP/tests/expected.txt"
	echo "[on] kmemleak no-leak"
	echo "[off] kmemleak no-leak"
} >"$manifest"
known=$(sed -n 's/^\[[a-z]*\] kunit \([^/]*\)\/.*/\1/p' "$TOP/tests/expected.txt" | sort -u)
cat "$OUT"/results-debug-{on,off,fuzz}.txt >"$res.all"
awk -v known="$known" 'BEGIN { n = split(known, k, "\n"); for (i = 1; i <= n; i++) ok[k[i]] = 1 }
	$3 == "kunit" { s = $4; sub(/\/.*/, "", s); if (!(s in ok)) { print > "/dev/stderr"; next } }
	{ print }' "$res.all" >"$res" 2>"$res.extra"
"$TOP/scripts/check-manifest.sh" "$res" "$manifest"
if ! grep -q '^PASS \[on\] kunit rust_doctests_kernel/' "$res.extra"; then
	echo "FAIL [on] kunit rust-doctests-ran (no passing rust_doctests_kernel case)" >>"$res"
fi
step "done ($(grep -c '^PASS' "$res.extra" || true) passing cases of the debug kernels' own KUnit suites; results: $res, $res.extra)"
summarize "$res" "$res.extra"
