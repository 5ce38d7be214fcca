#!/usr/bin/env bash
# Hold the results of make check to the expected cases of tests/expected.txt.
#   check-manifest.sh RESULTS [MANIFEST]
# RESULTS has one "PASS|FAIL|SKIP <case> [(why)]" line per case run. Rewrites it in
# place: a case the manifest expects but that did not run, and a case that
# ran but is not in the manifest, become FAIL lines naming the case; a SKIP
# stays a SKIP only where the manifest gives the case a reason to skip
# ("<case> | skip: <reason>"), otherwise it fails. Exits non-zero if the
# manifest itself is malformed.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

results=${1:?usage: check-manifest.sh RESULTS [MANIFEST]}
manifest=${2:-$TOP/tests/expected.txt}
[ -f "$manifest" ] || die "no test manifest at $manifest"

tmp=$(mktemp)
awk -v manifest="$manifest" '
	function trim(s) { sub(/^[ \t]+/, "", s); sub(/[ \t]+$/, "", s); return s }
	BEGIN {
		while ((getline line < manifest) > 0) {
			if (line ~ /^[ \t]*(#|$)/)
				continue
			n = split(line, part, "|")
			name = trim(part[1])
			if (name in expected) {
				print "error: " manifest ": " name " is listed twice" > "/dev/stderr"
				exit 2
			}
			expected[name] = 1
			if (n > 1) {
				reason = trim(part[2])
				if (reason !~ /^skip: ./) {
					print "error: " manifest ": " name ": after | only \"skip: <reason>\"" > "/dev/stderr"
					exit 2
				}
				skip_ok[name] = substr(reason, 7)
			}
		}
	}
	{
		# "VERDICT CASE" or "VERDICT CASE (why)": the case is what precedes
		# the parenthesis.
		verdict = $1
		name = $0
		sub(/^[A-Z]+ /, "", name)
		sub(/ \(.*\)$/, "", name)
		seen[name] = 1
		if (!(name in expected))
			print "FAIL " name " (ran, but is not in tests/expected.txt: add it there)"
		else if (verdict == "SKIP" && !(name in skip_ok))
			print "FAIL " name " (skipped, and tests/expected.txt gives no reason to)"
		else if (verdict == "SKIP")
			print "SKIP " name " (" skip_ok[name] ")"
		else
			print
	}
	END {
		for (name in expected)
			if (!(name in seen))
				print "FAIL " name " (expected by tests/expected.txt, did not run)"
	}
' "$results" >"$tmp" || {
	rm -f "$tmp"
	exit 1
}
mv "$tmp" "$results"
