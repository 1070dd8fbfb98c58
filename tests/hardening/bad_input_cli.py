"""Bad input through `poolcheck ref`, the classes tests/cli/cli_errors.py does
not already cover: malformed, truncated and hostile .npy files, unsupported
dtypes, dtype/shape mismatches between x, dy and the descriptor, and
descriptors with overflowing, zero, negative or unknown fields.

Each case must exit non-zero (not by a signal), print exactly one line on
stderr containing the expected text, and leave no output files.
Usage: bad_input_cli.py POOLCHECK"""

import os
import struct
import subprocess
import sys
import tempfile

try:
    import numpy as np
except ImportError:
    print("numpy is not installed: skipped")
    sys.exit(77)

X_SHAPE = (1, 6, 6, 2)  # NHWC, f32
GOOD_DESC = "numpynet:f32:nhwc:mb1ic2_ih6iw6_kh2kw2"


def npy_bytes(header, data=b"", version=1):
    """A .npy file with a hand-written header dict (padded as numpy does)."""
    body = header.encode("latin1")
    magic = b"\x93NUMPY" + bytes([version, 0])
    size_format = "<H" if version == 1 else "<I"
    preamble = len(magic) + struct.calcsize(size_format)
    pad = (-(preamble + len(body) + 1)) % 64
    body += b" " * pad + b"\n"
    return magic + struct.pack(size_format, len(body)) + body + data


def header(descr, shape):
    return "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, shape)


