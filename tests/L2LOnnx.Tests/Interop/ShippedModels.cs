namespace L2LOnnx.Tests.Interop;

/// <summary>The trained optimizers the repository ships in <c>models/</c>.</summary>
internal static class ShippedModels
{
    public static string PathOf(string fileName)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "L2LOnnx.sln"))) return Path.Combine(dir.FullName, "models", fileName);
        return Path.Combine("models", fileName);
    }
}
