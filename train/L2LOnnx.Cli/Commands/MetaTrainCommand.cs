using System.CommandLine;
using System.Globalization;
using L2LOnnx.Cli.Reports;
using L2LOnnx.Train.Onnx;
using L2LOnnx.Train;
using L2LOnnx.Train.MetaTraining;
using L2LOnnx.Train.Optimizers;
using L2LOnnx.Train.Problems;
using TorchSharp;

namespace L2LOnnx.Cli.Commands;

/// <summary>
/// <c>l2l meta-train</c>: meta-trains an LSTM or MLP optimizer (or one per parameter group) on a problem
/// family and exports it as contract-v1 ONNX, one file per network. Checkpoints every K trajectories;
/// <c>--resume</c> continues an interrupted run; Ctrl-C saves a checkpoint and the best weights so far.
/// </summary>
internal static class MetaTrainCommand
{
    /// <summary>Exit code of a run stopped by Ctrl-C (128 + SIGINT, as shells expect).</summary>
    private const int InterruptedExitCode = 130;

    /// <summary>Everything a meta-training run needs, as the command line gives it.</summary>
    public sealed record Settings(
        ProblemSpec Problem,
        string Output,
        LstmOptimizerConfig Network,
        bool PerGroupNetworks,
        MetaTrainingOptions Training,
        int Threads,
        bool Resume = false)
    {
        /// <summary>The MLP family's shape when the run meta-trains an <see cref="MlpOptimizer"/>; null for the LSTM family.</summary>
        public MlpOptimizerConfig? Mlp { get; init; }

        /// <summary>Decades either way of the random parameter scaling of the meta-training problems (<see cref="ParameterScaledFamily"/>); 0 for none.</summary>
        public double ParameterScaleDecades { get; init; }
    }

