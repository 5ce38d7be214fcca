#!/usr/bin/env bash
# make check-full: no regression anywhere in BPF. The base's whole test_progs
# and test_verifier run on three kernels built with the BPF selftests' own
# config fragments on top of ours (build.sh full-*): the unpatched base
# (twice, to find the flaky cases), the series with the Rust path and with
# the C path. A case whose result on a patched kernel differs from the
# unpatched kernel's is run again on both; if the difference reproduces it
# is a regression, and fails the run. A case the unpatched kernel gives two
# different results in any of its runs (both full runs and the reruns) is
# flaky, and skipped on both patched kernels.
#
# test_progs runs in FULL_SHARDS shards (8), each in a VM of its own with a
# time cap of FULL_SHARD_TIMEOUT seconds (1800; a shard took 3 to 4
# minutes here): the cap per kernel is their sum and test_verifier's. A
# shard that ran to its end is kept, keyed by the kernel, the test
# binaries and the guest's runner, so that an interrupted check-full
# resumes where it stopped (FULL_FRESH=1 runs everything again).
# FULL_KEPT_ONLY=1 starts no shard: it compares the shards that every run
# has kept (retries still run), for a report on a run not yet complete.
# FULL_RUNS="base1 base2" (any of base1 base2 on off) runs the shards of
# those runs only, builds only their kernels and compares nothing: the
# unpatched kernel's runs can go on while the series changes, since a
# change of the series leaves them valid. Outside CI's time budget:
# the README gives its times. Writes $OUT/full/report.md, and ends with one
# line "N passed, N failed, N skipped" (a case: one test case on one patched
# kernel; passed: same result as unpatched; skipped: flaky on unpatched).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

shards=${FULL_SHARDS:-8}
shard_timeout=${FULL_SHARD_TIMEOUT:-1800}
# The whole suite wants more memory than make check's tests.
export VM_MEMORY=${VM_MEMORY:-4G}
full=$OUT/full
mkdir -p "$full"

all_runs="base1 base2 on off"
want=" ${FULL_RUNS:-$all_runs} "
for r in $want; do
	[[ " $all_runs " == *" $r "* ]] || die "FULL_RUNS names $r" "name runs among: $all_runs"
done
uses() { [[ "$want" == *" $1 "* ]]; }

step "toolchain";           "$TOP/scripts/toolchain.sh"
step "series";              "$TOP/scripts/series.sh"
step "kernel (full-base)";  "$TOP/scripts/build.sh" full-base
step "selftests (base)";    "$TOP/scripts/selftests-full.sh"
if uses on; then
	step "kernel (full-on)";  "$TOP/scripts/build.sh" full-on
fi
if uses off; then
	step "kernel (full-off)"; "$TOP/scripts/build.sh" full-off
fi
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
	if [ "${FULL_KEPT_ONLY:-0}" = 1 ] && [ "${run#retry-}" = "$run" ]; then
		return 1
	fi
	rm -rf "$dir"
	mkdir -p "$dir"
	# The suite's files, and this kernel's test modules instead of links.
	cp -as "$sel/." "$dir/"
	cp "$OUT/kernel-$variant"/kmods/*.ko "$dir/"
	step "$run $name on the $variant kernel ($(echo "$*" | cut -c1-60))"
	local t0=$SECONDS part=0 rc last next test
	while :; do
		part=$((part + 1))
		# The guest reads what to run from a file.
		printf '%s\n' "$@" >"$dir/args"
		rc=0
		VM_TIMEOUT=$shard_timeout VM_VERBOSE=1 "$TOP/scripts/vm.sh" "$variant" \
			"$TOP/scripts/guest-full.sh $dir" >>"$dir/console" 2>&1 || rc=$?
		[ ! -f "$dir/rc" ] || break
		# The guest died (or hung) in a test_progs shard: the test that
		# was running fails, and the shard goes on after it in a new VM.
		if [ "$1" != test_progs ] || [ ! -f "$dir/log" ]; then
			warn "$run $name did not finish (VM exit $rc, $((SECONDS - t0)) s): see $dir/console"
			echo "$rc" >"$dir/vm-rc"
			break
		fi
		last=$(sed -nE 's/^#([0-9]+)[ \t].*/\1/p' "$dir/log" | sort -n | tail -n 1)
		next=$((${last:-$((${2%-*} - 1))} + 1))
		test=$(sed -n 's/^DEFINE_TEST(\(.*\))$/\1/p' "$hdr" | sed -n "${next}p")
		printf '%s\t%s\n' "$test" "the guest died or hung in it (VM exit $rc)" >>"$dir/died"
		warn "$run $name: the guest died or hung in test $next ($test; VM exit $rc): going on after it"
		mv "$dir/log" "$dir/log.$part"
		if [ "$next" -ge "${2#*-}" ]; then
			echo died >"$dir/rc"
			break
		fi
		set -- test_progs "$((next + 1))-${2#*-}"
	done
	echo "$((SECONDS - t0))" >"$dir/seconds"
	echo "$key" >"$dir/key"
	[ ! -f "$dir/log" ] || step "$run $name: $(tail -n 1 "$dir/log") ($((SECONDS - t0)) s)"
}

