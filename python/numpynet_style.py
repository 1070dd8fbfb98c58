"""Max pooling written the way NumPyNet's Maxpool_layer computes it.

An independent numpy implementation (poolcheck's own words, from the
behaviour documented in SEMANTICS.md and the seed page): a strided view over
the NaN-padded (SAME) or cropped (VALID) input, np.nanmax for values,
np.nanargmax per window for the window-local index x*ky + y, and a backward
that adds dy at each argmax window after window. Used as the golden model for
`poolcheck ref --profile numpynet` and as the example of validating a NumPy
implementation through poolcheck's golden vectors.

Like NumPyNet it raises on an all-NaN window (np.nanargmax does), where
poolcheck outputs NaN with argmax -1.
"""

import numpy as np


def same_pads(size, kernel, stride):
    """Total pad max(k - (size % s or s), 0), odd cell at the end."""
    rest = size % stride
    total = max(kernel - (rest if rest else stride), 0)
    return total // 2, total - total // 2


def windows(padded, kernel, stride):
    """View (batch, out_w, out_h, c, kx, ky) over a (batch, w, h, c) array."""
    b, w, h, c = padded.shape
    kx, ky = kernel
    sx, sy = stride
    sb, s0, s1, sc = padded.strides
    shape = (b, 1 + (w - kx) // sx, 1 + (h - ky) // sy, c, kx, ky)
    strides = (sb, sx * s0, sy * s1, sc, s0, s1)
    return np.lib.stride_tricks.as_strided(padded, shape, strides, writeable=True)


class MaxPool:
    def __init__(self, kernel, stride=None, pad=False):
        self.kernel = tuple(kernel)
        self.stride = tuple(stride) if stride else self.kernel
        self.pad = pad

    def _prepare(self, x, fill):
        """The padded (NaN) or cropped array the windows are taken from."""
        _, w, h, _ = x.shape
        (kx, ky), (sx, sy) = self.kernel, self.stride
        if self.pad:
            self.pads = (same_pads(w, kx, sx), same_pads(h, ky, sy))
            return np.pad(x, ((0, 0), self.pads[0], self.pads[1], (0, 0)),
                          mode="constant", constant_values=fill)
        self.pads = ((0, 0), (0, 0))
        return x[:, : (w - kx) // sx * sx + kx, : (h - ky) // sy * sy + ky, :]

    def forward(self, x):
        view = windows(self._prepare(x, np.nan), self.kernel, self.stride)
        self.y = np.nanmax(view, axis=(4, 5))
        flat = view.reshape(-1, self.kernel[0] * self.kernel[1])
        self.argmax = np.array([np.nanargmax(r) for r in flat], dtype=np.int64).reshape(self.y.shape)
        return self.y, self.argmax

    def backward(self, dy, dx):
        """dx += dy at each argmax, in window order (batch, x, y, channel)."""
        padded = self._prepare(dx, np.nan) if self.pad else dx
        view = windows(padded, self.kernel, self.stride)
        ky = self.kernel[1]
        for index in np.ndindex(*self.y.shape):
            a = self.argmax[index]
            view[index + (a // ky, a % ky)] += dy[index]
        if self.pad:
            (t, _), (l, _) = self.pads
            dx[...] = padded[:, t : t + dx.shape[1], l : l + dx.shape[2], :]
        return dx
