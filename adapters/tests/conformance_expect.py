#!/usr/bin/python3
"""An adapter's conformance campaign against its expected verdicts.

    conformance_expect.py --poolcheck P --impl ADAPTER.so --expected expected_<name>.json
                          --work DIR [--update] -- <poolcheck run options>

Runs `poolcheck run --impl ADAPTER.so --report DIR/<name>.json <options>` and
compares the status of every check (PASS, FAIL, SKIP) with the expected file,
which records today's known nonconformances of the library. A new failure, a
known failure that vanished, or a check added or removed fails the test with
a diff; the counterexample of each new failure is printed. --update rewrites
the expected file from this run instead (review the diff before committing).
"""
import argparse
import json
import pathlib
import subprocess
import sys


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--poolcheck", required=True)
    parser.add_argument("--impl", required=True)
    parser.add_argument("--expected", required=True, type=pathlib.Path)
    parser.add_argument("--work", required=True, type=pathlib.Path)
    parser.add_argument("--update", action="store_true")
    parser.add_argument("run_options", nargs="*")
    args = parser.parse_args()

    args.work.mkdir(parents=True, exist_ok=True)
    report_path = args.work / (args.expected.stem + ".report.json")
    command = [args.poolcheck, "run", "--impl", args.impl, "--report", str(report_path),
               *args.run_options]
    run = subprocess.run(command, capture_output=True, text=True, check=False)
    if run.returncode not in (0, 1) or not report_path.exists():
        print(run.stdout + run.stderr)
        print(f"poolcheck run exited {run.returncode}: {' '.join(command)}")
        return 1
    report = json.loads(report_path.read_text(encoding="utf-8"))
    got = {c["name"]: c["status"] for c in report["checks"]}

    if args.update:
        expected = {"profile": report["profile"], "run_options": args.run_options, "checks": got}
        args.expected.write_text(json.dumps(expected, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {args.expected}")
        return 0

    expected = json.loads(args.expected.read_text(encoding="utf-8"))
    want = expected["checks"]
    differences = []
    for name in sorted(set(want) | set(got)):
        w, g = want.get(name, "(absent)"), got.get(name, "(absent)")
        if w == g:
            continue
        if g == "FAIL":
            kind = "NEW FAILURE"
        elif w == "FAIL":
            kind = "KNOWN FAILURE VANISHED (fixed? update the expected file)"
        else:
            kind = "changed"
        differences.append((name, w, g, kind))
    known = sorted(name for name, status in want.items() if status == "FAIL")
    print(f"{' '.join(command)}\n{run.stdout.splitlines()[-1] if run.stdout else ''}")
    print(f"known nonconformances ({len(known)}): {', '.join(known) or 'none'}")
    if not differences:
        print(f"as expected: {len(got)} checks match {args.expected.name}")
        return 0
    print(f"differs from {args.expected}:")
    print(f"  {'check':<48} {'expected':<10} {'actual':<10}")
    for name, w, g, kind in differences:
        print(f"  {name:<48} {w:<10} {g:<10} {kind}")
    for check in report["checks"]:
        if check["name"] in {d[0] for d in differences} and check["failures"]:
            f = check["failures"][0]
            print(f"\n{check['name']}: {f['descriptor']}\n{f['details']}")
    print(f"\nrerun with --update (see adapters/tests/CMakeLists.txt) if the change is intended")
    return 1


if __name__ == "__main__":
    sys.exit(main())