# The results of a run, one "VERDICT<tab>CASE" line per case (a case's
# name may hold spaces), and one case per
# shard for the kernel log ("console/shard-K": PASS if it has no splat) and
# for the shard's end ("ended/shard-K": FAIL if it did not finish); of the
# shards named in $compared (all of them, but with FULL_KEPT_ONLY=1).
compared=()
logs() {
	local f
	for f in "$1"/log.[0-9]* "$1/log"; do
		[ ! -f "$f" ] || cat "$f"
	done
}
results() {
	local run=$1 d name
	for d in "$full/$run"/*/; do
		name=$(basename "$d")
		[ -f "$d/console" ] || continue
		[[ "$run" == retry-* ]] || [[ " ${compared[*]} " == *" $name "* ]] || continue
		case "$name" in
		test_verifier) logs "$d" | awk -f "$TOP/scripts/test_verifier-results.awk" |
			sed -E 's/^([A-Z]+) ([^ ]+).*/\1\t\2/' ;;
		*) logs "$d" | awk -f "$TOP/scripts/test_progs-results.awk" |
			sed -E 's/^([A-Z]+) test_progs /\1\ttest_progs\//'
			[ ! -f "$d/died" ] || cut -f1 "$d/died" | sed 's|^|FAIL\ttest_progs/|' ;;
		esac
		if [ -f "$d/rc" ]; then verdict=PASS; else verdict=FAIL; fi
		printf '%s\tended/%s\n' "$verdict" "$name"
		# The kernel's log: the console (the guest's, verbose) and dmesg.
		verdict=FAIL
		if cat "$d/console" "$d/dmesg" 2>/dev/null >"$d/kernel-log" &&
			"$TOP/scripts/console-scan.sh" "$d/kernel-log" >"$d/splats" 2>&1; then
			verdict=PASS
		fi
		printf '%s\tconsole/%s\n' "$verdict" "$name"
	done | sort -t "$tab" -k2,2 -u
}
tab=$'\t'

