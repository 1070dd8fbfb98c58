"""poolcheck ref --profile pytorch --layout nchw agrees bit for bit with torch.

Values, indices and gradients of torch.nn.functional.max_pool{1,2,3}d (CPU,
contiguous NCHW), NaN and +-inf included: PyTorch propagates NaN and reports
the last NaN's index. Covers padding up to kernel/2, dilation and ceil mode.

Usage: golden_pytorch.py POOLCHECK [--cases N]
"""

import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
import golden_common as g  # noqa: E402

try:
    import torch
    import torch.nn.functional as F
except ImportError:
    print("torch is not installed (python3-torch): skipped")
    sys.exit(g.SKIP)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("poolcheck")
    parser.add_argument("--cases", type=int, default=60)
    args = parser.parse_args()
    torch.set_num_threads(1)
    rng = np.random.default_rng(7645)
    failures, cases = [], 0
    pools = {1: F.max_pool1d, 2: F.max_pool2d, 3: F.max_pool3d}
    while cases < args.cases:
        rank = int(rng.choice([1, 2, 2, 2, 3]))
        k = rng.integers(1, 4, size=rank)
        s = rng.integers(1, 4, size=rank)
        d = rng.integers(1, 3, size=rank) if rng.random() < 0.3 else np.ones(rank, dtype=int)
        p = np.array([rng.integers(0, kk // 2 + 1) for kk in k])
        ceil = bool(rng.random() < 0.4)
        size = rng.integers(1, 9, size=rank)
        # PyTorch needs a non-empty output.
        if np.any(size + 2 * p < (k - 1) * d + 1):
            continue
        dtype = rng.choice([np.float32, np.float64])
        x = g.lattice(rng, (int(rng.integers(1, 3)), int(rng.integers(1, 4))) + tuple(int(v) for v in size),
                      dtype, nan=0.1, inf=0.1)
        xt = torch.from_numpy(x).requires_grad_(True)
        yt, it = pools[rank](xt, tuple(int(v) for v in k), tuple(int(v) for v in s), tuple(int(v) for v in p),
                             tuple(int(v) for v in d), ceil_mode=ceil, return_indices=True)
        dy = g.lattice(rng, tuple(yt.shape), dtype)
        yt.backward(torch.from_numpy(dy))
        flags = ["--profile", "pytorch", "--layout", {1: "ncw", 2: "nchw", 3: "ncdhw"}[rank],
                 "--kernel", ",".join(map(str, k)), "--stride", ",".join(map(str, s)),
                 "--dilation", ",".join(map(str, d)),
                 "--padding", ",".join(f"{v},{v}" for v in p)] + (["--ceil"] if ceil else [])
        y, argmax, dx, desc = g.run_ref(args.poolcheck, x, dy, flags)
        cases += 1
        problem = (g.same_bits("y", desc, y, yt.detach().numpy())
                   or g.same_bits("argmax", desc, argmax, it.numpy())
                   or g.same_bits("dx", desc, dx, xt.grad.numpy()))
        if problem:
            failures.append(problem)
    g.finish(failures, cases)


if __name__ == "__main__":
    main()
