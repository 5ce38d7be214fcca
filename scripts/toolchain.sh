#!/usr/bin/env bash
# Build (or reuse) the hermetic Debian trixie toolchain root.
# The root is cached under $CACHE/toolchain/<key>, the key being a hash of
# the package list and of this script; a root without its .complete stamp
# (an interrupted build) is thrown away and made again.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

if [ "${HOST_TOOLS:-0}" = 1 ]; then
	msg "HOST_TOOLS=1: using the host's own toolchain"
	exit 0
fi

root=$(toolchain_root)
if [ -f "$root/.complete" ]; then
	msg "toolchain root: $root (cached)"
	exit 0
fi

[ "$(id -u)" = 0 ] || die "building the toolchain root needs root (debootstrap, chroot)" \
	"run as root, or use your own tools with HOST_TOOLS=1"
if ! command -v debootstrap >/dev/null || ! command -v bwrap >/dev/null; then
	msg "installing debootstrap and bubblewrap on the host"
	{ apt-get update -qq && apt-get install -y -qq debootstrap bubblewrap; } >/dev/null ||
		die "cannot install debootstrap and bubblewrap on the host" \
			"install them with your package manager and run again"
fi

mirror=$(debian_mirror)
tmp="$root.tmp"
rm -rf "$tmp"
mkdir -p "$(dirname "$root")"
log="$CACHE/toolchain/build.log"
msg "building the trixie toolchain root in $root (log: $log)"
: >"$log"

msg "debootstrap trixie (about half a minute)"
debootstrap --variant=minbase trixie "$tmp" "$mirror" >>"$log" 2>&1 ||
	die "debootstrap failed, see $log" "check that the Debian mirror ($mirror) is reachable"

cat >"$tmp/etc/apt/sources.list" <<SRC
deb $mirror trixie main
deb $mirror trixie-updates main
deb $mirror trixie-backports main
SRC
# Keep the root small: no documentation, no recommends.
printf 'APT::Install-Recommends "false";\n' >"$tmp/etc/apt/apt.conf.d/90norecommends"

mapfile -t pkgs < <(grep -v '^#' "$TOP/scripts/toolchain.packages" | grep -v '^$')
msg "installing ${#pkgs[@]} packages (about a minute)"
chroot_run() {
	bwrap --bind "$tmp" / --dev-bind /dev /dev --proc /proc --perms 1777 --tmpfs /tmp \
		--ro-bind /etc/resolv.conf /etc/resolv.conf \
		--setenv PATH /usr/sbin:/usr/bin:/sbin:/bin --setenv DEBIAN_FRONTEND noninteractive \
		--setenv LC_ALL C.UTF-8 -- "$@"
}
chroot_run apt-get update >>"$log" 2>&1 || die "apt-get update in the root failed, see $log"
chroot_run apt-get install -y "${pkgs[@]}" >>"$log" 2>&1 ||
	die "installing the toolchain packages failed, see $log" \
		"a package may have been renamed: fix scripts/toolchain.packages"
chroot_run apt-get clean >>"$log" 2>&1

# Record what the root holds; the build log shows it.
chroot_run sh -c 'gcc --version | head -1; clang --version | head -1; rustc --version;
	bindgen --version; pahole --version; qemu-system-x86_64 --version | head -1;
	vng --version; openssl version' >"$tmp/.versions" 2>&1
cat "$tmp/.versions" >&2
touch "$tmp/.complete"
rm -rf "$root"
mv "$tmp" "$root"
msg "toolchain root ready: $root"
