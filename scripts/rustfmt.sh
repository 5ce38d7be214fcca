#!/usr/bin/env bash
# rustfmt the series' own Rust files (the overlay) with the kernel's
# .rustfmt.toml. "rustfmt.sh --check" only checks.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# The overlay files of patches/series (its indented lines): no git needed,
# so a copy of the repository that is no clone checks them too.
mapfile -t files < <(sed -n 's/^[[:space:]]\+\([^[:space:]]*\.rs\)$/\1/p' "$TOP/patches/series")
[ ${#files[@]} -gt 0 ] || die "rustfmt: patches/series names no Rust file" \
	"the series adds Rust files: check patches/series"
cfg=$(readlink -f "$OUT/linux")/.rustfmt.toml
(cd "$TOP" && in_root rustfmt --edition 2021 --config-path "$cfg" "$@" "${files[@]}") ||
	die "rustfmt found unformatted code (above)" "run: scripts/rustfmt.sh"
msg "rustfmt: ${#files[@]} files ${1:+checked, }clean"
