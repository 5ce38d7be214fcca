#!/usr/bin/env bash
# make profile: where the time of a signed load goes, on each kernel.
# Boots the Rust ("on") and the C ("off") kernel once each and traces, with
# function_graph restricted to bpf_check() and the C functions a signed load
# passes through, two cases: 8-byte RSA-2048 loaders (the fixed cost) and
# 1 MiB ML-DSA-65 ones (the SHA-512 pass). The Rust verifier has no ftrace
# entry: its own time is in bpf_check()'s less its traced callees. Prints
# per-function medians side by side.
# Writes $OUT/profile/{trace-*.txt,profile.txt}.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

dir=$OUT/profile
rm -rf "$dir"
mkdir -p "$dir"
reps=${PROFILE_REPS:-41}
funcs="bpf_check bpf_lookup_user_key bpf_verify_pkcs7_pieces pkcs7_parse_message
pkcs7_supply_detached_pieces verify_pkcs7_message_sig pkcs7_verify pkcs7_validate_trust
public_key_verify_signature security_bpf_prog_load_sig_verdict __sha256_update __sha512_update"
# key algorithm and SIZE:REPS of each case
cases=("rsa2048 8:$reps" "mldsa65 1048576:$(((reps + 3) / 4))")

msg "profile: building the benchmark and the keys"
bench_build "$dir"
for c in "${cases[@]}"; do
	bench_key "$dir" "${c%% *}"
done

for v in on off; do
	{
		echo "set -e"
		echo "mountpoint -q /sys/fs/cgroup || mount -t cgroup2 none /sys/fs/cgroup"
		echo "t=/sys/kernel/tracing"
		echo "mountpoint -q \$t || mount -t tracefs nodev \$t"
		echo "echo 0 >\$t/tracing_on; echo function_graph >\$t/current_tracer"
		echo "echo 16384 >\$t/buffer_size_kb"
		for f in $funcs; do
			echo "echo $f >>\$t/set_ftrace_filter || echo cannot trace $f"
		done
		echo "cd $dir"
		for c in "${cases[@]}"; do
			read -r alg run <<<"$c"
			# One CPU, so that each call's entry and exit are on one trace line pair.
			echo "echo >\$t/trace; echo 1 >\$t/tracing_on"
			echo "taskset -c 0 ./signed_load_bench $v 1 $alg $alg.pem $alg.der $run >/dev/null"
			echo "echo 0 >\$t/tracing_on; cat \$t/trace >trace-$v-$alg.txt"
		done
	} >"$dir/guest-$v.sh"
	msg "profile: $v kernel"
	"$TOP/scripts/vm.sh" "$v" "sh $dir/guest-$v.sh" >"$OUT/logs/profile-$v.log" 2>&1 ||
		die "the $v profile run failed, see $OUT/logs/profile-$v.log"
done
for c in "${cases[@]}"; do
	read -r alg run <<<"$c"
	for v in on off; do
		[ -s "$dir/trace-$v-$alg.txt" ] || die "the $v profile run traced nothing for $alg" \
			"see $OUT/logs/profile-$v.log"
	done
	in_root python3 "$TOP/bench/profile.py" "$alg, ${run%:*} bytes" "$dir/trace-on-$alg.txt" \
		"$dir/trace-off-$alg.txt"
	echo
done | tee "$dir/profile.txt"
