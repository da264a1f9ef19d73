using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using L2LOnnx.Runtime;
using L2LOnnx.Runtime.Onnx;
using L2LOnnx.Train.Onnx;
using Microsoft.ML.OnnxRuntime;

namespace L2LOnnx.Train.Inspection;

/// <summary>
/// What <c>l2l inspect</c> reports about an ONNX file: its format, the contract-v1 view (or why it is
/// not a contract-v1 optimizer), metadata, operator counts, weight count, which runtime engine runs it
/// and whether it imports into TorchSharp.
/// </summary>
public sealed record ModelInspection
{
    /// <summary>The inspected file.</summary>
    public required string Path { get; init; }

    /// <summary>File size in bytes.</summary>
    public required long Bytes { get; init; }

    /// <summary>SHA-256 of the file (hex): what runtime checkpoints and conformance vectors identify it by.</summary>
    public required string Sha256 { get; init; }

    /// <summary>ONNX IR version.</summary>
    public required long IrVersion { get; init; }

    /// <summary>Imported operator sets, domain (<c>ai.onnx</c> for the default) to version.</summary>
    public required IReadOnlyList<KeyValuePair<string, long>> Opsets { get; init; }

    /// <summary>The file's producer name and version.</summary>
    public required string Producer { get; init; }

    /// <summary>The graph's name.</summary>
    public required string GraphName { get; init; }

    /// <summary>The graph's doc string (what it computes).</summary>
    public required string GraphDoc { get; init; }

    /// <summary>The contract-v1 view, or null when the file breaks the contract (<see cref="ContractError"/> says why).</summary>
    public OptimizerContract? Contract { get; init; }

    /// <summary>Why the file is not a runnable contract-v1 optimizer, or null.</summary>
    public string? ContractError { get; init; }

    /// <summary>Graph inputs and outputs as <c>name type [dims]</c>.</summary>
    public required IReadOnlyList<string> Inputs { get; init; }

    /// <inheritdoc cref="Inputs"/>
    public required IReadOnlyList<string> Outputs { get; init; }

    /// <summary>The <c>metadata_props</c>, in file order.</summary>
    public required IReadOnlyList<KeyValuePair<string, string>> Metadata { get; init; }

    /// <summary>Nodes per operator, most frequent first.</summary>
    public required IReadOnlyList<KeyValuePair<string, int>> Operators { get; init; }

    /// <summary>Float32 values held in initializers and <c>Constant</c> nodes (weights and constants).</summary>
    public required long WeightCount { get; init; }

    /// <summary>Tensors that hold them.</summary>
    public required int WeightTensors { get; init; }

    /// <summary>Whether the weights hash to <c>l2l.weights_sha256</c>: true, false, or null when the file records none.</summary>
    public bool? WeightsHashMatches { get; init; }

    /// <summary>
    /// Whether the inputs, outputs and metadata hash to <c>l2l.metadata_sha256</c> (<see cref="MetadataHash"/>):
    /// true, false, or null when the file records none.
    /// </summary>
    public bool? MetadataHashMatches { get; init; }

    /// <summary>The runtime engine that will run the file and why.</summary>
    public required string Engine { get; init; }

    /// <summary>The network imported into TorchSharp, described, or null (<see cref="ImportError"/> says why).</summary>
    public string? Import { get; init; }

    /// <summary>Why the file does not import into TorchSharp, or null.</summary>
    public string? ImportError { get; init; }

