namespace L2LOnnx.Runtime.Onnx;

/// <summary>Decodes <c>StringStringEntryProto</c> (key = 1, value = 2), used for metadata and external-data entries.</summary>
internal static class StringEntryParser
{
    private const int KeyField = 1;
    private const int ValueField = 2;

    /// <summary>Reads one entry from its own message reader.</summary>
    public static KeyValuePair<string, string> Parse(ProtoReader reader)
    {
        string key = string.Empty;
        string value = string.Empty;
        while (reader.TryReadTag(out int field, out WireType wire))
        {
            switch (field)
            {
                case KeyField:
                    key = reader.ReadString(wire, "key");
                    break;
                case ValueField:
                    value = reader.ReadString(wire, "value");
                    break;
                default:
                    reader.SkipUnknown(wire);
                    break;
            }
        }

        return new KeyValuePair<string, string>(key, value);
    }

    /// <summary>
    /// Reads the entry at the parent's current field and adds it to <paramref name="into"/>; a repeated
    /// key is an error because ONNX's checker rejects it and "last one wins" would hide a broken file.
    /// </summary>
    public static void ReadInto(ref ProtoReader parent, WireType wire, string name, Dictionary<string, string> into)
    {
        KeyValuePair<string, string> entry = Parse(parent.ReadMessage(wire, name, $"{parent.Where}.{name}[{into.Count}]"));
        if (!into.TryAdd(entry.Key, entry.Value))
        {
            throw parent.ErrorAtField($"duplicate key '{entry.Key}' in {name}");
        }
    }

    /// <summary>
    /// Reads one entry of a string map the model does not expose (the metadata of a node, graph, value or
    /// tensor), to check it is well-formed as ONNX Runtime's parser will; repeated keys are allowed there.
    /// </summary>
    public static void ReadAll(ref ProtoReader parent, WireType wire, string name) =>
        Parse(parent.ReadMessage(wire, name, $"{parent.Where}.{name}"));
}
