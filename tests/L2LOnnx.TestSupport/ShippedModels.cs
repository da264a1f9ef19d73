namespace L2LOnnx.TestSupport;

/// <summary>The trained optimizers the repository ships in <c>models/</c>.</summary>
public static class ShippedModels
{
    public static string PathOf(string fileName) => Path.Combine(DebianPython.RepositoryRoot(), "models", fileName);
}
