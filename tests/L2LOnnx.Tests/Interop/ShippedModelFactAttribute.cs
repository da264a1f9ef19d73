namespace L2LOnnx.Tests.Interop;

/// <summary>A fact that needs a trained optimizer shipped under <c>models/</c>; skipped, with the reason shown, until it is there.</summary>
public sealed class ShippedModelFactAttribute : FactAttribute
{
    public ShippedModelFactAttribute(string fileName)
    {
        if (!File.Exists(ShippedModels.PathOf(fileName)))
            Skip = $"models/{fileName} is not in the repository yet: this test needs the shipped, meta-trained optimizer";
    }
}
