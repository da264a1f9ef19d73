namespace L2LOnnx.Train.MetaTraining;

/// <summary>How a validation rollout is scored per problem (lower is better), before the mean over problems.</summary>
public enum ValidationCriterion
{
    /// <summary>
    /// The meta-loss of the whole rollout: the weighted sum over steps 1..V of the <see cref="MetaObjective"/>'s
    /// terms (the loss, or its log). Every step counts, so the steps between the horizons dominate a long rollout.
    /// </summary>
    Trajectory,

    /// <summary>
    /// What the evaluation protocol reports, on the meta-training distribution: the log of the mean loss over the
    /// last tenth of the steps before the meta-training horizon T, and before the validation horizon V, averaged
    /// over the two (one when V = T). The protocol compares optimizers by their final loss at T and 10T as ratios;
    /// a mean of log final losses is the log of their geometric mean, so every member of a mixture weighs alike,
    /// and averaging over a tenth of the steps keeps one minibatch's noise out of the choice. Always logarithmic,
    /// whatever the meta-objective.
    /// </summary>
    Horizons,
}

/// <summary>The validation criteria's command-line names and per-problem scores.</summary>
public static class ValidationCriteria
{
    /// <summary>The command-line spelling: <c>trajectory</c> or <c>horizons</c>.</summary>
    public static string Name(this ValidationCriterion criterion) => criterion == ValidationCriterion.Horizons ? "horizons" : "trajectory";

    /// <summary>Every criterion's <see cref="Name"/>, in declaration order (what the command line accepts).</summary>
    public static string[] Names => EnumSpellings.Names<ValidationCriterion>(Name);

    /// <summary>Parses <see cref="Name"/>'s spelling.</summary>
    public static ValidationCriterion Parse(string name) => EnumSpellings.Parse<ValidationCriterion>(name, Name, "validation criterion");

    /// <summary>True when the score is a log of losses, so that a rollback factor bounds a ratio of geometric means.</summary>
    public static bool IsLogarithmic(this MetaTrainingOptions options) =>
        options.Validation == ValidationCriterion.Horizons || options.Objective == MetaObjective.LogLoss;

    /// <summary>
    /// The weight of one unit of log loss in a logarithmic score: the summed loss weights of the rollout for
    /// <see cref="ValidationCriterion.Trajectory"/>, 1 for <see cref="ValidationCriterion.Horizons"/> (a mean of logs).
    /// </summary>
    public static double LogScoreWeight(this MetaTrainingOptions options)
    {
        if (options.Validation == ValidationCriterion.Horizons) return 1;
        double weight = 0;
        for (var t = 1; t <= options.ValidationHorizon; t++) weight += options.LossWeight(t);
        return weight;
    }

    /// <summary>
    /// The horizons <see cref="ValidationCriterion.Horizons"/> scores at: T and V, or T alone when they are equal;
    /// V alone when it is shorter than T.
    /// </summary>
    public static int[] ScoredHorizons(this MetaTrainingOptions options)
    {
        var v = options.ValidationHorizon;
        var t = options.TrajectoryLength;
        return t < v ? [t, v] : [v];
    }

    /// <summary>
    /// Every problem's score under <see cref="MetaTrainingOptions.Validation"/>, from the losses of a rollout of
    /// <see cref="MetaTrainingOptions.ValidationHorizon"/> steps (<c>[step, problem]</c>, step 0 the start). A
    /// non-finite loss in what a criterion reads makes that problem's score NaN or infinite, so a diverged
    /// optimizer never looks better.
    /// </summary>
    public static double[] ProblemScores(this MetaTrainingOptions options, float[,] losses)
    {
        var problems = losses.GetLength(1);
        var horizon = options.ValidationHorizon;
        if (losses.GetLength(0) != horizon + 1)
            throw new ArgumentException($"needs the losses of steps 0..{horizon}, got {losses.GetLength(0)} rows", nameof(losses));
        var scores = new double[problems];
        if (options.Validation == ValidationCriterion.Horizons)
        {
            var horizons = options.ScoredHorizons();
            for (var p = 0; p < problems; p++)
                foreach (var h in horizons)
                {
                    var window = Math.Max(1, h / 10);
                    double sum = 0;
                    for (var t = h - window + 1; t <= h; t++) sum += losses[t, p];
                    scores[p] += MetaObjective.LogLoss.Term(sum / window) / horizons.Length;
                }
        }
        else
        {
            for (var t = 1; t <= horizon; t++)
            {
                var weight = options.LossWeight(t);
                if (weight == 0) continue;
                for (var p = 0; p < problems; p++) scores[p] += weight * options.Objective.Term(losses[t, p]);
            }
        }
        return scores;
    }
}
