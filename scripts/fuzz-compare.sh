#!/usr/bin/env bash
# Compare the fuzz runs of the Rust and the C kernel case by case.
#   fuzz-compare.sh ON-CASES OFF-CASES
# Each file holds the "case I SET MUTATION errno=E log=LINE" lines of
# signed_load_fuzz on one kernel, from one corpus and one seed. Every case
# must give the same errno and the same last verifier-log line on both.
# Prints one case, "PASS|FAIL fuzz rust-and-c-agree (...)", and on a
# difference the first ones on stderr.
set -euo pipefail

on=${1:?usage: fuzz-compare.sh ON-CASES OFF-CASES} off=${2:?usage: fuzz-compare.sh ON-CASES OFF-CASES}
name="fuzz rust-and-c-agree"
for f in "$on" "$off"; do
	if [ ! -s "$f" ]; then
		echo "FAIL $name (no fuzz cases in $f)"
		exit 0
	fi
done
cases() { grep -E '^(VIOLATION |GENUINE-REFUSED |accepted-variant )?case ' "$1"; }
n_on=$(cases "$on" | wc -l) n_off=$(cases "$off" | wc -l)
if [ "$n_on" != "$n_off" ] || [ "$n_on" = 0 ]; then
	echo "FAIL $name ($n_on cases on the Rust kernel, $n_off on the C kernel)"
	exit 0
fi
differ=$(diff <(cases "$on") <(cases "$off") | grep -c '^<' || true)
if [ "$differ" != 0 ]; then
	diff <(cases "$on") <(cases "$off") | head -n 20 >&2
	echo "FAIL $name ($differ of $n_on cases differ; the first above: < Rust, > C)"
	exit 0
fi
variants=$(cases "$on" | grep -c '^accepted-variant' || true)
echo "PASS $name ($n_on cases alike, $variants accepted variants on both)"
