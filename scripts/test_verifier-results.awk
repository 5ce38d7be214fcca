# Turns test_verifier's output into one line per test case, "PASS|FAIL|SKIP
# test_verifier/N/u|p DESCRIPTION": each "#N/u descr VERDICT" line, where the
# verdict is OK (a note may follow), SKIP (a reason may follow) or FAIL (a
# reason may follow, on that line or the next ones).

/^#[0-9]+\/[up] / {
	id = $1
	sub(/^#/, "", id)
	rest = substr($0, length($1) + 2)
	if (match(rest, / OK( \(NOTE[^)]*\))?$/))
		v = "PASS"
	else if (match(rest, / SKIP( \([^)]*\))?$/))
		v = "SKIP"
	else if (match(rest, / FAIL/))
		v = "FAIL"
	else
		next
	print v, "test_verifier/" id, substr(rest, 1, RSTART - 1)
}
