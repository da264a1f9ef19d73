#!/usr/bin/python3
"""Builds the coordinatewise LSTM optimizer of Andrychowicz et al. 2016 in PyTorch and exports it as
an L2LOnnx contract-v1 ONNX file, with conformance vectors computed by PyTorch.

The network is the one L2LOnnx meta-trains in TorchSharp (train/L2LOnnx.Train/Optimizers): the
paper's log/sign gradient preprocessing (appendix A), a stack of LSTM layers shared by every
coordinate with one state per coordinate, a linear layer to one output, times a constant multiplier.
Any file this script writes runs in the L2LOnnx runtime and imports into TorchSharp
(LstmOptimizerImporter); the vectors replay with `l2l conformance check`.

Needs torch and onnx (Debian: python3-torch, python3-onnx); tested with torch 1.13 and onnx 1.12:

    /usr/bin/python3 interop/pytorch/export_lstm_optimizer.py --out lstm.onnx --vectors lstm.conformance.json

To export weights you meta-trained in PyTorch, save the module's state_dict (same module class, same
shape arguments) and pass it with --weights.
"""
import argparse
import hashlib
import json
import math
import os
import struct
import tempfile
import warnings

import numpy as np
import onnx
import onnx.numpy_helper
import torch
from torch import nn

from l2l_metadata import METADATA_HASH, WEIGHTS_HASH, metadata_hash

OPSET = 17  # the highest opset torch 1.13 exports and onnx 1.12 checks
IR_VERSION = 8  # what onnx 1.12-era tools accept
CONFORMANCE_FORMAT = "l2l-conformance/1"


class CoordinatewiseLstmOptimizer(nn.Module):
    """m(grad, state) -> (update, next state), applied to every coordinate independently.

    Mirrors L2LOnnx's TorchSharp LstmOptimizer: layer l is an nn.LSTM run for one time step over a
    batch of N coordinates (ONNX exports it as one LSTM node), then nn.Linear(hidden, 1).
    """

    def __init__(self, layers=2, hidden=20, preprocessing_p=10.0, output_scale=0.1):
        super().__init__()
        self.layers = layers
        self.hidden = hidden
        self.preprocessing_p = preprocessing_p
        self.output_scale = output_scale
        input_size = 1 if preprocessing_p is None else 2
        self.lstm = nn.ModuleList(
            nn.LSTM(input_size if layer == 0 else hidden, hidden) for layer in range(layers))
        self.output = nn.Linear(hidden, 1)

    def preprocess(self, grad):
        """The paper's appendix A: (log|g|/p, sign g) if |g| >= e^-p, else (-1, e^p g).

        Same operations and float32 constants as GradientPreprocessing.LogSign in L2LOnnx. Written with
        torch.maximum and scalar tensors rather than clamp_min and full_like so that torch.onnx.export
        emits exactly the operators of L2LOnnx's own export (Max, Where with a constant), which the
        runtime's fused CPU engine recognises.
        """
        if self.preprocessing_p is None:
            return grad.unsqueeze(1)
        p = self.preprocessing_p
        threshold = torch.tensor(np.float32(math.exp(-p)))
        small_scale = float(np.float32(math.exp(p)))
        magnitude = grad.abs()
        large = magnitude >= threshold
        # The maximum keeps log finite where the branch is not taken (log 0 = -inf).
        log_part = torch.where(large, torch.maximum(magnitude, threshold).log() / p, torch.tensor(-1.0))
        sign_part = torch.where(large, grad.sign(), grad * small_scale)
        return torch.stack([log_part, sign_part], dim=1)

    def forward(self, grad, *states):
        """grad [N]; states h0, c0, h1, c1, ... each [N, hidden]. Returns update [N] and the next states."""
        x = self.preprocess(grad)
        next_states = []
        for layer, lstm in enumerate(self.lstm):
            h, c = states[2 * layer], states[2 * layer + 1]
            _, (h1, c1) = lstm(x.unsqueeze(0), (h.unsqueeze(0), c.unsqueeze(0)))
            x = h1.squeeze(0)
            next_states += [x, c1.squeeze(0)]
        # nn.Linear's arithmetic as MatMul + Add (what L2LOnnx exports) rather than Gemm.
        linear = torch.matmul(x, self.output.weight.t()) + self.output.bias
        update = linear.squeeze(1) * self.output_scale
        return (update, *next_states)

    def state_names(self):
        """Contract-v1 state input names, in input order."""
        return [f"state_lstm{layer}_{part}" for layer in range(self.layers) for part in ("h", "c")]

    def initial_state(self, coordinates):
        return [torch.zeros(coordinates, self.hidden) for _ in self.state_names()]


