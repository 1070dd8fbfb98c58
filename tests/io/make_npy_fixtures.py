#!/usr/bin/python3
"""Writes the .npy fixtures read by npy_test.cpp into tests/io/fixtures/.

Run with a Python that has numpy (the committed files were made with numpy
1.24.2 via /usr/bin/python3 on Debian 12):

    /usr/bin/python3 tests/io/make_npy_fixtures.py

The values below are repeated as literals in npy_test.cpp; change both together.
numpy 1.24 pads headers for in-place growth (GROWTH_AXIS_MAX_DIGITS), and the
byte-exact tests in npy_test.cpp rely on that layout, so regenerate with 1.24.
"""

import io
import os

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")

F32_2X3 = [[0.5, -1.25, 2.0], [3.75, 100.0, -7.5]]
F64_3 = [0.1, -2.5, 1e300]
F16_4 = [1.0, -2.0, 0.5, 65504.0]  # bits 0x3c00 0xc000 0x3800 0x7bff
BF16_2X2 = [[1.0, -2.0], [0.5, 3.140625]]  # bits 0x3f80 0xc000 0x3f00 0x4049
S8_2X2 = [[-128, -1], [0, 127]]
U8_5 = [0, 1, 128, 254, 255]
I64_2X2 = [[0, -1], [1 << 40, 2**63 - 1]]


def save(name, array):
    np.save(os.path.join(OUT, name), array)


def write_with_version(name, array, version):
    with open(os.path.join(OUT, name), "wb") as f:
        np.lib.format.write_array(f, array, version=version)


def bf16_bits(values):
    """bfloat16 is the top half of a float32; these values are exact in it."""
    f32 = np.array(values, dtype="<f4")
    bits = (f32.view("<u4") >> 16).astype("<u2")
    assert np.array_equal(bits.astype("<u4") << 16, f32.view("<u4")), "not exact in bf16"
    return bits


def write_bf16_as_ml_dtypes(name, values):
    """What np.save writes for an ml_dtypes.bfloat16 array: descr '<V2'.

    ml_dtypes is not installed here, so write the same header it would get.
    """
    bits = bf16_bits(values)
    with open(os.path.join(OUT, name), "wb") as f:
        header = {"descr": "<V2", "fortran_order": False, "shape": bits.shape}
        np.lib.format.write_array_header_1_0(f, header)
        f.write(bits.tobytes())


def main():
    os.makedirs(OUT, exist_ok=True)

    # One file per element type, native little-endian, C order, version 1.0.
    save("f32_2x3.npy", np.array(F32_2X3, dtype="<f4"))
    save("f64_3.npy", np.array(F64_3, dtype="<f8"))
    save("f16_4.npy", np.array(F16_4, dtype="<f2"))
    write_bf16_as_ml_dtypes("bf16_2x2.npy", BF16_2X2)
    save("bf16_void_2x2.npy", bf16_bits(BF16_2X2).view("V2"))  # descr '|V2'
    save("s8_2x2.npy", np.array(S8_2X2, dtype="|i1"))
    save("u8_5.npy", np.array(U8_5, dtype="|u1"))
    save("i64_2x2.npy", np.array(I64_2X2, dtype="<i8"))

    # Big-endian data.
    save("be_f32_2x3.npy", np.array(F32_2X3, dtype="<f4").astype(">f4"))
    save("be_f64_3.npy", np.array(F64_3, dtype="<f8").astype(">f8"))
    save("be_f16_4.npy", np.array(F16_4, dtype="<f2").astype(">f2"))
    save("be_i64_2x2.npy", np.array(I64_2X2, dtype="<i8").astype(">i8"))

    # Fortran order: C-order values 0, 1, 2, ... stored column-major.
    save("fortran_f32_2x3x4.npy", np.asfortranarray(np.arange(24, dtype="<f4").reshape(2, 3, 4)))
    save("fortran_be_i64_3x4.npy", np.asfortranarray(np.arange(12, dtype=">i8").reshape(3, 4)))

    # Format versions 2.0 and 3.0 (4-byte header length).
    write_with_version("v2_f32_2x3.npy", np.array(F32_2X3, dtype="<f4"), (2, 0))
    write_with_version("v3_u8_5.npy", np.array(U8_5, dtype="|u1"), (3, 0))

    # 0-d and empty arrays.
    save("scalar_f64.npy", np.array(3.5, dtype="<f8"))
    save("empty_f32_0.npy", np.zeros((0,), dtype="<f4"))
    save("empty_u8_2x0x3.npy", np.zeros((2, 0, 3), dtype="|u1"))

    check()


def check():
    """Sanity check: what numpy reads back is what was meant."""
    def load(name):
        return np.load(os.path.join(OUT, name))

    assert load("fortran_f32_2x3x4.npy").flags.f_contiguous
    assert np.array_equal(load("fortran_f32_2x3x4.npy"), np.arange(24).reshape(2, 3, 4))
    assert load("be_f32_2x3.npy").dtype.str == ">f4"
    assert np.array_equal(load("be_i64_2x2.npy"), I64_2X2)
    assert load("bf16_void_2x2.npy").dtype.str == "|V2"
    with open(os.path.join(OUT, "v2_f32_2x3.npy"), "rb") as f:
        assert f.read(8) == b"\x93NUMPY\x02\x00"
    with open(os.path.join(OUT, "bf16_2x2.npy"), "rb") as f:
        assert b"'descr': '<V2'" in f.read()
    assert load("scalar_f64.npy").shape == ()
    print("wrote", len(os.listdir(OUT)), "fixtures to", OUT)


if __name__ == "__main__":
    main()
