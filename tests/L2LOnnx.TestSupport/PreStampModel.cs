using Google.Protobuf;
using Onnx;

namespace L2LOnnx.TestSupport;

/// <summary>
/// A stamped export as our exporters wrote it before <c>l2l.metadata_sha256</c> existed: no metadata hash,
/// and the weights hash after <c>l2l.output_scale</c> rather than first. For the shipped models this gives
/// back, byte for byte, the files of the time.
/// </summary>
public static class PreStampModel
{
    public static byte[] Of(byte[] stamped)
    {
        var model = ModelProto.Parser.ParseFrom(stamped);
        var entries = model.MetadataProps.Where(e => e.Key != "l2l.metadata_sha256").ToList();
        var weights = entries.Single(e => e.Key == "l2l.weights_sha256");
        entries.Remove(weights);
        entries.Insert(entries.FindIndex(e => e.Key == "l2l.output_scale") + 1, weights);
        model.MetadataProps.Clear();
        model.MetadataProps.Add(entries);
        return model.ToByteArray();
    }
}
