"""End-to-end tests of `poolcheck vectors` and `poolcheck verify`.

1. For every profile (all dtypes), the suite's own answers recomputed with
   `poolcheck ref --desc` verify as PASS (plumbing: both come from the reference).
2. Broken results fail, naming the case: one argmax changed, one y bit flipped,
   one dx contribution dropped, a missing file, a wrong shape, a malformed file,
   a value foreign to a NaN window where NaN handling is unspecified.
3. `vectors` refuses to overwrite a non-empty directory without --force.
4. examples/python/validate_numpy_maxpool.py validates python/numpynet_style.py
   end to end: every case it can express passes, except the all-NaN ones on
   which NumPyNet raises as documented.

Usage: vectors_test.py POOLCHECK
"""

import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

import numpy as np

REPO = pathlib.Path(__file__).resolve().parents[2]
PROFILES = ["numpynet", "pytorch", "onnx", "tensorflow", "onednn", "xnnpack", "darknet"]
# bf16 is left out: `poolcheck ref --input` cannot tell a '<V2' file is bf16.
DTYPES = "f32,f64,f16,s8,u8"
failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    if not ok:
        failures.append(what)


def run(cmd):
    return subprocess.run([str(c) for c in cmd], capture_output=True, text=True)


def reference_results(poolcheck, vectors, results):
    manifest = json.loads((vectors / "manifest.json").read_text())
    for case in manifest["cases"]:
        files = case["files"]
        done = run([poolcheck, "ref", "--desc", case["descriptor"], "--input", vectors / files["x"],
                    "--dy", vectors / files["dy"], "--out", results / case["id"]])
        if done.returncode != 0:
            raise AssertionError(f"ref failed for {case['id']}: {done.stderr}")
    return manifest


def verify(poolcheck, vectors, results, *extra):
    return run([poolcheck, "verify", "--vectors", vectors, "--results", results, *extra])


def fails_naming(done, case_id, word):
    """Exit 1, exactly one FAIL line, naming the case and `word`."""
    fail_lines = [l for l in done.stdout.splitlines() if l.startswith("FAIL")]
    return (done.returncode == 1 and len(fail_lines) == 1 and case_id in fail_lines[0]
            and word in fail_lines[0] and ", 1 failed" in done.stdout)


def plumbing(poolcheck, work):
    suites = {}
    for profile in PROFILES:
        vectors, results = work / f"v_{profile}", work / f"r_{profile}"
        done = run([poolcheck, "vectors", "--profile", profile, "--out", vectors, "--cases", "8",
                    "--dtype", DTYPES, "--seed", "7"])
        check(done.returncode == 0, f"vectors --profile {profile}: {done.stderr.strip()}")
        manifest = reference_results(poolcheck, vectors, results)
        done = verify(poolcheck, vectors, results, "--report", work / f"{profile}.json")
        n = len(manifest["cases"])
        check(done.returncode == 0 and f"{n} passed, 0 failed" in done.stdout,
              f"{profile}: reference results verify ({n} cases)" + ("" if done.returncode == 0 else done.stdout[-600:]))
        report = json.loads((work / f"{profile}.json").read_text())
        check(report["passed"] == n and report["failed"] == 0, f"{profile}: report counts")
        suites[profile] = (vectors, results, manifest)
    # Same seed, same suite: byte for byte.
    again = work / "again"
    run([poolcheck, "vectors", "--profile", "pytorch", "--out", again, "--cases", "8",
         "--dtype", DTYPES, "--seed", "7"])
    same = all((again / p).read_bytes() == (suites["pytorch"][0] / p).read_bytes()
               for p in [pathlib.Path(c["files"]["x"]) for c in suites["pytorch"][2]["cases"]])
    check(same, "vectors is deterministic for a seed")
    return suites


