#!/usr/bin/env bash
# Build the kernel of $OUT/linux for one variant of the series:
#   build.sh on    CONFIG_BPF_SIGNED_LOADER=y (the Rust path)
#   build.sh off   CONFIG_BPF_SIGNED_LOADER=n (the C path)
# Both variants share one out-of-tree build directory next to the work tree
# (see series.sh), so switching between them rebuilds only what depends on
# the option. The result is copied to $OUT/kernel-<variant>/.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

variant=${1:-}
case "$variant" in
on) items=(BPF_SIGNED_LOADER=y BPF_SIGNED_LOADER_KUNIT_TEST=y) ;;
off) items=(BPF_SIGNED_LOADER=n) ;;
*) die "usage: build.sh on|off" ;;
esac

src=$(readlink -f "$OUT/linux")
[ -f "$src/Makefile" ] || die "$OUT/linux is not assembled" "run: make series-tree"
build=$(kernel_build_dir)

# A test key in the builtin trusted keyring: IPE accepts only policies
# signed by it, and the selftests sign theirs with it. Made once, next to
# the build directory it is compiled into; the guest finds it in $OUT/keys.
keys="$(dirname "$src")/keys"
if [ ! -f "$keys/cert.pem" ]; then
	msg "making the test key of the builtin keyring (IPE policies)"
	mkdir -p "$keys"
	in_root openssl req -new -x509 -newkey rsa:2048 -nodes -days 36500 -sha256 \
		-subj "/CN=bpf-signed-loader test policy key" -addext keyUsage=digitalSignature \
		-keyout "$keys/key.pem.tmp" -out "$keys/cert.pem.tmp" >/dev/null 2>&1 ||
		die "openssl could not make the test key in $keys"
	mv "$keys/key.pem.tmp" "$keys/key.pem"
	mv "$keys/cert.pem.tmp" "$keys/cert.pem"
fi
mkdir -p "$OUT/keys"
cp "$keys/key.pem" "$keys/cert.pem" "$OUT/keys/"
items+=("SYSTEM_TRUSTED_KEYS=\"$keys/cert.pem\"")
dest="$OUT/kernel-$variant"
log="$OUT/logs/build-$variant.log"
mkdir -p "$build" "$OUT/logs"
: >"$log"
export KBUILD_BUILD_USER=signed-loader KBUILD_BUILD_HOST=vm KBUILD_BUILD_TIMESTAMP=2026-01-01
make_args=(-C "$src" O="$build" -j"$JOBS" CLIPPY=1 ${MAKE_EXTRA:-})

msg "configuring ($variant): virtme-ng defaults + config/vm.config"
(cd "$src" && in_root virtme-configkernel --defconfig --custom "$TOP/config/vm.config" \
	"${items[@]/#/--configitem=}" O="$build" ${MAKE_EXTRA:-}) >>"$log" 2>&1 ||
	die "kernel configuration failed, see $log"

# A fragment option that did not stick means a missing dependency: say which.
want=$(grep -E '^CONFIG_[A-Z0-9_]+=' "$TOP/config/vm.config")
want+=$'\n'$(printf 'CONFIG_%s\n' "${items[@]}")
missing=()
while IFS= read -r opt; do
	name=${opt%%=*} val=${opt#*=}
	if [ "$val" = n ]; then
		! grep -q "^$name=" "$build/.config" || missing+=("$opt")
	else
		grep -qx "$name=$val" "$build/.config" || missing+=("$opt")
	fi
done <<<"$want"
if [ ${#missing[@]} -gt 0 ]; then
	in_root make "${make_args[@]}" rustavailable >>"$log" 2>&1 || true
	die "config options did not stick: ${missing[*]} (see $log)" \
		"check their dependencies with 'make menuconfig' in $build; for Rust see 'make rustavailable' in the log"
fi

msg "building the kernel ($variant), log: $log"
start=$(date +%s)
in_root make "${make_args[@]}" bzImage >>"$log" 2>&1 &
pid=$!
while kill -0 "$pid" 2>/dev/null; do
	sleep 30
	kill -0 "$pid" 2>/dev/null || break
	last=$(grep -E '^\s+(CC|RUSTC|CLIPPY|LD|BTF|AR|BINDGEN)' "$log" | tail -n1 | xargs || true)
	printf '    [%s %3dm] %s\n' "$variant" $((($(date +%s) - start) / 60)) "$last" >&2
done
wait "$pid" || {
	grep -E 'error|Error' "$log" | head -n 20 >&2
	die "kernel build ($variant) failed, see $log" "fix the error above and run make again"
}
rm -rf "$dest"
mkdir -p "$dest"
cp "$build/arch/x86/boot/bzImage" "$build/vmlinux" "$build/.config" "$dest/"
msg "kernel ($variant) built in $(($(date +%s) - start)) s: $dest"
