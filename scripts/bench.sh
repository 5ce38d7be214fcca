#!/usr/bin/env bash
# make bench: BPF_PROG_LOAD latency and memory of signed loaders, unsigned
# vs signed, Rust (CONFIG_BPF_SIGNED_LOADER=y) vs C (=n), RSA-2048, ECDSA
# P-256 and ML-DSA-65, against the floor: the kernel's digest over the
# bytes plus one verification with the same key, each measured by itself.
# Boots the two kernels of "make kernel" in turn, BENCH_BOOTS times each;
# writes $OUT/bench/{raw.csv,table.txt,plot.png}.
#   bench.sh           the full run
#   bench.sh --smoke   one size, few repetitions, RSA, one boot of the "on"
#                      kernel (make check): the contract holds, no numbers judged
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# The columns of raw.csv: report.py and the smoke check read them by name.
COLUMNS=variant,boot,alg,size,mode,reps,median_ns,p10_ns,p90_ns,err,mem_bytes

smoke=0
[ "${1:-}" != --smoke ] || smoke=1
dir=$OUT/bench
rm -rf "$dir"
mkdir -p "$dir"

msg "bench: building the benchmark and making RSA-2048, ECDSA P-256 and ML-DSA-65 keys"
bench_build "$dir"
algs=(rsa2048 ecdsa-p256 mldsa65)
[ "$smoke" = 0 ] || algs=(rsa2048)
for alg in "${algs[@]}"; do
	bench_key "$dir" "$alg"
done

# Metadata sizes (SIZE:REPS): 8 bytes (the fixed cost), 4 KiB to the
# largest payload a signature could cover before payloads were digested
# where they lie (16 MiB - 1, less the 16 bytes of instructions), one past
# it, and 64 MiB.
max=$(((1 << 24) - 1 - 16))
fixed=${BENCH_REPS_FIXED:-101} small=${BENCH_REPS_SMALL:-41} big=${BENCH_REPS_BIG:-11} huge=${BENCH_REPS_MAX:-5}
if [ "$smoke" = 1 ]; then
	sizes="4096:3"
	boots=(on)
else
	sizes="8:$fixed 4096:$small 65536:$small 1048576:$big 4194304:$big"
	sizes+=" $max:$huge $((max + 1)):$huge $((1 << 26)):$huge"
	# Rust and C boot in turn, so that a slow spell of the host falls on both.
	boots=()
	for ((i = 0; i < ${BENCH_BOOTS:-3}; i++)); do
		boots+=(on off)
	done
fi

start=$(date +%s)
n=0
for v in "${boots[@]}"; do
	n=$((n + 1))
	guest="mountpoint -q /sys/fs/cgroup || mount -t cgroup2 none /sys/fs/cgroup; cd $dir"
	for alg in "${algs[@]}"; do
		guest+="; ./signed_load_bench $v $n $alg $alg.pem $alg.der $sizes >>raw-$n.csv || exit 1"
	done
	msg "bench: boot $n of ${#boots[@]}, $v kernel" \
		"(CONFIG_BPF_SIGNED_LOADER=$([ "$v" = on ] && echo y || echo n)), $(($(date +%s) - start)) s so far"
	"$TOP/scripts/vm.sh" "$v" "$guest" >"$OUT/logs/bench-$n.log" 2>&1 ||
		die "boot $n ($v) of the bench failed, see $OUT/logs/bench-$n.log"
	[ -s "$dir/raw-$n.csv" ] || die "boot $n ($v) of the bench measured nothing" \
		"see $OUT/logs/bench-$n.log"
done
{
	echo "$COLUMNS"
	cat "$dir"/raw-*.csv
} >"$dir/raw.csv"
rm -f "$dir"/raw-*.csv

if [ "$smoke" = 1 ]; then
	# The smoke run checks that the benchmark keeps its contract, not how fast it is.
	in_root python3 "$TOP/bench/report.py" --check "$dir/raw.csv" ||
		die "bench smoke: raw.csv breaks its contract, see $dir/raw.csv"
	msg "bench smoke: OK"
	exit 0
fi
in_root python3 "$TOP/bench/report.py" "$dir/raw.csv" "$dir" | tee "$dir/table.txt"
msg "bench: $(($(date +%s) - start)) s in the VMs (${#boots[@]} boots); results in $dir"
notices_show
