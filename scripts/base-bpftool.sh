#!/usr/bin/env bash
# Build the base tree's own, unmodified bpftool (its bootstrap build, the one
# the selftests sign light skeletons with), once per base version and
# toolchain, and print its path: light skeletons it signs must keep loading
# on the patched kernels.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

base_repo=$("$TOP/scripts/base.sh")
version=$(cat "$base_repo/.complete")
dir="$CACHE/work/$(echo "$version" | tr '~:' '__')-$(build_tools_key)/base-bpftool"
bin=$dir/out/bootstrap/bpftool
if [ -f "$dir/.complete" ] && [ -x "$bin" ]; then
	echo "$bin"
	exit 0
fi

msg "building the base tree's unmodified bpftool (once; log: $dir/build.log)"
rm -rf "$dir"
mkdir -p "$dir/src" "$dir/out"
git --git-dir="$base_repo" archive base tools kernel/bpf include scripts |
	tar -x -C "$dir/src"
in_root make -C "$dir/src/tools/bpf/bpftool" -j"$JOBS" OUTPUT="$dir/out/" bootstrap \
	>"$dir/build.log" 2>&1 ||
	{ tail -n 20 "$dir/build.log" >&2; die "building the base bpftool failed, see $dir/build.log" \
		"check the toolchain root (make toolchain) and run again"; }
[ -x "$bin" ] || die "the base bpftool build made no $bin" "see $dir/build.log"
touch "$dir/.complete"
echo "$bin"
