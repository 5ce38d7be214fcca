#!/usr/bin/env bash
# The report of make check-full, as markdown on stdout: what ran where and
# for how long, the cases flaky on the unpatched kernel, the cases that fail
# on it in every run (with the first error line of each), and the verdict
# on each difference between a patched kernel and the unpatched one.
#   full-report.sh FULL-DIR RESULTS TESTS SHARDS SHARD-TIMEOUT COMPARED
# COMPARED names the shards compared (a partial run compares fewer).
set -euo pipefail
usage="usage: full-report.sh FULL-DIR RESULTS TESTS SHARDS SHARD-TIMEOUT COMPARED"
full=${1:?$usage} res=${2:?$usage} ntests=${3:?$usage} shards=${4:?$usage} cap=${5:?$usage}
compared=${6:?$usage}

# The cases of a run's results ("VERDICT<tab>CASE") of verdict $1 whose
# name starts with $2.
count() { grep -c "^$1"$'\t'"$2" "$3" || true; }

echo "# make check-full"
echo
echo "The base's test_progs ($ntests tests, in $shards shards) and test_verifier, on the"
echo "unpatched kernel (runs base1 and base2), the series with the Rust path (on) and"
echo "with the C path (off); each shard in a VM of its own, capped at $cap s."
echo "Compared: $compared."
echo
echo "| run | test_progs pass / fail / skip | test_verifier pass / fail / skip | shards ended | VM time |"
echo "|---|---|---|---|---|"
for run in base1 base2 on off; do
	r=$full/$run.results
	[ -f "$r" ] || continue
	ended=$(count PASS ended/ "$r")
	total=$(grep -c $'\tended/' "$r" || true)
	secs=$(for c in $compared; do cat "$full/$run/$c/seconds" 2>/dev/null || true; done |
		awk '{ s += $1 } END { print s + 0 }')
	printf '| %s | %s / %s / %s | %s / %s / %s | %s of %s | %d min |\n' "$run" \
		"$(count PASS test_progs/ "$r")" "$(count FAIL test_progs/ "$r")" "$(count SKIP test_progs/ "$r")" \
		"$(count PASS test_verifier/ "$r")" "$(count FAIL test_verifier/ "$r")" "$(count SKIP test_verifier/ "$r")" \
		"$ended" "$total" $((secs / 60))
done
echo

# check-full.sh marks a case flaky (SKIP) when the unpatched kernel gave it
# two different results: in base1, base2 or a rerun of a difference.
flaky=$full/flaky
sed -n 's/^SKIP \[[a-z]*\] full \(.*\) (flaky on the unpatched kernel: \(.*\))$/\1\t\2/p' "$res" |
	sort -u -t $'\t' -k1,1 >"$flaky"
echo "## Flaky on the unpatched kernel (different results in its runs: base1, base2, reruns)"
echo
if [ -s "$flaky" ]; then
	sed 's/^\([^\t]*\)\t\(.*\)/- `\1`: \2/' "$flaky"
else
	echo "None."
fi
echo

# The first line of a failed test's own log that looks like the error: the
# lines test_progs printed since the previous result line.
echo "## Failing on the unpatched kernel in every run"
echo
for d in "$full"/base1/*/; do
	[ -f "$d/console" ] || continue
	for f in "$d"/log.[0-9]* "$d/log"; do [ ! -f "$f" ] || cat "$f"; done | awk '
		/^#[0-9]+(\/[0-9]+)?[ \t]/ && match($0, /:(OK|FAIL|SKIP)( \(SKIP: [0-9]+\/[0-9]+\))?$/) {
			name = substr($0, 1, RSTART - 1)
			state = substr($0, RSTART + 1)
			sub(/ .*/, "", state)
			sub(/^#[0-9]+(\/[0-9]+)?[ \t]+/, "", name)
			if (state == "FAIL" && !(name in why))
				why[name] = first
			first = ""
			next
		}
		first == "" && /FAIL|[Ff]ail|[Ee]rror|ERROR|[Cc]annot|No such|not found|unexpected/ {
			first = $0
			gsub(/`/, "\x27", first)
			if (length(first) > 160)
				first = substr(first, 1, 160) "..."
		}
		END { for (t in why) print "test_progs/" t "\t" why[t] }'
done | sort -u >"$full/why"
awk -F'\t' '$1 != "flaky" && $3 == "FAIL" { print $2 }' "$full/on.compare" 2>/dev/null | sort -u |
	{ grep -vxF -f <(cut -f1 "$flaky") || true; } |
	while read -r c; do
		w=$(awk -F'\t' -v c="$c" '$1 == c { print $2; exit }' "$full/why")
		echo "- \`$c\`${w:+: \`$w\`}"
	done
echo

echo "## Tests in which a guest died or hung (each counts as failed; the shard went on after it)"
echo
found=0
for run in base1 base2 on off retry-on retry-on-base retry-off retry-off-base; do
	for c in $compared tests; do
		[ -f "$full/$run/$c/died" ] || continue
		sed "s/^\([^\t]*\)\t\(.*\)/- $run, $c: \`\1\`: \2/" "$full/$run/$c/died"
		found=1
	done
done
[ "$found" = 1 ] || echo "None."
echo

echo "## Differences from the unpatched kernel"
echo
if grep -qE '^FAIL|^PASS .*\(differed once' "$res"; then
	grep -E '^FAIL|^PASS .*\(differed once' "$res" | sed 's/^/- /'
else
	echo "None."
fi
