"""Damaged and hostile checkpoints in graphc's own format (issue 15, items 9 and 10): every
read is bounded by declared sizes, only regular files are read, and whatever is wrong comes out as
`tf.errors.DataLossError` (or NotFoundError for a missing checkpoint) naming the file and
the entry -- never a hang, a MemoryError, a RecursionError, a tokenize or zip error.

Memory is measured with tracemalloc (numpy's allocations are traced), not time: a 0.5 MB
hostile file must not make the reader allocate more than a few MB."""
from __future__ import annotations

import io
import json
import os
import tracemalloc
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import graphc as tf

DATA = ".data-00000-of-00001"
INDEX = ".index"
PEAK_BYTES = 8 << 20  # what reading any hostile case below may allocate


def _save(directory) -> str:
    g = tf.Graph()
    with g.as_default():
        tf.Variable(np.arange(6, dtype=np.float32).reshape(2, 3), name="w")
        tf.Variable(np.array([1, 2, 3], np.int64), name="b")
        tf.Variable(np.float64(2.5), name="s")
        init = tf.global_variables_initializer()
        saver = tf.train.Saver(write_version="graphc")  # (TensorFlow's V2: test_tensor_bundle)
    with tf.Session(graph=g) as sess:
        sess.run(init)
        return saver.save(sess, os.path.join(str(directory), "m"), global_step=1)


def _load_everything(prefix: str) -> None:
    """Every way a program reads a checkpoint."""
    tf.train.list_variables(prefix)
    reader = tf.train.NewCheckpointReader(prefix)
    reader.get_variable_to_dtype_map()
    for name in sorted(reader.get_variable_to_shape_map()):
        reader.get_tensor(name)
    g = tf.Graph()
    with g.as_default():
        tf.Variable(np.zeros((2, 3), np.float32), name="w")
        tf.Variable(np.zeros(3, np.int64), name="b")
        tf.Variable(np.float64(0), name="s")
        saver = tf.train.Saver()
    with tf.Session(graph=g) as sess:
        saver.restore(sess, prefix)


def _npy(arr) -> bytes:
    buf = io.BytesIO()
    np.save(buf, arr, allow_pickle=False)
    return buf.getvalue()


