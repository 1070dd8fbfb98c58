"""libtorch 1.13: max_pool3d_with_indices.out with channels_last_3d out tensors.

Runs without poolcheck: /usr/bin/python3 docs/repro/libtorch_max_pool3d_channels_last_out.py
A 1x1x1 max pooling is the identity, so y must equal x and every index must be
the cell's own plane offset. Given channels_last_3d `out=` tensors, torch 1.13
keeps their channels-last strides but fills their memory in contiguous
(NCDHW) order, so the values and indices come out permuted. The functional
form (no out=) and the 2-D kernel are right. Exit status 1 when the bug shows.
"""
import sys

import torch

x = torch.arange(1 * 2 * 1 * 1 * 3, dtype=torch.float32).reshape(1, 2, 1, 1, 3)
x = x.contiguous(memory_format=torch.channels_last_3d)
args = ([1, 1, 1], [1, 1, 1], [0, 0, 0], [1, 1, 1], False)  # kernel, stride, pad, dilation, ceil

want_y, want_i = torch.ops.aten.max_pool3d_with_indices(x, *args)
y = torch.empty(x.shape).contiguous(memory_format=torch.channels_last_3d)
i = torch.empty(x.shape, dtype=torch.int64).contiguous(memory_format=torch.channels_last_3d)
torch.ops.aten.max_pool3d_with_indices.out(x, *args, out=y, indices=i)

print("torch", torch.__version__)
print("x               ", x.flatten().tolist())
print("y (functional)  ", want_y.flatten().tolist(), "indices", want_i.flatten().tolist())
print("y (out=, NDHWC) ", y.flatten().tolist(), "indices", i.flatten().tolist())
print("out strides kept", y.stride())
ok = torch.equal(want_y, x) and torch.equal(y, x) and torch.equal(i, want_i)
print("OK" if ok else "BUG: out= result differs from the functional result")
sys.exit(0 if ok else 1)
