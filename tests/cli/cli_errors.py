"""Every bad parameter gives a non-zero exit, ONE line naming the parameter and
its value, and no output files. Usage: cli_errors.py POOLCHECK"""

import os
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
import golden_common as g  # noqa: E402

# (extra flags, text the single error line must contain)
CASES = [
    (["--kernel", "0,3"], "kernel_h=0"),
    (["--kernel", "3,-1"], "kernel_w=-1"),
    (["--kernel", "2,2", "--stride", "0,1"], "stride_h=0"),
    (["--kernel", "2,2", "--profile", "pytorch", "--dilation", "0,1"], "dilation_h=0"),
    (["--kernel", "2,2", "--profile", "onnx", "--padding", "-1,0,0,0"], "pad_begin_h=-1"),
    (["--kernel", "2,2", "--padding", "1,1,1,1"], "pad_begin_h=1"),  # numpynet: no explicit pads
    (["--kernel", "3,3", "--profile", "pytorch", "--layout", "nchw", "--padding", "2,2,0,0"],
     "pad_begin_h=2"),
    (["--kernel", "9,2"], "kernel_h=9"),  # empty output
    (["--kernel", "2,2", "--profile", "caffe"], "profile=caffe"),
    (["--kernel", "2,2", "--layout", "nhcw"], "--layout=nhcw"),
    (["--kernel", "2,2", "--padding", "sideways"], "--padding=sideways"),
    (["--kernel", "2,2,2"], "--kernel=2,2,2"),
    (["--kernel", "2,x"], "--kernel=2,x"),
    (["--kernel", "2,2", "--convention", "nan=maybe"], "nan=maybe"),
    (["--kernel", "2,2", "--ceil"], "ceil_mode=true"),
    (["--desc", "numpynet:f32:nhwc:mb1ic1_ih9iw9_kh2kw2"], "--desc=numpynet:f32:nhwc:mb1ic1_ih9iw9_kh2kw2"),
    (["--desc", "numpynet:f32:nhwc:mb1ic2_ih6iw6_oh4ow3_kh2kw2"], "output_h=4"),
    (["--kernel", "2,2", "--impl", "turbo"], "--impl=turbo"),
    (["--kernel"], "--kernel"),  # a parse error is one line too
    (["--kernel", "2,2", "--bogus"], "--bogus"),
]


def main():
    poolcheck = sys.argv[1]
    failures = []
    with tempfile.TemporaryDirectory() as d:
        x_path = os.path.join(d, "x.npy")
        np.save(x_path, np.zeros((1, 6, 6, 2), dtype=np.float32))
        np.save(os.path.join(d, "dy_bad.npy"), np.zeros((1, 2, 2, 2), dtype=np.float32))
        np.save(os.path.join(d, "i64.npy"), np.zeros((1, 6, 6, 2), dtype=np.int64))
        with open(os.path.join(d, "junk.npy"), "wb") as f:
            f.write(b"\x93NUMPY\x01\x00\xff\xff")
        cases = CASES + [
            (["--kernel", "2,2", "--dy", os.path.join(d, "dy_bad.npy")], "--dy="),
            (["--kernel", "2,2", "--input", os.path.join(d, "i64.npy")], "i64"),
            (["--kernel", "2,2", "--input", os.path.join(d, "junk.npy")], "junk.npy"),
            (["--kernel", "2,2", "--input", os.path.join(d, "missing.npy")], "missing.npy"),
        ]
        for i, (flags, expected) in enumerate(cases):
            out = os.path.join(d, f"out{i}")
            own_input = "--input" in flags
            cmd = [poolcheck, "ref", "--out", out] + ([] if own_input else ["--input", x_path]) + flags
            done = subprocess.run(cmd, capture_output=True, text=True)
            lines = done.stderr.strip().splitlines()
            what = " ".join(flags)
            if done.returncode == 0:
                failures.append(f"{what}: exit 0")
            elif done.returncode < 0:
                failures.append(f"{what}: killed by signal {-done.returncode}")
            elif len(lines) != 1 or expected not in lines[0]:
                failures.append(f"{what}: expected one line containing {expected!r}, got {lines!r}")
            elif os.path.exists(out) and os.listdir(out):
                failures.append(f"{what}: wrote {os.listdir(out)} despite the error")
    g.finish(failures, len(cases))


if __name__ == "__main__":
    main()
