#!/usr/bin/env bash
# make check-full: no regression anywhere in BPF. The base's whole test_progs
# and test_verifier run on three kernels built with the BPF selftests' own
# config fragments on top of ours (build.sh full-*): the unpatched base
# (twice, to find the flaky cases), the series with the Rust path and with
# the C path. A case whose result on a patched kernel differs from the
# unpatched kernel's (the same in both of its runs) is run again on both;
# if the difference reproduces it is a regression, and fails the run.
#
# test_progs runs in FULL_SHARDS shards (8), each in a VM of its own with a
# time cap of FULL_SHARD_TIMEOUT seconds (5400): the cap per kernel is their
# sum. A shard that ran to its end is kept, keyed by the kernel, the test
# binaries and this runner, so that an interrupted check-full resumes where
# it stopped (FULL_FRESH=1 runs everything again). Outside CI's time budget:
# the README gives its times. Writes $OUT/full/report.md, and ends with one
# line "N passed, N failed, N skipped" (a case: one test case on one patched
# kernel; passed: same result as unpatched; skipped: flaky on unpatched).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

start=$(date +%s)
step() { msg "[$(($(date +%s) - start))s] $*"; }
shards=${FULL_SHARDS:-8}
shard_timeout=${FULL_SHARD_TIMEOUT:-5400}
# The whole suite wants more memory than make check's tests.
export VM_MEMORY=${VM_MEMORY:-4G}
full=$OUT/full
mkdir -p "$full"

step "toolchain";           "$TOP/scripts/toolchain.sh"
step "series";              "$TOP/scripts/series.sh"
step "kernel (full-base)";  "$TOP/scripts/build.sh" full-base
step "selftests (base)";    "$TOP/scripts/selftests-full.sh"
step "kernel (full-on)";    "$TOP/scripts/build.sh" full-on
step "kernel (full-off)";   "$TOP/scripts/build.sh" full-off
sel=$(readlink -f "$OUT/selftests-full")

# test_progs numbers its tests in the order of the tests.h its build made.
hdr=$(kernel_src full-base)/tools/testing/selftests/bpf/prog_tests/tests.h
ntests=$(grep -c '^DEFINE_TEST(' "$hdr" 2>/dev/null || true)
[ "${ntests:-0}" -gt 0 ] || die "cannot count the tests of $sel/test_progs (no $hdr)" \
	"run: scripts/selftests-full.sh"
ranges=()
per=$(((ntests + shards - 1) / shards))
for ((i = 1; i <= ntests; i += per)); do
	ranges+=("$i-$((i + per - 1 < ntests ? i + per - 1 : ntests))")
done

# One run of one shard: RUN is base1, base2, on, off or a retry; the result
# is kept in $full/RUN/NAME while its key holds.
run_shard() {
	local run=$1 variant=$2 name=$3
	shift 3
	local dir=$full/$run/$name key
	key=$(cat "$OUT/kernel-$variant/bzImage" "$OUT/kernel-$variant"/kmods/*.ko \
		"$sel/test_progs" "$sel/test_verifier" "$TOP/scripts/guest-full.sh" | sha256sum | cut -c1-16)
	key+=" $*"
	if [ "${FULL_FRESH:-0}" != 1 ] && [ -f "$dir/rc" ] && [ "$(cat "$dir/key" 2>/dev/null)" = "$key" ]; then
		step "$run $name: kept from an earlier run (rc $(cat "$dir/rc"))"
		return
	fi
	rm -rf "$dir"
	mkdir -p "$dir"
	# The suite's files, and this kernel's test modules instead of links.
	cp -as "$sel/." "$dir/"
	cp "$OUT/kernel-$variant"/kmods/*.ko "$dir/"
	# The guest reads what to run from a file: a list of test names would
	# not fit on the kernel command line.
	printf '%s\n' "$@" >"$dir/args"
	step "$run $name on the $variant kernel ($(echo "$*" | cut -c1-60))"
	local t0=$SECONDS rc=0
	# (Through tee: a VM run given a file as its output loses lines.)
	VM_TIMEOUT=$shard_timeout "$TOP/scripts/vm.sh" "$variant" \
		"$TOP/scripts/guest-full.sh $dir" 2>&1 | tee "$dir/console" || rc=$?
	echo "$((SECONDS - t0))" >"$dir/seconds"
	echo "$key" >"$dir/key"
	if [ ! -f "$dir/rc" ]; then
		warn "$run $name did not finish (VM exit $rc, $((SECONDS - t0)) s): see $dir/console"
		echo "$rc" >"$dir/vm-rc"
	else
		step "$run $name: $(tail -n 1 "$dir/log" 2>/dev/null) ($((SECONDS - t0)) s)"
	fi
}

# The results of a run, one "VERDICT CASE" line per case, and one case per
# shard for the kernel log ("console shard-K": PASS if it has no splat) and
# for the shard's end ("ended shard-K": FAIL if it did not finish).
results() {
	local run=$1 d name
	for d in "$full/$run"/*/; do
		name=$(basename "$d")
		[ -f "$d/log" ] || continue
		case "$name" in
		test_verifier) awk -f "$TOP/scripts/test_verifier-results.awk" "$d/log" | cut -d' ' -f1,2 ;;
		*) awk -f "$TOP/scripts/test_progs-results.awk" "$d/log" | awk '{ print $1, "test_progs/" $3 }' ;;
		esac
		if [ -f "$d/rc" ]; then echo "PASS ended/$name"; else echo "FAIL ended/$name"; fi
		if [ -f "$d/dmesg" ] && "$TOP/scripts/console-scan.sh" "$d/dmesg" >"$d/splats" 2>&1; then
			echo "PASS console/$name"
		else
			echo "FAIL console/$name"
		fi
	done | sort -k2,2 -u
}

