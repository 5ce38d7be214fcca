#!/usr/bin/env python3
"""Per-function medians of two function_graph traces of signed loads.

profile.py TITLE TRACE-ON TRACE-OFF: each trace is /sys/kernel/tracing/trace
of one case of scripts/profile.sh, function_graph restricted to bpf_check()
and the C functions a signed load passes through. Prints, for the Rust
("on") and the C ("off") kernel, the median time per call of each function,
of bpf_check() for unsigned and for signed loads, and of bpf_check()'s own
time in a signed load less its traced callees (the verifier's time, and on
the Rust kernel the Rust signed-loader verifier's own time, which ftrace
cannot see by itself). The SHA updates are split into those of a load
(the payload's digest) and the others (the benchmark's AF_ALG digests).
"""
import re
import statistics
import sys
from collections import defaultdict

# " 1) ! 456.789 us  |      pkcs7_parse_message();" and friends.
LINE = re.compile(r"^\s*\d+\)\s+(?:[-+!#*@$]\s*)?(?:(\d+(?:\.\d+)?) us\s+)?\|\s*(.*)$")


def parse(path):
    """function -> durations (us); bpf_check's split into signed and unsigned loads."""
    times = defaultdict(list)
    stack = []
    with open(path) as f:
        for raw in f:
            m = LINE.match(raw)
            if not m:
                continue
            dur, call = m.group(1), m.group(2).strip()
            if call.endswith("() {"):
                stack.append({"name": call[:-4], "children": []})
            elif call.startswith("}") and stack and dur is not None:
                frame = stack.pop()
                record(times, frame, float(dur), stack)
                if stack:
                    stack[-1]["children"].append((frame["name"], float(dur)))
            elif call.endswith("();") and dur is not None:
                frame = {"name": call[:-3], "children": []}
                record(times, frame, float(dur), stack)
                if stack:
                    stack[-1]["children"].append((frame["name"], float(dur)))
    return times


def record(times, frame, dur, stack):
    name = frame["name"]
    if name.startswith("__sha"):
        in_load = any(f["name"] == "bpf_check" for f in stack)
        name += " (payload)" if in_load else " (AF_ALG)"
    times[name].append(dur)
    if name != "bpf_check":
        return
    kids = frame["children"]
    if any(k == "bpf_verify_pkcs7_pieces" for k, _ in kids):
        times["bpf_check (signed load)"].append(dur)
        times["  own time, less traced callees"].append(dur - sum(d for _, d in kids))
    else:
        times["bpf_check (unsigned load)"].append(dur)


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    on, off = parse(sys.argv[2]), parse(sys.argv[3])
    order = ["bpf_check (unsigned load)", "bpf_check (signed load)",
             "  own time, less traced callees", "bpf_lookup_user_key",
             "bpf_verify_pkcs7_pieces", "pkcs7_parse_message", "pkcs7_supply_detached_pieces",
             "verify_pkcs7_message_sig", "pkcs7_verify", "pkcs7_validate_trust",
             "public_key_verify_signature", "security_bpf_prog_load_sig_verdict",
             "__sha256_update (payload)", "__sha256_update (AF_ALG)",
             "__sha512_update (payload)", "__sha512_update (AF_ALG)"]
    if not on.get("bpf_check (signed load)") or not off.get("bpf_check (signed load)"):
        sys.exit("profile: a trace holds no signed load (is the tracer set up?)")
    print("{}: median us per call (calls), function_graph".format(sys.argv[1]))
    print("{:<36} {:>16} {:>16} {:>7}".format("function", "Rust kernel", "C kernel", "on/off"))
    for name in order:
        a, b = on.get(name, []), off.get(name, [])
        if not a and not b:
            continue
        ma = statistics.median(a) if a else None
        mb = statistics.median(b) if b else None
        print("{:<36} {:>16} {:>16} {:>7}".format(
            name, "-" if ma is None else "{:.1f} ({})".format(ma, len(a)),
            "-" if mb is None else "{:.1f} ({})".format(mb, len(b)),
            "{:.2f}".format(ma / mb) if ma and mb else "-"))


if __name__ == "__main__":
    main()
