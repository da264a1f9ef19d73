namespace L2LOnnx.TestSupport;

/// <summary>
/// A fact that needs a trained optimizer shipped under <c>models/</c> (and possibly data sets); skipped,
/// with the reason shown, until they are there.
/// </summary>
public sealed class ShippedModelFactAttribute : FactAttribute
{
    /// <summary>A fact that reads <c>models/<paramref name="fileName"/></c> and <paramref name="dataSets"/>.</summary>
    public ShippedModelFactAttribute(string fileName, params DataSet[] dataSets)
    {
        if (!File.Exists(ShippedModels.PathOf(fileName)))
            Skip = $"models/{fileName} is not in the repository yet: this test needs the shipped, meta-trained optimizer";
        else if (DataSetFiles.Missing(dataSets) is { } reason)
            Skip = reason;
    }
}
