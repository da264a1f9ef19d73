using static TorchSharp.torch;

namespace L2LOnnx.Train.MetaTraining;

/// <summary>What the meta-loss sums over the steps of a trajectory, per problem, before the mean over problems.</summary>
public enum MetaObjective
{
    /// <summary>The loss itself, <c>sum_t w_t f(theta_t)</c> (the paper).</summary>
    Loss,

    /// <summary>
    /// Its logarithm, <c>sum_t w_t log f(theta_t)</c>: invariant to each problem's loss scale, so that halving a
    /// loss of 0.05 counts as much as halving one of 2. With the plain loss a mixture's meta-gradient and its
    /// validation are dominated by the members whose losses stay large, and the late steps of problems that
    /// reach small losses (where tuned Adam pulls ahead) hardly count. Losses are floored at
    /// <see cref="MetaObjectives.LogFloor"/> first.
    /// </summary>
    LogLoss,
}

/// <summary>The meta-objectives' per-step terms, on tensors (meta-training) and on numbers (validation).</summary>
public static class MetaObjectives
{
    /// <summary>Losses are floored here before the logarithm, so that an exact zero cannot make the meta-loss infinite.</summary>
    public const double LogFloor = 1e-8;

    /// <summary>The per-problem term of <paramref name="loss"/> (one value per problem).</summary>
    public static Tensor Term(this MetaObjective objective, Tensor loss) =>
        objective == MetaObjective.LogLoss ? loss.clamp_min(LogFloor).log() : loss;

    /// <summary>
    /// The term of one problem's loss; NaN stays NaN (<see cref="Math.Max(double, double)"/> returns NaN), so a
    /// diverged validation never looks better.
    /// </summary>
    public static double Term(this MetaObjective objective, double loss) =>
        objective == MetaObjective.LogLoss ? Math.Log(Math.Max(loss, LogFloor)) : loss;

    /// <summary>The command-line spelling: <c>loss</c> or <c>log-loss</c>.</summary>
    public static string Name(this MetaObjective objective) => objective == MetaObjective.LogLoss ? "log-loss" : "loss";

    /// <summary>Every objective's <see cref="Name"/>, in declaration order (what the command line accepts).</summary>
    public static string[] Names => EnumSpellings.Names<MetaObjective>(Name);

    /// <summary>Parses <see cref="Name"/>'s spelling (the one place the spellings are written).</summary>
    public static MetaObjective Parse(string name) => EnumSpellings.Parse<MetaObjective>(name, Name, "meta-objective");
}
