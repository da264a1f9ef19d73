using System.Diagnostics;
using L2LOnnx.Runtime;
using L2LOnnx.Train.Optimizers;
using L2LOnnx.Train.Problems;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace L2LOnnx.Train.MetaTraining;

/// <summary>
/// Meta-trains a learned optimizer on a problem family by truncated backpropagation through time
/// (Andrychowicz et al. 2016, section 2): each trajectory optimizes a fresh batch of problems for
/// <c>T</c> steps; after every unroll of <c>U</c> steps the meta-loss <c>sum_t w_t f(theta_t)</c> over
/// the unroll is back-propagated into the optimizer's weights and Adam takes one meta-step; the
/// optimizee parameters and LSTM states carry on, detached, into the next unroll.
/// </summary>
/// <remarks>
/// Every unroll runs inside a TorchSharp dispose scope and only the carried tensors leave it, so native
/// memory stays flat over any number of trajectories. With a checkpoint path the run can be interrupted
/// (cancellation is honoured between unrolls) and resumed to the same result as an uninterrupted run:
/// checkpoints are only ever taken at trajectory boundaries.
/// </remarks>
public sealed class MetaTrainer
{
    private const ulong ValidationSeedSalt = 0x5EED_0F_7A11DA7E;

    private readonly GroupedOptimizer optimizer;
    private readonly IProblemFamily family;
    private readonly MetaTrainingOptions options;
    private readonly Parameter[] parameters;

    /// <summary>Prepares a run of a single shared LSTM; nothing is computed until <see cref="Train"/>.</summary>
    public MetaTrainer(LstmOptimizer optimizer, IProblemFamily family, MetaTrainingOptions options)
        : this(GroupedOptimizer.Shared(optimizer), family, options)
    {
    }

    /// <summary>Prepares a run; nothing is computed until <see cref="Train"/>.</summary>
    public MetaTrainer(GroupedOptimizer optimizer, IProblemFamily family, MetaTrainingOptions options)
    {
        options.Validate();
        ParameterGroup.Validate(family.Groups, family.Dimension);
        this.optimizer = optimizer;
        this.family = family;
        this.options = options;
        parameters = optimizer.parameters().ToArray();
    }

    /// <summary>The problem family, the network(s) and the settings: what a resumed run must match.</summary>
    public string Fingerprint() => $"{family.Name}; {optimizer.Describe()}; {options.Fingerprint()}";

    /// <summary>
    /// Runs meta-training, or with <paramref name="resume"/> continues the run saved at
    /// <see cref="MetaTrainingOptions.CheckpointPath"/>. On return the network holds the weights with
    /// the best validation score (possibly the untrained ones, if training never improved on them).
    /// When <paramref name="cancellation"/> fires, the current trajectory is abandoned, the checkpoint
    /// of the last trajectory boundary is written and the result says <c>Interrupted</c>.
    /// </summary>
    public MetaTrainingResult Train(IProgress<MetaTrainingProgress>? progress = null, CancellationToken cancellation = default, bool resume = false)
    {
        if (resume && options.CheckpointPath is null)
            throw new InvalidOperationException("resuming needs the checkpoint path of the interrupted run (MetaTrainingOptions.CheckpointPath)");
        var clock = Stopwatch.StartNew();
        using var generator = new Generator((ulong)options.Seed);
        using var validationGenerator = new Generator((ulong)options.Seed ^ ValidationSeedSalt);
        using var validation = family.Sample(options.ValidationProblems, validationGenerator);
        using var metaOptimizer = optim.Adam(parameters, options.MetaLearningRate);

        var run = resume ? Restore(MetaTrainingCheckpoint.Load(options.CheckpointPath!), generator, metaOptimizer) : Start(validation);
        // The untrained weights are the first best: a collapse before any improvement returns to them and to a fresh Adam.
        if (!resume && options.RollbackFactor is not null) run.BestMetaOptimizerState = SaveState(metaOptimizer);
        var resumedFrom = run.Trajectories;
        var interrupted = false;
        byte[]? boundary = null;
        while (run.Trajectories < options.Trajectories)
        {
            if (cancellation.IsCancellationRequested) { interrupted = true; break; }
            // The in-memory checkpoint of this boundary is what an interruption inside the trajectory saves.
            if (options.CheckpointPath is not null) boundary = Capture(run, generator, metaOptimizer, clock).ToBytes();
            var trajectory = run.Trajectories + 1;
            var learningRate = options.MetaLearningRateAt(trajectory, run.Rollbacks);
            foreach (var group in metaOptimizer.ParamGroups) group.LearningRate = learningRate;
            var (metaLoss, completed) = TrainTrajectory(generator, metaOptimizer, run, cancellation);
            if (!completed) { interrupted = true; break; }
            boundary = null;
            run.Trajectories = trajectory;
            if (trajectory % options.ValidateEvery == 0 || trajectory == options.Trajectories)
            {
                var scores = Rollout.ProblemScores(optimizer, validation, options);
                run.LatestValidation = scores.Average();
                if (run.LatestValidation < run.BestValidation)
                {
                    run.BestValidation = run.LatestValidation.Value;
                    run.BestScores = scores;
                    run.BestTrajectory = trajectory;
                    run.BestWeights = CopyWeights();
                    if (options.RollbackFactor is not null) run.BestMetaOptimizerState = SaveState(metaOptimizer);
                }
                else if (options.IsCollapse(run.LatestValidation.Value, run.BestValidation))
                    RollBack(run, metaOptimizer);
            }
            if (options.CheckpointPath is { } path && (trajectory % options.CheckpointEvery == 0 || trajectory == options.Trajectories))
                Capture(run, generator, metaOptimizer, clock).Save(path);
            progress?.Report(new MetaTrainingProgress(trajectory, options.Trajectories, metaLoss, run.LatestValidation, run.BestValidation,
                run.Skipped, learningRate, run.ElapsedBefore + clock.Elapsed) { Rollbacks = run.Rollbacks });
        }
        if (interrupted && options.CheckpointPath is { } checkpointPath)
            AtomicFile.WriteAllBytes(checkpointPath, boundary ?? Capture(run, generator, metaOptimizer, clock).ToBytes());

        RestoreWeights(run.BestWeights);
        return new MetaTrainingResult(run.Trajectories, run.InitialValidation, run.BestValidation, run.BestTrajectory, run.Skipped,
            run.ElapsedBefore + clock.Elapsed)
        {
            Interrupted = interrupted,
            ResumedFrom = resume ? resumedFrom : null,
            Rollbacks = run.Rollbacks,
            InitialValidationScores = run.InitialScores,
            BestValidationScores = run.BestScores,
        };
    }

