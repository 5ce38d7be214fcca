# shellcheck shell=bash
# Common settings and helpers for the project's scripts. Source it; do not run it.

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=${OUT:-$TOP/out}
# State reused across clones lives here, each piece keyed by what it was made from.
CACHE=${CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/bpf-signed-loader}
JOBS=${JOBS:-$(($(nproc) + 1))}

# The pinned base: Debian's linux-source-7.3 binary package.
BASE_PKG=linux-source-7.3
BASE_VERSION=7.3.4-1~bpo13+1
BASE_SHA256=703e369ddd4cce971452f5a593ee55df3a5c10c83caf0fa0df039633ed181ee3

msg() { printf '==> %s\n' "$*" >&2; }
# msg with the seconds since the script that sourced this file began: the
# progress lines of the check targets.
lib_start=$(date +%s)
step() { msg "[$(($(date +%s) - lib_start))s] $*"; }
warn() { printf '!!! %s\n' "$*" >&2; }
# A decision the reader of a run must not miss (another base than the
# pinned one, a 3-way apply, a cached KVM decision): said when it is taken,
# and again in the run's closing lines (notices_show). One make command is
# one run (the Makefile sets RUN_ID); a script run by itself is its own.
RUN_ID=${RUN_ID:-$$}
export RUN_ID
notice() {
	msg "$*"
	mkdir -p "$OUT/logs"
	grep -qxF -- "$*" "$OUT/logs/notices-$RUN_ID" 2>/dev/null ||
		printf '%s\n' "$*" >>"$OUT/logs/notices-$RUN_ID"
}
notices_show() {
	local f=$OUT/logs/notices-$RUN_ID
	[ -s "$f" ] || return 0
	msg "said earlier in this run:"
	sed 's/^/    /' "$f" >&2
	rm -f "$f"
}
die() {
	printf 'error: %s\n' "$1" >&2
	[ $# -lt 2 ] || printf 'what to do: %s\n' "$2" >&2
	exit 1
}

# The Debian mirror the host's apt already uses (MIRROR= overrides it).
debian_mirror() {
	if [ -n "${MIRROR:-}" ]; then
		echo "$MIRROR"
		return
	fi
	local uri
	uri=$(sed -n 's/^URIs:[[:space:]]*\([^[:space:]]*\/debian\/\?\)$/\1/p' \
		/etc/apt/sources.list.d/*.sources 2>/dev/null | head -n1)
	[ -n "$uri" ] || uri=$(awk '$1 == "deb" && $2 ~ /\/debian\/?$/ { print $2; exit }' \
		/etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null)
	[ -n "$uri" ] || die "cannot find a Debian mirror in the host's apt sources" \
		"set MIRROR=<url of a Debian archive> and run again"
	echo "${uri%/}"
}

# The identity of the build tools (compilers, bindgen, pahole) the kernel is
# built with: the work tree and its build directory are keyed by it, so a new
# compiler gets a fresh build while other package changes keep the cache.
build_tools_key() {
	in_root sh -c 'for t in gcc clang rustc bindgen pahole; do command -v $t; $t --version 2>&1 | head -n1; done' |
		sha256sum | cut -c1-16
}

# Toolchain root: the hermetic trixie root, or / with HOST_TOOLS=1.
# Bump TOOLCHAIN_FORMAT when toolchain.sh changes what goes into the root.
TOOLCHAIN_FORMAT=1
toolchain_key() {
	{ echo "$TOOLCHAIN_FORMAT"; cat "$TOP/scripts/toolchain.packages"; } | sha256sum | cut -c1-16
}

toolchain_root() {
	if [ "${HOST_TOOLS:-0}" = 1 ]; then
		echo /
	else
		echo "$CACHE/toolchain/$(toolchain_key)"
	fi
}

# The kernel build directory of variant $1, each its own: next to the work
# tree, or for the check-full variants inside their source tree
# (kernel_src): kbuild then names sources by relative paths, so a copy of
# one tree's build directory can seed another's.
kernel_build_dir() {
	case "${1:-on}" in
	full-*) echo "$(kernel_src "$1")/build-$1" ;;
	*) echo "$(dirname "$(readlink -f "$OUT/linux")")/build-${1:-on}" ;;
	esac
}

# The source tree of variant $1: the series' work tree, or for full-base
# the pristine base next to it (scripts/base-tree.sh makes it).
kernel_src() {
	local tree
	tree=$(readlink -f "$OUT/linux")
	case "${1:-on}" in
	full-base) echo "$(dirname "$tree")/linux-base" ;;
	*) echo "$tree" ;;
	esac
}

# The closing line of a test run over result files of "PASS|FAIL|SKIP ..."
# lines: prints the FAIL lines (to stderr), then "N passed, N failed, N
# skipped" after the run's notices; true if something passed and nothing
# failed.
summarize() {
	local passed failed skipped
	passed=$(cat "$@" | grep -c '^PASS' || true)
	failed=$(cat "$@" | grep -c '^FAIL' || true)
	skipped=$(cat "$@" | grep -c '^SKIP' || true)
	cat "$@" | grep '^FAIL' >&2 || true
	notices_show
	echo "$passed passed, $failed failed, $skipped skipped"
	[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
}

# Run a command with the toolchain: inside the trixie root (bubblewrap), with
# the repository, out/ and the cache visible at their own paths.
in_root() {
	local root
	root=$(toolchain_root)
	if [ "$root" = / ]; then
		"$@"
		return
	fi
	[ -f "$root/.complete" ] || die "toolchain root $root is missing or incomplete" "run: make toolchain"
	in_root_at "$root" "$@"
}

# in_root in the root at $1. An ordinary user is root in a user namespace
# of its own there (and the root's files are its own): the tools see the
# uid they would see in a chroot, and nothing outside changes owner.
in_root_at() {
	local root=$1
	shift
	command -v bwrap >/dev/null || die "bubblewrap (bwrap) is not installed" \
		"install it (as root: apt-get install bubblewrap) and run again"
	mkdir -p "$OUT" "$CACHE"
	local binds=(--bind "$TOP" "$TOP" --bind "$CACHE" "$CACHE") ns=()
	# out/ may be a symlink or live elsewhere (OUT=).
	case "$OUT" in "$TOP"/*) ;; *) binds+=(--bind "$OUT" "$OUT") ;; esac
	[ "$(id -u)" = 0 ] || ns=(--unshare-user --uid 0 --gid 0 --unshare-pid)
	bwrap "${ns[@]}" --die-with-parent --bind "$root" / --dev-bind /dev /dev --proc /proc \
		--bind /sys /sys --perms 1777 --tmpfs /tmp --ro-bind /etc/resolv.conf /etc/resolv.conf \
		"${binds[@]}" --setenv PATH /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		--setenv HOME /root --setenv LC_ALL C.UTF-8 \
		--chdir "$PWD" -- "$@"
}

# The signed-load benchmark (bench/signed_load_bench.c), built into directory $1.
bench_build() {
	in_root cc -O2 -Wall -Werror -I"$(readlink -f "$OUT/linux")/tools/include/uapi" \
		"$TOP/bench/signed_load_bench.c" -lcrypto -o "$1/signed_load_bench" ||
		die "building the benchmark failed"
}

# A self-signed signing certificate and key for the benchmark, of algorithm
# $2 (rsa2048, ecdsa-p256 or mldsa65), as $1/$2.pem and $1/$2.der.
bench_key() {
	local dir=$1 alg=$2 spec
	case "$alg" in
	rsa2048) spec=(rsa:2048) ;;
	ecdsa-p256) spec=(ec -pkeyopt ec_paramgen_curve:P-256) ;;
	mldsa65) spec=(ML-DSA-65) ;;
	*) die "no key algorithm $alg for the benchmark" ;;
	esac
	in_root openssl req -new -x509 -nodes -days 1 -batch -newkey "${spec[@]}" \
		-subj "/CN=signed loader bench $alg" -addext "keyUsage=digitalSignature" \
		-addext "basicConstraints=critical,CA:FALSE" \
		-keyout "$dir/$alg.pem" -outform DER -out "$dir/$alg.der" >/dev/null 2>&1 ||
		die "openssl cannot make a $alg key"
}
