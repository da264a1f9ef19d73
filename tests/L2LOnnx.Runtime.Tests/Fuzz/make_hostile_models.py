"""Writes hostile ONNX files with the official onnx package, for FuzzTests: one file per case in argv[1].

Run with Debian's /usr/bin/python3 (onnx 1.12). Every file would, if a runtime trusted it, read a file
outside the model (CANARY), run code the contract does not allow, or allocate far more than it is.
"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

CANARY = "l2lonnx-fuzz-canary.bin"
out = sys.argv[1]


def contract_model(nodes, initializers=(), extra_inputs=(), opset=17):
    grad = helper.make_tensor_value_info("grad", TensorProto.FLOAT, ["N"])
    state = helper.make_tensor_value_info("state_count", TensorProto.FLOAT, ["N", 1])
    update = helper.make_tensor_value_info("update", TensorProto.FLOAT, ["N"])
    state_out = helper.make_tensor_value_info("state_count_out", TensorProto.FLOAT, ["N", 1])
    one = numpy_helper.from_array(np.ones([], np.float32), "one")
    nodes = list(nodes) + [helper.make_node("Add", ["state_count", "one"], ["state_count_out"], name="count")]
    graph = helper.make_graph(nodes, "hostile", [grad, state, *extra_inputs], [update, state_out], [one, *initializers])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)], producer_name="fuzz")
    model.ir_version = 8
    helper.set_model_props(model, {"l2l.format": "1"})
    return model


def external(name, dims, dtype=TensorProto.FLOAT):
    t = TensorProto()
    t.name, t.data_type = name, dtype
    t.dims.extend(dims)
    t.data_location = TensorProto.EXTERNAL
    entry = t.external_data.add()
    entry.key, entry.value = "location", CANARY
    return t


def save(name, model):
    with open(f"{out}/{name}.onnx", "wb") as f:
        f.write(model.SerializeToString())


save("external-initializer", contract_model([helper.make_node("Mul", ["grad", "lr"], ["update"])], [external("lr", [])]))
save("external-constant", contract_model([
    helper.make_node("Constant", [], ["lr"], value=external("v", [])),
    helper.make_node("Mul", ["grad", "lr"], ["update"])]))
sparse = helper.make_sparse_tensor(external("values", [1]), numpy_helper.from_array(np.zeros([1], np.int64), "indices"), [1])
save("external-sparse-constant", contract_model([
    helper.make_node("Constant", [], ["lr"], sparse_value=sparse),
    helper.make_node("Mul", ["grad", "lr"], ["update"])]))
then = helper.make_graph([helper.make_node("Constant", [], ["x"], value=external("w", []))], "then", [],
                         [helper.make_tensor_value_info("x", TensorProto.FLOAT, [])])
save("external-in-subgraph", contract_model([
    helper.make_node("Constant", [], ["c"], value=numpy_helper.from_array(np.array(True), "c")),
    helper.make_node("If", ["c"], ["lr"], then_branch=then, else_branch=then),
    helper.make_node("Mul", ["grad", "lr"], ["update"])]))
shape = numpy_helper.from_array(np.array([1 << 29], np.int64), "shape")
save("constant-of-shape-2gib", contract_model([
    helper.make_node("ConstantOfShape", ["shape"], ["big"]),
    helper.make_node("ReduceSum", ["big"], ["s"], keepdims=0),
    helper.make_node("Mul", ["grad", "s"], ["update"])], [shape]))
save("custom-domain", contract_model([helper.make_node("Mul", ["grad", "one"], ["update"], domain="com.microsoft")]))
save("opset-99", contract_model([helper.make_node("Mul", ["grad", "one"], ["update"])], opset=99))
deep = helper.make_tensor_type_proto(TensorProto.FLOAT, [1])
for _ in range(150):
    deep = helper.make_sequence_type_proto(deep)
model = contract_model([helper.make_node("Mul", ["grad", "one"], ["update"])])
model.graph.value_info.append(helper.make_value_info("deep", deep))
save("nested-sequence-150", model)