runs=(base1:full-base base2:full-base on:full-on off:full-off)
for ((s = 0; s < ${#ranges[@]}; s++)); do
	kept=1
	for r in "${runs[@]}"; do
		uses "${r%%:*}" || continue
		run_shard "${r%%:*}" "${r#*:}" "shard-$((s + 1))" test_progs "${ranges[$s]}" || kept=0
	done
	[ "$kept" = 0 ] || compared+=("shard-$((s + 1))")
done
kept=1
for r in "${runs[@]}"; do
	uses "${r%%:*}" || continue
	run_shard "${r%%:*}" "${r#*:}" test_verifier test_verifier || kept=0
done
[ "$kept" = 0 ] || compared+=(test_verifier)
if [ "$want" != " $all_runs " ]; then
	step "done: the shards of${want% } are kept; make check-full compares them with the others"
	exit 0
fi
[ ${#compared[@]} -gt 0 ] || die "no shard has run on every kernel yet" "run make check-full without FULL_KEPT_ONLY"
[ ${#compared[@]} = $((${#ranges[@]} + 1)) ] || warn "a partial comparison: only ${compared[*]} (of ${#ranges[@]} test_progs shards and test_verifier)"
for r in "${runs[@]}"; do
	results "${r%%:*}" >"$full/${r%%:*}.results"
done

# Compare: "KIND<tab>CASE<tab>BASE1<tab>BASE2<tab>PATCHED" for every case,
# KIND same, flaky (the two unpatched runs differ) or differs; MISSING
# where a case did not run.
compare() {
	awk -F'\t' -v OFS='\t' '
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
		}' "$full/base1.results" "$full/base2.results" "$full/$1.results" | sort -t "$tab" -k2,2
}

# Every difference is run again, on the patched kernel and on the unpatched
# one: only a difference that shows again counts.
for run in on off; do
	compare "$run" >"$full/$run.compare"
	retry=$(awk -F'\t' '$1 == "differs" && $2 ~ /^test_progs\// { sub(/^test_progs\//, "", $2); sub(/\/.*/, "", $2); print $2 }' \
		"$full/$run.compare" | sort -u | paste -sd, -)
	verifier=$(awk -F'\t' '$1 == "differs" && $2 ~ /^test_verifier\// { n++ } END { print n + 0 }' "$full/$run.compare")
	# A shard whose end or kernel log differs runs again whole.
	again=$(awk -F'\t' '$1 == "differs" && $2 ~ /^(ended|console)\/shard-/ { sub(/^[a-z]+\//, "", $2); print $2 }' \
		"$full/$run.compare" | sort -u)
	: >"$full/retry-$run.results"
	: >"$full/retry-$run-base.results"
	if [ -n "$retry$again" ] || [ "$verifier" -gt 0 ]; then
		step "[$run] $(grep -c '^differs' "$full/$run.compare") case(s) differ: running them again"
		for r in "retry-$run:full-$run" "retry-$run-base:full-base"; do
			if [ -n "$retry" ]; then
				run_shard "${r%%:*}" "${r#*:}" tests test_progs-t "$retry"
			fi
			[ "$verifier" = 0 ] || run_shard "${r%%:*}" "${r#*:}" test_verifier test_verifier
			for k in $again; do
				run_shard "${r%%:*}" "${r#*:}" "$k" test_progs "${ranges[$((${k#shard-} - 1))]}"
			done
			results "${r%%:*}" >"$full/${r%%:*}.results"
		done
	fi
done

# The verdicts. Every run of the unpatched kernel counts (base1, base2 and
# the reruns on it for either patched kernel): a case with two different
# results there is flaky, for both patched kernels. Otherwise a case the
# patched kernel gives differently is a regression only if it gives that
# again when run again.
res=$OUT/results-full.txt
: >"$res"
for run in on off; do
	awk -F'\t' -v run="$run" -v again="$full/retry-$run.results" '
		BEGIN { while ((getline l < again) > 0) { split(l, f, "\t"); a[f[2]] = f[1] } }
		FILENAME == ARGV[1] || FILENAME == ARGV[2] {
			if (!($2 in seen)) { seen[$2] = $1; hist[$2] = $1 }
			else {
				hist[$2] = hist[$2] ", then " $1
				if ($1 != seen[$2]) flaky[$2] = 1
			}
			next
		}
		{
			c = $2
			if (!(c in hist)) hist[c] = "MISSING"
			if ($1 == "flaky" || c in flaky) {
				print "SKIP [" run "] full " c " (flaky on the unpatched kernel: " hist[c] ")"
				next
			}
			if ($1 == "same") { print "PASS [" run "] full " c; next }
			p = (c in a) ? a[c] : "MISSING"
			if (p == $5)
				print "FAIL [" run "] full " c " (unpatched " hist[c] "; patched " $5 ", and so again)"
			else
				print "PASS [" run "] full " c " (differed once: unpatched " hist[c] \
					"; patched " $5 ", then " p ")"
		}' <(cat "$full/base1.results" "$full/base2.results") \
		<(cat "$full"/retry-on-base.results "$full"/retry-off-base.results) \
		"$full/$run.compare" >>"$res"
done

"$TOP/scripts/full-report.sh" "$full" "$res" "$ntests" "$shards" "$shard_timeout" "${compared[*]}" >"$full/report.md"
step "done: report in $full/report.md, cases in $res"
summarize "$res"