def broken(poolcheck, work, suites):
    vectors, results, manifest = suites["pytorch"]
    cases = {c["id"]: c for c in manifest["cases"]}
    # A float case with an exact (non-relaxed) first window and nonzero dy.
    target = next(c for c in manifest["cases"] if c["id"].endswith("long_tail_3d_f32"))
    tid = target["id"]

    def mutated(name, mutate):
        copy = work / f"broken_{name}"
        shutil.copytree(results, copy)
        mutate(copy / tid)
        return verify(poolcheck, vectors, copy)

    def edit(file, change):
        def go(d):
            a = np.load(d / file)
            change(a)
            np.save(d / file, a)
        return go

    def flip_argmax(a):
        a.flat[0] = (a.flat[0] + 1) % 3
    check(fails_naming(mutated("argmax", edit("argmax.npy", flip_argmax)), tid, "argmax"),
          "a changed argmax fails")

    def flip_y_bit(a):
        a.view(np.uint32).flat[3] ^= 1
    check(fails_naming(mutated("ybit", edit("y.npy", flip_y_bit)), tid, "y:"), "one y bit fails")

    def drop_contribution(d):
        dy = np.load(vectors / target["files"]["dy"])
        argmax = np.load(d / "argmax.npy")
        dx = np.load(d / "dx.npy")
        k = int(np.flatnonzero(dy[0, 0].reshape(-1))[0])
        dx[0, 0].reshape(-1)[argmax[0, 0].reshape(-1)[k]] -= dy[0, 0].reshape(-1)[k]
        np.save(d / "dx.npy", dx)
    check(fails_naming(mutated("dx", drop_contribution), tid, "dx:"), "a dropped dx contribution fails")

    check(fails_naming(mutated("missing", lambda d: (d / "y.npy").unlink()), tid, "missing"),
          "a missing y.npy fails")

    def wrong_shape(d):
        y = np.load(d / "y.npy")
        np.save(d / "y.npy", y.reshape(y.shape + (1,)))
    check(fails_naming(mutated("shape", wrong_shape), tid, "shape"), "a wrong shape fails")

    check(fails_naming(mutated("garbage", lambda d: (d / "argmax.npy").write_bytes(b"\x93NUMPY junk")),
                       tid, "argmax.npy"), "a malformed argmax.npy fails without a crash")

    def wrong_dtype(d):
        np.save(d / "dx.npy", np.load(d / "dx.npy").astype(np.float64))
    check(fails_naming(mutated("dtype", wrong_dtype), tid, "dx.npy"), "a float64 dx for f32 fails")

    # ONNX leaves NaN unspecified: NaN is accepted in a NaN window, a foreign value is not.
    ov, orr, om = suites["onnx"]
    case = next(c for c in om["cases"]
                if c["unspecified_windows"]["nan"] > 0 and c["dtype"] == "f32")
    y_expected = np.load(ov / case["files"]["y"])
    nan_out = [i for i, v in enumerate(y_expected.reshape(-1)) if np.isnan(v)]

    def onnx_copy(name, value):
        copy = work / f"onnx_{name}"
        shutil.copytree(orr, copy)
        y = np.load(copy / case["id"] / "y.npy")
        y.reshape(-1)[nan_out[0]] = value
        np.save(copy / case["id"] / "y.npy", y)
        (copy / case["id"] / "argmax.npy").unlink()
        return verify(poolcheck, ov, copy)
    if nan_out:
        check(verify(poolcheck, ov, orr).returncode == 0, "onnx baseline passes")
        check(fails_naming(onnx_copy("foreign", np.float32(12345.0)), case["id"], "NaN or one of"),
              "onnx: a value foreign to a NaN window fails")
        done = verify(poolcheck, ov, orr, "--strict")
        check(done.returncode == 0, "--strict accepts the reference's own answer")


def refuses_overwrite(poolcheck, work, suites):
    vectors = suites["numpynet"][0]
    before = sorted(p.name for p in vectors.iterdir())
    done = run([poolcheck, "vectors", "--profile", "numpynet", "--out", vectors])
    check(done.returncode == 2 and "--force" in done.stderr and done.stderr.count("\n") == 1,
          f"a non-empty --out is refused: {done.stderr.strip()}")
    check(sorted(p.name for p in vectors.iterdir()) == before, "and left untouched")
    leftovers = [p.name for p in work.iterdir() if ".tmp-" in p.name or ".old-" in p.name]
    check(not leftovers, f"no temporary directories left: {leftovers}")
    done = run([poolcheck, "vectors", "--profile", "numpynet", "--out", vectors, "--cases", "2",
                "--force"])
    check(done.returncode == 0 and len(json.loads((vectors / "manifest.json").read_text())["cases"]) < 20,
          "--force replaces it")
    done = run([poolcheck, "vectors", "--profile", "nosuch", "--out", work / "x"])
    check(done.returncode == 2 and "profile=nosuch" in done.stderr and not (work / "x").exists(),
          "an unknown profile is one line and writes nothing")
    done = run([poolcheck, "vectors", "--dtype", "f32,f99", "--out", work / "y"])
    check(done.returncode == 2 and "--dtype=f32,f99" in done.stderr, "an unknown dtype is named")


def numpy_example(poolcheck, work):
    example = REPO / "examples" / "python" / "validate_numpy_maxpool.py"
    report = work / "numpy_report.json"
    done = run([sys.executable, example, "--poolcheck", poolcheck, "--work", work / "numpy",
                "--report", report])
    print(done.stdout[-600:], done.stderr[-600:])
    check(done.returncode == 0 and ", 0 failed" in done.stdout, "numpynet_style.py passes the suite")
    r = json.loads(report.read_text())
    manifest = json.loads((work / "numpy" / "vectors" / "manifest.json").read_text())
    documented = {c["id"] for c in manifest["cases"] if "documented_raise" in c}
    raised = {c["id"] for c in r["cases"] if c["status"] == "RAISED"}
    check(r["passed"] >= 15, f"enough cases really checked ({r['passed']})")
    check(raised <= documented and raised, f"raised only where documented: {sorted(raised)}")


def main():
    poolcheck = pathlib.Path(sys.argv[1]).resolve()
    with tempfile.TemporaryDirectory() as d:
        work = pathlib.Path(d)
        suites = plumbing(poolcheck, work)
        broken(poolcheck, work, suites)
        refuses_overwrite(poolcheck, work, suites)
        numpy_example(poolcheck, work)
    print(f"{len(failures)} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
