#!/usr/bin/env bash
# Build the kernel of $OUT/linux for one variant of the series:
#   build.sh on          CONFIG_BPF_SIGNED_LOADER=y (the Rust path)
#   build.sh off         CONFIG_BPF_SIGNED_LOADER=n (the C path)
#   build.sh debug-on    the same with config/debug.config, built with clang
#   build.sh debug-off   (LLVM=1): KASAN, kmemleak, lockdep, UBSAN (check-debug)
# on and off share one out-of-tree build directory next to the work tree
# (see series.sh), so switching between them rebuilds only what depends on
# the option; each debug variant has a build directory of its own. The
# result is copied to $OUT/kernel-<variant>/.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

variant=${1:-}
case "$variant" in
on | debug-on) items=(BPF_SIGNED_LOADER=y BPF_SIGNED_LOADER_KUNIT_TEST=y) ;;
off | debug-off) items=(BPF_SIGNED_LOADER=n) ;;
*) die "usage: build.sh on|off|debug-on|debug-off" ;;
esac
fragments=("$TOP/config/vm.config")
llvm=()
if [ "${variant#debug-}" != "$variant" ]; then
	fragments+=("$TOP/config/debug.config")
	llvm=(LLVM=1)
fi

src=$(readlink -f "$OUT/linux")
[ -f "$src/Makefile" ] || die "$OUT/linux is not assembled" "run: make series-tree"
build=$(kernel_build_dir "$variant")

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
# A debug variant's first build starts from a copy of the other debug
# variant's finished tree, if there is one: an incremental build then
# rebuilds only what depends on the option.
case "$variant" in
debug-on) sibling=$(kernel_build_dir debug-off) ;;
debug-off) sibling=$(kernel_build_dir debug-on) ;;
*) sibling= ;;
esac
if [ ! -d "$build" ] && [ -n "$sibling" ] && [ -f "$sibling/vmlinux" ]; then
	msg "seeding the $variant build directory from $(basename "$sibling") (a copy, then an incremental build)"
	cp -a "$sibling" "$build.tmp"
	mv "$build.tmp" "$build"
fi
mkdir -p "$build" "$OUT/logs"
: >"$log"
export KBUILD_BUILD_USER=signed-loader KBUILD_BUILD_HOST=vm KBUILD_BUILD_TIMESTAMP=2026-01-01
make_args=(-C "$src" O="$build" -j"$JOBS" CLIPPY=1 "${llvm[@]}" ${MAKE_EXTRA:-})

msg "configuring ($variant): virtme-ng defaults + ${fragments[*]#"$TOP/"}"
(cd "$src" && in_root virtme-configkernel --defconfig "${fragments[@]/#/--custom=}" \
	"${items[@]/#/--configitem=}" O="$build" "${llvm[@]}" ${MAKE_EXTRA:-}) >>"$log" 2>&1 ||
	die "kernel configuration failed, see $log"

# A fragment option that did not stick means a missing dependency: say which.
# (A later fragment's value of an option wins, as in the configuration.)
want=$(cat "${fragments[@]}" | grep -E '^CONFIG_[A-Z0-9_]+=' | tac | awk -F= '!seen[$1]++' | tac)
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
# A debug build does not stop at warnings (config/debug.config), but one in
# a file the series touches fails it all the same, now and on every run
# until it is gone.
if [ ${#llvm[@]} -gt 0 ]; then
	# C warnings start with the file's path, Rust's name it on a "-->" line.
	touched=$(git -C "$src" diff --name-only base HEAD | sort -u)
	ours=$(sed -nE -e 's/^([^ :]+):[0-9]+:[0-9]+: warning:.*/\1/p' \
		-e 's/^ *--> ([^ :]+):[0-9]+:[0-9]+$/\1/p' "$log" |
		sed -e "s|^$src/||" | sort -u | comm -12 - <(echo "$touched") || true)
	if [ -n "$ours" ]; then
		# Touched, they are compiled (and warn) again on the next run.
		(cd "$src" && touch $ours)
		die "the $variant build warns in files of the series: $(echo $ours)" \
			"see the warnings in $log"
	fi
fi
rm -rf "$dest"
mkdir -p "$dest"
cp "$build/arch/x86/boot/bzImage" "$build/vmlinux" "$build/.config" "$dest/"
msg "kernel ($variant) built in $(($(date +%s) - start)) s: $dest"
