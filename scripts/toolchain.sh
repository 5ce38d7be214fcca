#!/usr/bin/env bash
# Build (or reuse) the hermetic Debian trixie toolchain root.
# The root is cached under $CACHE/toolchain/<key>, the key being a hash of
# the package list and of the format below; a root without its .complete
# stamp (an interrupted build) is thrown away and made again.
#
# mmdebstrap builds it (the package set of debootstrap's minbase, then the
# packages of toolchain.packages) and streams it as a tarball into the
# cache. An ordinary user needs no privilege: mmdebstrap works in a user
# namespace (--mode=unshare), and the files come out owned by that user.
# Root builds the same root in --mode=root. Nothing on the host changes,
# except that root installs what the host lacks (mmdebstrap, bubblewrap),
# which an ordinary user is told to install.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

if [ "${HOST_TOOLS:-0}" = 1 ]; then
	msg "HOST_TOOLS=1: using the host's own toolchain"
	exit 0
fi

# An ordinary user runs every tool in a user namespace (in_root): without
# them nothing works, cached root or not.
userns_hint="as root: sysctl -w kernel.unprivileged_userns_clone=1 (Debian); on Ubuntu 24.04 and later: sysctl -w kernel.apparmor_restrict_unprivileged_userns=0"
if [ "$(id -u)" != 0 ] && command -v bwrap >/dev/null &&
	! bwrap --unshare-user --uid 0 --gid 0 --ro-bind / / true 2>/dev/null; then
	die "this host does not let an ordinary user create user namespaces" "$userns_hint"
fi

root=$(toolchain_root)
if [ -f "$root/.complete" ]; then
	msg "toolchain root: $root (cached)"
	exit 0
fi

user=$(id -un)
need=()
command -v mmdebstrap >/dev/null || need+=(mmdebstrap)
command -v bwrap >/dev/null || need+=(bubblewrap)
if [ "$(id -u)" = 0 ]; then
	mode=root
	if [ ${#need[@]} -gt 0 ]; then
		msg "installing ${need[*]} on the host"
		{ apt-get update -qq && apt-get install -y -qq "${need[@]}"; } >/dev/null ||
			die "cannot install ${need[*]} on the host" \
				"install them with your package manager and run again"
	fi
else
	mode=unshare
	command -v newuidmap >/dev/null || need+=(uidmap)
	[ ${#need[@]} -eq 0 ] || die "building the toolchain root needs ${need[*]} on the host" \
		"install them (as root: apt-get install ${need[*]}) and run again"
	if ! grep -qE "^($user|$(id -u)):" /etc/subuid 2>/dev/null; then
		# A range of 65536 ids after every range given so far.
		first=$(awk -F: '$2 + $3 > m { m = $2 + $3 } END { print (m < 100000 ? 100000 : m) }' \
			/etc/subuid /etc/subgid 2>/dev/null)
		range=$first-$((first + 65535))
		die "user $user has no subordinate user ids (/etc/subuid): mmdebstrap needs them" \
			"as root: usermod --add-subuids $range --add-subgids $range $user"
	fi
fi

mirror=$(debian_mirror)
tmp="$root.tmp"
[ ! -d "$tmp" ] || chmod -R u+w "$tmp"
rm -rf "$tmp"
mkdir -p "$tmp"
log="$CACHE/toolchain/build.log"
mapfile -t pkgs < <(grep -v '^#' "$TOP/scripts/toolchain.packages" | grep -v '^$')
msg "building the trixie toolchain root in $root (mmdebstrap --mode=$mode, ${#pkgs[@]} packages, about 3 minutes; log: $log)"
# The tarball carries no device nodes (the root's /dev is the host's, bound
# by bubblewrap); an ordinary user's tar makes every file its own.
rc=0
mmdebstrap --mode="$mode" --variant=minbase --include="$(
	IFS=,
	echo "${pkgs[*]}"
)" \
	--aptopt='APT::Install-Recommends "false"' --skip=output/dev --skip=cleanup/apt/lists \
	trixie - "deb $mirror trixie main" "deb $mirror trixie-updates main" \
	"deb $mirror trixie-backports main" 2>"$log" | tar -x -C "$tmp" || rc=$?
[ "$rc" = 0 ] || die "mmdebstrap failed (exit $rc), see $log" \
	"check that the Debian mirror ($mirror) is reachable; a renamed package: fix scripts/toolchain.packages"

# Record what the root holds; the build log shows it.
in_root_at "$tmp" sh -c 'gcc --version | head -1; clang --version | head -1; rustc --version;
	bindgen --version; pahole --version; qemu-system-x86_64 --version | head -1;
	vng --version; openssl version' >"$tmp/.versions" 2>&1
cat "$tmp/.versions" >&2
touch "$tmp/.complete"
[ ! -d "$root" ] || chmod -R u+w "$root"
rm -rf "$root"
mv "$tmp" "$root"
msg "toolchain root ready: $root"
