#!/usr/bin/env bash
# make bench: BPF_PROG_LOAD latency and memory of signed loaders, unsigned
# vs signed, Rust (CONFIG_BPF_SIGNED_LOADER=y) vs C (=n), RSA-2048, ECDSA
# P-256 and ML-DSA-65, against the kernel's own SHA-256 throughput. Boots
# both kernels of "make kernel"; writes $OUT/bench/{raw.csv,table.txt,plot.png}.
#   bench.sh           the full run
#   bench.sh --smoke   one size, few repetitions, RSA, the "on" kernel (make check)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

smoke=0
[ "${1:-}" != --smoke ] || smoke=1
src=$(readlink -f "$OUT/linux")
dir=$OUT/bench
rm -rf "$dir"
mkdir -p "$dir"

msg "bench: building the benchmark and making RSA-2048, ECDSA P-256 and ML-DSA-65 keys"
in_root cc -O2 -Wall -Werror -I"$src/tools/include/uapi" "$TOP/bench/signed_load_bench.c" \
	-lcrypto -o "$dir/signed_load_bench" || die "building the benchmark failed"
declare -A newkey=([rsa2048]="rsa:2048" [ecdsa-p256]="ec -pkeyopt ec_paramgen_curve:P-256"
	[mldsa65]="ML-DSA-65")
algs=(rsa2048 ecdsa-p256 mldsa65)
[ "$smoke" = 0 ] || algs=(rsa2048)
for alg in "${algs[@]}"; do
	# shellcheck disable=SC2086 # the key spec is several words
	in_root openssl req -new -x509 -nodes -days 1 -batch -newkey ${newkey[$alg]} \
		-subj "/CN=signed loader bench $alg" -addext "keyUsage=digitalSignature" \
		-addext "basicConstraints=critical,CA:FALSE" \
		-keyout "$dir/$alg.pem" -outform DER -out "$dir/$alg.der" >/dev/null 2>&1 ||
		die "openssl cannot make a $alg key"
done

# Sizes of the metadata map: 8 bytes (the cost of one verification), 4 KiB
# to the largest payload a signature could cover before payloads were
# digested where they lie (16 MiB - 1, less the 16 bytes of instructions),
# one past it, and 64 MiB.
max=$(((1 << 24) - 1 - 16))
if [ "$smoke" = 1 ]; then
	runs=("3 4096")
	variants=(on)
else
	runs=("${BENCH_REPS_SMALL:-41} 8 4096 65536" "${BENCH_REPS_BIG:-11} 1048576 4194304"
		"${BENCH_REPS_MAX:-5} $max $((max + 1)) $((1 << 26))")
	variants=(on off)
fi

start=$(date +%s)
for v in "${variants[@]}"; do
	guest="mountpoint -q /sys/fs/cgroup || mount -t cgroup2 none /sys/fs/cgroup; cd $dir"
	for alg in "${algs[@]}"; do
		for run in "${runs[@]}"; do
			guest+="; ./signed_load_bench $v $alg $alg.pem $alg.der $run >>raw-$v.csv || exit 1"
		done
	done
	msg "bench: $v kernel (CONFIG_BPF_SIGNED_LOADER=$([ "$v" = on ] && echo y || echo n))"
	# The guest command travels in a file: on the kernel command line it
	# would overflow its 2048 bytes. The VM reopens a file given as its
	# stdout and truncates it, so its output goes through a pipe.
	printf '%s\n' "$guest" >"$dir/guest-$v.sh"
	"$TOP/scripts/vm.sh" "$v" "sh $dir/guest-$v.sh" 2>&1 | cat >"$OUT/logs/bench-$v.log" ||
		die "the $v bench run failed, see $OUT/logs/bench-$v.log"
done
{
	echo "variant,alg,size,mode,reps,median_ns,p10_ns,p90_ns,err,mem_bytes"
	cat "$dir"/raw-*.csv
} >"$dir/raw.csv"
rm -f "$dir"/raw-*.csv

if [ "$smoke" = 1 ]; then
	# The smoke run checks that the benchmark works, not how fast it is.
	awk -F, 'NR > 1 && $4 != "sha256" && ($9 != 0 || $6 <= 0) { bad = 1 } END { exit bad }' \
		"$dir/raw.csv" || die "bench smoke: a load failed, see $dir/raw.csv"
	[ "$(grep -c ',signed,' "$dir/raw.csv")" = 1 ] || die "bench smoke: no signed load measured"
	msg "bench smoke: OK"
	exit 0
fi
in_root python3 "$TOP/bench/report.py" "$dir/raw.csv" "$dir" | tee "$dir/table.txt"
msg "bench: $(($(date +%s) - start)) s in the VMs; results in $dir"
