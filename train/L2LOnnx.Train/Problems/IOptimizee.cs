using static TorchSharp.torch;

namespace L2LOnnx.Train.Problems;

/// <summary>
/// A batch of independent optimizee problems that share a parameter layout: the functions
/// <c>f(theta)</c> a learned optimizer is meta-trained and evaluated on. Parameters are a tensor
/// [problems, dimension]; the optimizer sees them flattened, one coordinate per entry.
/// </summary>
public interface IOptimizee : IDisposable
{
    /// <summary>Number of independent problems in the batch.</summary>
    int ProblemCount { get; }

    /// <summary>Number of parameters of each problem.</summary>
    int Dimension { get; }

    /// <summary>
    /// How one problem's parameters split into groups that may get separate optimizer networks
    /// (e.g. convolutional and fully-connected); a single group unless the optimizee says otherwise.
    /// </summary>
    IReadOnlyList<ParameterGroup> Groups => ParameterGroup.Single(Dimension);

    /// <summary>Each problem's starting parameters, [problems, dimension]; a fresh tensor every call.</summary>
    Tensor InitialParameters();

    /// <summary>
    /// The loss of every problem at <paramref name="theta"/> [problems, dimension], as [problems], at
    /// optimizee step <paramref name="step"/> (0 = the starting point). Stochastic problems use the
    /// minibatch of that step, drawn once per batch of problems, so every optimizer run on the same
    /// batch sees the same data in the same order.
    /// </summary>
    Tensor Loss(Tensor theta, int step);
}
