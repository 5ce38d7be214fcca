#!/usr/bin/env bash
# Look for kernel splats in a kernel log (a guest's dmesg).
#   console-scan.sh LOG
# Prints every splat line with the 12 lines that follow it and exits 1 if
# there is one, 0 if the log is clean. A splat is a WARN or lockdep report
# ("WARNING:"), a BUG (KASAN's among them), an Oops, a general protection
# fault, a KASAN or UBSAN report, a hung task or RCU stall, a kmemleak leak,
# a panic, or a call trace. The pr_warn lines of the PKCS#7 and keys code on
# bad input (which the tests cause on purpose) are none of these.
set -euo pipefail

log=${1:?usage: console-scan.sh LOG}
[ -f "$log" ] || {
	echo "console-scan: no kernel log at $log" >&2
	exit 2
}
splat='WARNING:|BUG:|Oops|general protection fault|KASAN:|UBSAN:'
splat+='|INFO: task .* blocked for more than|rcu: INFO: .*detected stall'
splat+='|kmemleak: .* suspected|Kernel panic|Call Trace:'
grep -En -A 12 "$splat" "$log" || exit 0
exit 1