def export(module, path, trained_on):
    """The contract-v1 export: names, a symbolic N, opset 17, then the l2l metadata."""
    module.eval()
    states = module.state_names()
    example = (torch.zeros(3), *module.initial_state(3))
    input_names = ["grad", *states]
    output_names = ["update", *[s + "_out" for s in states]]
    dynamic_axes = {name: {0: "N"} for name in input_names + output_names}
    with tempfile.TemporaryDirectory() as scratch:
        raw = os.path.join(scratch, "model.onnx")
        torch.onnx.export(
            module, example, raw,
            input_names=input_names, output_names=output_names, dynamic_axes=dynamic_axes,
            opset_version=OPSET, do_constant_folding=True)
        model = onnx.load(raw)

    constants_to_initializers(model)
    rename_weights(model)
    model.ir_version = IR_VERSION
    model.graph.name = "lstm_optimizer"
    model.graph.doc_string = (
        f"Learned optimizer (Andrychowicz et al. 2016): coordinatewise LSTM {module.layers}x{module.hidden}, "
        f"preprocessing {describe_preprocessing(module.preprocessing_p)}, output x{module.output_scale}. "
        "Exported from PyTorch by interop/pytorch/export_lstm_optimizer.py.")
    # The weights hash first and the metadata hash last: a file cut anywhere in its metadata is then
    # refused by the runtime (docs/contract-v1.md, "Truncation").
    metadata = {
        "l2l.weights_sha256": initializer_hash(model.graph),
        "l2l.format": "1",
        "l2l.architecture": "lstm-coordinatewise",
        "l2l.lstm.layers": str(module.layers),
        "l2l.lstm.hidden_size": str(module.hidden),
        "l2l.preprocessing": describe_preprocessing(module.preprocessing_p),
        "l2l.output_scale": repr(float(module.output_scale)),
        "l2l.trained_on": trained_on,
        "l2l.producer": f"PyTorch {torch.__version__} (interop/pytorch/export_lstm_optimizer.py)",
    }
    onnx.helper.set_model_props(model, metadata)
    stamp(model)
    onnx.checker.check_model(model, full_check=True)
    write_atomically(path, model.SerializeToString())
    return model


def constants_to_initializers(model):
    """Turns the Constant nodes torch.onnx.export writes into initializers, so the graph holds only
    computing nodes and every constant is a named weight (as in L2LOnnx's own export)."""
    graph = model.graph
    kept, first_of, replaced = [], {}, {}
    for node in graph.node:
        value = next((a.t for a in node.attribute if a.name == "value"), None) if node.op_type == "Constant" else None
        if value is None:
            kept.append(node)
            continue
        # torch writes one Constant per use (ten copies of axes [0]); keep one initializer per value.
        key = (value.data_type, tuple(value.dims), value.SerializeToString())
        if key in first_of:
            replaced[node.output[0]] = first_of[key]
            continue
        first_of[key] = node.output[0]
        value.name = node.output[0]
        graph.initializer.append(value)
    del graph.node[:]
    graph.node.extend(kept)
    for node in graph.node:
        for i, value in enumerate(node.input):
            node.input[i] = replaced.get(value, value)


def rename_weights(model):
    """Gives the initializers torch.onnx.export names (onnx::LSTM_206, /Constant_3_output_0) the
    names L2LOnnx's exporter uses: lstm{l}_W/R/B, output_W, output_B, output_scale, preprocess_*, axes_*."""
    graph = model.graph
    names = {}

    def name(value, wanted):
        if value in names or not any(i.name == value for i in graph.initializer):
            return
        taken = set(names.values())
        candidate, suffix = wanted, 2
        while candidate in taken:
            candidate, suffix = f"{wanted}_{suffix}", suffix + 1
        names[value] = candidate

    lstm_nodes = [n for n in graph.node if n.op_type == "LSTM"]
    for layer, node in enumerate(lstm_nodes):
        for position, suffix in ((1, "W"), (2, "R"), (3, "B")):
            if len(node.input) > position and node.input[position]:
                name(node.input[position], f"lstm{layer}_{suffix}")
        node.name = f"lstm{layer}"
    by_name = {i.name: i for i in graph.initializer}
    for node in graph.node:
        role = {
            "MatMul": {1: "output_W"}, "Add": {1: "output_B"}, "Div": {1: "preprocess_p"},
            "GreaterOrEqual": {1: "preprocess_threshold"}, "Max": {1: "preprocess_threshold"},
            "Where": {2: "preprocess_minus_one"},
            "Mul": {1: "output_scale" if "update" in node.output else "preprocess_small_scale"},
        }.get(node.op_type, {})
        for position, wanted in role.items():
            if len(node.input) > position:
                name(node.input[position], wanted)
        if node.op_type in ("Unsqueeze", "Squeeze") and len(node.input) > 1 and node.input[1] in by_name:
            axes = onnx.numpy_helper.to_array(by_name[node.input[1]]).tolist()
            name(node.input[1], "axes_" + "_".join(str(a) for a in axes))
    for initializer in graph.initializer:
        initializer.name = names.get(initializer.name, initializer.name)
    for node in graph.node:
        for i, value in enumerate(node.input):
            node.input[i] = names.get(value, value)