    /// <summary>Inspects the file at <paramref name="path"/>.</summary>
    /// <exception cref="FileNotFoundException">No file there.</exception>
    /// <exception cref="InvalidDataException">The file is not an ONNX model at all.</exception>
    public static ModelInspection Of(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"no file at '{System.IO.Path.GetFullPath(path)}'", path);
        var bytes = File.ReadAllBytes(path);
        OnnxModel model;
        try
        {
            model = OnnxModelReader.Read(bytes);
        }
        catch (OnnxFormatException e)
        {
            throw new InvalidDataException(NotOnnx(path, bytes, e), e);
        }
        var graph = model.Graph;
        var constants = Constants(graph).ToList();
        var metadata = model.Metadata.ToList();
        var recordedHash = metadata.LastOrDefault(m => m.Key == LstmMetadataKeys.WeightsHash).Value;
        var recordedStamp = metadata.LastOrDefault(m => m.Key == ContractV1.MetadataHashKey).Value;
        var (contract, contractError, engine) = CheckContract(bytes);
        var (import, importError) = contract is null ? (null, "not a contract-v1 optimizer") : TryImport(bytes);
        var initializers = graph.Initializers.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        return new ModelInspection
        {
            Path = path,
            Bytes = bytes.LongLength,
            Sha256 = Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant(),
            IrVersion = model.IrVersion,
            Opsets = model.Opsets.Select(o => new KeyValuePair<string, long>(o.Key.Length == 0 ? "ai.onnx" : o.Key, o.Value)).ToList(),
            Producer = $"{model.ProducerName} {model.ProducerVersion}".Trim(),
            GraphName = graph.Name,
            GraphDoc = graph.DocString,
            Contract = contract,
            ContractError = contractError,
            Inputs = graph.Inputs.Where(i => !initializers.Contains(i.Name)).Select(Describe).ToList(),
            Outputs = graph.Outputs.Select(Describe).ToList(),
            Metadata = metadata,
            Operators = graph.Nodes.GroupBy(n => n.Domain.Length == 0 ? n.OpType : $"{n.Domain}.{n.OpType}")
                .Select(g => new KeyValuePair<string, int>(g.Key, g.Count()))
                .OrderByDescending(o => o.Value).ThenBy(o => o.Key, StringComparer.Ordinal).ToList(),
            WeightCount = constants.Where(c => c.DataType == OnnxDataType.Float).Sum(c => c.ElementCount),
            WeightTensors = constants.Count(c => c.DataType == OnnxDataType.Float),
            WeightsHashMatches = recordedHash is null ? null : recordedHash == LstmOptimizerExporter.WeightsHash(graph),
            MetadataHashMatches = recordedStamp is null ? null : recordedStamp == MetadataHash.Compute(model),
            Engine = engine ?? "none: the runtime refuses files that break contract v1",
            Import = import,
            ImportError = importError,
        };
    }

    /// <summary>Writes the report for people.</summary>
    public void Write(TextWriter output)
    {
        var inv = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(inv, $"{Path}: {Bytes:N0} bytes, sha256 {Sha256}"));
        output.WriteLine($"  onnx        IR {IrVersion}, opset {string.Join(", ", Opsets.Select(o => $"{o.Key} {o.Value}"))}, producer {Producer}");
        output.WriteLine($"  graph       {GraphName}: {GraphDoc}");
        output.WriteLine($"contract v1   {(Contract is null ? "NO: " + ContractError : "yes")}");
        if (Contract is { } contract)
            output.WriteLine(string.Create(inv,
                $"  state       {contract.States.Count} tensors, {contract.StateWidth} floats per coordinate; reads parameter values: {(contract.HasParamInput ? "yes" : "no")}"));
        output.WriteLine($"  inputs      {string.Join("; ", Inputs)}");
        output.WriteLine($"  outputs     {string.Join("; ", Outputs)}");
        output.WriteLine("metadata");
        foreach (var (key, value) in Metadata)
            output.WriteLine($"  {key} = {value}");
        output.WriteLine(MetadataHashMatches switch
        {
            true => $"  stamp       inputs, outputs and metadata match {ContractV1.MetadataHashKey}",
            false => $"  stamp       inputs, outputs or metadata DO NOT match {ContractV1.MetadataHashKey}: they changed after export",
            null => $"  stamp       no {ContractV1.MetadataHashKey} recorded" + (WeightsHashMatches is null ? "" : ": 'l2l stamp FILE' adds it"),
        });
        output.WriteLine(string.Create(inv, $"operators     {Operators.Sum(o => o.Value)} nodes: {string.Join(", ", Operators.Select(o => $"{o.Key} {o.Value}"))}"));
        var hash = WeightsHashMatches switch
        {
            true => $"weights match {LstmMetadataKeys.WeightsHash}",
            false => $"weights DO NOT match {LstmMetadataKeys.WeightsHash}: they changed after export",
            null => $"no {LstmMetadataKeys.WeightsHash} recorded",
        };
        output.WriteLine(string.Create(inv, $"weights       {WeightCount:N0} floats in {WeightTensors} tensors; {hash}"));
        output.WriteLine($"engine        {Engine}");
        output.WriteLine($"TorchSharp    {(Import is null ? "does not import: " + ImportError : "imports: " + Import)}");
    }

    /// <summary>
    /// Writes the report as one JSON object, for scripts: <c>path</c>, <c>bytes</c>, <c>sha256</c>,
    /// <c>onnx</c> (<c>irVersion</c>, <c>opsets</c>, <c>producer</c>), <c>graph</c> (<c>name</c>, <c>doc</c>),
    /// <c>contract</c> (<c>ok</c>, <c>error</c>, <c>states</c> as name and width, <c>stateWidth</c>,
    /// <c>readsParameters</c>), <c>inputs</c>, <c>outputs</c>, <c>metadata</c>, <c>metadataHashMatches</c>, <c>operators</c> (counts),
    /// <c>weights</c> (<c>floats</c>, <c>tensors</c>, <c>hashMatches</c>: true, false or null),
    /// <c>engine</c>, and <c>torchSharp</c> (<c>imports</c>, <c>network</c>, <c>error</c>).
    /// </summary>
    public void WriteJson(TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("path", Path);
            json.WriteNumber("bytes", Bytes);
            json.WriteString("sha256", Sha256);
            json.WriteStartObject("onnx");
            json.WriteNumber("irVersion", IrVersion);
            json.WriteStartObject("opsets");
            foreach (var (domain, version) in Opsets) json.WriteNumber(domain, version);
            json.WriteEndObject();
            json.WriteString("producer", Producer);
            json.WriteEndObject();
            json.WriteStartObject("graph");
            json.WriteString("name", GraphName);
            json.WriteString("doc", GraphDoc);
            json.WriteEndObject();
            json.WriteStartObject("contract");
            json.WriteBoolean("ok", Contract is not null);
            WriteNullable(json, "error", ContractError);
            if (Contract is { } contract)
            {
                json.WriteStartArray("states");
                foreach (var state in contract.States)
                {
                    json.WriteStartObject();
                    json.WriteString("name", state.Name);
                    json.WriteNumber("width", state.Width);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WriteNumber("stateWidth", contract.StateWidth);
                json.WriteBoolean("readsParameters", contract.HasParamInput);
            }
            json.WriteEndObject();
            WriteStrings(json, "inputs", Inputs);
            WriteStrings(json, "outputs", Outputs);
            json.WriteStartObject("metadata");
            foreach (var (key, value) in Metadata) json.WriteString(key, value);
            json.WriteEndObject();
            if (MetadataHashMatches is { } stamped) json.WriteBoolean("metadataHashMatches", stamped);
            else json.WriteNull("metadataHashMatches");
            json.WriteStartObject("operators");
            foreach (var (op, count) in Operators) json.WriteNumber(op, count);
            json.WriteEndObject();
            json.WriteStartObject("weights");
            json.WriteNumber("floats", WeightCount);
            json.WriteNumber("tensors", WeightTensors);
            if (WeightsHashMatches is { } matches) json.WriteBoolean("hashMatches", matches);
            else json.WriteNull("hashMatches");
            json.WriteEndObject();
            json.WriteString("engine", Engine);
            json.WriteStartObject("torchSharp");
            json.WriteBoolean("imports", Import is not null);
            WriteNullable(json, "network", Import);
            WriteNullable(json, "error", ImportError);
            json.WriteEndObject();
            json.WriteEndObject();
        }
        output.WriteLine(Encoding.UTF8.GetString(buffer.ToArray()));
    }

    private static void WriteNullable(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null) json.WriteNull(name);
        else json.WriteString(name, value);
    }

    private static void WriteStrings(Utf8JsonWriter json, string name, IEnumerable<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values) json.WriteStringValue(value);
        json.WriteEndArray();
    }

    /// <summary>Loads the file as the runtime would by default (engine chosen automatically): its contract and engine, or why it cannot load.</summary>
    private static (OptimizerContract?, string?, string?) CheckContract(byte[] bytes)
    {
        try
        {
            using var optimizer = LearnedOptimizer.Load(bytes, new LearnedOptimizerOptions { IntraOpThreads = 1 });
            return (optimizer.Contract, null, $"{optimizer.EngineDescription}; because {optimizer.EngineReason}");
        }
        catch (Exception e) when (e is ContractViolationException or OnnxRuntimeException or NotSupportedException)
        {
            return (null, e.Message, null);
        }
    }

    private static (string?, string?) TryImport(byte[] bytes)
    {
        try
        {
            using var imported = LstmOptimizerImporter.Import(bytes);
            var parameters = imported.Network.parameters().Sum(p => p.numel());
            return (string.Create(CultureInfo.InvariantCulture,
                $"{imported.Network.Config.Describe()}; {parameters:N0} parameters; ONNX Runtime and TorchSharp agree to {imported.VerifiedDifference:E1}"), null);
        }
        catch (OnnxImportException e)
        {
            return (null, e.Message);
        }
    }

    /// <summary>Why <paramref name="path"/> is not an ONNX model, in the user's terms.</summary>
    private static string NotOnnx(string path, byte[] bytes, OnnxFormatException error)
    {
        if (bytes.Length == 0) return $"{path} is empty, not an ONNX model";
        // For text the decoder's detail (which byte broke which field) would only confuse.
        return LooksLikeText(bytes)
            ? $"{path} is a text file, not an ONNX model: an ONNX model is a binary file written by an exporter (l2l meta-train, torch.onnx.export)"
            : $"{path} is not an ONNX model: its bytes do not decode as an ONNX ModelProto ({error.Message})";
    }

    /// <summary>Whether the file starts like text: valid UTF-8 without control characters other than whitespace in its first kilobyte.</summary>
    private static bool LooksLikeText(byte[] bytes)
    {
        var head = bytes.AsSpan(0, Math.Min(bytes.Length, 1024));
        foreach (var b in head)
            if (b < 0x20 && b is not ((byte)'\n' or (byte)'\r' or (byte)'\t')) return false;
        try
        {
            // flush: false, so a character cut at the kilobyte's end is not taken for invalid UTF-8.
            new UTF8Encoding(false, throwOnInvalidBytes: true).GetDecoder().GetCharCount(head, flush: false);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    private static IEnumerable<OnnxTensor> Constants(OnnxGraph graph) =>
        graph.Initializers.Concat(graph.Nodes.Where(n => n.OpType == "Constant").SelectMany(n => n.Attributes.Values).Select(a => a.Tensor).OfType<OnnxTensor>());

    private static string Describe(OnnxValueInfo value)
    {
        if (!value.IsTensor) return $"{value.Name} (not a tensor)";
        var type = value.ElementType.ToString().ToLowerInvariant();
        return value.Shape is not { } shape ? $"{value.Name} {type}" : $"{value.Name} {type} [{string.Join(", ", shape)}]";
    }
}
