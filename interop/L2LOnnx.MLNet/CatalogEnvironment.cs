using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace L2LOnnx.MLNet;

/// <summary>
/// The <see cref="IHostEnvironment"/> behind an ML.NET trainers catalog, i.e. the user's <see cref="MLContext"/>
/// (its log, its cancellation). ML.NET 5 reaches it through the internal interface <c>IInternalCatalog</c>,
/// which every catalog implements and ML.NET's own catalog extensions use; there is no public accessor, so it
/// is read by reflection, once, and a missing member fails loudly instead of silently losing the log.
/// </summary>
internal static class CatalogEnvironment
{
    private static readonly PropertyInfo? Environment =
        typeof(TrainCatalogBase).Assembly.GetType("Microsoft.ML.Data.IInternalCatalog")?.GetProperty("Environment");

    /// <exception cref="NotSupportedException">This ML.NET version keeps the environment elsewhere.</exception>
    public static IHostEnvironment Of(TrainCatalogBase.CatalogInstantiatorBase catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return Environment?.GetValue(catalog) as IHostEnvironment ?? throw new NotSupportedException(
            $"ML.NET {typeof(MLContext).Assembly.GetName().Version} does not expose the catalog's environment as ML.NET 5 does " +
            "(Microsoft.ML.Data.IInternalCatalog.Environment); L2LOnnx.MLNet is built for Microsoft.ML 5.x");
    }
}