runs=(base1:full-base base2:full-base on:full-on off:full-off)
for ((s = 0; s < ${#ranges[@]}; s++)); do
	for r in "${runs[@]}"; do
		run_shard "${r%%:*}" "${r#*:}" "shard-$((s + 1))" test_progs "${ranges[$s]}"
	done
done
for r in "${runs[@]}"; do
	run_shard "${r%%:*}" "${r#*:}" test_verifier test_verifier
done
for r in "${runs[@]}"; do
	results "${r%%:*}" >"$full/${r%%:*}.results"
done

# Compare: "RUN CASE BASE1 BASE2 VERDICT" for every case of a patched run
# whose verdict is not the unpatched one's; MISSING where a case did not run.
compare() {
	awk -v run="$1" '
		FILENAME ~ /base1.results$/ { b1[$2] = $1; all[$2] = 1; next }
		FILENAME ~ /base2.results$/ { b2[$2] = $1; all[$2] = 1; next }
		{ v[$2] = $1; all[$2] = 1 }
		END {
			for (c in all) {
				x = (c in b1) ? b1[c] : "MISSING"
				y = (c in b2) ? b2[c] : "MISSING"
				z = (c in v) ? v[c] : "MISSING"
				if (x != y) print "flaky", c, x, y, z
				else if (z != x) print "differs", c, x, y, z
				else print "same", c, x, y, z
			}
		}' "$full/base1.results" "$full/base2.results" "$full/$1.results" | sort -k2,2
}

# Every difference is run again, on the patched kernel and on the unpatched
# one: only a difference that shows again counts.
res=$OUT/results-full.txt
: >"$res"
for run in on off; do
	compare "$run" >"$full/$run.compare"
	retry=$(awk '$1 == "differs" && $2 ~ /^test_progs\// { sub(/^test_progs\//, "", $2); sub(/\/.*/, "", $2); print $2 }' \
		"$full/$run.compare" | sort -u | paste -sd, -)
	verifier=$(awk '$1 == "differs" && $2 ~ /^test_verifier\// { n++ } END { print n + 0 }' "$full/$run.compare")
	rm -f "$full/retry-$run.results" "$full/retry-$run-base.results"
	if [ -n "$retry" ] || [ "$verifier" -gt 0 ]; then
		step "[$run] $(grep -c '^differs' "$full/$run.compare") case(s) differ: running them again"
		for r in "retry-$run:full-$run" "retry-$run-base:full-base"; do
			if [ -n "$retry" ]; then
				run_shard "${r%%:*}" "${r#*:}" tests test_progs-t "$retry"
			fi
			[ "$verifier" = 0 ] || run_shard "${r%%:*}" "${r#*:}" test_verifier test_verifier
			results "${r%%:*}" >"$full/${r%%:*}.results"
		done
	fi
	awk -v run="$run" -v again="$full/retry-$run.results" -v again_base="$full/retry-$run-base.results" '
		BEGIN {
			while ((getline l < again) > 0) { split(l, f, " "); a[f[2]] = f[1] }
			while ((getline l < again_base) > 0) { split(l, f, " "); ab[f[2]] = f[1] }
		}
		$1 == "same" { print "PASS [" run "] full " $2; next }
		$1 == "flaky" { print "SKIP [" run "] full " $2 " (flaky on the unpatched kernel: " $3 ", then " $4 ")"; next }
		{
			# A case the shard runs cannot retry alone (the per-shard
			# cases) counts as it is.
			if (!($2 in a) && $2 !~ /^(test_progs|test_verifier)\//) {
				print "FAIL [" run "] full " $2 " (unpatched " $3 ", patched " $5 ")"
			} else if (($2 in a) && a[$2] == (($2 in ab) ? ab[$2] : $3)) {
				print "PASS [" run "] full " $2 " (differed once: unpatched " $3 ", patched " $5 "; the same when run again)"
			} else {
				print "FAIL [" run "] full " $2 " (unpatched " $3 ", patched " $5 ", again: " \
					(($2 in a) ? a[$2] : "MISSING") " vs " (($2 in ab) ? ab[$2] : "MISSING") ")"
			}
		}' "$full/$run.compare" >>"$res"
done

"$TOP/scripts/full-report.sh" "$full" "$res" "$ntests" "$shards" "$shard_timeout" >"$full/report.md"
passed=$(grep -c '^PASS' "$res" || true)
failed=$(grep -c '^FAIL' "$res" || true)
skipped=$(grep -c '^SKIP' "$res" || true)
grep '^FAIL' "$res" >&2 || true
step "done: report in $full/report.md, cases in $res"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
