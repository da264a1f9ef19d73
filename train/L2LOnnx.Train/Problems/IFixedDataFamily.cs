using static TorchSharp.torch;

namespace L2LOnnx.Train.Problems;

/// <summary>
/// A family whose problems all train on one fixed data set (images or a table), so that any problem's
/// parameters can be scored on the whole of it: the full training-set loss, or, on the family of the
/// same model over a disjoint split, the test-split loss and accuracy.
/// </summary>
public interface IFixedDataFamily : IProblemFamily
{
    /// <summary>Samples (images or rows) of the data set.</summary>
    int SampleCount { get; }

    /// <summary>
    /// Every problem's mean loss over all <see cref="SampleCount"/> samples, and its accuracy (the fraction of
    /// samples classified correctly; null for regression), for <paramref name="theta"/> [problems, dimension].
    /// Computed without gradients.
    /// </summary>
    (double[] Loss, double[]? Accuracy) Score(Tensor theta);
}
