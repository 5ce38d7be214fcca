# Turns test_progs' output into one line per test case, "PASS|FAIL|SKIP
# test_progs NAME": a case per subtest ("#N/M test/subtest:OK"), or per test
# that has no subtests ("#N test:OK").

function verdict(state) {
	return state == "OK" ? "PASS" : state
}

# test_progs repeats the lines of failed tests in its closing error log:
# each case is printed once.
/^#[0-9]+\/[0-9]+[ \t]+[^ \t]+:(OK|FAIL|SKIP)$/ {
	n = split($2, part, ":")
	split(part[1], t, "/")
	has_sub[t[1]] = 1
	if (!seen[part[1]]++)
		print verdict(part[n]), "test_progs", part[1]
	next
}

/^#[0-9]+[ \t]+[^ \t]+:(OK|FAIL|SKIP)$/ {
	top[$2] = 1
}

END {
	for (f in top) {
		n = split(f, part, ":")
		if (!(part[1] in has_sub))
			print verdict(part[n]), "test_progs", part[1]
		else if (part[n] == "FAIL")
			# The test failed outside its subtests (its setup, say).
			print "FAIL", "test_progs", part[1] "/test-level"
	}
}