    /// <summary>
    /// The meta-gradient of the first unroll on <paramref name="problems"/> (the gradient of its
    /// meta-loss with respect to every optimizer weight, flattened in parameter order), without taking a
    /// meta-step: for checking what <see cref="MetaTrainingOptions.SecondDerivatives"/> changes.
    /// </summary>
    public float[] MetaGradient(IOptimizee problems)
    {
        using var scope = NewDisposeScope();
        var theta = problems.InitialParameters();
        var state = optimizer.InitialState(problems.ProblemCount, problems.Groups);
        optimizer.zero_grad();
        SegmentedUnroll.Backpropagate(Segment(problems), theta, state, firstStep: 0, options.UnrollLength, SegmentLength);
        var flat = cat(parameters.Select(p => p.grad is { } g ? g.reshape(-1) : zeros_like(p).reshape(-1)).ToArray()).data<float>().ToArray();
        optimizer.zero_grad();
        return flat;
    }

    private RunState Start(IOptimizee validation)
    {
        if (options.WarmStart is { } start)
        {
            try
            {
                if (!start.IsSingleNetwork) RestoreWeights(optimizer, start.Weights);
                else if (!optimizer.IsShared)
                    throw new InvalidDataException("it holds one network and this run trains one per parameter group; warm-start a per-group run from its checkpoint");
                else
                {
                    var network = optimizer.Networks[0].Network;
                    RestoreWeights((nn.Module)network, start.Weights);
                    if (start.Mismatch(network) is { } why) throw new InvalidDataException(why);
                }
            }
            catch (InvalidDataException e)
            {
                throw new InvalidDataException($"cannot warm-start from {start.Source}: {e.Message}; warm-start from a checkpoint or model of the same optimizer family and shape", e);
            }
        }
        var scores = Rollout.ProblemScores(optimizer, validation, options);
        var initial = scores.Average();
        return new RunState { InitialValidation = initial, BestValidation = initial, BestWeights = CopyWeights(), InitialScores = scores, BestScores = scores };
    }

    /// <summary>
    /// Returns to the best weights and the meta-optimizer state saved with them (Adam's moments of the
    /// collapsed run would push straight back), and counts the rollback, which halves the meta learning rate.
    /// </summary>
    private void RollBack(RunState run, optim.Optimizer metaOptimizer)
    {
        RestoreWeights(run.BestWeights);
        if (run.BestMetaOptimizerState is { } state) LoadState(metaOptimizer, state);
        run.Rollbacks++;
    }

