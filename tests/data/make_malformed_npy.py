"""Writes the corpus of malformed .npy files in tests/data/malformed_npy/.

Each file is one way a .npy file can be wrong; maparray must reject every one with
maparray::format_error (tests/test_npy_malformed.cpp). Run it again after adding a case:
    /usr/bin/python3 tests/data/make_malformed_npy.py
"""
import shutil
import struct
from pathlib import Path

OUT = Path(__file__).resolve().parent / "malformed_npy"
MAGIC = b"\x93NUMPY"
GOOD = "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }"


def header(text, version=(1, 0), data=b"\0" * 16, encoding="latin1"):
    body = text.encode(encoding) if isinstance(text, str) else text
    fmt = "<H" if version[0] == 1 else "<I"
    body += b" " * (-(len(MAGIC) + 2 + struct.calcsize(fmt) + len(body) + 1) % 64) + b"\n"
    return MAGIC + bytes(version) + struct.pack(fmt, len(body)) + body + data


def dict_with(descr="'<f8'", fortran="False", shape="(2,)"):
    return header(f"{{'descr': {descr}, 'fortran_order': {fortran}, 'shape': {shape}, }}")


CASES = {
    # The magic string and the version.
    "empty_file": b"",
    "truncated_magic": MAGIC[:4],
    "bad_magic": b"\x93NUMPX\x01\x00" + header(GOOD)[8:],
    "lowercase_magic": b"\x93numpy\x01\x00" + header(GOOD)[8:],
    "magic_only": MAGIC + b"\x01\x00",
    "version_0_0": MAGIC + b"\x00\x00" + header(GOOD)[8:],
    "version_4_0": MAGIC + b"\x04\x00" + header(GOOD)[8:],
    "version_1_1": MAGIC + b"\x01\x01" + header(GOOD)[8:],
    # The header length.
    "truncated_header_length": MAGIC + b"\x01\x00\x40",
    "truncated_v2_header_length": MAGIC + b"\x02\x00\x40\x00",
    "header_length_past_end": MAGIC + b"\x01\x00\x00\x10" + b"{'descr'",
    "header_length_over_limit": header(GOOD + " " * 20000, (2, 0)),
    "header_length_4gib": MAGIC + b"\x02\x00\xff\xff\xff\xff" + b"{}",
    "header_length_zero": MAGIC + b"\x01\x00\x00\x00" + b"\0" * 16,
    # The dict.
    "header_not_a_dict": header("['descr', 'fortran_order', 'shape']"),
    "header_garbage": header("hello world"),
    "header_unterminated_string": header("{'descr: '<f8', 'fortran_order': False, 'shape': (2,)}"),
    "header_unbalanced": header("{'descr': '<f8', 'fortran_order': False, 'shape': (2,)"),
    "header_trailing_text": header(GOOD + " extra"),
    "header_set_literal": header("{'descr', 'fortran_order', 'shape'}"),
    "header_function_call": header("dict(descr='<f8', fortran_order=False, shape=(2,))"),
    "missing_descr": header("{'fortran_order': False, 'shape': (2,), }"),
    "missing_shape": header("{'descr': '<f8', 'fortran_order': False, }"),
    "missing_fortran_order": header("{'descr': '<f8', 'shape': (2,), }"),
    "extra_key": header("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), 'x': 1}"),
    "duplicate_key": header("{'descr': '<f8', 'descr': '<f8', 'fortran_order': False, "
                            "'shape': (2,)}"),
    "key_not_a_string": header("{1: '<f8', 'fortran_order': False, 'shape': (2,)}"),
    "empty_dict": header("{}"),
    # The shape.
    "shape_list": dict_with(shape="[2]"),
    "shape_int": dict_with(shape="2"),
    "shape_parenthesized_int": dict_with(shape="(2)"),
    "shape_negative": dict_with(shape="(-2,)"),
    "shape_float": dict_with(shape="(2.0,)"),
    "shape_string": dict_with(shape="('2',)"),
    "shape_bool": dict_with(shape="(True, True)"),
    "shape_none": dict_with(shape="None"),
    "shape_product_overflow": dict_with(shape="(4294967296, 4294967296)"),
    "shape_bytes_overflow": dict_with(shape="(2305843009213693952,)"),
    "shape_dimension_too_big": dict_with(shape="(18446744073709551616,)"),
    "shape_33_dimensions": dict_with(shape="(" + "1, " * 33 + ")"),
    # fortran_order.
    "fortran_order_int": dict_with(fortran="0"),
    "fortran_order_string": dict_with(fortran="'False'"),
    "fortran_order_none": dict_with(fortran="None"),
    # The descr.
    "descr_unknown_kind": dict_with(descr="'<x8'"),
    "descr_bad_size": dict_with(descr="'<f3'"),
    "descr_object": dict_with(descr="'|O'"),
    "descr_empty": dict_with(descr="''"),
    "descr_int": dict_with(descr="8"),
    "descr_bytes": dict_with(descr="b'<f8'"),
    "descr_pipe_multibyte": dict_with(descr="'|f8'"),
    "descr_datetime": dict_with(descr="'<M8[ns]'"),
    "descr_top_level_subarray": dict_with(descr="('<f8', (2,))"),
    "descr_record_duplicate_names": dict_with(descr="[('x', '<f4'), ('x', '<f4')]"),
    "descr_record_title_clash": dict_with(descr="[(('x', 'y'), '<f4'), ('x', '<f4')]"),
    "descr_record_short_field": dict_with(descr="[('x',)]"),
    "descr_record_long_field": dict_with(descr="[('x', '<f4', (2,), 1)]"),
    "descr_record_name_not_string": dict_with(descr="[(1, '<f8')]"),
    "descr_record_empty_name": dict_with(descr="[('', '<f8')]"),
    "descr_record_negative_subarray": dict_with(descr="[('x', '<f8', (-1,))]"),
    "descr_record_size_overflow": dict_with(descr="[('x', '|V2147483647', (4294967296,))]"),
    "descr_nested_too_deep": dict_with(descr="[('x', " * 80 + "'<f8'" + ")]" * 80),
    # Encodings.
    "v3_invalid_utf8": header(b"{'descr': [('\xff', '<f8')], 'fortran_order': False, "
                              b"'shape': (2,), }", (3, 0)),
    "v3_python2_long": header("{'descr': '<f8', 'fortran_order': False, 'shape': (2L,), }",
                              (3, 0)),
    # The data.
    "data_truncated": header(GOOD, data=b"\0" * 10),
    "data_missing": header(GOOD, data=b""),
    "data_truncated_large_shape": dict_with(shape="(1000000, 1000000)"),
}


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir()
    for name, content in CASES.items():
        (OUT / f"{name}.npy").write_bytes(content)
    print(f"wrote {len(CASES)} files to {OUT}")


if __name__ == "__main__":
    main()
