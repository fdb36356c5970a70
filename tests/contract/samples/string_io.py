"""Contract samples for DecodeCSV, EncodeBase64/DecodeBase64, ReadFile, WriteFile and
MatchingFiles (ir/ops/string_io_ops.py); the file ops use a folder of their own."""
import os
import tempfile

import numpy as np

from graphc.ir.ops import core_ops, string_io_ops as S

ph = core_ops.placeholder
FOLDER = os.path.join(tempfile.gettempdir(), f"graphc_string_io_{os.getpid()}")
RECORDS = np.array([b'1,2.5,"a,b"', b',-1e3,', b'7,,"say ""hi"""'], dtype=object)


def _csv():
    r = ph("string", [None])
    return S.decode_csv(r, [np.int32(0), [np.float64(0.5)], ["dflt"]]), {r: RECORDS}


def _csv_selected():
    r = ph("string", [2, 1])
    return S.decode_csv(r, [np.int64(9), np.float32(1)], field_delim="|", select_cols=[0, 2],
                        na_value="NA"), {r: np.array([[b"3|x|NA"], [b"NA|y|4.5"]], object)}


def _strings(value):
    x = ph("string", [None])
    return x, {x: np.array(value, object)}


def _encode():
    x, feed = _strings([b"hello?", b"\xff\xfe", b""])
    return S.encode_base64(x), feed


def _encode_pad():
    x, feed = _strings([b"ab", b"abcd"])
    return S.encode_base64(x, pad=True), feed


def _decode():
    x, feed = _strings([b"aGVsbG8_", b"__4", b""])
    return S.decode_base64(x), feed


def _decode_padded():
    x, feed = _strings([b"YWI=", b"YWJjZA=="])
    return S.decode_base64(x), feed


def _file(name: str, data: bytes) -> str:
    os.makedirs(FOLDER, exist_ok=True)
    path = os.path.join(FOLDER, name)
    with open(path, "wb") as f:
        f.write(data)
    return path


def _read():
    return S.read_file(_file("read.txt", b"line 1\nline 2\n")), {}


def _read_fed():
    name = ph("string", [])
    return S.read_file(name), {name: _file("empty.bin", b"").encode()}


def _write():
    return S.write_file(os.path.join(FOLDER, "out", "w.txt"), "contents"), {}


def _write_fed():
    c = ph("string", [])
    return S.write_file(os.path.join(FOLDER, "w2.txt"), c), {c: b"\x00\x01"}


def _matching():
    for n in ("m1.csv", "m2.csv", "m.txt"):
        _file(n, b"x")
    return S.matching_files(os.path.join(FOLDER, "m*.csv")), {}


def _matching_list():
    _file("k.txt", b"x")
    return S.matching_files([os.path.join(FOLDER, "k*"), os.path.join(FOLDER, "nothing*")]), {}


SAMPLES = {
    "DecodeCSV": [_csv, _csv_selected],
    "EncodeBase64": [_encode, _encode_pad],
    "DecodeBase64": [_decode, _decode_padded],
    "ReadFile": [_read, _read_fed],
    "WriteFile": [_write, _write_fed],
    "MatchingFiles": [_matching, _matching_list],
}
