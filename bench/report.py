#!/usr/bin/env python3
"""Table and plot of a signed-load benchmark run (bench/signed_load_bench.c).

report.py RAW.csv OUTDIR: prints one table per key algorithm and writes
OUTDIR/plot.png. Latencies are medians of BPF_PROG_LOAD, in microseconds.
The floor of a signed load of N bytes is the kernel's SHA-256 over N bytes
(AF_ALG, same guest) plus one PKCS#7 verification of a tiny payload with
the same key, taken as signed minus unsigned at the smallest size.
"""
import csv
import sys
from collections import defaultdict


def load(path):
    rows = defaultdict(dict)
    with open(path) as f:
        for r in csv.DictReader(f):
            key = (r["variant"], r["alg"], int(r["size"]))
            rows[key][r["mode"]] = r
    return rows


def us(row):
    return int(row["median_ns"]) / 1000.0 if row and int(row["err"]) == 0 else None


def fmt(v, spec="{:.0f}"):
    return "-" if v is None else spec.format(v)


def kib(v):
    return "-" if v is None else "{:.0f} KiB".format(v / 1024.0)


def size_name(n):
    for unit, shift in (("MiB", 20), ("KiB", 10)):
        if n >= 1 << shift:
            if n % (1 << shift) == 0:
                return "{} {}".format(n >> shift, unit)
            return "{:.2f} {}".format(n / (1 << shift), unit)
    return "{} B".format(n)


def main():
    rows = load(sys.argv[1])
    outdir = sys.argv[2]
    algs = sorted({a for (_, a, _) in rows})
    sizes = sorted({s for (_, _, s) in rows})
    reps = sorted({int(m["reps"]) for r in rows.values() for m in r.values()})
    print("BPF_PROG_LOAD median latency (us), {} repetitions after warm-up".format(
        "/".join(map(str, reps))))
    plot = {}
    for alg in algs:
        def get(variant, size, mode):
            return rows.get((variant, alg, size), {}).get(mode)

        tiny = sizes[0]
        verify = {}
        for v in ("on", "off"):
            s, u = us(get(v, tiny, "signed")), us(get(v, tiny, "unsigned"))
            verify[v] = s - u if s is not None and u is not None else None
        print()
        print("{}  (one verification, {} payload: Rust {} us, C {} us)".format(
            alg, size_name(tiny), fmt(verify["on"]), fmt(verify["off"])))
        head = ("size", "unsigned", "Rust", "C", "Rust/C", "floor", "Rust/floor",
                "C/floor", "mem Rust", "mem C")
        print("{:>11} {:>9} {:>9} {:>9} {:>7} {:>9} {:>10} {:>8} {:>9} {:>9}".format(*head))
        for size in sizes:
            unsigned = us(get("on", size, "unsigned"))
            rust, c = us(get("on", size, "signed")), us(get("off", size, "signed"))
            sha = us(get("on", size, "sha256"))
            floor = sha + verify["on"] if sha is not None and verify["on"] is not None else None
            ratio = rust / c if rust and c else None

            def over(signed):
                if signed is None or unsigned is None or not floor:
                    return None
                return (signed - unsigned) / floor

            def mem(v):
                s, u = get(v, size, "signed"), get(v, size, "unsigned")
                if not s or not u or int(s["mem_bytes"]) < 0 or int(u["mem_bytes"]) < 0:
                    return None
                return int(s["mem_bytes"]) - int(u["mem_bytes"])

            err = get("on", size, "signed")
            if err and int(err["err"]) != 0:
                print("{:>11} {:>9} {:>9}".format(size_name(size), fmt(unsigned),
                                                  "errno " + err["err"]))
                continue
            print("{:>11} {:>9} {:>9} {:>9} {:>7} {:>9} {:>10} {:>8} {:>9} {:>9}".format(
                size_name(size), fmt(unsigned), fmt(rust), fmt(c), fmt(ratio, "{:.2f}"),
                fmt(floor), fmt(over(rust), "{:.2f}"), fmt(over(c), "{:.2f}"),
                kib(mem("on")), kib(mem("off"))))
            plot.setdefault(alg, []).append((size, unsigned, rust, c, floor))
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("\n(no plot: python3-matplotlib is not installed)")
        return
    fig, ax = plt.subplots(figsize=(8, 5))
    for i, (alg, pts) in enumerate(sorted(plot.items())):
        x = [p[0] for p in pts]
        style = ["-", "--", ":"][i % 3]
        ax.plot(x, [p[2] for p in pts], "o" + style, color="tab:red", label="signed, Rust, " + alg)
        ax.plot(x, [p[3] for p in pts], "s" + style, color="tab:blue", label="signed, C, " + alg)
        ax.plot(x, [p[4] for p in pts], style, color="tab:gray", label="floor, " + alg)
        if i == 0:
            ax.plot(x, [p[1] for p in pts], "k^-", label="unsigned")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("metadata bytes")
    ax.set_ylabel("BPF_PROG_LOAD median latency (us)")
    ax.set_title("Signed loader load latency")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(outdir + "/plot.png", dpi=110)
    print("\nplot: " + outdir + "/plot.png")


if __name__ == "__main__":
    main()
