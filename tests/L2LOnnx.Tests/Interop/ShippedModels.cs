namespace L2LOnnx.Tests.Interop;

/// <summary>The trained optimizers the repository ships in <c>models/</c>.</summary>
internal static class ShippedModels
{
    public static string PathOf(string fileName) => Path.Combine(DebianPython.RepositoryRoot(), "models", fileName);
}
