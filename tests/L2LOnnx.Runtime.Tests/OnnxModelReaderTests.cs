using Google.Protobuf;
using L2LOnnx.Runtime.Onnx;
using Onnx;

namespace L2LOnnx.Runtime.Tests;

/// <summary>
/// The dependency-free reader must recover what OnnxSharp (Google.Protobuf) and the official ONNX
/// Python package write, and must fail only with <see cref="OnnxFormatException"/> on bad input.
/// </summary>
public sealed class OnnxModelReaderTests
{
    private const int FloatType = (int)TensorProto.Types.DataType.Float;
    private const int Int64Type = (int)TensorProto.Types.DataType.Int64;
    private const int Int32Type = (int)TensorProto.Types.DataType.Int32;

    private static readonly string ReferenceModelPath =
        Path.Combine(AppContext.BaseDirectory, "TestData", "reference_lstm.onnx");

    // ---------------------------------------------------------------- well-formed models

    [Fact]
    public void ReadsModelLevelFieldsAndMetadata()
    {
        ModelProto proto = MinimalModel();
        proto.ProducerName = "l2lonnx-tests";
        proto.ProducerVersion = "0.1.0";
        proto.Domain = "org.l2lonnx";
        proto.ModelVersion = 42;
        proto.DocString = "model doc";
        proto.OpsetImport.Add(new OperatorSetIdProto { Domain = "ai.l2lonnx", Version = 3 });
        proto.MetadataProps.Add(new StringStringEntryProto { Key = "l2lonnx.contract", Value = "v1" });
        proto.MetadataProps.Add(new StringStringEntryProto { Key = "hidden", Value = "20" });
        proto.Graph.DocString = "graph doc";

        OnnxModel model = OnnxModelReader.Read(proto.ToByteArray());

        Assert.Equal(8, model.IrVersion);
        Assert.Equal("l2lonnx-tests", model.ProducerName);
        Assert.Equal("0.1.0", model.ProducerVersion);
        Assert.Equal("org.l2lonnx", model.Domain);
        Assert.Equal(42, model.ModelVersion);
        Assert.Equal("model doc", model.DocString);
        Assert.Equal(new Dictionary<string, long> { [""] = 17, ["ai.l2lonnx"] = 3 }, model.Opsets);
        Assert.Equal(new Dictionary<string, string> { ["l2lonnx.contract"] = "v1", ["hidden"] = "20" }, model.Metadata);
        Assert.Equal("g", model.Graph.Name);
        Assert.Equal("graph doc", model.Graph.DocString);
        Assert.False(model.HasFunctions);
        Assert.False(model.Graph.HasSparseInitializers);

        Assert.True(model.TryGetOpsetVersion("ai.onnx", out long aliased));
        Assert.Equal(17, aliased);
        Assert.False(model.TryGetOpsetVersion("com.microsoft", out _));
    }

