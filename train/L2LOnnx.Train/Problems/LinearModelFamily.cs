using L2LOnnx.Train.Data;
using static TorchSharp.torch;

namespace L2LOnnx.Train.Problems;

/// <summary>
/// Linear, logistic and softmax regression (<see cref="LinearModelLoss"/>) on minibatches, either of
/// synthetic data drawn anew per problem (<see cref="Synthetic"/>) or of a fixed real table
/// (<see cref="OnTable"/>). Losses are minibatch means, so they sit on the scale of the MLP problems'
/// (about 0.5 to log k at the start). Batched: every problem's model runs in one batched matrix product.
/// </summary>
/// <remarks>
/// One problem's parameters: the weight [features, outputs] (row-major), then the bias [outputs].
/// Starting points are N(0, <see cref="InitStd"/>^2).
/// </remarks>
public sealed class LinearModelFamily : IFixedDataFamily
{
    private readonly SyntheticDataConfig? synthetic;
    private readonly Tensor? rows;
    private readonly Tensor? targets;
    private readonly int tableRows;
    private readonly int batchSize;

    private LinearModelFamily(LinearModelLoss loss, int features, int outputs, int batchSize, string name,
                              SyntheticDataConfig? synthetic, Tensor? rows, Tensor? targets, int tableRows)
    {
        Loss = loss;
        Features = features;
        Outputs = outputs;
        Dimension = features * outputs + outputs;
        Name = name;
        this.batchSize = batchSize;
        this.synthetic = synthetic;
        this.rows = rows;
        this.targets = targets;
        this.tableRows = tableRows;
    }

    /// <summary>Problems on synthetic data drawn per problem as <paramref name="config"/> says.</summary>
    public static LinearModelFamily Synthetic(LinearModelLoss loss, SyntheticDataConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        var outputs = loss == LinearModelLoss.Softmax ? config.Classes : 1;
        var name = $"{Describe(loss)}-{config.Features}d{(loss == LinearModelLoss.Softmax ? $"-{config.Classes}c" : "")}-synthetic";
        return new LinearModelFamily(loss, config.Features, outputs, config.BatchSize, name, config, null, null, 0);
    }

