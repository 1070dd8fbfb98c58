#!/usr/bin/python3
"""End-to-end test of `poolcheck run` on one implementation.

Runs the campaign with a JSON report and JUnit XML, then checks: the exit
status (0 when it must pass, 1 when it must fail); that the campaign completed
(summary line, one line per check, the last check ran); for an expected
failure, that each named check FAILs with a counterexample carrying its
descriptor (and the expected text); that every JSON failure has a descriptor;
and that the JUnit XML parses with xml.etree, has the right counts, and every
<failure> message starts with the descriptor.
"""
import argparse
import json
import pathlib
import re
import subprocess
import sys
import xml.etree.ElementTree as ET


def fail(message):
    print("FAILED: " + message)
    sys.exit(1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--poolcheck", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--name", required=True)
    ap.add_argument("--impl", required=True)
    ap.add_argument("--expect", choices=["pass", "fail"], required=True)
    ap.add_argument("--failing", action="append", default=[], help="check that must FAIL")
    ap.add_argument("--text", action="append", default=[], help="text the output must hold")
    ap.add_argument("args", nargs="*", help="more `poolcheck run` arguments (after --)")
    a = ap.parse_args()

    work = pathlib.Path(a.work)
    work.mkdir(parents=True, exist_ok=True)
    report, junit = work / (a.name + ".json"), work / (a.name + ".xml")
    cmd = [a.poolcheck, "run", "--impl", a.impl, "--report", str(report), "--junit", str(junit)]
    cmd += a.args
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=240)
    out = run.stdout
    print(" ".join(cmd))
    print(out)
    print(run.stderr)

    want_rc = 0 if a.expect == "pass" else 1
    if run.returncode != want_rc:
        fail(f"exit status {run.returncode}, expected {want_rc}")
    lines = re.findall(r"^(PASS|FAIL|SKIP) (\S+): ", out, re.M)
    summary = re.search(r"^(\d+) passed, (\d+) failed, (\d+) skipped$", out, re.M)
    if not summary:
        fail("no summary line: the campaign did not complete")
    passed, failed, skipped = map(int, summary.groups())
    if passed + failed + skipped != len(lines):
        fail("summary counts do not match the check lines")
    statuses = dict((name, status) for status, name in lines)
    if not any(n.startswith("regression.") for n in statuses):
        fail("no regression check ran: later checks must run after a failure")
    if a.expect == "pass" and failed:
        fail(f"{failed} check(s) failed")
    for check in a.failing:
        if statuses.get(check) != "FAIL":
            fail(f"check {check} is {statuses.get(check)}, expected FAIL")
        block = out.split(f"FAIL {check}: ", 1)[1]
        if not re.search(r"^    descriptor: \S+:\S+:\S+:mb\d+ic\d+_\S+$", block, re.M):
            fail(f"check {check} has no counterexample descriptor")
    for text in a.text:
        if text not in out:
            fail(f"output lacks {text!r}")

    data = json.loads(report.read_text())
    for key in ("version", "implementation", "claim", "profile", "seed", "shard", "unspecified"):
        if key not in data:
            fail(f"report lacks {key}")
    if len(data["checks"]) != len(lines) or data["failed"] != failed:
        fail("report counts differ from the console")
    for c in data["checks"]:
        if c["status"] == "FAIL" and not c["failures"]:
            fail(f"report: {c['name']} FAILs without a failure")
        for f in c["failures"]:
            if not re.match(r"\S+:\S+:\S+:mb\d+ic\d+_", f["descriptor"]):
                fail(f"report: {c['name']} failure without a descriptor: {f}")

    root = ET.parse(junit).getroot()  # raises on malformed XML
    suite = root.find("testsuite")
    cases = suite.findall("testcase")
    failures = [c for c in cases if c.find("failure") is not None]
    skips = [c for c in cases if c.find("skipped") is not None]
    if (len(cases), len(failures), len(skips)) != (len(lines), failed, skipped):
        fail("JUnit counts differ from the console")
    if int(suite.get("failures")) != failed or int(suite.get("tests")) != len(lines):
        fail("JUnit attributes differ from the console")
    by_name = {c["name"]: c for c in data["checks"]}
    for c in failures:
        for f, element in zip(by_name[c.get("name")]["failures"], c.findall("failure")):
            if not element.get("message").startswith(f["descriptor"]):
                fail(f"JUnit failure of {c.get('name')} does not name its descriptor")
    print(f"ok: {a.name}")


main()
