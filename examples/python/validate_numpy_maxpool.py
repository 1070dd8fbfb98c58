#!/usr/bin/env python3
"""Validate a NumPy max pooling against poolcheck's golden vectors.

The implementation under test is python/numpynet_style.py (max pooling written
the way NumPyNet's Maxpool_layer computes it). Swap in your own: only
`compute_case` needs to change.

    1. poolcheck vectors --profile numpynet --out WORK/vectors
    2. for each case of WORK/vectors/manifest.json: read x.npy and dy.npy, run
       the implementation, write WORK/results/<id>/{y,argmax,dx}.npy
       (or skipped.txt / raised.txt saying why there are none)
    3. poolcheck verify --vectors WORK/vectors --results WORK/results

Usage: validate_numpy_maxpool.py [--poolcheck PATH] [--work DIR] [--cases N]
Exit status: that of `poolcheck verify` (0 when no case fails).
"""

import argparse
import json
import pathlib
import subprocess
import sys
import tempfile
import warnings

import numpy as np

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "python"))
import numpynet_style  # noqa: E402


class CannotExpress(Exception):
    """The implementation has no way to pose this problem."""


def compute_case(case, x, dy):
    """y, argmax, dx of one case; raises CannotExpress or what the model raises."""
    if (case["rank"] != 2 or case["layout"] != "nhwc" or case["dtype"] not in ("f32", "f64")
            or case["padding"] not in ("valid", "same_upper") or case["ceil_mode"]
            or any(d != 1 for d in case["dilation"])):
        raise CannotExpress("numpynet_style.py handles 2-D NHWC f32/f64 VALID/SAME only")
    layer = numpynet_style.MaxPool(case["kernel"], case["stride"], case["padding"] == "same_upper")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # nanmax's "All-NaN slice"
        y, argmax = layer.forward(x)
    # NumPyNet accumulates the gradient in float64 from zero.
    dx = layer.backward(dy.astype(np.float64), np.zeros(x.shape, dtype=np.float64))
    return y.astype(x.dtype), argmax.astype(np.int64), dx.astype(x.dtype)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--poolcheck", default="poolcheck", help="the poolcheck executable")
    parser.add_argument("--work", default="", help="where to put vectors/ and results/ (default: a temp dir)")
    parser.add_argument("--cases", default="48", help="seeded cases per dtype")
    parser.add_argument("--report", default="", help="also write verify's JSON report here")
    args = parser.parse_args()

    work = pathlib.Path(args.work or tempfile.mkdtemp(prefix="poolcheck-numpy-"))
    vectors, results = work / "vectors", work / "results"
    subprocess.run([args.poolcheck, "vectors", "--profile", "numpynet", "--out", str(vectors),
                    "--cases", args.cases, "--force"], check=True)

    manifest = json.loads((vectors / "manifest.json").read_text())
    for case in manifest["cases"]:
        out = results / case["id"]
        out.mkdir(parents=True, exist_ok=True)
        x = np.load(vectors / case["files"]["x"])
        dy = np.load(vectors / case["files"]["dy"])
        try:
            y, argmax, dx = compute_case(case, x, dy)
        except CannotExpress as e:
            (out / "skipped.txt").write_text(f"{e}\n")
            continue
        except ValueError as e:  # NumPyNet raises on an all-NaN window
            (out / "raised.txt").write_text(f"ValueError: {e}\n")
            continue
        np.save(out / "y.npy", y)
        np.save(out / "argmax.npy", argmax)
        np.save(out / "dx.npy", dx)

    verify = [args.poolcheck, "verify", "--vectors", str(vectors), "--results", str(results)]
    if args.report:
        verify += ["--report", args.report]
    print(f"results in {results}", flush=True)
    sys.exit(subprocess.run(verify).returncode)


if __name__ == "__main__":
    main()
