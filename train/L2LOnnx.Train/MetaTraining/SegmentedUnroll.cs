using L2LOnnx.Train.Optimizers;
using static TorchSharp.torch;

namespace L2LOnnx.Train.MetaTraining;

/// <summary>
/// Backpropagation through a long unroll in the memory of a short one (gradient checkpointing, Griewank
/// 1992; Chen et al. 2016): a first pass runs the unroll segment by segment and keeps only the optimizee
/// parameters and optimizer state at each segment's start; a second pass, from the last segment back,
/// recomputes each segment with its graph and back-propagates its meta-loss plus the adjoint of its end
/// point that the segment after it handed back. The meta-gradient is the one of the whole unroll, at
/// about one more forward pass, and a graph of one segment at a time.
/// </summary>
/// <remarks>
/// Why: the full-horizon meta-gradient at T = 100 was what improved the general default (docs/general.md,
/// "Full-horizon BPTT"), while truncated unrolls of a 1,000-step trajectory moved it away from what pays
/// over 1,000 steps (the truncation bias of Metz et al. 2019). One unroll of 100 steps on the twelve-member
/// mixture already holds 22 GB, so a 1,000-step unroll fits only in segments. Recomputation is exact
/// because a problem's minibatch is a function of the step (<see cref="Problems.IOptimizee.Loss"/>).
/// </remarks>
internal static class SegmentedUnroll
{
    /// <summary>
    /// Runs <paramref name="length"/> optimizee steps from the parameters <paramref name="start"/> (a leaf
    /// that requires grad) and <paramref name="state"/> at step <paramref name="firstStep"/>: the segment's
    /// meta-loss with its graph, and its end point.
    /// </summary>
    internal delegate (Tensor MetaLoss, Tensor Theta, GroupedOptimizerState State) Segment(Tensor start, GroupedOptimizerState state, int firstStep, int length);

    /// <summary>
    /// Adds the meta-gradient of the unroll of <paramref name="length"/> steps from (<paramref name="theta"/>,
    /// <paramref name="state"/>) at <paramref name="firstStep"/> to the optimizer weights' <c>grad</c>,
    /// computed <paramref name="segment"/> steps at a time, and returns the unroll's meta-loss and its end
    /// point, cut from the graph and owned by the caller's dispose scope. A non-finite meta-loss skips the
    /// backward pass (the caller skips the meta-step). With one segment this is plain BPTT through the graph of
    /// the unroll, with no recomputation. <paramref name="cancellation"/> is honoured between
    /// segments (<see cref="OperationCanceledException"/>), so that a long unroll stops within one segment.
    /// </summary>
    public static (double MetaLoss, Tensor Theta, GroupedOptimizerState State) Backpropagate(
        Segment run, Tensor theta, GroupedOptimizerState state, int firstStep, int length, int segment, CancellationToken cancellation = default)
    {
        if (segment < 1 || length % segment != 0)
            throw new ArgumentException($"the unroll ({length} steps) must be a positive multiple of the segment ({segment} steps)", nameof(segment));
        var segments = length / segment;
        if (segments == 1)
        {
            // One segment is plain BPTT: back-propagate the graph the forward pass built, nothing to recompute.
            var (loss, end, endState) = run(theta.detach().requires_grad_(true), state, firstStep, length);
            var value = (double)loss.item<float>();
            if (double.IsFinite(value) && loss.requires_grad) loss.backward();
            return (value, end, endState);
        }
        var starts = new List<(Tensor Theta, GroupedOptimizerState State)>(segments + 1) { (theta, state) };
        double metaLoss = 0;
        for (var k = 0; k < segments; k++)
        {
            cancellation.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            var (loss, end, endState) = run(starts[k].Theta.detach().requires_grad_(true), starts[k].State, firstStep + k * segment, segment);
            metaLoss += loss.item<float>();
            starts.Add((end.detach().MoveToOuterDisposeScope(), endState.DetachToOuterScope()));
        }
        if (!double.IsFinite(metaLoss)) return (metaLoss, starts[^1].Theta, starts[^1].State);

        Tensor? thetaAdjoint = null;
        Tensor?[] stateAdjoints = [];
        try
        {
            for (var k = segments - 1; k >= 0; k--)
            {
                cancellation.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                var start = starts[k].Theta.detach().requires_grad_(true);
                // The first segment's start is the carried point, a constant of this unroll: no adjoint needed.
                var startState = k > 0 ? starts[k].State.AsLeaves() : starts[k].State;
                var (loss, end, endState) = run(start, startState, firstStep + k * segment, segment);
                var objective = loss;
                if (thetaAdjoint is not null) objective = objective.add(end.mul(thetaAdjoint).sum());
                var tensors = endState.Tensors;
                for (var i = 0; i < stateAdjoints.Length; i++)
                    if (stateAdjoints[i] is { } adjoint) objective = objective.add(tensors[i].mul(adjoint).sum());
                if (objective.requires_grad) objective.backward();
                DisposeAdjoints(ref thetaAdjoint, ref stateAdjoints);
                if (k == 0) break;
                thetaAdjoint = Adjoint(start);
                stateAdjoints = startState.Tensors.Select(Adjoint).ToArray();
            }
        }
        finally
        {
            DisposeAdjoints(ref thetaAdjoint, ref stateAdjoints);
        }
        return (metaLoss, starts[^1].Theta, starts[^1].State);
    }

    private static void DisposeAdjoints(ref Tensor? theta, ref Tensor?[] state)
    {
        theta?.Dispose();
        foreach (var adjoint in state) adjoint?.Dispose();
        theta = null;
        state = [];
    }

    /// <summary>A leaf's gradient after the backward pass, kept past the segment's scope; null when nothing reached it.</summary>
    private static Tensor? Adjoint(Tensor leaf) => leaf.grad is { } grad ? grad.detach().DetachFromDisposeScope() : null;
}