def initializer_hash(graph):
    """SHA-256 over the initializers' names, types, shapes and values: the definition of
    l2l.weights_sha256 (L2LOnnx.Train.Onnx.InitializerHash), independent of protobuf encoding."""
    digest = hashlib.sha256()
    for tensor in graph.initializer:
        digest.update(tensor.name.encode("utf-8") + b"\0")
        digest.update(struct.pack("<ii", tensor.data_type, len(tensor.dims)))
        digest.update(b"".join(struct.pack("<q", d) for d in tensor.dims))
        if tensor.raw_data:
            digest.update(tensor.raw_data)
        else:
            digest.update(b"".join(struct.pack("<f", v) for v in tensor.float_data))
            digest.update(b"".join(struct.pack("<q", v) for v in tensor.int64_data))
            digest.update(b"".join(struct.pack("<i", v) for v in tensor.int32_data))
            digest.update(b"".join(struct.pack("<d", v) for v in tensor.double_data))
    return digest.hexdigest()




def stamp(model):
    """Moves l2l.weights_sha256 first and writes l2l.metadata_sha256 as the last metadata entry,
    replacing an earlier one (what `l2l stamp` does in C#). Change nothing in the inputs, outputs or
    metadata afterwards."""
    kept = [(p.key, p.value) for p in model.metadata_props if p.key != METADATA_HASH]
    kept.sort(key=lambda entry: entry[0] != WEIGHTS_HASH)  # stable: the other entries keep their order
    del model.metadata_props[:]
    for key, value in kept:
        model.metadata_props.add(key=key, value=value)
    model.metadata_props.add(key=METADATA_HASH, value=metadata_hash(model))


def describe_preprocessing(p):
    return "none" if p is None else f"log-sign p={p:g}"


def conformance_gradients(coordinates, step, threshold, rng):
    """Gradients spanning exact zero, values below the threshold, the threshold and its float32
    neighbours on both sides, ordinary values and large ones, both signs."""
    t = np.float32(threshold)
    grad = np.empty(coordinates, dtype=np.float32)
    for i in range(coordinates):
        sign = np.float32(1 if rng.random() < 0.5 else -1)
        kind = (i + step) % 8
        if kind == 0:
            value = np.float32(0)
        elif kind == 1:
            value = t * np.float32(rng.uniform(1e-3, 0.9))
        elif kind == 2:
            value = t
        elif kind == 3:
            value = np.nextafter(t, np.float32(0))
        elif kind == 4:
            value = np.nextafter(t, np.float32(1))
        elif kind == 5:
            value = (t.view(np.int32) + np.int32(rng.integers(-8, 9))).view(np.float32)
        elif kind == 6:
            value = np.float32(math.exp(rng.uniform(-8, 0)))
        else:
            value = np.float32(math.exp(rng.uniform(2, 9)))
        grad[i] = sign * value
    return grad


