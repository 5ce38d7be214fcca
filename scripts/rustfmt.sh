#!/usr/bin/env bash
# rustfmt the series' own Rust files (the overlay) with the kernel's
# .rustfmt.toml. "rustfmt.sh --check" only checks.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

mapfile -t files < <(cd "$TOP" && git ls-files -- 'kernel/*.rs' 'rust/*.rs' 'drivers/*.rs')
if [ ${#files[@]} -eq 0 ]; then
	msg "rustfmt: no Rust files in the series yet"
	exit 0
fi
cfg=$(readlink -f "$OUT/linux")/.rustfmt.toml
(cd "$TOP" && in_root rustfmt --edition 2021 --config-path "$cfg" "$@" "${files[@]}") ||
	die "rustfmt found unformatted code (above)" "run: scripts/rustfmt.sh"
msg "rustfmt: ${#files[@]} files ${1:+checked, }clean"
