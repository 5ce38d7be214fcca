#!/usr/bin/env bash
# Build the differential fuzzer (fuzz/signed_load_fuzz.c) into $OUT/fuzz and
# make what it mutates: RSA-2048, ECDSA P-256 and ML-DSA-65 keys the guest
# trusts, one RSA key it does not, and the genuine signed sets signed with
# them. Both kernels of a run fuzz this one corpus, so that their results
# can be compared case by case (fuzz-compare.sh).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

dir=$OUT/fuzz
rm -rf "$dir"
mkdir -p "$dir"
msg "fuzz: building the fuzzer and signing its genuine sets in $dir"
in_root cc -O2 -Wall -Werror \
	-I"$(readlink -f "$OUT/linux")/tools/include/uapi" \
	"$TOP/fuzz/signed_load_fuzz.c" -lcrypto -o "$dir/signed_load_fuzz" ||
	die "building the fuzzer failed"
for alg in rsa2048 ecdsa-p256 mldsa65; do
	bench_key "$dir" "$alg"
done
# The key no keyring holds: bench_key names files after the algorithm.
mkdir -p "$dir/unknown.tmp"
bench_key "$dir/unknown.tmp" rsa2048
mv "$dir/unknown.tmp/rsa2048.pem" "$dir/unknown.pem"
mv "$dir/unknown.tmp/rsa2048.der" "$dir/unknown.der"
rmdir "$dir/unknown.tmp"
in_root "$dir/signed_load_fuzz" gen "$dir" || die "signing the fuzzer's genuine sets failed"
