"""TF's graph-building helpers at the top level: tf.function and wrap_function in a
graph, vectorized_map, CriticalSection, persistent session tensors, and the TypeSpec
classes with type_spec_from_value (their reprs are TensorFlow 2.21's); on both
backends."""
from __future__ import annotations

import threading

import numpy as np
import pytest

import graphc as tf

BACKENDS = ["numpy", "llvm"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_function_traces_into_the_graph_and_keeps_its_first_variables(backend):
    @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
    def scaled(x):
        v = tf.Variable(2.0, name="scale")
        return x * v + 1.0

    class Model:
        @tf.function
        def __call__(self, x):
            return tf.reduce_sum(x) * 3.0

    x = tf.placeholder(tf.float32, [None])
    a, b = scaled(x), scaled(x + 1.0)
    total = Model()(x)
    assert [v.name for v in tf.global_variables()] == ["scaled/scale:0"]
    assert a.name.startswith("scaled/") and b.name.startswith("scaled_1/")
    with pytest.raises(ValueError, match="incompatible with input_signature"):
        scaled(tf.zeros([2, 2]))
    with pytest.raises(TypeError, match="input_signature has 1 tensors"):
        scaled(x, x)
    with tf.Session(backend=backend) as sess:
        sess.run(tf.global_variables_initializer())
        got = sess.run([a, b, total], {x: [1.0, -2.0]})
    np.testing.assert_allclose(got[0], [3.0, -3.0])
    np.testing.assert_allclose(got[1], [5.0, -1.0])
    assert got[2] == -3.0

    @tf.function
    def grows(x):
        return x * tf.Variable(1.0)

    grows(x)
    grows(x)  # the same variable again
    assert len(tf.global_variables()) == 2


@pytest.mark.parametrize("backend", BACKENDS)
def test_wrap_function_traces_once_and_prunes(backend):
    def f(x, y):
        return {"sum": x + y, "prod": x * y}

    w = tf.wrap_function(f, [tf.TensorSpec([2], tf.float32, name="x"),
                             tf.TensorSpec([2], tf.float32, name="y")])
    assert [t.name for t in w.inputs] == ["x:0", "y:0"] and len(w.outputs) == 2
    assert w.structured_input_signature[0][0].name == "x"
    called = w(tf.constant([1.0, 2.0]), tf.constant([3.0, 4.0]))
    pruned = w.prune(w.inputs, w.structured_outputs["prod"])
    prod = pruned(tf.constant([1.0, 2.0]), tf.constant([5.0, -5.0]))
    with tf.Session(backend=backend) as sess:
        got_called, got_prod = sess.run([called, prod])
    np.testing.assert_array_equal(got_called["sum"], [4.0, 6.0])
    np.testing.assert_array_equal(got_prod, [5.0, -10.0])


@pytest.mark.parametrize("backend", BACKENDS)
def test_vectorized_map_matches_a_map_over_rows(backend):
    x = tf.placeholder(tf.float64, [None, 3])
    out = tf.vectorized_map(lambda r: (tf.reduce_sum(r * r), r[::-1] * 2.0), x)
    value = np.arange(12, dtype=np.float64).reshape(4, 3)
    with tf.Session(backend=backend) as sess:
        sums, flipped = sess.run(out, {x: value})
    np.testing.assert_allclose(sums, (value ** 2).sum(1))
    np.testing.assert_allclose(flipped, value[:, ::-1] * 2.0)


@pytest.mark.timeout(120)
@pytest.mark.parametrize("backend", BACKENDS)
def test_critical_section_runs_one_body_at_a_time(backend):
    inside, most = [0], [0]
    lock = threading.Lock()

    def enter(v):
        with lock:
            inside[0] += 1
            most[0] = max(most[0], inside[0])
        threading.Event().wait(0.002)  # give another run the chance to come in
        with lock:
            inside[0] -= 1
        return v

    v = tf.Variable(0.0)
    section = tf.CriticalSection(name="cs")

    def body():
        r = tf.py_func(enter, [v.read_value()], tf.float32)
        with tf.control_dependencies([r]):
            return tf.assign(v, tf.reshape(r, []) + 1.0)

    step = section.execute(body)
    assert section.name == "cs"
    with pytest.raises(ValueError, match="already running"):
        section.execute(lambda: section.execute(lambda: tf.constant(1.0)))
    with tf.Session(backend=backend) as sess:
        sess.run(v.initializer)
        threads = [threading.Thread(target=lambda: [sess.run(step) for _ in range(10)])
                   for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert sess.run(v) == 40.0
    assert most[0] == 1


@pytest.mark.parametrize("backend", BACKENDS)
def test_session_tensors_are_kept_between_runs(backend):
    x = tf.placeholder(tf.float32, [2])
    h = tf.get_session_handle(x * 3.0)
    holder, kept = tf.get_session_tensor(h, tf.float32)
    twice = kept * 2.0
    wrong_holder, wrong = tf.get_session_tensor(h, tf.int32)
    del_holder, deleter = tf.delete_session_tensor(h)
    with tf.Session(backend=backend) as sess:
        handle = sess.run(h, {x: [1.0, 2.0]})
        assert handle.handle.startswith("GetSessionHandle;0;")
        np.testing.assert_array_equal(sess.run(twice, {holder: handle.handle}), [6.0, 12.0])
        np.testing.assert_array_equal(sess.run(twice, {holder: handle}), [6.0, 12.0])
        np.testing.assert_array_equal(handle.eval(), [3.0, 6.0])
        with pytest.raises(tf.errors.InvalidArgumentError, match="asks for int32"):
            sess.run(wrong, {wrong_holder: handle})
        sess.run(deleter, {del_holder: handle})
        with pytest.raises(tf.errors.NotFoundError, match="Unable to find the tensor"):
            sess.run(twice, {holder: handle})
    with tf.Session(backend=backend) as other:  # kept values are one Session's
        with pytest.raises(tf.errors.NotFoundError):
            other.run(twice, {holder: handle})


def test_type_specs_as_tensorflow_prints_them():
    x = tf.placeholder(tf.float32, [None, 3])
    sp = tf.SparseTensor([[0, 0]], [1.0], [2, 3])
    assert repr(tf.type_spec_from_value(x)) == \
        "TensorSpec(shape=(?, 3), dtype=tf.float32, name=None)"
    assert repr(tf.type_spec_from_value(sp)) == \
        "SparseTensorSpec(TensorShape([Dimension(2), Dimension(3)]), tf.float32)"
    assert repr(tf.type_spec_from_value(tf.ragged.constant([[1, 2], [3]]))) == \
        "RaggedTensorSpec(TensorShape([Dimension(2), Dimension(None)]), tf.int32, 1, tf.int64)"
    assert repr(tf.type_spec_from_value(tf.IndexedSlices(
        tf.zeros([2, 3]), tf.constant([0, 1]), tf.constant([4, 3])))) == \
        ("IndexedSlicesSpec(TensorShape([Dimension(4), Dimension(3)]), tf.float32, tf.int32, "
         "tf.int32, TensorShape([Dimension(2)]))")
    assert repr(tf.type_spec_from_value(tf.TensorArray(tf.float32, 3))) == \
        "TensorArraySpec(TensorShape(None), tf.float32, False, True)"
    assert repr(tf.type_spec_from_value(None)) == "NoneTensorSpec()"
    assert repr(tf.type_spec_from_value([[1, 2]])) == \
        "TensorSpec(shape=(1, 2), dtype=tf.int32, name=None)"
    assert repr(tf.IndexedSlicesSpec()) == ("IndexedSlicesSpec(TensorShape(None), tf.float32, "
                                           "tf.int64, None, TensorShape([Dimension(None)]))")
    assert repr(tf.OptionalSpec(tf.TensorSpec([2]))) == \
        "OptionalSpec(TensorSpec(shape=(2,), dtype=tf.float32, name=None),)"
    assert tf.RaggedTensorSpec([2, None, 3]).ragged_rank == 2
    with pytest.raises(ValueError, match="Must specify ragged_rank"):
        tf.RaggedTensorSpec()
    assert tf.SparseTensorSpec([None, 3]).is_compatible_with(sp)
    assert not tf.SparseTensorSpec([None, 4]).is_compatible_with(sp)
    assert tf.SparseTensorSpec([2, 3]) == tf.SparseTensorSpec([2, 3])
    assert repr(tf.SparseTensorSpec([2, 3]).most_specific_common_supertype(
        [tf.SparseTensorSpec([2, 4])])) == \
        "SparseTensorSpec(TensorShape([Dimension(2), Dimension(None)]), tf.float32)"
    assert tf.SparseTensorSpec().value_type is tf.SparseTensor
    with pytest.raises(TypeError, match="Could not build a TypeSpec"):
        tf.type_spec_from_value(object())


def test_proto_classes_are_tensorflows():
    info = tf.TensorInfo(name="x:0", dtype=1)
    assert tf.TensorInfo.FromString(info.SerializeToString()).name == "x:0"
    attrs = tf.NameAttrList(name="f")
    assert attrs.name == "f" and tf.SessionLog(status=tf.SessionLog.START).status == 1


@pytest.mark.parametrize("backend", BACKENDS)
def test_function_and_wrap_function_take_lambdas_and_decode_wav_names_its_fields(backend):
    """A lambda's name '<lambda>' is no scope name: its ops go under 'lambda' (TF traces
    lambdas too); decode_wav returns TF's DecodeWav(audio, sample_rate)."""
    f = tf.function(lambda x: x * 2)
    y = f(tf.constant(1.0))
    wrapped = tf.compat.v1.wrap_function(lambda x: x * 3, [tf.TensorSpec([2], tf.float32)])
    z = wrapped(tf.constant([1.0, 2.0]))
    wav = tf.audio.decode_wav(tf.audio.encode_wav(tf.constant([[0.5], [-0.25]]), 8000))
    assert y.name.startswith("lambda") and type(wav).__name__ == "DecodeWav"
    with tf.Session(backend=backend) as sess:
        got_y, got_z, audio, rate = sess.run([y, z, wav.audio, wav.sample_rate])
    assert got_y == 2.0 and list(got_z) == [3.0, 6.0] and rate == 8000
    np.testing.assert_array_equal(audio, [[0.5], [-0.25]])


@pytest.mark.parametrize("backend", BACKENDS)
def test_function_runs_its_stateful_ops_in_program_order(backend):
    """TF's automatic control dependencies: an assign then a read inside a tf.function
    reads the assigned value (TF: 5.0), a read before an update sees the old value, the
    call's outputs run its updates, and a variable's initializer is not rerun by a call."""
    w = tf.Variable(0.0)

    @tf.function
    def set_and_read():
        w.assign(5.0)
        return w.read_value()

    @tf.function
    def read_then_add(x):
        v = tf.Variable(1.0, name="v")
        before = v.read_value()
        v.assign_add(x)
        return before, v.read_value()
    y = set_and_read()
    before, after = read_then_add(tf.constant(2.0))
    with tf.Session(backend=backend) as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run(y) == 5.0
        assert sess.run([before, after]) == [1.0, 3.0]
        assert sess.run([before, after]) == [3.0, 5.0]  # (the initializer is not rerun)
