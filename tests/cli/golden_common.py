"""Helpers for the golden tests: run `poolcheck ref`, compare bit patterns."""

import os
import subprocess
import sys
import tempfile

import numpy as np

SKIP = 77  # ctest SKIP_RETURN_CODE


def run_ref(poolcheck, x, dy, args):
    """Runs poolcheck ref on x (and dy); returns y, argmax, dx (dx None without dy)."""
    with tempfile.TemporaryDirectory() as d:
        np.save(os.path.join(d, "x.npy"), x)
        cmd = [poolcheck, "ref", "--input", os.path.join(d, "x.npy"), "--out", os.path.join(d, "out")]
        if dy is not None:
            np.save(os.path.join(d, "dy.npy"), dy)
            cmd += ["--dy", os.path.join(d, "dy.npy")]
        done = subprocess.run(cmd + args, capture_output=True, text=True)
        if done.returncode != 0:
            raise AssertionError(f"{' '.join(cmd + args)} failed: {done.stderr.strip()}")
        out = os.path.join(d, "out")
        y = np.load(os.path.join(out, "y.npy"))
        argmax = np.load(os.path.join(out, "argmax.npy"))
        dx = np.load(os.path.join(out, "dx.npy")) if dy is not None else None
        return y, argmax, dx, done.stdout.strip()


def bits(a):
    a = np.ascontiguousarray(a)
    return a.view({8: np.uint64, 4: np.uint32, 2: np.uint16, 1: np.uint8}[a.dtype.itemsize])


def same_bits(name, desc, ours, theirs):
    """Bitwise equality (NaN == NaN, -0 != +0); reports the first difference."""
    if ours.shape != theirs.shape or ours.dtype != theirs.dtype:
        return f"{desc}: {name} shape/dtype {ours.shape} {ours.dtype} vs {theirs.shape} {theirs.dtype}"
    diff = np.argwhere(bits(ours) != bits(theirs))
    if len(diff):
        at = tuple(diff[0])
        return f"{desc}: {name} differs at {at}: poolcheck {ours[at]!r} vs expected {theirs[at]!r}"
    return None


def lattice(rng, shape, dtype, nan=0.0, inf=0.0, spread=16):
    """Values k/4 (ties likely), with NaN and +-inf sprinkled in."""
    x = rng.integers(-spread, spread, size=shape).astype(np.float64) / 4.0
    r = rng.random(shape)
    x[r < nan] = np.nan
    x[(r >= nan) & (r < nan + inf / 2)] = np.inf
    x[(r >= nan + inf / 2) & (r < nan + inf)] = -np.inf
    return x.astype(dtype)


def finish(failures, cases):
    for f in failures[:20]:
        print("FAIL", f)
    print(f"{cases - len(failures)} passed, {len(failures)} failed")
    sys.exit(1 if failures else 0)