    private static byte[] SaveState(optim.Optimizer metaOptimizer)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
            ((OptimizerHelper)metaOptimizer).save_state_dict(writer);
        return stream.ToArray();
    }

    private static void LoadState(optim.Optimizer metaOptimizer, byte[] state)
    {
        using var reader = new BinaryReader(new MemoryStream(state));
        ((OptimizerHelper)metaOptimizer).load_state_dict(reader);
    }

    private RunState Restore(MetaTrainingCheckpoint checkpoint, Generator generator, optim.Optimizer metaOptimizer)
    {
        var expected = Fingerprint();
        if (checkpoint.Fingerprint != expected)
            throw new InvalidOperationException(
                $"the checkpoint {options.CheckpointPath} belongs to a different run; resume with the settings it was made with.\n" +
                $"  checkpoint: {checkpoint.Fingerprint}\n  this run:   {expected}");
        RestoreWeights(checkpoint.Weights);
        LoadState(metaOptimizer, checkpoint.MetaOptimizerState);
        using (var state = tensor(checkpoint.GeneratorState))
            generator.set_state(state);
        return new RunState
        {
            Trajectories = checkpoint.Trajectories,
            Skipped = checkpoint.SkippedMetaSteps,
            InitialValidation = checkpoint.InitialValidation,
            BestValidation = checkpoint.BestValidation,
            BestTrajectory = checkpoint.BestTrajectory,
            LatestValidation = checkpoint.LatestValidation,
            ElapsedBefore = checkpoint.Elapsed,
            BestWeights = checkpoint.BestWeights,
            BestMetaOptimizerState = checkpoint.BestMetaOptimizerState,
            Rollbacks = checkpoint.Rollbacks,
        };
    }

    private MetaTrainingCheckpoint Capture(RunState run, Generator generator, optim.Optimizer metaOptimizer, Stopwatch clock)
    {
        using var generatorState = generator.get_state();
        return new MetaTrainingCheckpoint
        {
            Fingerprint = Fingerprint(),
            Trajectories = run.Trajectories,
            SkippedMetaSteps = run.Skipped,
            InitialValidation = run.InitialValidation,
            BestValidation = run.BestValidation,
            BestTrajectory = run.BestTrajectory,
            LatestValidation = run.LatestValidation,
            Elapsed = run.ElapsedBefore + clock.Elapsed,
            Weights = CopyWeights(),
            BestWeights = run.BestWeights,
            MetaOptimizerState = SaveState(metaOptimizer),
            BestMetaOptimizerState = run.BestMetaOptimizerState,
            Rollbacks = run.Rollbacks,
            GeneratorState = generatorState.data<byte>().ToArray(),
        };
    }

    /// <summary>One trajectory on fresh problems; returns the mean meta-loss of its unrolls, or not completed when cancelled.</summary>
    private (double MetaLoss, bool Completed) TrainTrajectory(Generator generator, optim.Optimizer metaOptimizer, RunState run, CancellationToken cancellation)
    {
        using var problems = family.Sample(options.ProblemsPerTrajectory, generator);
        var theta = problems.InitialParameters();
        var state = optimizer.InitialState(problems.ProblemCount, problems.Groups);
        var unrolls = options.TrajectoryLength / options.UnrollLength;
        double sum = 0;
        var counted = 0;
        try
        {
            for (var unroll = 0; unroll < unrolls; unroll++)
            {
                if (cancellation.IsCancellationRequested) return (double.NaN, false);
                using var scope = NewDisposeScope();
                var firstStep = unroll * options.UnrollLength;
                metaOptimizer.zero_grad();
                double metaLoss;
                Tensor nextTheta;
                GroupedOptimizerState nextState;
                try
                {
                    (metaLoss, nextTheta, nextState) = SegmentedUnroll.Backpropagate(Segment(problems), theta, state, firstStep, options.UnrollLength, SegmentLength, cancellation);
                }
                catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
                {
                    return (double.NaN, false);
                }
                // An unroll without loss weight only carries the trajectory on: no meta-step.
                if (HasWeight(firstStep) && ApplyMetaGradient(metaLoss, metaOptimizer, run) is { } value)
                {
                    sum += value;
                    counted++;
                }
                var carriedTheta = nextTheta.detach().MoveToOuterDisposeScope();
                var carriedState = nextState.DetachToOuterScope();
                theta.Dispose();
                state.Dispose();
                theta = carriedTheta;
                state = carriedState;
            }
        }
        finally
        {
            theta.Dispose();
            state.Dispose();
        }
        return (counted > 0 ? sum / counted : double.NaN, true);
    }

    /// <summary>
    /// Clips the meta-gradient already in the weights' <c>grad</c> and takes one Adam step; returns
    /// <paramref name="metaLoss"/>, or null when the meta-loss or the meta-gradient was not finite and the step was skipped.
    /// </summary>
    private double? ApplyMetaGradient(double metaLoss, optim.Optimizer metaOptimizer, RunState run)
    {
        // A non-finite meta-loss or meta-gradient would poison Adam's moments for the rest of the run.
        var norm = double.IsFinite(metaLoss) ? nn.utils.clip_grad_norm_(parameters, options.MetaGradientClip ?? double.PositiveInfinity) : double.NaN;
        if (!double.IsFinite(norm))
        {
            metaOptimizer.zero_grad();
            run.Skipped++;
            return null;
        }
        metaOptimizer.step();
        return metaLoss;
    }

    private bool HasWeight(int firstStep)
    {
        for (var step = firstStep + 1; step <= firstStep + options.UnrollLength; step++)
            if (options.LossWeight(step) != 0) return true;
        return false;
    }

    /// <summary>Steps per back-propagated segment: the whole unroll unless <see cref="MetaTrainingOptions.RecomputeSegment"/> splits it.</summary>
    private int SegmentLength => options.RecomputeSegment ?? options.UnrollLength;

    /// <summary>One segment of a recomputed unroll (<see cref="SegmentedUnroll"/>) on <paramref name="problems"/>.</summary>
    private SegmentedUnroll.Segment Segment(IOptimizee problems) =>
        (start, state, firstStep, length) => Unroll(problems, start, state, firstStep, length);

    /// <summary>
    /// One unroll: <paramref name="length"/> optimizee steps from <paramref name="start"/> (a leaf that
    /// requires grad, at step <paramref name="firstStep"/>), returning the meta-loss (weighted sum over
    /// steps of the mean over problems of the loss, or of its log, after each update) with its graph back
    /// to the optimizer's weights and to <paramref name="start"/> and <paramref name="state"/>.
    /// </summary>
    private (Tensor MetaLoss, Tensor Theta, GroupedOptimizerState State) Unroll(IOptimizee problems, Tensor start, GroupedOptimizerState state, int firstStep, int length)
    {
        var current = start;
        var loss = problems.Loss(current, firstStep);
        var metaLoss = zeros(Array.Empty<long>());
        for (var step = firstStep + 1; step <= firstStep + length; step++)
        {
            // retain_graph: the same graph also carries the meta-loss back to phi later.
            var grad = autograd.grad(new[] { loss.sum() }, new[] { current }, retain_graph: true, create_graph: options.SecondDerivatives)[0];
            if (!options.SecondDerivatives) grad = grad.detach();
            var (update, next) = optimizer.Step(grad, current, state);
            current = current + update;
            state = next;
            loss = problems.Loss(current, step);
            var weight = options.LossWeight(step);
            if (weight == 0) continue;
            var term = options.Objective.Term(loss).mean();
            metaLoss = metaLoss + (weight == 1 ? term : term.mul(weight));
        }
        return (metaLoss, current, state);
    }

    private Dictionary<string, float[]> CopyWeights()
    {
        using var scope = NewDisposeScope();
        return optimizer.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().cpu().data<float>().ToArray(), StringComparer.Ordinal);
    }

    private void RestoreWeights(IReadOnlyDictionary<string, float[]> weights) => RestoreWeights(optimizer, weights);

    private static void RestoreWeights(nn.Module module, IReadOnlyDictionary<string, float[]> weights)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        foreach (var (name, parameter) in module.named_parameters())
        {
            if (!weights.TryGetValue(name, out var values) || values.Length != parameter.numel())
                throw new InvalidDataException($"the saved weights have no {parameter.numel()}-value entry for '{name}': they belong to a different network");
            parameter.copy_(tensor(values).view(parameter.shape));
        }
    }

    /// <summary>The mutable counters of a run, between trajectories.</summary>
    private sealed class RunState
    {
        public int Trajectories;
        public int Skipped;
        public double InitialValidation;
        public double BestValidation;
        public int BestTrajectory;
        public double? LatestValidation;
        public TimeSpan ElapsedBefore;
        public IReadOnlyDictionary<string, float[]> BestWeights = new Dictionary<string, float[]>();
        public byte[]? BestMetaOptimizerState;
        public int Rollbacks;
        // Per validation problem; not checkpointed, so null in a resumed run until it measures them again.
        public double[]? InitialScores;
        public double[]? BestScores;
    }
}
