"""poolcheck ref --profile numpynet agrees bit for bit with NumPyNet's algorithm.

The golden model is python/numpynet_style.py, or NumPyNet's own Maxpool_layer
when --numpynet DIR points at a NumPyNet checkout (DIR containing the
NumPyNet package). Values and argmax are compared in float32 and float64;
dx in float64, the dtype NumPyNet accumulates in. Cases where NumPyNet raises
(all-NaN windows) are regenerated; -0.0 is left out of the data because
numpy's sign of a +-0 maximum depends on its reduction order (a documented
deviation: poolcheck returns the element at the argmax).

Usage: golden_numpynet.py POOLCHECK [--numpynet DIR] [--cases N]
"""

import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "python"))
import golden_common as g  # noqa: E402
import numpynet_style  # noqa: E402


def numpynet_model(numpynet_dir):
    if not numpynet_dir:
        def run(x, dy, kernel, stride, pad):
            layer = numpynet_style.MaxPool(kernel, stride, pad)
            y, argmax = layer.forward(x)
            dx = layer.backward(dy, np.zeros(x.shape, dtype=np.float64)) if dy is not None else None
            return y, argmax, dx
        return run

    sys.path.insert(0, numpynet_dir)
    from NumPyNet.layers.maxpool_layer import Maxpool_layer

    def run(x, dy, kernel, stride, pad):
        layer = Maxpool_layer(size=kernel, stride=stride, padding=pad)
        layer.forward(x)
        ix, iy = layer.indexes
        argmax = (ix * kernel[1] + iy).reshape(layer.output.shape).astype(np.int64)
        dx = None
        if dy is not None:
            layer.delta = dy
            dx = np.zeros(x.shape, dtype=np.float64)
            layer.backward(dx)
        return layer.output, argmax, dx
    return run


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("poolcheck")
    parser.add_argument("--numpynet", default="")
    parser.add_argument("--cases", type=int, default=60)
    args = parser.parse_args()
    model = numpynet_model(args.numpynet)
    rng = np.random.default_rng(20261126)
    failures, cases = [], 0

    shapes = [((1, 4, 4, 1), (2, 2), (2, 2), False),      # the seed's animation
              ((5, 100, 100, 3), (3, 3), (2, 2), False),  # the seed's example
              ((5, 100, 100, 3), (3, 3), (2, 2), True)]
    while len(shapes) < args.cases:
        kx, ky = rng.integers(1, 5, size=2)
        sx, sy = rng.integers(1, 4, size=2)
        w, h = rng.integers(1, 12, size=2)
        pad = bool(rng.integers(0, 2))
        if not pad and (w < kx or h < ky):
            continue
        shapes.append(((int(rng.integers(1, 3)), int(w), int(h), int(rng.integers(1, 5))),
                       (int(kx), int(ky)), (int(sx), int(sy)), pad))

    for shape, kernel, stride, pad in shapes:
        for dtype in (np.float32, np.float64):
            # NumPyNet raises on all-NaN windows: draw, with fewer NaN each
            # time (small windows almost always have one), until it does not.
            nan_rate = 0.15
            while True:
                x = g.lattice(rng, shape, dtype, nan=nan_rate, inf=0.1)
                try:
                    y_ref, argmax_ref, _ = model(x, None, kernel, stride, pad)
                    break
                except ValueError:
                    nan_rate = nan_rate * 0.7 if nan_rate > 1e-3 else 0.0
            dy = g.lattice(rng, y_ref.shape, np.float64) if dtype == np.float64 else None
            if dy is not None:
                y_ref, argmax_ref, dx_ref = model(x, dy, kernel, stride, pad)
            flags = ["--profile", "numpynet", "--kernel", f"{kernel[0]},{kernel[1]}",
                     "--stride", f"{stride[0]},{stride[1]}", "--padding", "same" if pad else "valid"]
            y, argmax, dx, desc = g.run_ref(args.poolcheck, x, dy, flags)
            cases += 1
            problems = [g.same_bits("y", desc, y, y_ref.astype(dtype)),
                        g.same_bits("argmax", desc, argmax, argmax_ref)]
            if dy is not None:
                problems.append(g.same_bits("dx", desc, dx, dx_ref))
            problem = next((p for p in problems if p), None)
            if problem:
                failures.append(problem)
    g.finish(failures, cases)


if __name__ == "__main__":
    main()
