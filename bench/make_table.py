#!/usr/bin/python3
"""Turns poolcheck_bench's JSON output (--benchmark_format=json) into a Markdown
table, printed and written to bench/RESULTS.md.

Per row (pass, shape, implementation, threads): time per call, effective GB/s
(bytes the pass must read and write / time), that bandwidth as a fraction of the
memory copy of the same bytes in the same run, the speed-up over the reference,
and for each peer library its time divided by fast/'s time under the peer's own
profile (above 1: fast/ is faster). Rows a peer cannot express say n/a and why.

Usage: make_table.py BENCH_JSON [--command TEXT] [--out PATH]
"""
import argparse
import datetime
import json
import os
import subprocess
import sys


def cpu_description():
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return "unknown CPU"
    fields = dict(line.split(":", 1) for line in out.splitlines() if ":" in line)
    model = fields.get("Model name", "unknown").strip()
    cpus = fields.get("CPU(s)", "?").strip()
    return f"{model}, {cpus} CPUs"


def parse_rows(doc):
    rows = {}
    for b in doc.get("benchmarks", []):
        if b.get("run_type", "iteration") != "iteration":
            continue
        name = b["name"].split("/real_time")[0]
        parts = [part for part in name.split("/") if not part.startswith("min_time:")]
        if len(parts) != 4 or not parts[3].startswith("threads:"):
            continue
        key = (parts[0], parts[1], parts[2], int(parts[3].split(":")[1]))
        if b.get("error_occurred"):
            rows[key] = {"error": b.get("error_message", "error")}
            continue
        scale = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[b.get("time_unit", "ns")]
        seconds = b["real_time"] * scale
        rows[key] = {"seconds": seconds, "bytes": b.get("bytes", 0.0)}
    return rows


def fmt_time(seconds):
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.1f} µs"


def make_table(rows, command, machine):
    passes = ["fwd_infer", "fwd_train", "backward"]
    shapes = []
    for (_, shape, _, _) in rows:
        if shape not in shapes:
            shapes.append(shape)
    peers = sorted({impl for (_, _, impl, _) in rows if impl.startswith("peer:")})
    peer_profile = {"peer:onednn-2.6": "onednn", "peer:xnnpack-20220216": "xnnpack",
                    "peer:libtorch-1.13": "pytorch"}
    lines = [
        "# poolcheck benchmark results",
        "",
        f"- command: `{command}`",
        f"- date: {datetime.datetime.now().astimezone().isoformat(timespec='seconds')}",
        f"- machine: {machine}",
        "- float32 NHWC. GB/s = (bytes the pass reads + writes) / time: x+y (inference),",
        "  x+y+int64 argmax (training), dy+argmax+dx (backward). `vs copy` = that bandwidth",
        "  / a memcpy moving the same bytes at the same thread count. `× ref` = reference time",
        "  / this time (the reference is single-threaded). `peer / fast` = peer time / fast/",
        "  time under the peer's own profile at the same thread count (> 1: fast/ is faster).",
        "- n/a: the peer cannot express the problem (reason in the note column).",
        "",
        "| pass | shape | implementation | threads | time | GB/s | vs copy | × ref | peer / fast | note |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for p in passes:
        for shape in shapes:
            keys = sorted((k for k in rows if k[0] == p and k[1] == shape),
                          key=lambda k: (k[3], k[2] != "copy", not k[2].startswith("reference"),
                                         not k[2].startswith("fast"), k[2]))
            ref = next((rows[k] for k in keys if k[2].startswith("reference:")), {})
            for k in keys:
                r = rows[k]
                impl, threads = k[2], k[3]
                if "error" in r:
                    note = r["error"].replace("|", "/")
                    lines.append(f"| {p} | {shape} | {impl} | {threads} | n/a | | | | | {note} |")
                    continue
                gbs = r["bytes"] / r["seconds"] / 1e9
                copy = rows.get((p, shape, "copy", threads), {})
                vs_copy = (f"{gbs / (copy['bytes'] / copy['seconds'] / 1e9):.2f}"
                           if "seconds" in copy else "")
                x_ref = f"{ref['seconds'] / r['seconds']:.1f}" if "seconds" in ref else ""
                ratio = ""
                if impl in peers:
                    fast = rows.get((p, shape, "fast:" + peer_profile.get(impl, "?"), threads), {})
                    ratio = f"{r['seconds'] / fast['seconds']:.2f}" if "seconds" in fast else "no fast/"
                lines.append(f"| {p} | {shape} | {impl} | {threads} | {fmt_time(r['seconds'])} "
                             f"| {gbs:.2f} | {vs_copy} | {x_ref} | {ratio} | |")
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("json")
    parser.add_argument("--command", default="scripts/bench.sh")
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "RESULTS.md"))
    args = parser.parse_args()
    with open(args.json) as f:
        doc = json.load(f)
    table = make_table(parse_rows(doc), args.command, cpu_description())
    sys.stdout.write(table)
    with open(args.out, "w") as f:
        f.write(table)


if __name__ == "__main__":
    main()
