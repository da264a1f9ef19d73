#!/usr/bin/python3
"""Runs the official ONNX checker with strict shape inference on optimizer files, and checks the
opset and IR version L2LOnnx promises (opset 17, IR 8: what onnx 1.12-era tools accept) and the
truncation stamp of contract v1: a file with l2l.weights_sha256 must end its metadata with a matching
l2l.metadata_sha256 (the weights hash itself is checked by the runtime at load, not here).

    /usr/bin/python3 interop/pytorch/check_onnx.py models/*.onnx

Exit code 0 when every file passes; otherwise prints each failure and exits with 1.
Needs Debian's python3-onnx (onnx 1.12).
"""
import sys

import onnx

from l2l_metadata import METADATA_HASH, WEIGHTS_HASH, metadata_hash

EXPECTED_OPSETS = {"": 17}
EXPECTED_IR_VERSION = 8


def check(path):
    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)
    opsets = {o.domain: o.version for o in model.opset_import}
    if model.ir_version != EXPECTED_IR_VERSION or opsets != EXPECTED_OPSETS:
        raise ValueError(f"IR {model.ir_version}, opsets {opsets}; expected IR {EXPECTED_IR_VERSION}, opsets {EXPECTED_OPSETS}")
    if not any(p.key == "l2l.format" and p.value == "1" for p in model.metadata_props):
        raise ValueError("metadata l2l.format = 1 is missing (contract v1)")
    check_stamp(model)


def check_stamp(model):
    keys = [p.key for p in model.metadata_props]
    if METADATA_HASH not in keys:
        if WEIGHTS_HASH in keys:
            raise ValueError(f"{WEIGHTS_HASH} without {METADATA_HASH}: the file is cut short or was never stamped (run `l2l stamp` on it)")
        return
    if keys[-1] != METADATA_HASH or keys.count(METADATA_HASH) != 1:
        raise ValueError(f"{METADATA_HASH} must be the last metadata entry, and only once")
    if model.metadata_props[-1].value != metadata_hash(model):
        raise ValueError(f"the metadata, inputs or outputs do not match {METADATA_HASH} (edited after stamping?)")


def main(paths):
    if not paths:
        print(__doc__)
        return 2
    failed = 0
    for path in paths:
        try:
            check(path)
            print(f"ok      {path}")
        except Exception as error:  # the checker raises several exception types; report them all alike
            failed += 1
            print(f"FAILED  {path}: {type(error).__name__}: {error}")
    print(f"{len(paths) - failed} of {len(paths)} files pass onnx {onnx.__version__} check_model(full_check=True)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
