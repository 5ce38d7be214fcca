#!/usr/bin/env bash
# Fetch the base kernel from Debian's linux-source-7.3 binary package and
# keep it as a git repository with one commit, tagged "base", in the cache:
#   $CACHE/base/<version>/linux.git
# The pinned version is checked against its SHA-256. If it has left the
# mirror, the newest 7.3.y there is taken instead, loudly.
# Prints the path of the base repository on stdout.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

version=$BASE_VERSION
# apt in the root keeps its downloads as root: in an ordinary user's
# namespace there is no _apt user to hand them to.
apt=(-o APT::Sandbox::User=root)
if ! in_root apt-cache show "$BASE_PKG=$version" >/dev/null 2>&1; then
	in_root apt-get "${apt[@]}" update -qq >/dev/null 2>&1 || true
fi
if ! in_root apt-cache show "$BASE_PKG=$version" >/dev/null 2>&1; then
	newest=$(in_root apt-cache madison "$BASE_PKG" | awk '{print $3}' | sort -V | tail -n1)
	[ -n "$newest" ] || die "no $BASE_PKG package on the mirror" \
		"set MIRROR= to a Debian mirror that carries trixie-backports"
	warn "****************************************************************"
	warn "pinned base $BASE_PKG $version has left the mirror;"
	warn "using the newest one there instead: $newest"
	warn "the series is applied with a 3-way merge; update BASE_VERSION"
	warn "and BASE_SHA256 in scripts/lib.sh once it is checked."
	warn "****************************************************************"
	notice "BASE: the pinned $BASE_PKG $version has left the mirror: this run used $newest, the series applied with a 3-way merge where it must"
	version=$newest
	BASE_SHA256=$(in_root apt-cache show "$BASE_PKG=$version" | sed -n 's/^SHA256: //p' | head -n1)
fi

dir="$CACHE/base/$version"
repo="$dir/linux.git"
if [ -f "$repo/.complete" ]; then
	msg "base: $BASE_PKG $version (cached)"
	echo "$repo"
	exit 0
fi

mkdir -p "$dir"
deb="$dir/${BASE_PKG}_${version}_all.deb"
if [ ! -f "$deb" ] || ! echo "$BASE_SHA256  $deb" | sha256sum -c --quiet 2>/dev/null; then
	msg "downloading $BASE_PKG $version (about 160 MiB)"
	rm -f "$deb"
	(cd "$dir" && in_root apt-get "${apt[@]}" download -q "$BASE_PKG=$version" >&2) ||
		die "downloading $BASE_PKG $version failed" "check the mirror, or set MIRROR="
	mv "$dir"/"${BASE_PKG}"_*"$(echo "$version" | sed 's/:/%3a/')"_all.deb "$deb" 2>/dev/null || true
fi
echo "$BASE_SHA256  $deb" | sha256sum -c --quiet ||
	die "$deb does not match its SHA-256 ($BASE_SHA256)" \
		"remove $dir and run again; if it fails again the package changed on the mirror"

msg "unpacking the kernel source tarball"
rm -rf "$repo" "$dir/src"
mkdir -p "$dir/src"
in_root dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$dir/src" --wildcards './usr/src/linux-source-*.tar.xz'
tarball=$(ls "$dir"/src/usr/src/linux-source-*.tar.xz)
mkdir -p "$dir/src/tree"
in_root tar -xf "$tarball" -C "$dir/src/tree" --strip-components=1

msg "committing the pristine base"
git init -q --bare "$repo"
# The tarball's .gitignore ignores the whole tree (a Debian packaging block), so force-add.
git --git-dir="$repo" --work-tree="$dir/src/tree" add -f -A .
tree=$(git --git-dir="$repo" write-tree)
commit=$(GIT_AUTHOR_DATE='2026-01-01T00:00:00Z' GIT_COMMITTER_DATE='2026-01-01T00:00:00Z' \
	GIT_AUTHOR_NAME=Debian GIT_AUTHOR_EMAIL=debian-kernel@lists.debian.org \
	GIT_COMMITTER_NAME=Debian GIT_COMMITTER_EMAIL=debian-kernel@lists.debian.org \
	git --git-dir="$repo" commit-tree "$tree" -m "Linux $version ($BASE_PKG)")
git --git-dir="$repo" tag base "$commit"
rm -f "$repo/index"
rm -rf "$dir/src"
echo "$version" >"$repo/.complete"
msg "base: $BASE_PKG $version at $commit"
echo "$repo"
