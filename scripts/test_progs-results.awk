# Turns test_progs' output into one line per test case, "PASS|FAIL|SKIP
# test_progs NAME": a case per subtest ("#N/M test/subtest:OK", where the
# subtest's name may hold spaces), or per test that has no subtests
# ("#N test:OK", which may end in " (SKIP: k/n)").

function verdict(state) {
	return state == "OK" ? "PASS" : state
}

# test_progs repeats the lines of failed tests in its closing error log:
# each case is printed once.
/^#[0-9]+\/[0-9]+[ \t]/ && match($0, /:(OK|FAIL|SKIP)$/) {
	name = substr($0, 1, RSTART - 1)
	state = substr($0, RSTART + 1)
	sub(/^#[0-9]+\/[0-9]+[ \t]+/, "", name)
	split(name, t, "/")
	has_sub[t[1]] = 1
	if (!seen[name]++)
		print verdict(state), "test_progs", name
	next
}

/^#[0-9]+[ \t]/ && match($0, /:(OK|FAIL|SKIP)( \(SKIP: [0-9]+\/[0-9]+\))?$/) {
	name = substr($0, 1, RSTART - 1)
	state = substr($0, RSTART + 1)
	sub(/ .*/, "", state)
	sub(/^#[0-9]+[ \t]+/, "", name)
	top[name] = state
}

END {
	for (f in top) {
		if (!(f in has_sub))
			print verdict(top[f]), "test_progs", f
		else if (top[f] == "FAIL")
			# The test failed outside its subtests (its setup, say).
			print "FAIL", "test_progs", f "/test-level"
	}
}
