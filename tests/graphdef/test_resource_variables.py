"""TensorFlow's resource-variable ops on import, in a GraphDef written node by node:
VarHandleOp as a graphc variable, AssignVariableOp / AssignAddVariableOp /
AssignSubVariableOp, ReadVariableOp (ordered after an assignment by a control input: the
new value), ResourceGather, VarIsInitializedOp; and inputs that are no handle refused.
(TensorFlow-written resource graphs train in tests/train/test_tf_training_graphs.py.)"""
from __future__ import annotations

import numpy as np
import pytest

import graphc as tf
from graphc import protos
from graphc.graphdef import GraphDefImportError

INIT = np.arange(8, dtype=np.float32).reshape(4, 2)


def _node(gd, name, op, inputs=(), **attrs):
    node = gd.node.add(name=name, op=op)
    node.input.extend(inputs)
    for key, value in attrs.items():
        node.attr[key].CopyFrom(value)
    return node


def _graph_def() -> protos.GraphDef:
    gd = protos.GraphDef()
    f32 = protos.AttrValue(type=protos.as_datatype_enum(tf.float32))
    shape = protos.AttrValue(shape=protos.shape_to_proto([4, 2]))

    def const(name, value):
        v = protos.AttrValue()
        v.tensor.CopyFrom(protos.make_tensor_proto(value))
        return _node(gd, name, "Const", value=v,
                     dtype=protos.AttrValue(type=protos.as_datatype_enum(
                         tf.as_dtype(value.dtype))))

    _node(gd, "emb", "VarHandleOp", dtype=f32, shape=shape,
          shared_name=protos.AttrValue(s=b"emb"))
    const("emb/init", INIT)
    _node(gd, "emb/Assign", "AssignVariableOp", ["emb", "emb/init"], dtype=f32)
    _node(gd, "emb/IsInitialized", "VarIsInitializedOp", ["emb"])
    const("ids", np.array([2, 0, 2], np.int32))
    _node(gd, "lookup", "ResourceGather", ["emb", "ids"], dtype=f32,
          Tindices=protos.AttrValue(type=protos.as_datatype_enum(tf.int32)))
    const("ones", np.ones((4, 2), np.float32))
    _node(gd, "add", "AssignAddVariableOp", ["emb", "ones"], dtype=f32)
    _node(gd, "after_add", "ReadVariableOp", ["emb", "^add"], dtype=f32)
    _node(gd, "sub", "AssignSubVariableOp", ["emb", "ones", "^after_add"], dtype=f32)
    return gd


@pytest.mark.parametrize("backend", ["numpy", "llvm"])
def test_resource_variable_ops_import_as_graphc_variables(backend):
    with tf.Graph().as_default() as g:
        tf.import_graph_def(_graph_def(), name="")
        assert g.get_operation_by_name("emb").type == "VariableV2"
        with tf.Session(backend=backend) as sess:
            assert not sess.run("emb/IsInitialized:0")
            sess.run("emb/Assign")
            assert sess.run("emb/IsInitialized:0")
            np.testing.assert_array_equal(sess.run("lookup:0"), INIT[[2, 0, 2]])
            np.testing.assert_array_equal(sess.run("after_add:0"), INIT + 1)
            for _ in range(2):  # each run adds one (its control input), then subtracts one
                sess.run("sub")
                np.testing.assert_array_equal(sess.run("emb:0"), INIT + 1)


def test_an_input_that_is_no_handle_is_refused():
    gd = _graph_def()
    (lookup,) = [n for n in gd.node if n.name == "lookup"]
    lookup.input[0] = "emb/init"
    with tf.Graph().as_default():
        with pytest.raises(GraphDefImportError, match=r"'lookup' \(ResourceGather\): input 0 "
                           r"must be a variable handle"):
            tf.import_graph_def(gd, name="")
