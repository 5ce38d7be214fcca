#!/bin/bash
# Makes the vectors of crypto/asymmetric_keys/pkcs7_authattr_kunit.c and
# prints them as C arrays: a new RSA-2048 key and self-signed certificate,
# then detached CMS signatures (tests/vectors/pkcs7-authattr.c) of one
# message. Run it with the toolchain: scripts/in-root.sh bash tests/vectors/pkcs7-authattr.sh
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

printf '%s' "Detached data whose signers say how it is laid out." >"$tmp/data"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/key.pem" -out "$tmp/cert.pem" \
	-days 36500 -subj "/CN=PKCS#7 authattr test" \
	-addext keyUsage=critical,digitalSignature -addext basicConstraints=critical,CA:FALSE \
	2>/dev/null
openssl x509 -in "$tmp/cert.pem" -outform DER -out "$tmp/cert.der"
gcc -Wall -Werror -o "$tmp/gen" "$here/pkcs7-authattr.c" -lcrypto
"$tmp/gen" "$tmp/key.pem" "$tmp/cert.pem" "$tmp/data" "$tmp"

# One C array, twelve bytes to a line, as the kernel's test vectors are.
array() {
	echo "static const u8 $1[] = {"
	od -An -v -tx1 "$2" | tr -s ' \n' ' ' | xargs -n12 echo |
		sed 's/\([0-9a-f][0-9a-f]\)/0x\1,/g; s/^/\t/'
	echo "};"
	echo
}
array pkcs7_authattr_cert "$tmp/cert.der"
for v in none one same missing differ; do
	array "pkcs7_authattr_sig_$v" "$tmp/$v.der"
done
