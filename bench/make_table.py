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


README_BEGIN = "<!-- bench-summary:begin (written by bench/make_table.py) -->"
README_END = "<!-- bench-summary:end -->"
PEER_PROFILE = {"peer:onednn-2.6": "onednn", "peer:xnnpack-20220216": "xnnpack",
                "peer:libtorch-1.13": "pytorch"}


def make_summary(rows, command, machine):
    """One row per pass, shape and thread count: fast/ against the copy and the
    best peer. fast/ runs under each peer's profile; the row takes, for every
    peer, the ratio peer time / fast time under that peer's profile, and shows
    the smallest (the best peer relative to fast/)."""
    lines = [f"Command: `{command}`; machine: {machine}; "
             f"{datetime.datetime.now().astimezone().date().isoformat()}. "
             "`vs copy`: fast/'s bandwidth over a memcpy of the same bytes at the same thread "
             "count; `best peer / fast`: the fastest peer's time over fast/'s under that peer's "
             "profile (> 1: fast/ is faster).",
             "",
             "| pass | shape | threads | fast/ | vs copy | × ref | best peer | best peer / fast |",
             "|---|---|---|---|---|---|---|---|"]
    keys = sorted({(k[0], k[1], k[3]) for k in rows},
                  key=lambda k: (["fwd_infer", "fwd_train", "backward"].index(k[0])
                                 if k[0] in ("fwd_infer", "fwd_train", "backward") else 9, k[1], k[2]))
    for p, shape, threads in keys:
        fasts = {k[2]: rows[k] for k in rows
                 if k[0] == p and k[1] == shape and k[3] == threads and k[2].startswith("fast:")
                 and "seconds" in rows[k]}
        if not fasts:
            continue
        fast_name, fast = min(fasts.items(), key=lambda kv: kv[1]["seconds"])
        copy = rows.get((p, shape, "copy", threads), {})
        ref = next((rows[k] for k in rows if k[0] == p and k[1] == shape
                    and k[2].startswith("reference:") and "seconds" in rows[k]), {})
        vs_copy = (f"{(fast['bytes'] / fast['seconds']) / (copy['bytes'] / copy['seconds']):.2f}"
                   if "seconds" in copy else "")
        x_ref = f"{ref['seconds'] / fast['seconds']:.0f}" if "seconds" in ref else ""
        best = None
        for peer, profile in PEER_PROFILE.items():
            r = rows.get((p, shape, peer, threads), {})
            f = rows.get((p, shape, "fast:" + profile, threads), {})
            if "seconds" in r and "seconds" in f:
                ratio = r["seconds"] / f["seconds"]
                if best is None or ratio < best[1]:
                    best = (peer.removeprefix("peer:"), ratio)
        lines.append(f"| {p} | {shape} | {threads} | {fmt_time(fast['seconds'])} ({fast_name}) "
                     f"| {vs_copy} | {x_ref} | {best[0] if best else 'n/a'} "
                     f"| {f'{best[1]:.2f}' if best else ''} |")
    return "\n".join(lines) + "\n"


def write_readme_summary(readme, summary):
    text = open(readme).read()
    if README_BEGIN not in text or README_END not in text:
        sys.exit(f"{readme}: no {README_BEGIN} ... {README_END} markers")
    head, rest = text.split(README_BEGIN, 1)
    _, tail = rest.split(README_END, 1)
    with open(readme, "w") as f:
        f.write(head + README_BEGIN + "\n" + summary + README_END + tail)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("json")
    parser.add_argument("--command", default="scripts/bench.sh")
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "RESULTS.md"))
    parser.add_argument("--readme", default=os.path.join(os.path.dirname(__file__), "..",
                                                         "README.md"),
                        help="README whose bench-summary block is rewritten ('' to skip)")
    args = parser.parse_args()
    with open(args.json) as f:
        doc = json.load(f)
    rows = parse_rows(doc)
    table = make_table(rows, args.command, cpu_description())
    sys.stdout.write(table)
    with open(args.out, "w") as f:
        f.write(table)
    if args.readme:
        write_readme_summary(args.readme, make_summary(rows, args.command, cpu_description()))


if __name__ == "__main__":
    main()
