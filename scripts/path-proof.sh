#!/usr/bin/env bash
# Judge which verifier checked the signed loads of one VM run.
#   path-proof.sh on|off|debug-on|debug-off COUNTS
# COUNTS is what guest-tests.sh counted with kprobe events while test_progs
# ran ("$results.path"): the signed loads that reached the verdict hook and
# the entries into the Rust verifier. The Rust kernel must have sent every
# signed load through Rust, the C kernel none (it must not even have the
# Rust symbol, in vmlinux or in the running kernel), and there must have
# been signed loads. Prints "path <variant>: N signed loads through Rust,
# N through C" on stderr and one case, "PASS|FAIL path ...", on stdout.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

variant=${1:-} counts=${2:-}
case "$variant" in
on | off | debug-on | debug-off) ;;
*) die "usage: path-proof.sh on|off|debug-on|debug-off COUNTS" ;;
esac
# The kernel image is the variant's; what it must have run is on's or off's.
image=$OUT/kernel-$variant/vmlinux
variant=${variant#debug-}
case_on="path every-signed-load-through-rust"
case_off="path every-signed-load-through-c"
name=$([ "$variant" = on ] && echo "$case_on" || echo "$case_off")
fail() {
	echo "FAIL $name ($*)"
	exit 0
}

[ -f "$counts" ] || fail "the guest counted nothing: no $counts"
if grep -q '^error ' "$counts"; then
	fail "$(grep -m1 '^error ' "$counts" | cut -d' ' -f2-)"
fi
get() { awk -v k="$1" '$1 == k { print $2 }' "$counts"; }
signed=$(get signed_loads) rust=$(get rust_entries) lost=$(get lost) in_guest=$(get rust_symbol)
[ -n "$signed" ] && [ -n "$rust" ] && [ -n "$lost" ] && [ -n "$in_guest" ] ||
	fail "incomplete counts in $counts"
[ "$lost" = 0 ] || fail "the trace lost $lost events"

# The Rust entry point in the kernel image, independent of the guest.
in_image=no
# (grep reads all of nm's output: -q would make nm fail on a closed pipe.)
if in_root nm "$image" | grep -w bpf_signed_loader_verify >/dev/null; then
	in_image=yes
fi
want=$([ "$variant" = on ] && echo yes || echo no)

c=$((signed - rust))
echo "path $variant: $rust signed loads through Rust, $c through C" >&2
[ "$in_image" = "$want" ] ||
	fail "bpf_signed_loader_verify in vmlinux: $in_image, want $want"
[ "$in_guest" = "$want" ] ||
	fail "bpf_signed_loader_verify in the running kernel: $in_guest, want $want"
[ "$signed" -gt 0 ] || fail "no signed load reached the verdict hook"
[ "$c" -ge 0 ] || fail "$rust Rust entries for $signed signed loads"
if [ "$variant" = on ]; then
	[ "$c" = 0 ] || fail "$c signed loads did not go through Rust"
else
	[ "$rust" = 0 ] || fail "$rust signed loads went through Rust"
fi
echo "PASS $name"