def write_files(d):
    """name -> bytes of every hostile input file."""
    good = np.zeros(X_SHAPE, dtype=np.float32).tobytes()
    files = {
        "not_npy.npy": b"PK\x03\x04 this is a zip file, not a .npy",
        "empty.npy": b"",
        "truncated_data.npy": npy_bytes(header("<f4", X_SHAPE), good[:10]),
        "trailing_data.npy": npy_bytes(header("<f4", X_SHAPE), good + b"\0\0\0\0"),
        # Version 2 length field at its maximum: 4 GiB of header that is not there.
        "huge_header.npy": b"\x93NUMPY\x02\x00" + struct.pack("<I", 0xFFFFFFFF) + b"{'descr'",
        # A header claiming 2^62 elements with no data: must not allocate.
        "huge_shape.npy": npy_bytes(header("<f4", (1, 2**31, 2**31, 1))),
        "overflow_shape.npy": npy_bytes(header("<f4", (2**62, 2**62, 1, 2))),
        "negative_shape.npy": npy_bytes(header("<f4", (1, -6, 6, 2))),
        "unterminated_dict.npy": npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (1,"),
        "bad_version.npy": npy_bytes(header("<f4", X_SHAPE), good, version=9),
        "zero_height.npy": npy_bytes(header("<f4", (1, 0, 6, 2))),
    }
    for name, content in files.items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(content)
    np.save(os.path.join(d, "x.npy"), np.zeros(X_SHAPE, dtype=np.float32))
    # Unsupported element types, as numpy writes them.
    for name, dtype in [("c64", np.complex64), ("bool", np.bool_), ("i32", np.int32),
                        ("u16", np.uint16), ("u3", "<U3"), ("f8be", ">f8")]:
        np.save(os.path.join(d, f"x_{name}.npy"), np.zeros(X_SHAPE, dtype=dtype))
    np.save(os.path.join(d, "x_object.npy"), np.full(X_SHAPE, None, dtype=object),
            allow_pickle=True)
    # dy: right shape, wrong dtype; right dtype, wrong rank; unsupported dtype.
    np.save(os.path.join(d, "dy_f64.npy"), np.zeros((1, 3, 3, 2), dtype=np.float64))
    np.save(os.path.join(d, "dy_rank3.npy"), np.zeros((3, 3, 2), dtype=np.float32))
    np.save(os.path.join(d, "dy_c64.npy"), np.zeros((1, 3, 3, 2), dtype=np.complex64))


def cases(d):
    """(flags, text the single error line must contain)."""
    p = lambda name: os.path.join(d, name)  # noqa: E731
    k = ["--kernel", "2,2"]
    out = []
    # Malformed, truncated and hostile .npy: the line names the file.
    for name in ["not_npy.npy", "empty.npy", "truncated_data.npy", "trailing_data.npy",
                 "huge_header.npy", "huge_shape.npy", "overflow_shape.npy",
                 "negative_shape.npy", "unterminated_dict.npy", "bad_version.npy"]:
        out.append((["--input", p(name)] + k, name))
        out.append((["--dy", p(name)] + k, name))  # the same file as dy
    # A zero-sized spatial axis read from x: the problem names it.
    out.append((["--input", p("zero_height.npy")] + k, "input_h=0"))
    # Unsupported dtypes, as x and as dy.
    for name in ["c64", "bool", "i32", "u16", "u3", "object"]:
        out.append((["--input", p(f"x_{name}.npy")] + k, f"x_{name}.npy"))
    out.append((["--dy", p("dy_c64.npy")] + k, "dy_c64.npy"))
    # dtype and shape mismatches between x, dy and the descriptor.
    out.append((["--dy", p("dy_f64.npy")] + k, "dy_f64.npy"))
    out.append((["--dy", p("dy_rank3.npy")] + k, "dy_rank3.npy"))
    out.append((["--input", p("x_f8be.npy"), "--desc", GOOD_DESC], "dtype"))
    out.append((["--desc", "numpynet:f64:nhwc:mb1ic2_ih6iw6_kh2kw2"], "dtype"))
    out.append((["--desc", "numpynet:f32:nchw:mb1ic2_ih6iw6_kh2kw2"], "--desc="))
    out.append((["--desc", "numpynet:f32:nhwc:mb2ic2_ih6iw6_kh2kw2"], "--desc="))
    out.append((["--desc", "numpynet:f32:nwc:mb1ic2_iw6_kw2"], "--desc="))
    # Descriptors: overflowing, zero, negative or unknown fields.
    bad_descs = [
        ("numpynet:f32:nhwc:mb1ic2_ih99999999999999999999iw6_kh2kw2", "ih"),
        ("numpynet:f32:nhwc:mb1ic2_ih9223372036854775807iw6_kh2kw2", "9223372036854775807"),
        ("numpynet:f32:nhwc:mb4294967296ic4294967296_ih4294967296iw6_kh2kw2", "4294967296"),
        # (3 - 1) * 2^62 overflows the dilated span.
        ("pytorch:f32:nhwc:mb1ic2_ih6iw6_kh3kw2_dh4611686018427387904dw1",
         "dilation_h=4611686018427387904"),
        ("onnx:f32:nhwc:mb1ic2_ih6iw6_kh2kw2_pbh9223372036854775807pbw0peh0pew0",
         "9223372036854775807"),
        ("numpynet:f32:nhwc:mb0ic2_ih6iw6_kh2kw2", "batch=0"),
        ("numpynet:f32:nhwc:mb1ic0_ih6iw6_kh2kw2", "channels=0"),
        ("numpynet:f32:nhwc:mb1ic2_ih0iw6_kh2kw2", "input_h=0"),
        ("numpynet:f32:nhwc:mb1ic2_ih6iw6_kh0kw2", "kernel_h=0"),
        ("numpynet:f32:nhwc:mb1ic2_ih6iw6_kh2kw2_sh0sw2", "stride_h=0"),
        ("numpynet:f32:nhwc:mb1ic2_ih6iw6_kh-2kw2", "kh-2"),
        ("numpynet:f32:nhwc:mb-1ic2_ih6iw6_kh2kw2", "mb-1"),
        ("numpynet:f32:nhwc:mb1ic2_ih6iw6_kh2kw2_zz3", "zz"),
        ("numpynet:f32:nhwc:mb1ic2_ih6iw6_kh2kw2_kd2", "kd"),
        ("numpynet:f32:nhwc:mb1ic2_ih6iw6_kh2kw2_bogus", "bogus"),
        ("numpynet:c64:nhwc:mb1ic2_ih6iw6_kh2kw2", "dtype=c64"),
        ("numpynet:f32:nhcw:mb1ic2_ih6iw6_kh2kw2", "layout=nhcw"),
        ("caffe:f32:nhwc:mb1ic2_ih6iw6_kh2kw2", "profile=caffe"),
        ("numpynet,nan=sometimes:f32:nhwc:mb1ic2_ih6iw6_kh2kw2", "nan=sometimes"),
        ("numpynet:f32:nhwc", "descriptor="),
        ("", "--desc"),
        ("numpynet:f32:nhwc:mb1ic2_ih6iw6", "kernel"),
    ]
    for desc, expected in bad_descs:
        out.append((["--desc", desc], expected))
    return out


def main():
    poolcheck = sys.argv[1]
    failures = []
    with tempfile.TemporaryDirectory() as d:
        write_files(d)
        all_cases = cases(d)
        for i, (flags, expected) in enumerate(all_cases):
            out = os.path.join(d, f"out{i}")
            cmd = [poolcheck, "ref", "--out", out]
            if "--input" not in flags:
                cmd += ["--input", os.path.join(d, "x.npy")]
            done = subprocess.run(cmd + flags, capture_output=True, text=True, timeout=60)
            lines = done.stderr.strip().splitlines()
            what = " ".join(flags).replace(d + os.sep, "")
            if done.returncode == 0:
                failures.append(f"{what}: exit 0")
            elif done.returncode < 0:
                failures.append(f"{what}: killed by signal {-done.returncode}")
            elif len(lines) != 1 or expected not in lines[0]:
                failures.append(f"{what}: expected one line containing {expected!r}, got {lines!r}")
            elif os.path.exists(out):
                failures.append(f"{what}: created {out} ({os.listdir(out)}) despite the error")
    for f in failures:
        print("FAIL", f)
    print(f"{len(all_cases) - len(failures)} of {len(all_cases)} bad inputs rejected cleanly")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
