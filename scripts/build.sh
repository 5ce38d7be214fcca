#!/usr/bin/env bash
# Build the kernel of $OUT/linux for one variant of the series:
#   build.sh on          CONFIG_BPF_SIGNED_LOADER=y (the Rust path)
#   build.sh off         CONFIG_BPF_SIGNED_LOADER=n (the C path)
#   build.sh debug-on    the same with config/debug.config, built with clang
#   build.sh debug-off   (LLVM=1): KASAN, kmemleak, lockdep, UBSAN (check-debug)
#   build.sh full-base   the unpatched base, the series' on and off, each with
#   build.sh full-on     the BPF selftests' own config fragments on top and
#   build.sh full-off    modules, bpf_testmod among them (check-full)
# Each variant has an out-of-tree build directory of its own (see
# kernel_build_dir), so that the variants can build at the same time (make
# -j) and a warm build rebuilds only what changed. The result is copied to
# $OUT/kernel-<variant>/ (with the modules, for full-*).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

variant=${1:-}
case "$variant" in
on | debug-on | full-on) items=(BPF_SIGNED_LOADER=y BPF_SIGNED_LOADER_KUNIT_TEST=y) ;;
off | debug-off | full-off) items=(BPF_SIGNED_LOADER=n) ;;
full-base) items=() ;;
*) die "usage: build.sh on|off|debug-on|debug-off|full-base|full-on|full-off" ;;
esac
[ -f "$(readlink -f "$OUT/linux")/Makefile" ] || die "$OUT/linux is not assembled" "run: make series-tree"
[ "$variant" != full-base ] || "$TOP/scripts/base-tree.sh" >/dev/null
src=$(kernel_src "$variant")
build=$(kernel_build_dir "$variant")

# Our fragments must take effect as written; the selftests' own are the
# upstream CI's, for several kernel versions: what this one lacks is listed
# in the log, not an error.
fragments=("$TOP/config/vm.config")
loose=()
llvm=()
modules=()
case "$variant" in
debug-*)
	fragments+=("$TOP/config/debug.config")
	llvm=(LLVM=1)
	;;
full-*)
	loose=("$src/tools/testing/selftests/bpf/config" "$src/tools/testing/selftests/bpf/config.x86_64")
	fragments+=("${loose[@]}" "$TOP/config/full.config")
	modules=(modules)
	;;
esac

# A test key in the builtin trusted keyring: IPE accepts only policies
# signed by it, and the selftests sign theirs with it. Made once, next to
# the build directory it is compiled into (a whole directory renamed into
# place, so that two builds at once agree on one pair); the guest finds it
# in $OUT/keys.
keys="$(dirname "$src")/keys"
if [ ! -f "$keys/cert.pem" ]; then
	msg "making the test key of the builtin keyring (IPE policies)"
	new_keys=$(mktemp -d "$keys.XXXXXX")
	in_root openssl req -new -x509 -newkey rsa:2048 -nodes -days 36500 -sha256 \
		-subj "/CN=bpf-signed-loader test policy key" -addext keyUsage=digitalSignature \
		-keyout "$new_keys/key.pem" -out "$new_keys/cert.pem" >/dev/null 2>&1 ||
		die "openssl could not make the test key in $new_keys"
	mv -T "$new_keys" "$keys" 2>/dev/null || rm -rf "$new_keys"
fi
mkdir -p "$OUT/keys"
cp "$keys/key.pem" "$keys/cert.pem" "$OUT/keys/"
items+=("SYSTEM_TRUSTED_KEYS=\"$keys/cert.pem\"")
dest="$OUT/kernel-$variant"
log="$OUT/logs/build-$variant.log"
# A variant's first build starts from a copy of a sibling's finished tree,
# if there is one: an incremental build then rebuilds only what depends on
# the option (or, from full-base, on what the series changed).
siblings=()
case "$variant" in
on) siblings=(off) ;;
off) siblings=(on) ;;
debug-on) siblings=(debug-off) ;;
debug-off) siblings=(debug-on) ;;
full-on) siblings=(full-off full-base) ;;
full-off) siblings=(full-on full-base) ;;
esac
# The build directory on and off shared before they had their own becomes
# the one of the option it was last built with.
shared=$(dirname "$build")/build
if [ -f "$shared/.config" ] && [[ "$variant" == o[nf]* ]]; then
	was=on
	! grep -qx '# CONFIG_BPF_SIGNED_LOADER is not set' "$shared/.config" || was=off
	[ -d "$(kernel_build_dir "$was")" ] || mv -T "$shared" "$(kernel_build_dir "$was")" 2>/dev/null || true