    public static Command Create()
    {
        var problem = new CommonOptions.ProblemOptions();
        var output = new Option<string?>("--out") { Description = "ONNX file to write (per-group networks: <out>.<group>.onnx); default out/<problem>.onnx" };
        var trajectories = new Option<int>("--trajectories") { Description = "trajectories (meta-batches) to meta-train on", DefaultValueFactory = _ => 200 }.AtLeast(1);
        var batch = new Option<int?>("--problems-per-trajectory") { Description = "problems optimized side by side per trajectory (meta-batch); default 32 for quadratics, 1 otherwise" }.AtLeast(1);
        var steps = new Option<int>("--steps") { Description = "optimizee steps per trajectory (T)", DefaultValueFactory = _ => 100 }.AtLeast(1);
        var unroll = new Option<int>("--unroll") { Description = "steps per truncated-BPTT unroll", DefaultValueFactory = _ => 20 }.AtLeast(1);
        var recompute = new Option<int?>("--recompute-segment") { Description = "back-propagate each unroll in segments of this many steps, recomputing each from its saved start: the whole unroll's meta-gradient in the memory of one segment (e.g. --unroll 1000 --recompute-segment 100)", HelpName = "steps" }.AtLeast(1);
        var lossWeights = new Option<string>("--loss-weights") { Description = "meta-loss weights w_t: uniform (paper), linear (w_t = t/T), final (last step only), or T comma-separated numbers", DefaultValueFactory = _ => "uniform" };
        var objective = new Option<string>("--meta-objective") { Description = "what the meta-loss and validation sum over steps: loss (paper) or log-loss (scale-free across problems)", HelpName = "o", DefaultValueFactory = _ => "loss" }
            .AcceptOnlyFromAmong(MetaObjectives.Names);
        var metaLr = new Option<double>("--meta-lr") { Description = "Adam meta learning rate", DefaultValueFactory = _ => 0.01 }.Positive();
        var finalMetaLr = new Option<double?>("--final-meta-lr") { Description = "decay the meta learning rate geometrically to this value at the last trajectory (default: constant)" }.Positive();
        var clip = new Option<double>("--clip") { Description = "clip the meta-gradient's L2 norm to this value (0 = no clipping)", DefaultValueFactory = _ => 1.0 }.NonNegative();
        var second = new Option<bool>("--second-derivatives") { Description = "keep d grad / d phi in the graph (the paper drops it)" };
        var family = new Option<string>("--optimizer") { Description = "optimizer family: lstm (the paper's, on log/sign gradients) or mlp (a cheap MLP on Adam-like features)", DefaultValueFactory = _ => "lstm" }
            .AcceptOnlyFromAmong("lstm", "mlp");
        var layers = new Option<int>("--layers") { Description = "LSTM layers, or MLP hidden layers", DefaultValueFactory = _ => 2 }.Between(1, 16);
        var hidden = new Option<int?>("--hidden") { Description = "hidden units per layer (default 20 for lstm, 16 for mlp)" }
            .Must(h => h is null or (>= 1 and <= 4096), "between 1 and 4096");
        var preprocessing = new Option<string>("--preprocessing") { Description = "lstm: gradient preprocessing, the p of log/sign (paper: 10), or none", HelpName = "p", DefaultValueFactory = _ => "10" }
            .Must(text => text == "none" || IsPositive(text), "a positive p (the paper uses 10) or none");
        var scale = new Option<double?>("--output-scale") { Description = "output multiplier: lstm 0.1 (paper, MNIST); for mlp the step size b at magnitude 0, default 0.01" }.Positive();
        var decays = new Option<string>("--decays") { Description = "mlp: momentum decays of the features, comma-separated", DefaultValueFactory = _ => "0.5,0.9,0.99,0.999" };
        var magnitudeRange = new Option<double>("--magnitude-range") { Description = "mlp: a in b * direction * exp(a tanh(magnitude)); the step stays within b e^-a .. b e^a", DefaultValueFactory = _ => 4.6 }.NonNegative();
        var bounded = new Option<bool>("--bounded-direction") { Description = "mlp: pass the direction through tanh (every update at most b e^a)" };
        var paramFeature = new Option<bool>("--param-feature") { Description = "mlp: feed the parameter value as a feature" };
        var timeScales = new Option<string?>("--time-scales") { Description = "mlp: step features tanh(t / tau), comma-separated taus (default: none)" };
        var stepAdaptation = new Option<double>("--step-adaptation") { Description = "mlp: learn a per-coordinate log step size kept in the state, changing by at most this much per step (0 = off; e.g. 0.2)", HelpName = "rate", DefaultValueFactory = _ => 0 }
            .Must(r => r is >= 0 and <= 1, "between 0 and 1");
        var stepAdaptationRange = new Option<double>("--step-adaptation-range") { Description = "mlp: the learned log step stays within +-this (6.9: a factor of 1000 either way)", DefaultValueFactory = _ => 6.9 }
            .Must(r => r is > 0 and <= 20, "in (0, 20]");
        var stepAdaptationCeiling = new Option<double?>("--step-adaptation-ceiling") { Description = "mlp: the largest learned log step, below the range (default: the range); e.g. 0 so that steps only shrink. A --warm-start model file may have another ceiling", HelpName = "l" };
        var parameterScale = new Option<double>("--parameter-scale-decades") { Description = "meta-train on problems reparameterised as theta = s phi, s = 10^U(-d, d) per problem, so that the step size a problem needs varies (0 = off; e.g. 1.5)", HelpName = "d", DefaultValueFactory = _ => 0 }
            .Must(d => d is >= 0 and <= 6, "between 0 and 6");
        var networks = new Option<string>("--networks") { Description = "shared (one LSTM for all parameters), per-group (one per parameter group, e.g. conv and fc), or auto (per-group for cifar10)", HelpName = "layout", DefaultValueFactory = _ => "auto" }
            .AcceptOnlyFromAmong("auto", "shared", "per-group");
        var validateEvery = new Option<int>("--validate-every") { Description = "validate (and keep the best weights) every K trajectories", DefaultValueFactory = _ => 10 }.AtLeast(1);
        var validationProblems = new Option<int?>("--validation-problems") { Description = "validation problems (fixed); default 64 for quadratics, 8 otherwise" }.AtLeast(1);
        var rollback = new Option<double?>("--rollback") { Description = "when a validation score exceeds this multiple of the best (e.g. 2), return to the best weights and halve the meta-lr (default: never)", HelpName = "factor" }
            .Must(f => f is null or (> 1 and < double.PositiveInfinity), "a finite factor above 1, e.g. 2");
        var validationCriterion = new Option<string>("--validation-criterion") { Description = "how validation scores a rollout: trajectory (its meta-loss, every step) or horizons (log of the mean loss over the last tenth of the steps before T and before --validation-steps, what l2l evaluate compares)", HelpName = "c", DefaultValueFactory = _ => "trajectory" }
            .AcceptOnlyFromAmong(ValidationCriteria.Names);
        var validationSteps = new Option<int?>("--validation-steps") { Description = "steps of each validation rollout (default: --steps); e.g. 200 to select for optimizers that keep improving past T" }.AtLeast(1);
        var checkpoint = new Option<string?>("--checkpoint") { Description = "checkpoint file (default <out without .onnx>.ckpt)" };
        var checkpointEvery = new Option<int>("--checkpoint-every") { Description = "write a checkpoint every K trajectories", DefaultValueFactory = _ => 20 }.AtLeast(1);
        var resume = new Option<bool>("--resume") { Description = "continue the run saved in the checkpoint (same settings; --trajectories may be raised)" };
        var warmStart = new Option<string?>("--warm-start") { Description = "start from the best weights of this earlier run's checkpoint, or from the weights of an exported .onnx model such as models/general.onnx (same optimizer family and settings; any other meta-training settings, e.g. a longer --steps: a curriculum stage), with a fresh meta-optimizer", HelpName = "file" };
        var seed = CommonOptions.Seed();
        var threads = CommonOptions.Threads();
        var command = new Command("meta-train", "meta-train a coordinatewise LSTM or MLP optimizer by truncated BPTT and export it to ONNX");
        foreach (var option in problem.All) command.Add(option);
        foreach (var option in new Option[] { output, trajectories, batch, steps, unroll, recompute, lossWeights, objective, metaLr, finalMetaLr, clip, second, family, layers, hidden, preprocessing, scale, decays, magnitudeRange, bounded, paramFeature, timeScales, stepAdaptation, stepAdaptationRange, stepAdaptationCeiling, parameterScale, networks, validateEvery, validationProblems, validationSteps, validationCriterion, rollback, checkpoint, checkpointEvery, resume, warmStart, seed, threads })
            command.Add(option);
        command.SetAction((result, cancellation) => RunInForeground(() =>
        {
            var spec = problem.Read(result);
            var isQuadratic = spec.Kind == ProblemKind.Quadratic;
            var name = result.GetValue(problem.Problem)!;
            var onnx = result.GetValue(output) ?? Path.Combine("out", $"{name}.onnx");
            var horizon = result.GetValue(steps);
            var layout = result.GetValue(networks);
            var checkpointPath = result.GetValue(checkpoint) ?? Path.ChangeExtension(onnx, ".ckpt");
            var settings = new Settings(
                spec,
                onnx,
                new LstmOptimizerConfig(result.GetValue(layers), result.GetValue(hidden) ?? 20, ParsePreprocessing(result.GetValue(preprocessing)!), result.GetValue(scale) ?? 0.1),
                layout == "per-group" || (layout == "auto" && spec.Kind == ProblemKind.Cifar10),
                new MetaTrainingOptions
                {
                    Trajectories = result.GetValue(trajectories),
                    ProblemsPerTrajectory = result.GetValue(batch) ?? (isQuadratic ? 32 : 1),
                    TrajectoryLength = horizon,
                    UnrollLength = result.GetValue(unroll),
                    RecomputeSegment = result.GetValue(recompute),
                    LossWeights = ParseLossWeights(result.GetValue(lossWeights)!, horizon),
                    Objective = MetaObjectives.Parse(result.GetValue(objective)!),
                    MetaLearningRate = result.GetValue(metaLr),
                    FinalMetaLearningRate = result.GetValue(finalMetaLr),
                    MetaGradientClip = result.GetValue(clip) is > 0 and var c ? c : null,
                    SecondDerivatives = result.GetValue(second),
                    ValidateEvery = result.GetValue(validateEvery),
                    ValidationProblems = result.GetValue(validationProblems) ?? (isQuadratic ? 64 : 8),
                    ValidationSteps = result.GetValue(validationSteps),
                    Validation = ValidationCriteria.Parse(result.GetValue(validationCriterion)!),
                    RollbackFactor = result.GetValue(rollback),
                    Seed = result.GetValue(seed),
                    CheckpointPath = checkpointPath,
                    CheckpointEvery = result.GetValue(checkpointEvery),
                    WarmStart = result.GetValue(warmStart) is { } start ? LoadWarmStart(start, checkpointPath) : null,
                },
                result.GetValue(threads),
                result.GetValue(resume))
            {
                Mlp = result.GetValue(family) == "mlp"
                    ? new MlpOptimizerConfig(
                        new CoordinateFeatureConfig(ParseNumbers(result.GetValue(decays)!, "--decays"), UseParameter: result.GetValue(paramFeature),
                            TimeScales: result.GetValue(timeScales) is { } taus ? ParseNumbers(taus, "--time-scales") : null),
                        Enumerable.Repeat(result.GetValue(hidden) ?? 16, result.GetValue(layers)).ToArray(),
                        result.GetValue(scale) ?? 0.01, result.GetValue(magnitudeRange), result.GetValue(bounded),
                        result.GetValue(stepAdaptation), result.GetValue(stepAdaptationRange), result.GetValue(stepAdaptationCeiling))
                    : null,
                ParameterScaleDecades = result.GetValue(parameterScale),
            };
            return Run(settings, cancellation).Interrupted ? InterruptedExitCode : 0;
        }));
        return command;
    }

