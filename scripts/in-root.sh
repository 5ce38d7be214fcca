#!/usr/bin/env bash
# Run one command with the project's toolchain (inside the trixie root, or on
# the host with HOST_TOOLS=1), e.g.: scripts/in-root.sh make -C out/linux help
set -euo pipefail
. "$(dirname "$0")/lib.sh"
in_root "$@"
