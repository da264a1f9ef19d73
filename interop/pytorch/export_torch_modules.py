#!/usr/bin/python3
"""Exports learned optimizers the way a PyTorch user would write them, with a plain torch.onnx.export
under contract v1 (names, symbolic N, l2l.format) and no post-processing of the graph: Constant nodes,
Gemm, loose LSTMCell arithmetic and all. These are the graphs the runtime's general fused compiler
must run; the tests compare it with ONNX Runtime on each.

Kinds:
  lstmcell  two nn.LSTMCell layers on the raw gradient, then nn.Linear and an output scale
  lstm      one nn.LSTM layer run for one time step on (grad, grad^2 scaled), then nn.Linear
  mlp       a coordinatewise MLP optimizer: features (gradient, two momenta, RMS, parameter) ->
            nn.Sequential(Linear, ReLU, Linear, ReLU, Linear) -> update; the momenta and the second
            moment live in state tensors [N, 1] and are updated in the graph

Needs torch and onnx (Debian: python3-torch, python3-onnx; tested with torch 1.13 and onnx 1.12):

    /usr/bin/python3 interop/pytorch/export_torch_modules.py --kind mlp --out mlp.onnx
"""
import argparse
import os
import tempfile
import warnings

import onnx
import torch
from torch import nn

from export_lstm_optimizer import initializer_hash, stamp, write_atomically

OPSET = 17
IR_VERSION = 8


class LstmCellOptimizer(nn.Module):
    def __init__(self, hidden=20, layers=2, output_scale=0.1):
        super().__init__()
        self.hidden = hidden
        self.layers = layers
        self.output_scale = output_scale
        self.cells = nn.ModuleList(nn.LSTMCell(1 if l == 0 else hidden, hidden) for l in range(layers))
        self.output = nn.Linear(hidden, 1)

    def state_widths(self):
        return {f"state_cell{l}_{p}": self.hidden for l in range(self.layers) for p in ("h", "c")}

    def forward(self, grad, *states):
        x = grad.unsqueeze(1)
        out = []
        for l, cell in enumerate(self.cells):
            h, c = cell(x, (states[2 * l], states[2 * l + 1]))
            out += [h, c]
            x = h
        return (self.output(x).squeeze(1) * self.output_scale, *out)


class LstmOptimizer(nn.Module):
    def __init__(self, hidden=16, output_scale=0.05):
        super().__init__()
        self.hidden = hidden
        self.output_scale = output_scale
        self.lstm = nn.LSTM(2, hidden)
        self.output = nn.Linear(hidden, 1)

    def state_widths(self):
        return {"state_h": self.hidden, "state_c": self.hidden}

    def forward(self, grad, h, c):
        features = torch.stack([grad, torch.tanh(grad * 10.0)], dim=1)
        _, (h1, c1) = self.lstm(features.unsqueeze(0), (h.unsqueeze(0), c.unsqueeze(0)))
        h1, c1 = h1.squeeze(0), c1.squeeze(0)
        return self.output(h1).squeeze(1) * self.output_scale, h1, c1


class MlpOptimizer(nn.Module):
    """small_fc_lopt-like: momenta at two decays and a second moment in the state, all in-graph."""

    def __init__(self, hidden=32, output_scale=0.01):
        super().__init__()
        self.output_scale = output_scale
        self.decays = (0.9, 0.99)
        self.net = nn.Sequential(nn.Linear(6, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, 1))

    def state_widths(self):
        return {"state_momentum": 2, "state_second_moment": 1}

    def forward(self, grad, param, momentum, second):
        g = grad.unsqueeze(1)
        decays = torch.tensor([self.decays])
        momentum = decays * momentum + (1 - decays) * g
        second = 0.999 * second + 0.001 * g * g
        rsqrt = torch.reciprocal(torch.sqrt(second) + 1e-8)
        features = torch.cat([g, momentum, g * rsqrt, momentum[:, :1] * rsqrt, param.unsqueeze(1)], dim=1)
        update = self.net(features).squeeze(1) * self.output_scale
        return update, momentum, second


def export(kind, path, seed):
    torch.manual_seed(seed)
    module = {"lstmcell": LstmCellOptimizer, "lstm": LstmOptimizer, "mlp": MlpOptimizer}[kind]()
    module.eval()
    widths = module.state_widths()
    param = ["param"] if kind == "mlp" else []
    inputs = ["grad", *param, *widths]
    outputs = ["update", *[s + "_out" for s in widths]]
    example = (torch.randn(3), *[torch.randn(3) for _ in param], *[torch.randn(3, w) for w in widths.values()])
    with tempfile.TemporaryDirectory() as scratch:
        raw = os.path.join(scratch, "model.onnx")
        torch.onnx.export(module, example, raw, input_names=inputs, output_names=outputs,
                          dynamic_axes={n: {0: "N"} for n in inputs + outputs},
                          opset_version=OPSET, do_constant_folding=True)
        model = onnx.load(raw)
    model.ir_version = IR_VERSION
    # The runtime refuses l2l.* metadata without the weights hash, and a weights hash without the metadata
    # hash last: that is how a truncated file is told apart (docs/contract-v1.md, "Truncation").
    onnx.helper.set_model_props(model, {
        "l2l.weights_sha256": initializer_hash(model.graph),
        "l2l.format": "1",
        "l2l.architecture": f"pytorch-{kind}",
        "l2l.producer": f"PyTorch {torch.__version__} (interop/pytorch/export_torch_modules.py)",
        "l2l.trained_on": f"untrained (PyTorch default initialisation, seed {seed})",
    })
    stamp(model)
    onnx.checker.check_model(model, full_check=True)
    write_atomically(path, model.SerializeToString())
    return model


def main():
    warnings.filterwarnings("ignore")
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kind", required=True, choices=["lstmcell", "lstm", "mlp"])
    parser.add_argument("--out", required=True, help="ONNX file to write")
    parser.add_argument("--seed", type=int, default=0, help="seed of the initial weights")
    args = parser.parse_args()
    model = export(args.kind, args.out, args.seed)
    ops = sorted({n.op_type for n in model.graph.node})
    print(f"wrote {args.out}: {len(model.graph.node)} nodes ({', '.join(ops)}), opset {OPSET}, passes onnx.checker full_check")


if __name__ == "__main__":
    main()
