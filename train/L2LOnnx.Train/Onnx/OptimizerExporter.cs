using L2LOnnx.Train.Optimizers;

namespace L2LOnnx.Train.Onnx;

/// <summary>Exports any <see cref="ILearnedOptimizerNetwork"/> under contract v1 with its family's exporter.</summary>
public static class OptimizerExporter
{
    /// <summary>Exports <paramref name="network"/> to <paramref name="path"/>, atomically.</summary>
    /// <exception cref="NotSupportedException">The network is of a family no exporter knows.</exception>
    public static void Save(ILearnedOptimizerNetwork network, string path, ExportMetadata metadata)
    {
        switch (network)
        {
            case LstmOptimizer lstm: LstmOptimizerExporter.Save(lstm, path, metadata); break;
            case MlpOptimizer mlp: MlpOptimizerExporter.Save(mlp, path, metadata); break;
            default: throw new NotSupportedException($"no ONNX exporter for {network.GetType().Name}; export an LstmOptimizer or an MlpOptimizer");
        }
    }
}