fi
# A build holds the lock of its directory until it ends; a copy of it waits
# for the lock, so that it never copies a build in progress.
mkdir -p "$(dirname "$build")"
exec 9>"$build.lock"
flock 9
for sib in "${siblings[@]}"; do
	sibling=$(kernel_build_dir "$sib")
	[ ! -d "$build" ] && [ -f "$sibling/vmlinux" ] || continue
	msg "seeding the $variant build directory from $(basename "$sibling") (a copy, then an incremental build)"
	rm -rf "$build.tmp"
	flock "$sibling.lock" cp -a "$sibling" "$build.tmp"
	if [ "$(kernel_src "$sib")" != "$src" ]; then
		# From the other source tree: every target whose recorded
		# dependencies (kbuild's .cmd files, with paths relative to the
		# build directory) name a file the series changed is removed, so
		# that make builds it again from this tree; so is every target
		# that names the other tree by its absolute path (host tools and
		# Rust's proc macros are built so).
		{
			git -C "$src" diff --name-only base HEAD | sed 's|^|../|'
			echo "$(kernel_src "$sib")/"
		} >"$build.changed"
		{ grep -rlF --include='.*.cmd' -f "$build.changed" "$build.tmp" || true; } |
			while read -r cmd; do
				name=$(basename "$cmd" .cmd)
				rm -f "$(dirname "$cmd")/${name#.}" "$cmd"
			done
		rm -f "$build.changed"
	fi
	mv "$build.tmp" "$build"
done
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
# Each option is checked against the fragment whose value wins; full-base
# skips those the base does not declare (the series' own).
want=$(for f in "${fragments[@]}"; do
	loose_f=0
	[[ " ${loose[*]} " != *" $f "* ]] || loose_f=1
	grep -E '^CONFIG_[A-Z0-9_]+=' "$f" | sed "s/^/$loose_f /"
done | tac | awk '{ split($2, kv, "="); if (!seen[kv[1]]++) print }' | tac)
[ ${#items[@]} -eq 0 ] || want+=$'\n'$(printf '0 CONFIG_%s\n' "${items[@]}")
missing=() loose_missing=()
while read -r loose_f opt; do
	name=${opt%%=*} val=${opt#*=}
	if [ "$val" = n ]; then
		! grep -q "^$name=" "$build/.config" && continue
	else
		grep -qx "$name=$val" "$build/.config" && continue
	fi
	if [ "$loose_f" = 1 ]; then
		loose_missing+=("$opt")
	elif [ "$variant" = full-base ] &&
		! grep -rqsE "^[[:space:]]*(menu)?config ${name#CONFIG_}\$" --include='Kconfig*' "$src"; then
		continue
	else
		missing+=("$opt")
	fi
done <<<"$want"
if [ ${#loose_missing[@]} -gt 0 ]; then
	printf 'selftests config options this kernel does not take: %s\n' "${loose_missing[*]}" >>"$log"
	msg "${#loose_missing[@]} option(s) of the selftests' fragments do not apply to this kernel (listed in $log)"
fi
if [ ${#missing[@]} -gt 0 ]; then
	in_root make "${make_args[@]}" rustavailable >>"$log" 2>&1 || true
	die "config options did not stick: ${missing[*]} (see $log)" \
		"check their dependencies with 'make menuconfig' in $build; for Rust see 'make rustavailable' in the log"
fi

msg "building the kernel ($variant), log: $log"
start=$(date +%s)
in_root make "${make_args[@]}" bzImage "${modules[@]}" >>"$log" 2>&1 &
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
# A debug or full build does not stop at warnings (config/debug.config,
# config/full.config), but one in a file the series touches fails it all
# the same, now and on every run until it is gone.
case "$variant" in on | off | full-base) ;; *)
	# C warnings start with the file's path, Rust's name it on a "-->" line.
	touched=$(git -C "$src" diff --name-only base HEAD | sort -u)
	ours=$(sed -nE -e 's/^([^ :]+):[0-9]+:[0-9]+: warning:.*/\1/p' \
		-e 's/^ *--> ([^ :]+):[0-9]+:[0-9]+$/\1/p' "$log" |
		sed -e "s|^$src/||" -e 's|^\.\./||' | sort -u | comm -12 - <(echo "$touched") || true)
	if [ -n "$ours" ]; then
		# Touched, they are compiled (and warn) again on the next run.
		(cd "$src" && touch $ours)
		die "the $variant build warns in files of the series: $(echo $ours)" \
			"see the warnings in $log"
	fi
	;;
esac
rm -rf "$dest"
mkdir -p "$dest"
cp "$build/arch/x86/boot/bzImage" "$build/vmlinux" "$build/.config" "$dest/"
if [ ${#modules[@]} -gt 0 ]; then
	# The kernel's modules, and the selftests' test modules (bpf_testmod and
	# its siblings) of the base, built against this kernel.
	in_root make "${make_args[@]}" modules_install INSTALL_MOD_PATH="$dest/mods" \
		INSTALL_MOD_STRIP=1 >>"$log" 2>&1 || die "installing the modules ($variant) failed, see $log"
	kmods=$build/selftests-kmods
	rm -rf "$kmods"
	cp -r "$(kernel_src full-base)/tools/testing/selftests/bpf/test_kmods" "$kmods"
	in_root make "${make_args[@]}" M="$kmods" modules >>"$log" 2>&1 ||
		die "building the selftests' test modules ($variant) failed, see $log"
	mkdir -p "$dest/kmods"
	cp "$kmods"/*.ko "$dest/kmods/"
fi
msg "kernel ($variant) built in $(($(date +%s) - start)) s: $dest"