def _data_zip(entries: dict, method=zipfile.ZIP_STORED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return buf.getvalue()


def _entries(prefix: str) -> dict:
    with zipfile.ZipFile(prefix + DATA) as z:
        return {n: z.read(n) for n in z.namelist()}


def _index(prefix: str) -> dict:
    with open(prefix + INDEX) as f:
        return json.load(f)


def _replace_entry(prefix: str, entry: str, data: bytes, method=zipfile.ZIP_STORED) -> None:
    entries = _entries(prefix)
    entries[entry] = data
    with open(prefix + DATA, "wb") as f:
        f.write(_data_zip(entries, method))


def _entry_of(prefix: str, name: str) -> str:
    return _index(prefix)["tensors"][name]["entry"]


def _edit_index(prefix: str, edit) -> None:
    index = _index(prefix)
    edit(index)
    with open(prefix + INDEX, "w") as f:
        json.dump(index, f)


def _w_header(prefix, old: bytes, new: bytes) -> None:
    entry = _entry_of(prefix, "w")
    raw = _entries(prefix)[entry]
    assert old in raw
    _replace_entry(prefix, entry, raw.replace(old, new))


def _symlink_zero(prefix, suffix):
    os.unlink(prefix + suffix)
    os.symlink("/dev/zero", prefix + suffix)


def _directory(prefix, suffix):
    os.unlink(prefix + suffix)
    os.mkdir(prefix + suffix)


def _fifo(prefix, suffix):
    os.unlink(prefix + suffix)
    os.mkfifo(prefix + suffix)


def _write(prefix, suffix, data: bytes):
    with open(prefix + suffix, "wb") as f:
        f.write(data)


def _set_dtype(dtype):
    def edit(index):
        index["tensors"]["w"]["dtype"] = dtype
    return edit


# case: (damage(prefix), the file the error names, what the message says)
HOSTILE = {
    "index -> /dev/zero": (lambda p: _symlink_zero(p, INDEX), INDEX, "character device"),
    "data -> /dev/zero": (lambda p: _symlink_zero(p, DATA), DATA, "character device"),
    "index is a directory": (lambda p: _directory(p, INDEX), INDEX, "a directory"),
    "data is a directory": (lambda p: _directory(p, DATA), DATA, "a directory"),
    "index is a FIFO": (lambda p: _fifo(p, INDEX), INDEX, "a FIFO"),
    "data is a FIFO": (lambda p: _fifo(p, DATA), DATA, "a FIFO"),
    "index not JSON": (lambda p: _write(p, INDEX, b"{not json"), INDEX, "cannot be read"),
    "index not UTF-8": (lambda p: _write(p, INDEX, b"{\xff\xfe}"), INDEX, "cannot be read"),
    "index nested deeply": (lambda p: _write(p, INDEX, b"{" + b'"a": [' * 200_000),
                            INDEX, "nests too deeply|cannot be read"),
    "index values nested deeply": (
        lambda p: _edit_index(p, lambda i: i["tensors"].update(
            w=json.loads("[" * 500 + "]" * 500))), INDEX, "must hold exactly"),
    "index 0.5 MB of spaces": (lambda p: _write(p, INDEX, b" " * (1 << 19)), INDEX,
                               "in no format graphc reads"),
    "index 0.5 MB of JSON": (lambda p: _write(p, INDEX, b'{"a": ' + b" " * (1 << 19) + b"[]}"),
                             INDEX, "not a graphc checkpoint index"),
    "bad dtype string": (lambda p: _edit_index(p, _set_dtype("float32x")), INDEX,
                         "'float32x' is not one graphc reads"),
    "dtype not a string": (lambda p: _edit_index(p, _set_dtype([1])), INDEX,
                           "is not one graphc reads"),
    "string dtype": (lambda p: _edit_index(p, _set_dtype("string")), INDEX,
                     "'string' is not one graphc reads"),
    "index shape 2^50": (lambda p: _edit_index(p, lambda i: i["tensors"]["w"].update(
        shape=[1 << 50])), INDEX, "bad dim"),
    "index shape not the data's": (lambda p: _edit_index(p, lambda i: i["tensors"]["w"].update(
        shape=[1 << 30, 1 << 30])), DATA, "its index says"),
    "entry used twice": (lambda p: _edit_index(p, lambda i: i["tensors"]["b"].update(
        entry=i["tensors"]["w"]["entry"])), INDEX, "used twice"),
    "entry missing": (lambda p: _edit_index(p, lambda i: i["tensors"]["w"].update(
        entry="nope.npy")), DATA, "entry nope.npy is missing"),
    "wrong version": (lambda p: _edit_index(p, lambda i: i.update(version=7)), INDEX,
                      "checkpoint version 7"),
    "data truncated": (lambda p: _write(p, DATA, open(p + DATA, "rb").read()[:-30]), DATA,
                       "not a graphc checkpoint's data"),
    "data not a zip": (lambda p: _write(p, DATA, b"\0" * 100), DATA, "not a graphc"),
    "npy header bit flip": (lambda p: _w_header(p, b"(2, 3)", b"(2\x07 3)"), DATA,
                            "entry t[0-9].npy is invalid: unreadable header"),
    "npy header shape 2^40": (lambda p: _w_header(p, b"(2, 3), }", b"(1099511627775,)}"),
                              DATA, "declares shape \\(1099511627775,\\)"),
    "npy header shape 2^41": (lambda p: _w_header(p, b"(2, 3), }", b"(2199023255552,)}"),
                              DATA, "too many or too large dims"),
    "npy header bad dtype": (lambda p: _w_header(p, b"'<f4'", b"'<U1'"), DATA,
                             "'<U1' is not one graphc reads"),
    "npy object dtype": (lambda p: _w_header(p, b"'<f4'", b"'|O'"), DATA,
                         "'|O' is not one graphc reads"),
    "npy header is code": (lambda p: _w_header(
        p, b"{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }",
        b"__import__('os').system('false')                             "), DATA,
        "not a dict"),
    "npy data short": (lambda p: _replace_entry(p, _entry_of(p, "w"), _entries(p)[
        _entry_of(p, "w")][:-4]), DATA, "entry holds 20 bytes of data"),
    "deflated entry": (lambda p: _write(p, DATA, _data_zip(_entries(p), zipfile.ZIP_DEFLATED)),
                       DATA, "compression method 8"),
    "bzip2 entry": (lambda p: _write(p, DATA, _data_zip(_entries(p), zipfile.ZIP_BZIP2)),
                    DATA, "compression method 12"),
}


@pytest.mark.timeout(60)
@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_checkpoints_are_refused_naming_file_and_entry(tmp_path, case):
    damage, culprit, match = HOSTILE[case]
    prefix = _save(tmp_path)
    damage(prefix)
    tracemalloc.start()
    try:
        with pytest.raises(tf.errors.DataLossError, match=match) as info:
            _load_everything(prefix)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert os.path.basename(prefix + culprit) in str(info.value)
    assert peak < PEAK_BYTES, f"{case}: reading allocated {peak} bytes"


def test_a_data_entry_under_a_huge_declared_size_is_refused_before_reading(tmp_path):
    # a central directory that declares 2^40 bytes for a stored entry the file cannot hold
    prefix = _save(tmp_path)
    raw = bytearray(open(prefix + DATA, "rb").read())
    entry = _entry_of(prefix, "w").encode()
    central = raw.index(b"PK\x01\x02")
    while raw[central + 46:central + 46 + len(entry)] != entry:
        central = raw.index(b"PK\x01\x02", central + 1)
    raw[central + 20:central + 28] = (0xFFFF_FFFE).to_bytes(4, "little") * 2
    _write(prefix, DATA, bytes(raw))
    with pytest.raises(tf.errors.DataLossError, match="which the file does not hold|limit"):
        _load_everything(prefix)


def test_missing_checkpoint_is_not_found_and_state_file_is_bounded(tmp_path):
    with pytest.raises(tf.errors.NotFoundError, match="Failed to find any matching files"):
        tf.train.NewCheckpointReader(str(tmp_path / "nothing"))
    os.symlink("/dev/zero", tmp_path / "checkpoint")
    with pytest.raises(tf.errors.DataLossError, match="checkpoint: not a regular file"):
        tf.train.latest_checkpoint(str(tmp_path))
    os.unlink(tmp_path / "checkpoint")
    (tmp_path / "checkpoint").write_bytes(b'model_checkpoint_path: "\xff"\n')
    with pytest.raises(tf.errors.DataLossError, match="not text"):
        tf.train.get_checkpoint_state(str(tmp_path))


def test_writer_refuses_what_the_reader_refuses(tmp_path):
    from graphc.train.checkpoint_format import GRAPHC
    with pytest.raises(TypeError, match="'names'.*not a numeric or bool graphc dtype"):
        GRAPHC.write(str(tmp_path / "m"), {"names": np.array(["a", "b"])})
    GRAPHC.write(str(tmp_path / "m"), {"f": np.asfortranarray(np.arange(6.0).reshape(2, 3)),
                                       "big": np.arange(4, dtype=">i4")})
    got = GRAPHC.read_tensors(str(tmp_path / "m"))
    np.testing.assert_array_equal(got["f"], np.arange(6.0).reshape(2, 3))
    np.testing.assert_array_equal(got["big"], np.arange(4))


# ---------------------------------------------------------------- the fuzz
_GOOD: dict = {}


def _good_files(tmp_path) -> dict:
    if not _GOOD:
        (tmp_path / "good").mkdir()
        prefix = _save(tmp_path / "good")
        for suffix in (INDEX, DATA):
            with open(prefix + suffix, "rb") as f:
                _GOOD[suffix] = f.read()
    return _GOOD


_JUNK = st.one_of(st.none(), st.booleans(), st.integers(-2, 1 << 62), st.text(max_size=6),
                  st.lists(st.integers(-1, 1 << 45), max_size=4),
                  st.recursive(st.integers(), lambda c: st.lists(c, max_size=2), max_leaves=4))


def _mutate_npy(data, raw: bytes) -> bytes:
    """An entry whose header is bit-flipped, cut, or given a huge or odd shape."""
    kind = data.draw(st.sampled_from(["flip", "cut", "shape"]))
    raw = bytearray(raw)
    if kind == "flip":
        for _ in range(data.draw(st.integers(1, 4))):
            raw[data.draw(st.integers(0, min(len(raw), 80) - 1))] ^= data.draw(
                st.integers(1, 255))
    elif kind == "cut":
        raw = raw[:data.draw(st.integers(0, len(raw) - 1))]
    else:
        dims = data.draw(st.lists(st.integers(0, 1 << 45), max_size=3))
        text = raw[10:raw.index(b"}") + 1].decode()
        start = text.index("'shape': (") + len("'shape': (")
        new = text[:start] + ", ".join(map(str, dims)) + ("," if len(dims) == 1 else "") + \
            text[text.index(")", start):]
        raw = raw[:8] + len(new.encode()).to_bytes(2, "little") + new.encode() + \
            raw[raw.index(b"}") + 1:]
    return bytes(raw)


@pytest.mark.timeout(120)
@settings(derandomize=True, max_examples=120, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_fuzzed_checkpoints_load_or_fail_cleanly(tmp_path, data):
    good = _good_files(tmp_path)
    directory = tmp_path / f"case{len(os.listdir(tmp_path))}"
    directory.mkdir()
    prefix = str(directory / "m-1")
    files = dict(good)
    kind = data.draw(st.sampled_from(["truncate", "flip", "index", "npy", "nest", "special"]))
    suffix = data.draw(st.sampled_from([INDEX, DATA]))
    if kind == "truncate":
        files[suffix] = files[suffix][:data.draw(st.integers(0, len(files[suffix]) - 1))]
    elif kind == "flip":
        raw = bytearray(files[suffix])
        for _ in range(data.draw(st.integers(1, 8))):
            raw[data.draw(st.integers(0, len(raw) - 1))] ^= data.draw(st.integers(1, 255))
        files[suffix] = bytes(raw)
    elif kind == "index":
        index = json.loads(good[INDEX])
        target = data.draw(st.sampled_from([index, index["tensors"]] +
                                           list(index["tensors"].values())))
        key = data.draw(st.sampled_from(sorted(target) + ["extra"]))
        target[key] = data.draw(_JUNK)
        files[INDEX] = json.dumps(index).encode()
    elif kind == "npy":
        with zipfile.ZipFile(io.BytesIO(good[DATA])) as z:
            entries = {n: z.read(n) for n in z.namelist()}
        name = data.draw(st.sampled_from(sorted(entries)))
        entries[name] = _mutate_npy(data, entries[name])
        files[DATA] = _data_zip(entries)
    elif kind == "nest":
        depth = data.draw(st.integers(1, 100_000))
        files[INDEX] = b'{"tensors": ' + b"[" * depth + b"]" * data.draw(st.integers(0, depth))
    for sfx, raw in files.items():
        with open(prefix + sfx, "wb") as f:
            f.write(raw)
    if kind == "special":
        os.unlink(prefix + suffix)
        special = data.draw(st.sampled_from(["/dev/zero", "dir", "fifo", "dangling"]))
        if special == "dir":
            os.mkdir(prefix + suffix)
        elif special == "fifo":
            os.mkfifo(prefix + suffix)
        else:
            os.symlink(special if special == "/dev/zero" else str(directory / "gone"),
                       prefix + suffix)
    try:
        _load_everything(prefix)
    except (tf.errors.DataLossError, tf.errors.NotFoundError,
            tf.errors.InvalidArgumentError) as exc:
        assert "m-1" in str(exc)


def test_checkpoint_files_get_the_usual_permissions(tmp_path):
    # written through a temporary file and a rename, but readable by others as TF's are
    # (mkstemp's 0600 used to leak through): 0666 minus the process's umask
    import stat
    from graphc.ir import fileio
    v = tf.Variable(np.float32([1, 2]), name="v")
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(v.initializer)
        prefix = saver.save(sess, str(tmp_path / "model"))
    want = 0o666 & ~fileio._UMASK
    for path in list(tmp_path.iterdir()):
        if path.is_file():
            assert stat.S_IMODE(path.stat().st_mode) == want, path.name
    assert (tmp_path / "checkpoint").exists() and prefix