def vectors(module, model_path, coordinates, steps, state_every, seed):
    """Runs the PyTorch module step by step and returns the conformance document."""
    p = module.preprocessing_p if module.preprocessing_p is not None else 10.0
    threshold = np.float32(math.exp(-p))
    rng = np.random.default_rng(seed)
    states = module.initial_state(coordinates)
    records = []
    with torch.no_grad():
        for step in range(1, steps + 1):
            grad = conformance_gradients(coordinates, step, threshold, rng)
            update, *states = module(torch.from_numpy(grad), *states)
            record = {"grad": grad, "update": update.numpy()}
            if step == 1 or step % state_every == 0 or step == steps:
                record["state_after"] = {name: s.numpy().reshape(-1) for name, s in zip(module.state_names(), states)}
            records.append(record)
    with open(model_path, "rb") as f:
        model_hash = hashlib.sha256(f.read()).hexdigest()
    return {
        "format": CONFORMANCE_FORMAT,
        "model": os.path.basename(model_path),
        "model_sha256": model_hash,
        "producer": f"PyTorch {torch.__version__} (interop/pytorch/export_lstm_optimizer.py)",
        "coordinates": coordinates,
        "threshold": threshold,
        "tolerance": 1e-5,
        "states": {name: module.hidden for name in module.state_names()},
        "steps": records,
    }


def to_json(value, separator=","):
    """JSON with float32 values written as their shortest round-trip decimal (compact, exact); the
    top level and the steps one per line, as L2LOnnx's ConformanceFile writes them."""
    if isinstance(value, dict):
        return "{" + separator.join(json.dumps(k) + ":" + to_json(v) for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[\n" + ",\n".join(to_json(v) for v in value) + "\n]"
    if isinstance(value, np.ndarray):
        return "[" + ",".join(str(np.float32(v)) for v in value) + "]"
    if isinstance(value, np.floating):
        return str(np.float32(value))
    return json.dumps(value)


def write_atomically(path, data):
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    handle, scratch = tempfile.mkstemp(dir=folder, prefix=".tmp-")
    try:
        with os.fdopen(handle, "wb") as f:
            f.write(data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(scratch, 0o666 & ~umask)
        os.replace(scratch, path)
    except BaseException:
        os.unlink(scratch)
        raise


def main():
    # torch 1.13 warns about its own shape inference of constants; the checker below is the real test.
    warnings.filterwarnings("ignore", message="The shape inference of prim::Constant")
    # torch warns that LSTM batch sizes stay variable unless h0/c0 are inputs; here they are inputs.
    warnings.filterwarnings("ignore", message="Exporting a model to ONNX with a batch_size other than 1")
    # The scalar tensors of the preprocessing are meant to be constants of the trace.
    warnings.filterwarnings("ignore", message="torch.tensor results are registered as constants")
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True, help="ONNX file to write")
    parser.add_argument("--vectors", help="also write conformance vectors computed by PyTorch to this JSON file")
    parser.add_argument("--layers", type=int, default=2, help="LSTM layers (the paper: 2)")
    parser.add_argument("--hidden", type=int, default=20, help="hidden units per layer (the paper: 20)")
    parser.add_argument("--preprocessing-p", type=float, default=10.0, help="p of the log/sign preprocessing (the paper: 10)")
    parser.add_argument("--no-preprocessing", action="store_true", help="feed the raw gradient (one feature)")
    parser.add_argument("--output-scale", type=float, default=0.1, help="output multiplier (the paper: 0.1 for MNIST)")
    parser.add_argument("--weights", help="state_dict (torch.save) of a trained CoordinatewiseLstmOptimizer of this shape")
    parser.add_argument("--trained-on", default=None, help="problem family the weights were meta-trained on (metadata)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the initial weights and of the vectors' gradients")
    parser.add_argument("--coordinates", type=int, default=64, help="N of the conformance vectors")
    parser.add_argument("--steps", type=int, default=20, help="steps of the conformance vectors")
    parser.add_argument("--state-every", type=int, default=10, help="record the full state after step 1, every K steps and the last")
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    module = CoordinatewiseLstmOptimizer(
        args.layers, args.hidden, None if args.no_preprocessing else args.preprocessing_p, args.output_scale)
    if args.weights:
        module.load_state_dict(torch.load(args.weights))
    trained_on = args.trained_on or ("untrained (PyTorch default initialisation, seed %d)" % args.seed if not args.weights else "unknown")
    model = export(module, args.out, trained_on)
    print(f"wrote {args.out}: {len(model.graph.node)} nodes, opset {OPSET}, IR {IR_VERSION}, passes onnx.checker full_check")
    if args.vectors:
        document = vectors(module, args.out, args.coordinates, args.steps, args.state_every, args.seed)
        write_atomically(args.vectors, (to_json(document, separator=",\n") + "\n").encode("utf-8"))
        print(f"wrote {args.vectors}: {args.steps} steps x {args.coordinates} coordinates computed by PyTorch {torch.__version__}")


if __name__ == "__main__":
    main()
