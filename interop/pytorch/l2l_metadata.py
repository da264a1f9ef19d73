"""The truncation stamp of contract v1 (docs/contract-v1.md, "Truncation"): l2l.metadata_sha256, shared by
export_lstm_optimizer.py (which writes it) and check_onnx.py (which verifies it). Needs only the standard
library, so the checker does not import torch."""
import hashlib
import struct

def metadata_hash(model):
    """SHA-256 over the graph's declared inputs and outputs and every metadata entry but the hash itself,
    in file order: the definition of l2l.metadata_sha256 (L2LOnnx.Runtime.MetadataHash). Integers are
    little-endian, a string is its UTF-8 byte count (int32) then its bytes, a list its count (int32) then
    its items."""
    digest = hashlib.sha256()

    def string(text):
        data = text.encode("utf-8")
        digest.update(struct.pack("<i", len(data)) + data)

    for values in (model.graph.input, model.graph.output):
        digest.update(struct.pack("<i", len(values)))
        for value in values:
            string(value.name)
            tensor = value.type.tensor_type if value.type.WhichOneof("value") == "tensor_type" else None
            dims = tensor.shape.dim if tensor is not None and tensor.HasField("shape") else None
            digest.update(struct.pack("<ii", tensor.elem_type if tensor is not None else 0, -1 if dims is None else len(dims)))
            for dim in dims or []:
                kind = dim.WhichOneof("value")
                if kind == "dim_value":
                    digest.update(b"\x01" + struct.pack("<q", dim.dim_value))
                elif kind == "dim_param" and dim.dim_param:
                    digest.update(b"\x02")
                    string(dim.dim_param)
                else:
                    digest.update(b"\x00")
    entries = [p for p in model.metadata_props if p.key != METADATA_HASH]
    digest.update(struct.pack("<i", len(entries)))
    for entry in entries:
        string(entry.key)
        string(entry.value)
    return digest.hexdigest()


METADATA_HASH = "l2l.metadata_sha256"
WEIGHTS_HASH = "l2l.weights_sha256"