    [Fact]
    public void ReadsValueInfoWithFixedSymbolicAndUnknownDims()
    {
        ModelProto proto = MinimalModel();
        proto.Graph.Input.Add(TensorValue("x", FloatType, Dim("batch"), Dim(3), new TensorShapeProto.Types.Dimension()));
        proto.Graph.Input.Add(TensorValue("scalar", Int64Type));
        proto.Graph.Input.Add(new ValueInfoProto
        {
            Name = "rank_unknown",
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = FloatType } },
        });
        proto.Graph.Output.Add(TensorValue("y", FloatType, Dim(1), Dim("batch")));
        proto.Graph.ValueInfo.Add(TensorValue("hidden", FloatType, Dim(0)));

        OnnxGraph graph = OnnxModelReader.Read(proto.ToByteArray()).Graph;

        OnnxValueInfo x = graph.Inputs[0];
        Assert.Equal("x", x.Name);
        Assert.True(x.IsTensor);
        Assert.Equal(OnnxDataType.Float, x.ElementType);
        Assert.Equal([OnnxDimension.Symbolic("batch"), OnnxDimension.Fixed(3), OnnxDimension.Unknown], x.Shape!);
        Assert.Equal("x: FLOAT[batch,3,?]", x.ToString());

        OnnxValueInfo scalar = graph.Inputs[1];
        Assert.Equal(OnnxDataType.Int64, scalar.ElementType);
        Assert.NotNull(scalar.Shape);
        Assert.Empty(scalar.Shape!);

        OnnxValueInfo rankUnknown = graph.Inputs[2];
        Assert.True(rankUnknown.IsTensor);
        Assert.Null(rankUnknown.Shape);

        Assert.Equal([OnnxDimension.Fixed(1), OnnxDimension.Symbolic("batch")], graph.Outputs[0].Shape!);
        Assert.Equal(OnnxDimensionKind.Fixed, graph.ValueInfo[0].Shape![0].Kind);
        Assert.Equal(0, graph.ValueInfo[0].Shape![0].Value);
    }

    [Fact]
    public void RecordsNonTensorTypesAsNotTensors()
    {
        TypeProto tensorType = TensorValue("unused", FloatType).Type;
        ModelProto proto = MinimalModel();
        proto.Graph.Output.Add(new ValueInfoProto
        {
            Name = "seq",
            Type = new TypeProto { SequenceType = new TypeProto.Types.Sequence { ElemType = tensorType } },
        });
        proto.Graph.Output.Add(new ValueInfoProto
        {
            Name = "map",
            Type = new TypeProto { MapType = new TypeProto.Types.Map { KeyType = Int64Type, ValueType = tensorType } },
        });
        proto.Graph.Output.Add(new ValueInfoProto
        {
            Name = "opt",
            Type = new TypeProto { OptionalType = new TypeProto.Types.Optional { ElemType = tensorType } },
        });
        proto.Graph.Output.Add(new ValueInfoProto
        {
            Name = "sparse",
            Type = new TypeProto { SparseTensorType = new TypeProto.Types.SparseTensor { ElemType = FloatType } },
        });
        proto.Graph.Output.Add(new ValueInfoProto { Name = "untyped" });

        OnnxGraph graph = OnnxModelReader.Read(proto.ToByteArray()).Graph;

        Assert.Equal(
            [OnnxValueKind.Sequence, OnnxValueKind.Map, OnnxValueKind.Optional, OnnxValueKind.SparseTensor, OnnxValueKind.Unspecified],
            graph.Outputs.Select(o => o.Kind));
        Assert.All(graph.Outputs, o =>
        {
            Assert.False(o.IsTensor);
            Assert.Null(o.Shape);
            Assert.Equal(OnnxDataType.Undefined, o.ElementType);
        });
        Assert.Equal("untyped", graph.Outputs[4].Name);
    }

    [Fact]
    public void ReadsFloatInitializerFromRawData()
    {
        float[] values = [1.5f, -2f, 0f, float.MaxValue, float.Epsilon, -0.125f];
        ModelProto proto = MinimalModel();
        proto.Graph.Initializer.Add(new TensorProto
        {
            Name = "W",
            DataType = FloatType,
            Dims = { 2, 3 },
            RawData = ByteString.CopyFrom(values.SelectMany(BitConverter.GetBytes).ToArray()),
        });

        OnnxGraph graph = OnnxModelReader.Read(proto.ToByteArray()).Graph;

        Assert.True(graph.TryGetInitializer("W", out OnnxTensor? w));
        Assert.Same(graph.Initializers[0], w);
        Assert.Equal(OnnxDataType.Float, w.DataType);
        Assert.Equal([2L, 3L], w.Dims);
        Assert.Equal(6, w.ElementCount);
        Assert.True(w.HasRawData);
        Assert.Equal(24, w.RawData.Length);
        Assert.False(w.IsExternal);
        Assert.Equal(values, w.ToFloatArray());
        Assert.False(graph.TryGetInitializer("w", out _));
    }

    [Fact]
    public void ReadsFloatInitializerFromFloatData()
    {
        ModelProto proto = MinimalModel();
        proto.Graph.Initializer.Add(new TensorProto { Name = "b", DataType = FloatType, Dims = { 4 }, FloatData = { 0.5f, 1f, -3f, 7.25f } });
        proto.Graph.Initializer.Add(new TensorProto { Name = "scalar", DataType = FloatType, FloatData = { 9f } });
        proto.Graph.Initializer.Add(new TensorProto { Name = "empty", DataType = FloatType, Dims = { 0, 5 } });

        OnnxGraph graph = OnnxModelReader.Read(proto.ToByteArray()).Graph;

        OnnxTensor b = graph.Initializers[0];
        Assert.False(b.HasRawData);
        Assert.Equal([0.5f, 1f, -3f, 7.25f], b.ToFloatArray());
        Assert.Equal([9f], graph.Initializers[1].ToFloatArray());
        Assert.Equal(1, graph.Initializers[1].ElementCount);
        Assert.Empty(graph.Initializers[2].ToFloatArray());
        Assert.Equal(0, graph.Initializers[2].ElementCount);
    }

    [Fact]
    public void ReadsIntegerInitializersFromTypedFieldsAndRawData()
    {
        ModelProto proto = MinimalModel();
        proto.Graph.Initializer.Add(new TensorProto { Name = "shape", DataType = Int64Type, Dims = { 3 }, Int64Data = { 4, -1, long.MaxValue } });
        proto.Graph.Initializer.Add(new TensorProto
        {
            Name = "raw64",
            DataType = Int64Type,
            Dims = { 2 },
            RawData = ByteString.CopyFrom([.. BitConverter.GetBytes(-7L), .. BitConverter.GetBytes(long.MinValue)]),
        });
        proto.Graph.Initializer.Add(new TensorProto { Name = "axes", DataType = Int32Type, Dims = { 2 }, Int32Data = { -2, int.MaxValue } });
        proto.Graph.Initializer.Add(new TensorProto
        {
            Name = "raw32",
            DataType = Int32Type,
            Dims = { 1 },
            RawData = ByteString.CopyFrom(BitConverter.GetBytes(int.MinValue)),
        });

        OnnxGraph graph = OnnxModelReader.Read(proto.ToByteArray()).Graph;

        Assert.Equal([4L, -1L, long.MaxValue], graph.Initializers[0].ToInt64Array());
        Assert.Equal([-7L, long.MinValue], graph.Initializers[1].ToInt64Array());
        Assert.Equal([-2L, int.MaxValue], graph.Initializers[2].ToInt64Array());
        Assert.Equal([(long)int.MinValue], graph.Initializers[3].ToInt64Array());
    }

    [Fact]
    public void ReadsNodesWithDomainInputsOutputsAndEveryAttributeKind()
    {
        ModelProto proto = MinimalModel();
        var node = new NodeProto
        {
            Name = "update_0",
            OpType = "CoordinatewiseLstm",
            Domain = "ai.l2lonnx",
            DocString = "node doc",
            Input = { "grad", "", "state" },
            Output = { "delta", "state_out" },
        };
        node.Attribute.Add(new AttributeProto { Name = "scale", Type = AttributeProto.Types.AttributeType.Float, F = 0.1f });
        node.Attribute.Add(new AttributeProto { Name = "hidden", Type = AttributeProto.Types.AttributeType.Int, I = -20 });
        node.Attribute.Add(new AttributeProto { Name = "mode", Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8("préprocess") });
        node.Attribute.Add(new AttributeProto { Name = "bounds", Type = AttributeProto.Types.AttributeType.Floats, Floats = { -1.5f, 2.5f } });
        node.Attribute.Add(new AttributeProto { Name = "perm", Type = AttributeProto.Types.AttributeType.Ints, Ints = { 0, -1, 300, long.MinValue } });
        node.Attribute.Add(new AttributeProto
        {
            Name = "acts",
            Type = AttributeProto.Types.AttributeType.Strings,
            Strings = { ByteString.CopyFromUtf8("Sigmoid"), ByteString.CopyFromUtf8("Tanh") },
        });
        node.Attribute.Add(new AttributeProto
        {
            Name = "value",
            Type = AttributeProto.Types.AttributeType.Tensor,
            T = new TensorProto { Name = "const", DataType = FloatType, Dims = { 2 }, FloatData = { 3f, 4f } },
        });
        node.Attribute.Add(new AttributeProto
        {
            Name = "body",
            Type = AttributeProto.Types.AttributeType.Graph,
            G = new GraphProto { Name = "sub", Node = { new NodeProto { OpType = "Identity" } } },
        });
        proto.Graph.Node.Add(node);
        proto.Graph.Node.Add(new NodeProto { OpType = "Relu", Input = { "delta" }, Output = { "out" } });

        OnnxGraph graph = OnnxModelReader.Read(proto.ToByteArray()).Graph;

        Assert.Equal(2, graph.Nodes.Count);
        OnnxNode read = graph.Nodes[0];
        Assert.Equal("update_0", read.Name);
        Assert.Equal("CoordinatewiseLstm", read.OpType);
        Assert.Equal("ai.l2lonnx", read.Domain);
        Assert.Equal("node doc", read.DocString);
        Assert.Equal(["grad", "", "state"], read.Inputs);
        Assert.Equal(["delta", "state_out"], read.Outputs);
        Assert.Equal(["scale", "hidden", "mode", "bounds", "perm", "acts", "value", "body"], read.Attributes.Keys);

        Assert.Equal(OnnxAttributeType.Float, read.Attributes["scale"].Type);
        Assert.Equal(0.1f, read.Attributes["scale"].F);
        Assert.Equal(OnnxAttributeType.Int, read.Attributes["hidden"].Type);
        Assert.Equal(-20, read.Attributes["hidden"].I);
        Assert.Equal("préprocess", read.Attributes["mode"].S);
        Assert.Equal([-1.5f, 2.5f], read.Attributes["bounds"].Floats);
        Assert.Equal([0L, -1L, 300L, long.MinValue], read.Attributes["perm"].Ints);
        Assert.Equal(["Sigmoid", "Tanh"], read.Attributes["acts"].Strings);

        OnnxAttribute value = read.Attributes["value"];
        Assert.Equal(OnnxAttributeType.Tensor, value.Type);
        Assert.NotNull(value.Tensor);
        Assert.Equal("const", value.Tensor!.Name);
        Assert.Equal([3f, 4f], value.Tensor.ToFloatArray());
        Assert.False(value.HasGraph);

        Assert.True(read.Attributes["body"].HasGraph);
        Assert.Equal(OnnxAttributeType.Graph, read.Attributes["body"].Type);
        Assert.Null(read.Attributes["scale"].Tensor);

        Assert.Equal("", graph.Nodes[1].Domain);
        Assert.Equal("Relu", graph.Nodes[1].OpType);
        Assert.Empty(graph.Nodes[1].Attributes);
    }

    [Fact]
    public void ReadsRepeatedFieldsWhetherPackedUnpackedOrMixed()
    {
        // Google.Protobuf and the Python package choose one encoding per field; a conforming reader must
        // accept both and even a mix of chunks, so this message is written field by field.
        byte[] attribute = Encode(o =>
        {
            WriteString(o, 1, "mixed");
            o.WriteTag(20, WireFormat.WireType.Varint);
            o.WriteInt32((int)OnnxAttributeType.Ints);
            WriteBytes(o, 8, Encode(p => { p.WriteInt64(5); p.WriteInt64(-6); }));   // packed chunk
            o.WriteTag(8, WireFormat.WireType.Varint);
            o.WriteInt64(7);                                                          // then unpacked
            o.WriteTag(7, WireFormat.WireType.Fixed32);
            o.WriteFloat(0.25f);                                                      // unpacked float
            WriteBytes(o, 7, Encode(p => { p.WriteFloat(-8f); p.WriteFloat(9.5f); })); // packed floats
        });
        byte[] tensor = Encode(o =>
        {
            o.WriteTag(1, WireFormat.WireType.Varint);
            o.WriteInt64(2);                                                          // dims unpacked
            WriteBytes(o, 1, Encode(p => p.WriteInt64(2)));                           // dims packed
            o.WriteTag(2, WireFormat.WireType.Varint);
            o.WriteInt32(FloatType);
            foreach (float f in new[] { 1f, 2f, 3f })
            {
                o.WriteTag(4, WireFormat.WireType.Fixed32);
                o.WriteFloat(f);                                                      // float_data unpacked
            }

            WriteBytes(o, 4, Encode(p => p.WriteFloat(4f)));                          // and packed
            WriteString(o, 8, "T");
        });
        byte[] doubles = Encode(o =>
        {
            WriteString(o, 8, "D");
            o.WriteTag(10, WireFormat.WireType.Fixed64);
            o.WriteDouble(1.0);
            WriteBytes(o, 10, Encode(p => p.WriteDouble(2.0)));
        });
        byte[] node = Encode(o => { WriteString(o, 4, "Op"); WriteBytes(o, 5, attribute); });
        byte[] graph = Encode(o => { WriteBytes(o, 1, node); WriteBytes(o, 5, tensor); WriteBytes(o, 5, doubles); });
        byte[] model = Encode(o => { o.WriteTag(1, WireFormat.WireType.Varint); o.WriteInt64(8); WriteBytes(o, 7, graph); });

        OnnxGraph read = OnnxModelReader.Read(model).Graph;

        OnnxAttribute mixed = read.Nodes[0].Attributes["mixed"];
        Assert.Equal([5L, -6L, 7L], mixed.Ints);
        Assert.Equal([0.25f, -8f, 9.5f], mixed.Floats);
        Assert.Equal([2L, 2L], read.Initializers[0].Dims);
        Assert.Equal([1f, 2f, 3f, 4f], read.Initializers[0].ToFloatArray());
        Assert.Equal("D", read.Initializers[1].Name);
    }

    [Fact]
    public void DetectsExternalDataFunctionsAndSparseInitializers()
    {
        ModelProto proto = MinimalModel();
        var both = new TensorProto { Name = "both", DataType = FloatType, Dims = { 3 }, DataLocation = TensorProto.Types.DataLocation.External };
        both.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = "weights.bin" });
        both.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = "4096" });
        var entriesOnly = new TensorProto { Name = "entries_only", DataType = FloatType, Dims = { 1 } };
        entriesOnly.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = "w.bin" });
        var locationOnly = new TensorProto { Name = "location_only", DataType = FloatType, DataLocation = TensorProto.Types.DataLocation.External };
        proto.Graph.Initializer.Add(both);
        proto.Graph.Initializer.Add(entriesOnly);
        proto.Graph.Initializer.Add(locationOnly);
        proto.Graph.Initializer.Add(new TensorProto { Name = "inline", DataType = FloatType, FloatData = { 1f } });
        proto.Graph.SparseInitializer.Add(new SparseTensorProto
        {
            Values = new TensorProto { Name = "sp", DataType = FloatType, Dims = { 1 }, FloatData = { 1f } },
            Indices = new TensorProto { DataType = Int64Type, Dims = { 1 }, Int64Data = { 2 } },
            Dims = { 4 },
        });
        proto.Functions.Add(new FunctionProto { Name = "f1", Domain = "local" });
        proto.Functions.Add(new FunctionProto { Name = "f2", Domain = "local" });

        OnnxModel model = OnnxModelReader.Read(proto.ToByteArray());

        Assert.True(model.HasFunctions);
        Assert.Equal(2, model.FunctionCount);
        Assert.True(model.Graph.HasSparseInitializers);
        Assert.Equal(4, model.Graph.Initializers.Count);

        OnnxTensor external = model.Graph.Initializers[0];
        Assert.True(external.IsExternal);
        Assert.Equal(new Dictionary<string, string> { ["location"] = "weights.bin", ["offset"] = "4096" }, external.ExternalData);
        var error = Assert.Throws<OnnxFormatException>(external.ToFloatArray);
        Assert.Contains("weights.bin", error.Message);
        Assert.Contains("external", error.Message);

        Assert.True(model.Graph.Initializers[1].IsExternal);
        Assert.True(model.Graph.Initializers[2].IsExternal);
        Assert.Empty(model.Graph.Initializers[2].ExternalData);
        Assert.False(model.Graph.Initializers[3].IsExternal);
    }

    [Fact]
    public void ReadsReferenceModelWrittenByOnnxPython()
    {
        // Written by Debian's onnx 1.12 (TestData/make_reference_model.py): proto2 encodings, unpacked
        // ints and dims, raw_data from numpy and float_data from make_tensor.
        OnnxModel model = OnnxModelReader.ReadFile(ReferenceModelPath);

        Assert.Equal(8, model.IrVersion);
        Assert.Equal("onnx-python", model.ProducerName);
        Assert.Equal("1.12.0", model.ProducerVersion);
        Assert.Equal(new Dictionary<string, long> { [""] = 14, ["ai.l2lonnx"] = 1 }, model.Opsets);
        Assert.Equal(new Dictionary<string, string> { ["l2lonnx.contract"] = "v1", ["note"] = "reference" }, model.Metadata);

        OnnxGraph graph = model.Graph;
        Assert.Equal("reference_lstm", graph.Name);
        Assert.Equal("fixture for the L2LOnnx reader", graph.DocString);
        Assert.Equal([OnnxDimension.Symbolic("seq"), OnnxDimension.Symbolic("batch"), OnnxDimension.Fixed(1)], graph.Inputs[0].Shape!);
        Assert.Equal([OnnxDimension.Fixed(1), OnnxDimension.Symbolic("batch"), OnnxDimension.Fixed(2)], graph.Outputs[0].Shape!);

        OnnxNode lstm = graph.Nodes[0];
        Assert.Equal("LSTM", lstm.OpType);
        Assert.Equal(["x", "W", "R", "B"], lstm.Inputs);
        Assert.Equal(["", "h"], lstm.Outputs);
        Assert.Equal(2, lstm.Attributes["hidden_size"].I);
        Assert.Equal(["Sigmoid", "Tanh", "Tanh"], lstm.Attributes["activations"].Strings);

        OnnxNode clip = graph.Nodes[1];
        Assert.Equal("ai.l2lonnx", clip.Domain);
        Assert.Equal([0L, -1L, 7L], clip.Attributes["axes"].Ints);
        Assert.Equal([-1.5f, 2.5f], clip.Attributes["bounds"].Floats);

        Assert.True(graph.TryGetInitializer("W", out OnnxTensor? w));
        Assert.True(w.HasRawData);
        Assert.Equal([1L, 8L, 1L], w.Dims);
        Assert.Equal(Enumerable.Range(0, 8).Select(i => i / 8f), w.ToFloatArray());

        Assert.True(graph.TryGetInitializer("R", out OnnxTensor? r));
        Assert.False(r.HasRawData);
        Assert.Equal(Enumerable.Range(0, 16).Select(i => (i * 0.25f) - 1f), r.ToFloatArray());

        Assert.Equal(new float[16], graph.Initializers[2].ToFloatArray());
        Assert.Equal([3L, -4L], graph.Initializers[3].ToInt64Array());
    }

    [Fact]
    public void ReadCopiesTensorDataSoTheCallerMayReuseTheBuffer()
    {
        ModelProto proto = MinimalModel();
        proto.Graph.Initializer.Add(new TensorProto
        {
            Name = "W",
            DataType = FloatType,
            Dims = { 2 },
            RawData = ByteString.CopyFrom([.. BitConverter.GetBytes(1f), .. BitConverter.GetBytes(2f)]),
        });
        byte[] bytes = proto.ToByteArray();

        OnnxModel model = OnnxModelReader.Read(bytes);
        Array.Clear(bytes);

        Assert.Equal([1f, 2f], model.Graph.Initializers[0].ToFloatArray());
        float[] first = model.Graph.Initializers[0].ToFloatArray();
        first[0] = 99f;
        Assert.Equal([1f, 2f], model.Graph.Initializers[0].ToFloatArray());
    }

    [Fact]
    public void SkipsUnknownFieldsOfEveryWireTypeAtEveryLevel()
    {
        byte[] unknown = Encode(o =>
        {
            o.WriteTag(99, WireFormat.WireType.Varint);
            o.WriteUInt64(ulong.MaxValue);
            o.WriteTag(100, WireFormat.WireType.Fixed64);
            o.WriteFixed64(0x0102030405060708);
            WriteBytes(o, 101, [7, 7, 7, 0x80]);
            o.WriteTag(102, WireFormat.WireType.Fixed32);
            o.WriteFixed32(0xFFFFFFFF);
            o.WriteTag(536_870_911, WireFormat.WireType.Varint);   // the largest legal field number
            o.WriteInt32(1);
        });
        var tensor = new TensorProto { Name = "W", DataType = FloatType, Dims = { 1 }, FloatData = { 6f } };
        var node = new NodeProto { OpType = "Add", Input = { "a", "W" }, Output = { "b" } };
        byte[] graph =
        [
            .. Encode(o =>
            {
                WriteBytes(o, 1, [.. node.ToByteArray(), .. unknown]);
                WriteBytes(o, 5, [.. tensor.ToByteArray(), .. unknown]);
                WriteBytes(o, 11, [.. TensorValue("a", FloatType, Dim(1)).ToByteArray(), .. unknown]);
            }),
            .. unknown,
        ];
        byte[] model = [.. MinimalModelWithoutGraph().ToByteArray(), .. unknown, .. Encode(o => WriteBytes(o, 7, graph)), .. unknown];

        OnnxModel read = OnnxModelReader.Read(model);

        Assert.Equal(8, read.IrVersion);
        Assert.Equal(["a", "W"], read.Graph.Nodes[0].Inputs);
        Assert.Equal([6f], read.Graph.Initializers[0].ToFloatArray());
        Assert.Equal([OnnxDimension.Fixed(1)], read.Graph.Inputs[0].Shape!);
    }

    [Fact]
    public void ReadFileNamesTheFileInErrorsAndReadRejectsNull()
    {
        string path = Path.Combine(Path.GetTempPath(), $"l2lonnx-reader-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(path, [0x0A, 0x05, 0x01]);
        try
        {
            var error = Assert.Throws<OnnxFormatException>(() => OnnxModelReader.ReadFile(path));
            Assert.StartsWith(path + ": ", error.Message);
            Assert.IsType<OnnxFormatException>(error.InnerException);
        }
        finally
        {
            File.Delete(path);
        }

        Assert.Throws<ArgumentNullException>(() => OnnxModelReader.Read((byte[])null!));
    }

    // ---------------------------------------------------------------- content errors

    [Fact]
    public void TensorDecodingReportsCountMismatchesWrongTypesAndDoubleStorage()
    {
        ModelProto proto = MinimalModel();
        proto.Graph.Initializer.Add(new TensorProto
        {
            Name = "short_raw",
            DataType = FloatType,
            Dims = { 2, 3 },
            RawData = ByteString.CopyFrom(new byte[20]),
        });
        proto.Graph.Initializer.Add(new TensorProto { Name = "short_floats", DataType = FloatType, Dims = { 3 }, FloatData = { 1f, 2f } });
        proto.Graph.Initializer.Add(new TensorProto { Name = "ints", DataType = Int64Type, Dims = { 1 }, Int64Data = { 1 } });
        proto.Graph.Initializer.Add(new TensorProto
        {
            Name = "both",
            DataType = FloatType,
            Dims = { 1 },
            FloatData = { 1f },
            RawData = ByteString.CopyFrom(BitConverter.GetBytes(1f)),
        });
        proto.Graph.Initializer.Add(new TensorProto { Name = "no_data", DataType = FloatType, Dims = { 2 } });
        proto.Graph.Initializer.Add(new TensorProto { Name = "floats", DataType = FloatType, Dims = { 1 }, FloatData = { 1f } });
        OnnxGraph graph = OnnxModelReader.Read(proto.ToByteArray()).Graph;

        string shortRaw = Assert.Throws<OnnxFormatException>(graph.Initializers[0].ToFloatArray).Message;
        Assert.Contains("'short_raw'", shortRaw);
        Assert.Contains("20 bytes of raw_data", shortRaw);
        Assert.Contains("[2,3] need 6 FLOAT elements (24 bytes)", shortRaw);

        string shortFloats = Assert.Throws<OnnxFormatException>(graph.Initializers[1].ToFloatArray).Message;
        Assert.Contains("2 values in float_data", shortFloats);
        Assert.Contains("need 3", shortFloats);

        Assert.Contains("data type INT64, expected FLOAT", Assert.Throws<OnnxFormatException>(graph.Initializers[2].ToFloatArray).Message);
        Assert.Contains("both raw_data and float_data", Assert.Throws<OnnxFormatException>(graph.Initializers[3].ToFloatArray).Message);
        Assert.Contains("has no data", Assert.Throws<OnnxFormatException>(graph.Initializers[4].ToFloatArray).Message);
        Assert.Contains("data type FLOAT, expected INT64", Assert.Throws<OnnxFormatException>(graph.Initializers[5].ToInt64Array).Message);
    }

    [Fact]
    public void RejectsNegativeDimsAndDimsWhoseProductOverflows()
    {
        ModelProto negative = MinimalModel();
        negative.Graph.Initializer.Add(new TensorProto { Name = "neg", DataType = FloatType, Dims = { 2, -3 } });
        string negativeMessage = Assert.Throws<OnnxFormatException>(() => OnnxModelReader.Read(negative.ToByteArray())).Message;
        Assert.Contains("dims[1] is negative (-3)", negativeMessage);
        Assert.Contains("ModelProto.graph.initializer[0]", negativeMessage);

        ModelProto huge = MinimalModel();
        huge.Graph.Initializer.Add(new TensorProto { Name = "huge", DataType = FloatType, Dims = { 1L << 32, 1L << 31 } });
        string hugeMessage = Assert.Throws<OnnxFormatException>(() => OnnxModelReader.Read(huge.ToByteArray())).Message;
        Assert.Contains("overflows", hugeMessage);

        // Just below the limit is legal to describe; decoding then fails on the data, not on arithmetic.
        ModelProto big = MinimalModel();
        big.Graph.Initializer.Add(new TensorProto { Name = "big", DataType = FloatType, Dims = { 1L << 31, 1L << 31 } });
        OnnxTensor bigTensor = OnnxModelReader.Read(big.ToByteArray()).Graph.Initializers[0];
        Assert.Equal(1L << 62, bigTensor.ElementCount);
        Assert.Contains("more than an array can hold", Assert.Throws<OnnxFormatException>(bigTensor.ToFloatArray).Message);
    }

    [Fact]
    public void RejectsDuplicateNamesThatOnnxForbids()
    {
        ModelProto initializers = MinimalModel();
        initializers.Graph.Initializer.Add(new TensorProto { Name = "W", DataType = FloatType, FloatData = { 1f } });
        initializers.Graph.Initializer.Add(new TensorProto { Name = "W", DataType = FloatType, FloatData = { 2f } });
        Assert.Contains("initializer name 'W' is used more than once", ReadError(initializers.ToByteArray()));

        ModelProto metadata = MinimalModel();
        metadata.MetadataProps.Add(new StringStringEntryProto { Key = "k", Value = "1" });
        metadata.MetadataProps.Add(new StringStringEntryProto { Key = "k", Value = "2" });
        Assert.Contains("duplicate key 'k' in metadata_props", ReadError(metadata.ToByteArray()));

        ModelProto attributes = MinimalModel();
        attributes.Graph.Node.Add(new NodeProto
        {
            OpType = "Op",
            Attribute = { new AttributeProto { Name = "a", I = 1 }, new AttributeProto { Name = "a", I = 2 } },
        });
        Assert.Contains("attribute 'a' appears more than once", ReadError(attributes.ToByteArray()));

        ModelProto opsets = MinimalModel();
        opsets.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 18 });
        Assert.Contains("opset domain '' is imported more than once", ReadError(opsets.ToByteArray()));
    }

    // ---------------------------------------------------------------- malformed bytes

    [Fact]
    public void RejectsEmptyInputAndProtobufThatIsNotAModel()
    {
        Assert.Equal("not an ONNX model: the input is empty", ReadError([]));

        ModelProto noGraph = MinimalModelWithoutGraph();
        Assert.Contains("not an ONNX model: no graph", ReadError(noGraph.ToByteArray()));

        ModelProto noIr = MinimalModel();
        noIr.IrVersion = 0;
        Assert.Contains("not an ONNX model: ir_version is missing", ReadError(noIr.ToByteArray()));

        // A valid protobuf of another schema: field 1 as a string instead of ir_version's varint.
        byte[] other = Encode(o => WriteString(o, 1, "hello"));
        Assert.Contains("field 1 (ir_version) has wire type LengthDelimited, expected Varint at byte 0 in ModelProto", ReadError(other));
    }

    [Fact]
    public void ReportsTruncatedVarintsWithTheirOffset()
    {
        Assert.Equal("truncated varint at byte 1 in ModelProto", ReadError([0x08, 0x80]));
        Assert.Equal("truncated varint at byte 0 in ModelProto", ReadError([0x80]));
        Assert.Equal(
            "varint longer than 64 bits at byte 1 in ModelProto",
            ReadError([0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02]));
    }

    [Fact]
    public void ReportsLengthsBeyondTheBufferInsteadOfReadingPastIt()
    {
        byte[] tooLong = [.. Encode(o => { o.WriteTag(7, WireFormat.WireType.LengthDelimited); o.WriteUInt32(1000); }), 1, 2, 3];
        Assert.Equal("length-delimited field of 1000 bytes exceeds buffer (3 bytes left) at byte 1 in ModelProto", ReadError(tooLong));

        byte[] absurd = Encode(o => { o.WriteTag(7, WireFormat.WireType.LengthDelimited); o.WriteUInt64(ulong.MaxValue); });
        Assert.Contains("length-delimited field of 18446744073709551615 bytes exceeds buffer", ReadError(absurd));

        // Inside a nested message the offset is absolute and the path names the message.
        byte[] badNode = Encode(o => WriteBytes(o, 1, Encode(n => { n.WriteTag(3, WireFormat.WireType.LengthDelimited); n.WriteUInt32(50); })));
        byte[] model = Encode(o => { o.WriteTag(1, WireFormat.WireType.Varint); o.WriteInt64(8); WriteBytes(o, 7, badNode); });
        Assert.Equal(
            "length-delimited field of 50 bytes exceeds buffer (0 bytes left) at byte 7 in ModelProto.graph.node[0]",
            ReadError(model));
    }

    [Fact]
    public void RejectsGroupsInvalidWireTypesAndBadPackedLengths()
    {
        Assert.Contains("field 9 uses protobuf groups (wire type 3)", ReadError([(9 << 3) | 3]));
        Assert.Contains("field 9 uses protobuf groups (wire type 4)", ReadError([(9 << 3) | 4]));
        Assert.Contains("field 9 has invalid wire type 6", ReadError([(9 << 3) | 6]));
        Assert.Contains("invalid field number 0", ReadError([0x00, 0x01]));
        Assert.Contains("truncated fixed32 value", ReadError([(9 << 3) | 5, 1, 2]));
        Assert.Contains("truncated fixed64 value", ReadError([(9 << 3) | 1, 1, 2, 3, 4, 5, 6, 7]));

        byte[] attribute = Encode(o => { WriteString(o, 1, "f"); WriteBytes(o, 7, [0, 0, 0, 0, 0]); });
        byte[] node = Encode(o => WriteBytes(o, 5, attribute));
        byte[] model = Encode(o => { o.WriteTag(1, WireFormat.WireType.Varint); o.WriteInt64(8); WriteBytes(o, 7, Encode(g => WriteBytes(g, 1, node))); });
        Assert.Contains("packed field floats has 5 bytes, not a multiple of 4", ReadError(model));
        Assert.Contains("in ModelProto.graph.node[0].attribute[0].floats", ReadError(model));
    }

    [Fact]
    public void RejectsMessagesNestedDeeperThanTheLimit()
    {
        Assert.Equal(ProtoReader.MaxDepth, Descend(Nest(ProtoReader.MaxDepth)));

        byte[] tooDeep = Nest(ProtoReader.MaxDepth + 1);
        var error = Assert.Throws<OnnxFormatException>(() => Descend(tooDeep));
        Assert.Contains("nested deeper than 64 levels", error.Message);

        static byte[] Nest(int levels)
        {
            byte[] inner = [];
            for (int i = 0; i < levels; i++)
            {
                byte[] payload = inner;
                inner = Encode(o => WriteBytes(o, 1, payload));
            }

            return inner;
        }

        static int Descend(byte[] bytes)
        {
            var reader = new ProtoReader(bytes, "Nested");
            return Walk(reader);
        }

        static int Walk(ProtoReader reader) =>
            reader.TryReadTag(out _, out WireType wire) ? Walk(reader.ReadMessage(wire, "child", "child")) : reader.Depth;
    }

    [Fact]
    public void EveryTruncationEitherParsesOrThrowsOnnxFormatException()
    {
        byte[] full = RichModel().ToByteArray();
        Assert.NotNull(OnnxModelReader.Read(full));

        int parsed = 0;
        int rejected = 0;
        for (int length = 0; length < full.Length; length++)
        {
            if (TryReadAndDecode(full.AsSpan(0, length).ToArray()))
            {
                parsed++;
            }
            else
            {
                rejected++;
            }
        }

        // Cutting inside the graph always breaks a length prefix, so most prefixes must be rejected;
        // only cuts after the graph, at a field boundary, can still be complete models.
        Assert.True(rejected > full.Length * 9 / 10, $"only {rejected} of {full.Length} prefixes were rejected");
        Assert.True(parsed >= 1, "the prefix that ends right after the graph should parse");
    }

    [Fact]
    public void RandomBytesAndCorruptedModelsOnlyEverThrowOnnxFormatException()
    {
        var random = new Random(20240611);
        int rejected = 0;
        for (int i = 0; i < 2000; i++)
        {
            byte[] noise = new byte[random.Next(1, 300)];
            random.NextBytes(noise);
            rejected += TryReadAndDecode(noise) ? 0 : 1;
        }

        Assert.True(rejected > 1900, $"random noise parsed as a model {2000 - rejected} times");

        byte[] valid = RichModel().ToByteArray();
        for (int i = 0; i < 3000; i++)
        {
            byte[] corrupted = (byte[])valid.Clone();
            for (int flips = random.Next(1, 4); flips > 0; flips--)
            {
                corrupted[random.Next(corrupted.Length)] = (byte)random.Next(256);
            }

            TryReadAndDecode(corrupted);
        }
    }

    // ---------------------------------------------------------------- helpers

    /// <summary>Reads and decodes every tensor; any exception other than OnnxFormatException fails the test.</summary>
    private static bool TryReadAndDecode(byte[] bytes)
    {
        try
        {
            OnnxModel model = OnnxModelReader.Read(bytes);
            foreach (OnnxTensor tensor in model.Graph.Initializers)
            {
                try
                {
                    _ = tensor.DataType == OnnxDataType.Float ? tensor.ToFloatArray().Length : tensor.ToInt64Array().Length;
                }
                catch (OnnxFormatException)
                {
                    // A corrupted shape or payload is reported like any other format error.
                }
            }

            return true;
        }
        catch (OnnxFormatException)
        {
            return false;
        }
        catch (Exception e)
        {
            Assert.Fail($"{e.GetType().Name} instead of OnnxFormatException for {Convert.ToHexString(bytes)}: {e}");
            return false;
        }
    }

    private static string ReadError(byte[] bytes) =>
        Assert.Throws<OnnxFormatException>(() => OnnxModelReader.Read(bytes)).Message;

    private static ModelProto MinimalModelWithoutGraph() => new()
    {
        IrVersion = 8,
        OpsetImport = { new OperatorSetIdProto { Domain = "", Version = 17 } },
    };

    private static ModelProto MinimalModel()
    {
        ModelProto model = MinimalModelWithoutGraph();
        model.Graph = new GraphProto { Name = "g" };
        return model;
    }

    /// <summary>A model using most field kinds, for the truncation and corruption sweeps.</summary>
    private static ModelProto RichModel()
    {
        ModelProto model = MinimalModel();
        model.ProducerName = "rich";
        model.MetadataProps.Add(new StringStringEntryProto { Key = "k", Value = "v" });
        model.Graph.Input.Add(TensorValue("x", FloatType, Dim("batch"), Dim(2)));
        model.Graph.Output.Add(TensorValue("y", FloatType, Dim("batch"), Dim(2)));
        model.Graph.Initializer.Add(new TensorProto
        {
            Name = "W",
            DataType = FloatType,
            Dims = { 2, 2 },
            RawData = ByteString.CopyFrom(new byte[16]),
        });
        model.Graph.Initializer.Add(new TensorProto { Name = "b", DataType = FloatType, Dims = { 2 }, FloatData = { 1f, 2f } });
        model.Graph.Initializer.Add(new TensorProto { Name = "s", DataType = Int64Type, Dims = { 2 }, Int64Data = { 300, -1 } });
        model.Graph.Node.Add(new NodeProto
        {
            OpType = "Gemm",
            Domain = "ai.l2lonnx",
            Input = { "x", "W", "b" },
            Output = { "y" },
            Attribute =
            {
                new AttributeProto { Name = "alpha", Type = AttributeProto.Types.AttributeType.Float, F = 1f },
                new AttributeProto { Name = "perm", Type = AttributeProto.Types.AttributeType.Ints, Ints = { 1, 0 } },
                new AttributeProto
                {
                    Name = "t",
                    Type = AttributeProto.Types.AttributeType.Tensor,
                    T = new TensorProto { DataType = FloatType, Dims = { 1 }, FloatData = { 5f } },
                },
            },
        });
        return model;
    }

    private static ValueInfoProto TensorValue(string name, int elementType, params TensorShapeProto.Types.Dimension[] dims) => new()
    {
        Name = name,
        Type = new TypeProto
        {
            TensorType = new TypeProto.Types.Tensor { ElemType = elementType, Shape = new TensorShapeProto { Dim = { dims } } },
        },
    };

    private static TensorShapeProto.Types.Dimension Dim(long value) => new() { DimValue = value };

    private static TensorShapeProto.Types.Dimension Dim(string param) => new() { DimParam = param };

    private static byte[] Encode(Action<CodedOutputStream> write)
    {
        using var stream = new MemoryStream();
        using (var output = new CodedOutputStream(stream, leaveOpen: true))
        {
            write(output);
        }

        return stream.ToArray();
    }

    private static void WriteBytes(CodedOutputStream output, int field, byte[] payload)
    {
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(ByteString.CopyFrom(payload));
    }

    private static void WriteString(CodedOutputStream output, int field, string value)
    {
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteString(value);
    }
}
