"""libtorch 1.13: max_pool3d_with_indices_backward on channels_last_3d tensors.

Runs without poolcheck: /usr/bin/python3 docs/repro/libtorch_max_pool3d_channels_last_backward.py
A 1x1x1 max pooling is the identity, so its gradient must equal dy. With
channels_last_3d x, dy and indices, torch 1.13 routes the gradient to the
wrong cells; the same call on contiguous (NCDHW) tensors is right. Exit status
1 when the bug shows.
"""
import sys

import torch

x = torch.arange(1 * 2 * 1 * 1 * 3, dtype=torch.float32).reshape(1, 2, 1, 1, 3)
dy = 10 + x
args = ([1, 1, 1], [1, 1, 1], [0, 0, 0], [1, 1, 1], False)  # kernel, stride, pad, dilation, ceil

_, idx = torch.ops.aten.max_pool3d_with_indices(x, *args)
want = torch.ops.aten.max_pool3d_with_indices_backward(dy, x, *args, idx)
cl = torch.channels_last_3d
got = torch.ops.aten.max_pool3d_with_indices_backward(
    dy.contiguous(memory_format=cl), x.contiguous(memory_format=cl), *args,
    idx.contiguous(memory_format=cl))

print("torch", torch.__version__)
print("dy                  ", dy.flatten().tolist())
print("dx (NCDHW)          ", want.flatten().tolist())
print("dx (channels_last_3d)", got.flatten().tolist())
ok = torch.equal(want, dy) and torch.equal(got, dy)
print("OK" if ok else "BUG: channels-last 3-D backward differs from dy")
sys.exit(0 if ok else 1)
