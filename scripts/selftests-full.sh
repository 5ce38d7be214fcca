#!/usr/bin/env bash
# Build the base's whole BPF test suite for make check-full: test_progs (all
# its tests and BPF objects) and test_verifier, from the pristine base tree,
# against the unpatched full-base kernel's BTF. The same binaries run on all
# three check-full kernels; the test modules (bpf_testmod and its siblings)
# are built with each kernel instead (build.sh). $OUT/selftests-full points
# to the output directory, which sits next to the base tree (incremental).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

src=$("$TOP/scripts/base-tree.sh")
vmlinux=$OUT/kernel-full-base/vmlinux
[ -f "$vmlinux" ] || die "no unpatched kernel at $vmlinux" "run: scripts/build.sh full-base"
sel=$(dirname "$src")/selftests-full
log=$OUT/logs/selftests-full.log
mkdir -p "$sel" "$OUT/logs"

msg "building the base's whole test_progs and test_verifier (log: $log)"
start=$(date +%s)
# The base's suite follows upstream clang (22 at 7.3); trixie's is 19. With
# BPF_STRICT_BUILD=0 what clang 19 cannot build is left out (SKIP-BPF and
# SKIP-TEST lines in the log, counted at the end) instead of failing all.
# libarena, which that mode does not cover, needs more of clang 19 than its
# default BPF CPU (v1): 32-bit atomics and a signed modulo, which newer
# clang lowers without an instruction v3 lacks. It gets -mcpu=v4 with the
# target; the suite's own BPF rules name -mcpu=v3 after it, which wins.
in_root make -C "$src/tools/testing/selftests/bpf" -j"$JOBS" \
	OUTPUT="$sel" VMLINUX_BTF="$vmlinux" TEST_KMODS= BPF_STRICT_BUILD=0 \
	BPF_TARGET_ENDIAN="--target=bpfel -mcpu=v4" \
	"$sel/test_progs" "$sel/test_verifier" >"$log" 2>&1 &
pid=$!
while kill -0 "$pid" 2>/dev/null; do
	sleep 60
	kill -0 "$pid" 2>/dev/null || break
	printf '    [selftests %3dm] %s BPF objects, last: %s\n' $((($(date +%s) - start) / 60)) \
		"$(find "$sel" -maxdepth 1 -name '*.bpf.o' | wc -l)" "$(tail -n1 "$log" | xargs || true)" >&2
done
wait "$pid" || { tail -n 30 "$log" >&2; die "building the base's selftests failed, see $log"; }
ln -sfn "$sel" "$OUT/selftests-full"
msg "selftests-full: $sel/test_progs, $sel/test_verifier ($(($(date +%s) - start)) s;" \
	"left out with clang 19: $(grep -c 'SKIP-BPF' "$log" || true) BPF objects," \
	"$(grep -c 'SKIP-TEST' "$log" || true) tests, listed in $log)"
