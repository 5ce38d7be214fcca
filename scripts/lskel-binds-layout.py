#!/usr/bin/env python3
"""Exit 0 if the signature of a signed light-skeleton header (bpftool gen
skeleton -L -S) binds the loader's layout, 1 if it does not, 2 if the header
has no signature: whether the DER of the layout attribute's OID
(BPF_SIG_LAYOUT_OID) is in the bytes of its opts_sig string."""
import re
import sys

LAYOUT_OID = "2.25.184592142795372623511771864977863964719"


def oid_der(oid):
    """The DER encoding of an OBJECT IDENTIFIER (tag, length, value)."""
    first, second, *rest = (int(c) for c in oid.split("."))
    body = [40 * first + second]
    for c in rest:
        enc = [c & 0x7F]
        c >>= 7
        while c:
            enc.insert(0, 0x80 | (c & 0x7F))
            c >>= 7
        body += enc
    return bytes([0x06, len(body)] + body)


def main():
    try:
        with open(sys.argv[1], encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        print(f"{sys.argv[1]}: {e.strerror}", file=sys.stderr)
        return 2
    m = re.search(r'opts_sig\[\][^=]*= "\\\n(.*?)";', text, re.S)
    if not m:
        print(f"{sys.argv[1]}: no opts_sig", file=sys.stderr)
        return 2
    sig = bytes(int(h, 16) for h in re.findall(r"\\x([0-9a-fA-F]{2})", m.group(1)))
    return 0 if oid_der(LAYOUT_OID) in sig else 1


if __name__ == "__main__":
    sys.exit(main())
