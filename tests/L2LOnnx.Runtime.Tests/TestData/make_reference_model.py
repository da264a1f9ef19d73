"""Writes reference_lstm.onnx, the checked-in fixture for OnnxModelReaderTests.

Run with Debian's ONNX (1.12): /usr/bin/python3 make_reference_model.py
The file comes from the official protobuf serializer, so it cross-checks the hand-written reader
against encodings OnnxSharp does not produce (proto2 unpacked repeated ints and dims).
"""
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

hidden = 2
w = (np.arange(1 * 4 * hidden * 1, dtype=np.float32).reshape(1, 4 * hidden, 1) / 8.0)  # raw_data
r = helper.make_tensor(  # float_data, not raw
    "R", TensorProto.FLOAT, [1, 4 * hidden, hidden],
    [float(i) * 0.25 - 1.0 for i in range(4 * hidden * hidden)], raw=False)
b = numpy_helper.from_array(np.zeros((1, 8 * hidden), dtype=np.float32), "B")
scale = helper.make_tensor("scale", TensorProto.INT64, [2], [3, -4], raw=False)  # int64_data

lstm = helper.make_node(
    "LSTM", ["x", "W", "R", "B"], ["", "h"], name="lstm_0", hidden_size=hidden,
    activations=["Sigmoid", "Tanh", "Tanh"])
custom = helper.make_node(
    "Clip", ["h"], ["y"], name="clip_0", domain="ai.l2lonnx", bounds=[-1.5, 2.5], axes=[0, -1, 7])

graph = helper.make_graph(
    [lstm, custom], "reference_lstm",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["seq", "batch", 1])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, "batch", hidden])],
    initializer=[numpy_helper.from_array(w, "W"), r, b, scale],
    doc_string="fixture for the L2LOnnx reader")
model = helper.make_model(
    graph, producer_name="onnx-python", producer_version=onnx.__version__,
    opset_imports=[helper.make_opsetid("", 14), helper.make_opsetid("ai.l2lonnx", 1)])
model.ir_version = 8
helper.set_model_props(model, {"l2lonnx.contract": "v1", "note": "reference"})
onnx.save(model, "reference_lstm.onnx")
print(len(model.SerializeToString()), "bytes")
