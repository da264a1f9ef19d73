using static TorchSharp.torch;

namespace L2LOnnx.Train.Problems;

/// <summary>
/// A batch of independent optimizee problems that share a parameter dimension: the functions
/// <c>f(theta)</c> a learned optimizer is meta-trained and evaluated on. Parameters are a tensor
/// [problems, dimension]; the optimizer sees them flattened, one coordinate per entry.
/// </summary>
public interface IOptimizee : IDisposable
{
    /// <summary>Number of independent problems in the batch.</summary>
    int ProblemCount { get; }

    /// <summary>Number of parameters of each problem.</summary>
    int Dimension { get; }

    /// <summary>Each problem's starting parameters, [problems, dimension]; a fresh tensor every call.</summary>
    Tensor InitialParameters();

    /// <summary>
    /// The loss of every problem at <paramref name="theta"/> [problems, dimension], as [problems].
    /// Stochastic problems draw a new minibatch on every call, so call it once per optimizee step.
    /// </summary>
    Tensor Loss(Tensor theta);
}

/// <summary>A distribution of optimizee problems ("the class of functions" of the paper).</summary>
public interface IProblemFamily
{
    /// <summary>Short name recorded in ONNX metadata and reports, e.g. <c>quadratic-10d</c>.</summary>
    string Name { get; }

    /// <summary>Draws <paramref name="count"/> new problems from the family, deterministically from <paramref name="generator"/>.</summary>
    IOptimizee Sample(int count, Generator generator);
}