    /// <summary>
    /// Problems on the rows of <paramref name="table"/>: each a fresh starting point and its own minibatch
    /// sequence. Classification targets must be class indices 0 .. <paramref name="classes"/> - 1.
    /// </summary>
    public static LinearModelFamily OnTable(LinearModelLoss loss, TabularDataset table, int batchSize, int classes = 2)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        if (loss != LinearModelLoss.Squared && table.Targets.Any(t => t < 0 || t >= classes || t != MathF.Floor(t)))
            throw new ArgumentException($"{table.Name}: classification targets must be class indices 0..{classes - 1}", nameof(table));
        var outputs = loss == LinearModelLoss.Softmax ? classes : 1;
        var x = tensor(table.Features).DetachFromDisposeScope();
        var y = (loss == LinearModelLoss.Softmax ? tensor(table.Targets).to_type(ScalarType.Int64) : tensor(table.Targets)).DetachFromDisposeScope();
        return new LinearModelFamily(loss, table.FeatureCount, outputs, batchSize, $"{Describe(loss)}-{table.Name}", null, x, y, table.Count);
    }

    /// <summary>The loss.</summary>
    public LinearModelLoss Loss { get; }

    /// <summary>Features per sample.</summary>
    public int Features { get; }

    /// <summary>Model outputs (1, or the classes of softmax regression).</summary>
    public int Outputs { get; }

    /// <summary>Standard deviation of the starting parameters.</summary>
    public double InitStd { get; init; } = 0.01;

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public int Dimension { get; }

    /// <inheritdoc />
    public IReadOnlyList<ParameterGroup> Groups => ParameterGroup.Single(Dimension);

    /// <inheritdoc />
    public IOptimizee Sample(int count, Generator generator)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        using var scope = NewDisposeScope();
        var theta0 = randn(new long[] { count, Dimension }, generator: generator).mul(InitStd);
        Tensor x, y, offsets;
        int samples;
        if (synthetic is { } s)
        {
            (x, y) = Draw(s, count, generator);
            samples = s.Samples;
            // Problem p's samples are rows p * samples .. (p + 1) * samples - 1 of x.
            offsets = arange(count, dtype: ScalarType.Int64).mul(samples).repeat_interleave(batchSize);
        }
        else
        {
            x = rows!.alias();
            y = targets!.alias();
            samples = tableRows;
            offsets = zeros(new long[] { (long)count * batchSize }, dtype: ScalarType.Int64);
        }
        var minibatches = new Minibatches(count, batchSize, samples, Minibatches.DrawSeed(generator));
        return new Batch(this, theta0.DetachFromDisposeScope(), x.DetachFromDisposeScope(), y.DetachFromDisposeScope(), offsets.DetachFromDisposeScope(), minibatches);
    }

    /// <summary>
    /// The mean loss of every problem's model on its minibatch: <paramref name="theta"/> [problems,
    /// dimension], <paramref name="x"/> [problems, batch, features], <paramref name="y"/> [problems * batch].
    /// </summary>
    public Tensor MeanLoss(Tensor theta, Tensor x, Tensor y)
    {
        var problems = theta.shape[0];
        var batch = x.shape[1];
        var z = Predict(theta, x);
        switch (Loss)
        {
            case LinearModelLoss.Squared:
                return z.view(problems, batch).sub(y.view(problems, batch)).square().mul(0.5).mean(new long[] { 1 });
            case LinearModelLoss.Logistic:
                // Binary cross-entropy from the logit, stably: max(z, 0) - z y + log(1 + exp(-|z|)).
                var logit = z.view(problems, batch);
                var target = y.view(problems, batch);
                return logit.clamp_min(0).sub(logit.mul(target)).add(logit.abs().neg().exp().log1p()).mean(new long[] { 1 });
            case LinearModelLoss.Softmax:
                return nn.functional.cross_entropy(z.view(problems * batch, Outputs), y, reduction: nn.Reduction.None)
                    .view(problems, batch).mean(new long[] { 1 });
            default:
                throw new ArgumentOutOfRangeException(nameof(Loss), Loss, null);
        }
    }

    /// <summary>
    /// Every problem's model outputs <c>x W + b</c>: <paramref name="theta"/> [problems, dimension],
    /// <paramref name="x"/> [problems, batch, features] to [problems, batch, outputs].
    /// </summary>
    public Tensor Predict(Tensor theta, Tensor x)
    {
        var problems = theta.shape[0];
        var weight = theta.narrow(1, 0, Features * Outputs).view(problems, Features, Outputs);
        var bias = theta.narrow(1, Features * Outputs, Outputs).unsqueeze(1);
        return x.bmm(weight).add(bias);
    }

    /// <summary>Rows of the table; 0 for synthetic families, whose data is drawn per problem.</summary>
    public int SampleCount => tableRows;

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">The family is synthetic: it has no fixed data set.</exception>
    public (double[] Loss, double[]? Accuracy) Score(Tensor theta)
    {
        if (rows is null || targets is null)
            throw new InvalidOperationException($"{Name} draws new data per problem: it has no fixed data set to score on");
        if (theta.dim() != 2 || theta.shape[1] != Dimension)
            throw new ArgumentException($"expected parameters [problems, {Dimension}], got [{string.Join(", ", theta.shape)}]", nameof(theta));
        var problems = theta.shape[0];
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var x = rows.unsqueeze(0).expand(problems, tableRows, Features);
        var y = targets.repeat(problems);
        var loss = MeanLoss(theta, x, y).to_type(ScalarType.Float64).data<double>().ToArray();
        if (Loss == LinearModelLoss.Squared) return (loss, null);
        var z = Predict(theta, x);
        var correct = Loss == LinearModelLoss.Logistic
            ? z.squeeze(2).gt(0).to_type(ScalarType.Float32).eq(targets.unsqueeze(0))
            : z.argmax(2).eq(targets.unsqueeze(0));
        return (loss, correct.to_type(ScalarType.Float64).mean(new long[] { 1 }).data<double>().ToArray());
    }

    /// <inheritdoc />
    public void Dispose()
    {
        rows?.Dispose();
        targets?.Dispose();
    }

    private static string Describe(LinearModelLoss loss) => loss switch
    {
        LinearModelLoss.Squared => "linear-regression",
        LinearModelLoss.Logistic => "logistic-regression",
        _ => "softmax-regression",
    };

    private (Tensor X, Tensor Y) Draw(SyntheticDataConfig s, int count, Generator generator)
    {
        int n = s.Samples, d = s.Features;
        var z = randn(new long[] { count, n, d }, generator: generator);
        var common = randn(new long[] { count, n, 1 }, generator: generator);
        var rho = rand(new long[] { count, 1, 1 }, generator: generator).mul(s.MaxCorrelation);
        var correlated = z.mul(rho.neg().add(1).sqrt()).add(common.mul(rho.sqrt()));
        var scales = rand(new long[] { count, 1, d }, generator: generator).sub(0.5).mul(s.ScaleDecades * Math.Log(10)).exp();
        var teacher = randn(new long[] { count, d, Outputs }, generator: generator).div(Math.Sqrt(d));
        var scores = correlated.bmm(teacher);
        Tensor y = Loss switch
        {
            LinearModelLoss.Squared => scores.add(randn(scores.shape, generator: generator).mul(s.Noise)),
            // Labels from the teacher's probabilities, sharpened so the classes are mostly separable.
            LinearModelLoss.Logistic => rand(scores.shape, generator: generator).lt(scores.mul(3).sigmoid()).to_type(ScalarType.Float32),
            _ => scores.mul(3).sub(rand(scores.shape, generator: generator).clamp_min(1e-12).log().neg().log()).argmax(2),
        };
        return (correlated.mul(scales).view(count * n, d), y.reshape(count * n));
    }

    private sealed class Batch(LinearModelFamily family, Tensor theta0, Tensor x, Tensor y, Tensor offsets, Minibatches minibatches) : IOptimizee
    {
        public int ProblemCount => (int)theta0.shape[0];
        public int Dimension => family.Dimension;
        public Tensor InitialParameters() => theta0.clone();

        public Tensor Loss(Tensor theta, int step)
        {
            var indices = minibatches.Indices(step).add(offsets);
            var inputs = x.index_select(0, indices).view(ProblemCount, family.batchSize, family.Features);
            return family.MeanLoss(theta, inputs, y.index_select(0, indices));
        }

        public void Dispose()
        {
            theta0.Dispose();
            x.Dispose();
            y.Dispose();
            offsets.Dispose();
            minibatches.Dispose();
        }
    }
}
