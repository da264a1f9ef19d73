using L2LOnnx.Train.Problems;
using static TorchSharp.torch;

namespace L2LOnnx.Train.Evaluation;

/// <summary>
/// The problems of one evaluation: the tuning problems the baselines' learning rates are chosen on, the
/// held-out problems every optimizer is reported on, and, for families over real data, the data sets the
/// held-out problems' parameters are scored on (the whole training set they train on, and a disjoint test
/// split). Owns the tasks and their data: dispose it when done.
/// </summary>
public sealed class HeldOutProblems : IDisposable
{
    private readonly List<IDisposable> owned = new();
    private readonly IProblemFamily? trainingFamily;

    private HeldOutProblems(ProblemSpec problem, HeldOutDefinition definition, EvaluationSeeds seeds)
    {
        Problem = problem;
        Definition = definition;
        Seeds = seeds;
        if (problem.Kind == ProblemKind.Quadratic) return;
        trainingFamily = Own(problem.Training());
    }

    /// <summary>
    /// Draws <paramref name="problems"/> held-out problems of <paramref name="problem"/> under
    /// <paramref name="definition"/> and <paramref name="tuningProblems"/> tuning problems from the training
    /// distribution, with <paramref name="seeds"/>.
    /// </summary>
    /// <exception cref="Data.DataSetNotFoundException">A data set is not installed; the message says how to get it.</exception>
    public static HeldOutProblems Create(ProblemSpec problem, HeldOutDefinition definition, int problems, int tuningProblems, EvaluationSeeds seeds)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(seeds);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(problems);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tuningProblems);
        if (problem.Kind is ProblemKind.General)
            throw new ArgumentException("the general mixture is a meta-training distribution, not a held-out family: evaluate on one of its held-out families");
        var result = new HeldOutProblems(problem, definition, seeds);
        try
        {
            result.Build(problems, tuningProblems);
            return result;
        }
        catch
        {
            result.Dispose();
            throw;
        }
    }

    /// <summary>The problem family.</summary>
    public ProblemSpec Problem { get; }

    /// <summary>Which definition of held-out problems applies.</summary>
    public HeldOutDefinition Definition { get; }

    /// <summary>The seeds of the tuning and the held-out problems.</summary>
    public EvaluationSeeds Seeds { get; }

    /// <summary>Problems from the training distribution (seed <see cref="EvaluationSeeds.Tuning"/>) to tune baselines on.</summary>
    public IEvaluationTask Tuning { get; private set; } = null!;

    /// <summary>The reported problems (seed <see cref="EvaluationSeeds.Evaluation"/>).</summary>
    public IEvaluationTask Evaluation { get; private set; } = null!;

    /// <summary>The whole data set the held-out problems train on; null for synthetic problems.</summary>
    public IFixedDataFamily? TrainingSet { get; private set; }

    /// <summary>A data split disjoint from <see cref="TrainingSet"/>; null for synthetic problems and under <see cref="HeldOutDefinition.HeldOutData"/>.</summary>
    public IFixedDataFamily? TestSet { get; private set; }

    /// <summary>One line saying what is held out, for reports.</summary>
    public string Description { get; private set; } = "";

    /// <summary>One held-out problem alone (same family, evaluation seed), to time one optimizee gradient at the task's own size. Dispose it.</summary>
    public IEvaluationTask SingleProblem()
    {
        if (Problem.Kind == ProblemKind.Quadratic) return new QuadraticTask(1, Seeds.Evaluation, Problem.QuadraticDimension);
        var family = Definition == HeldOutDefinition.HeldOutData ? (IProblemFamily)TrainingSet! : trainingFamily!;
        return OptimizeeTask.Sample(family, 1, Seeds.Evaluation);
    }

    /// <summary>
    /// Scores every held-out problem's <paramref name="parameters"/> [problems * dimension] on
    /// <paramref name="data"/>: mean loss and accuracy per problem.
    /// </summary>
    public (double[] Loss, double[]? Accuracy) Score(IFixedDataFamily data, ReadOnlySpan<float> parameters)
    {
        ArgumentNullException.ThrowIfNull(data);
        using var scope = NewDisposeScope();
        var theta = tensor(parameters.ToArray(), new long[] { Evaluation.ProblemCount, Evaluation.Dimension });
        return data.Score(theta);
    }

    private void Build(int problems, int tuningProblems)
    {
        if (Problem.Kind == ProblemKind.Quadratic)
        {
            Tuning = new QuadraticTask(tuningProblems, Seeds.Tuning, Problem.QuadraticDimension);
            Evaluation = new QuadraticTask(problems, Seeds.Evaluation, Problem.QuadraticDimension);
            Description = "held-out quadratics are fresh draws of W, y and theta0 from the training distribution (different seed)";
            return;
        }

        Tuning = Own(OptimizeeTask.Sample(trainingFamily!, tuningProblems, Seeds.Tuning));
        var heldOutFamily = Own(Problem.HeldOut());
        var training = trainingFamily as IFixedDataFamily;
        var heldOut = heldOutFamily as IFixedDataFamily;
        if (Definition == HeldOutDefinition.FreshSeeds)
        {
            Evaluation = Own(OptimizeeTask.Sample(trainingFamily!, problems, Seeds.Evaluation));
            TrainingSet = training;
            TestSet = heldOut;
            Description = $"held-out problems are fresh seeds (initialisation, minibatch order) on the training data, scored also on the disjoint test split; {Problem.DescribeSplit()}";
        }
        else
        {
            Evaluation = Own(OptimizeeTask.Sample(heldOutFamily, problems, Seeds.Evaluation));
            TrainingSet = heldOut;
            Description = $"held-out problems train on the held-out data itself (older definition; no further test split); {Problem.DescribeSplit()}";
        }
    }

    private T Own<T>(T disposable) where T : IDisposable
    {
        owned.Add(disposable);
        return disposable;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        // Tasks before the families whose data they use.
        for (var i = owned.Count - 1; i >= 0; i--) owned[i].Dispose();
        owned.Clear();
    }
}