    /// <summary>
    /// Runs <paramref name="body"/> on a foreground thread. On Ctrl-C, System.CommandLine cancels the
    /// token and, if the action has not finished after its grace period, returns from Main; the runtime
    /// then still waits for foreground threads, so the interrupted run always finishes writing its
    /// checkpoint and ONNX file instead of being cut off mid-way.
    /// </summary>
    public static Task<int> RunInForeground(Func<int> body)
    {
        var done = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try { done.SetResult(CommonOptions.ReportInputErrors(body)); }
            catch (Exception e) { done.SetException(e); }
        })
        { IsBackground = false, Name = "l2l meta-train" };
        thread.Start();
        return done.Task;
    }

    /// <summary>Meta-trains (or resumes) and exports; returns the training result.</summary>
    public static MetaTrainingResult Run(Settings settings, CancellationToken cancellation)
    {
        TorchRuntime.Configure(settings.Threads);
        using var family = settings.ParameterScaleDecades > 0
            ? new ParameterScaledFamily(settings.Problem.Training(), settings.ParameterScaleDecades)
            : settings.Problem.Training();
        torch.random.manual_seed(settings.Training.Seed);
        using var optimizer = (settings.PerGroupNetworks, settings.Mlp) switch
        {
            (true, { } mlp) => GroupedOptimizer.PerGroup(family.Groups, mlp),
            (true, null) => GroupedOptimizer.PerGroup(family.Groups, settings.Network),
            (false, { } mlp) => GroupedOptimizer.Shared(new MlpOptimizer(mlp)),
            (false, null) => GroupedOptimizer.Shared(new LstmOptimizer(settings.Network)),
        };
        var t = settings.Training;
        // Fails now, not after hours of training, if the output name cannot hold per-group files.
        MetaTrainingExport.Paths(optimizer, settings.Output);
        Console.WriteLine($"meta-training {optimizer.Describe()} on {family.Name} ({family.Dimension} parameters per problem): " +
                          $"{t.Trajectories} trajectories x {t.ProblemsPerTrajectory} problems, T={t.TrajectoryLength}, unroll {t.UnrollLength}, " +
                          (t.RecomputeSegment is { } segment ? $"recomputed in segments of {segment}, " : "") +
                          (t.Objective != MetaObjective.Loss ? $"objective {t.Objective.Name()}, " : "") +
                          (t.Validation != ValidationCriterion.Trajectory ? $"validation criterion {t.Validation.Name()}, " : "") +
                          $"meta-lr {t.MetaLearningRate}{(t.FinalMetaLearningRate is { } f ? $" -> {f}" : "")}, seed {t.Seed}, threads {torch.get_num_threads()}");
        if (t.WarmStart is { } warm) Console.WriteLine($"  warm start from {warm.Describe()}");
        Console.WriteLine($"  checkpoint {t.CheckpointPath} every {t.CheckpointEvery} trajectories{(settings.Resume ? " (resuming from it)" : "")}; Ctrl-C saves and stops");

        var result = new MetaTrainer(optimizer, family, t).Train(new ProgressPrinter(t.ProblemsPerTrajectory), cancellation, settings.Resume);
        var skipped = (result.SkippedMetaSteps > 0 ? $"; {result.SkippedMetaSteps} meta-steps skipped (non-finite)" : "")
                      + (result.Rollbacks > 0 ? $"; rolled back to the best weights {result.Rollbacks} time(s)" : "");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{(result.Interrupted ? "interrupted" : "done")} after {result.Trajectories} trajectories, {result.Elapsed.TotalSeconds:0.0} s: validation {(t.Validation == ValidationCriterion.Horizons ? "score (log final losses)" : "meta-loss")} {result.InitialValidation:0.000} ({(t.WarmStart is null ? "untrained" : "warm start")}) -> {result.BestValidation:0.000} (best, after trajectory {result.BestTrajectory}){skipped}"));

        if (family is MixtureFamily mixture && t.ValidationProblems >= mixture.Members.Count)
            ValidationByMember.Print(mixture.MemberNamesOf(t.ValidationProblems), result, t.WarmStart is null ? "untrained" : "warm start");

        var metadata = ExportMetadata.ForMetaTraining(family.Name, t, result, settings.Problem.DescribeSplit());
        foreach (var path in MetaTrainingExport.Save(optimizer, settings.Output, metadata).Values)
            Console.WriteLine($"wrote {path}");
        if (result.Interrupted)
            Console.WriteLine($"checkpoint saved to {t.CheckpointPath}; continue with the same command plus --resume");
        return result;
    }

    /// <summary>The warm start, refusing the run's own checkpoint: the new run would overwrite the weights it starts from.</summary>
    private static WarmStart LoadWarmStart(string path, string checkpointPath)
    {
        if (string.Equals(Path.GetFullPath(path), Path.GetFullPath(checkpointPath), StringComparison.Ordinal))
            throw new ArgumentException($"--warm-start {path} is this run's own checkpoint, which the run would overwrite: pass a different --out or --checkpoint (or --resume to continue that run)");
        return WarmStart.FromFile(path);
    }

    private static double[] ParseNumbers(string text, string option) =>
        text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(part =>
            double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
                ? value
                : throw new ArgumentException($"{option} expects comma-separated numbers (e.g. 0.9,0.99); '{part}' is not a number")).ToArray();

    /// <summary>The p of <c>--preprocessing</c> (already checked by the parser), or null for none.</summary>
    private static double? ParsePreprocessing(string text) =>
        text == "none" ? null : double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);

    private static bool IsPositive(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var p) && p > 0 && double.IsFinite(p);

    private static IReadOnlyList<double>? ParseLossWeights(string text, int steps) => text switch
    {
        "uniform" => null,
        "linear" => Enumerable.Range(1, steps).Select(t => (double)t / steps).ToArray(),
        "final" => Enumerable.Range(1, steps).Select(t => t == steps ? 1.0 : 0.0).ToArray(),
        _ => text.Split(',').Select(part => double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out var w)
                ? w
                : throw new ArgumentException($"--loss-weights expects uniform, linear, final or {steps} comma-separated numbers; '{part}' is not a number")).ToArray(),
    };
}
