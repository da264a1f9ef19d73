using static TorchSharp.torch;

namespace L2LOnnx.Train.Problems;

/// <summary>
/// A distribution of optimizee problems ("the class of functions" of the paper). Families over real
/// data hold it as tensors: dispose the family when done.
/// </summary>
public interface IProblemFamily : IDisposable
{
    /// <summary>Short name recorded in ONNX metadata and reports, e.g. <c>quadratic-10d</c>.</summary>
    string Name { get; }

    /// <summary>Number of parameters of each problem.</summary>
    int Dimension { get; }

    /// <summary>How each problem's parameters split into groups (see <see cref="IOptimizee.Groups"/>).</summary>
    IReadOnlyList<ParameterGroup> Groups { get; }

    /// <summary>
    /// Draws <paramref name="count"/> new problems from the family, deterministically from
    /// <paramref name="generator"/>. The returned tensors belong to no dispose scope: the batch owns them.
    /// </summary>
    IOptimizee Sample(int count, Generator generator);
}
