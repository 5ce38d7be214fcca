#!/usr/bin/env bash
# The encodings a fuzz run's kernel accepted although they differ from the
# genuine signature (signed_load_fuzz's "accepted-variant" lines), by kind
# and by the PKCS#7 field the mutation touched, as a Markdown table.
#   fuzz-findings.sh CASES
set -euo pipefail
cases=${1:?usage: fuzz-findings.sh CASES}

echo "| accepted variant | where | loads (sets) |"
echo "| --- | --- | --- |"
grep '^accepted-variant ' "$cases" | awk '
	# The PKCS#7 field at DER path p ("r.1.0.3.0.4.1"); attrs: whether
	# the set signs with signed attributes (one more SignerInfo field).
	function field(p, attrs,    n, a, f, si) {
		n = split(p, a, ".")
		if (p == "r") return "ContentInfo"
		if (p == "r.0") return "ContentInfo.contentType"
		if (p == "r.1") return "ContentInfo.content [0]"
		if (p == "r.1.0") return "SignedData"
		if (p == "r.1.0.0") return "SignedData.version"
		if (n >= 4 && a[4] == 1) return "SignedData.digestAlgorithms" (n > 4 ? " (an entry)" : "")
		if (n >= 4 && a[4] == 2) return "SignedData.encapContentInfo"
		if (n == 4 && a[4] == 3) return "SignedData.signerInfos"
		if (n >= 5 && a[4] == 3) {
			si = "SignerInfo " a[5]
			if (n == 5) return si
			split(attrs ? "version sid digestAlgorithm signedAttrs signatureAlgorithm signature" : \
				"version sid digestAlgorithm signatureAlgorithm signature", f, " ")
			return si "." f[a[6] + 1] (n > 6 ? (f[a[6] + 1] == "signedAttrs" ? " (an attribute)" : \
				" (" (a[7] == 0 ? "algorithm" : "parameters") ")") : "")
		}
		return p
	}
	{
		set = $4; m = $5; attrs = set !~ /noattr/
		where = "-"
		if (m ~ /@/) { where = field(substr(m, index(m, "@") + 1), attrs); sub(/@.*/, "", m) }
		sub(/-to-[0-9]+$/, "", m); sub(/-x[0-9]+$/, "", m); sub(/-[0-9]+$/, "", m)
		# A signer of another set, or the signer of the set once more.
		if (m ~ /^der-signer-of-/) {
			m = m == "der-signer-of-" set "-added" ? "der-signer-twice" : "der-signer-of-another-set-added"
			where = "SignerInfos"
		}
		if (m == "der-signer-twice") where = "SignerInfos"
		k = m " | " where
		n[k]++
		if (!((k, set) in seen)) {
			seen[k, set] = 1
			nsets[k]++
			sets[k] = sets[k] (sets[k] ? ", " : "") set
		}
	}
	END {
		for (k in n)
			printf "| %s | %d (%s) |\n", k, n[k], (nsets[k] > 3 ? nsets[k] " sets" : sets[k])
	}' | sort -t'|' -k4,4nr -k2,2
