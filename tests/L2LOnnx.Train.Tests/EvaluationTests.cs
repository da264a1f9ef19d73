using L2LOnnx.Runtime.Baselines;
using L2LOnnx.Train.Evaluation;
using L2LOnnx.Train.Problems;
using static TorchSharp.torch;

namespace L2LOnnx.Train.Tests;

/// <summary>Evaluation on flat float vectors: tasks give TorchSharp's losses and gradients; baselines do what their formulas say.</summary>
public sealed class EvaluationTests
{
    public EvaluationTests() => TorchModules.UseOneThread();

    [Fact]
    public void OptimizeeTaskGivesTheOptimizeesLossesAndGradients()
    {
        using var family = new MlpFamily(new ImageTensors(TinyImages.Random(40, 1, 3, 3, seed: 1)), new MlpConfig { HiddenSizes = [4], BatchSize = 5, InitStd = 0.3 });
        using var task = OptimizeeTask.Sample(family, count: 2, seed: 17);
        using var generator = new Generator(17);
        using var reference = family.Sample(2, generator);
        var parameters = new float[task.ProblemCount * task.Dimension];
        task.Initialize(parameters);
        using (var initial = reference.InitialParameters())
            Assert.Equal(initial.data<float>().ToArray(), parameters);
        for (var i = 0; i < parameters.Length; i++) parameters[i] += 0.01f * (i % 7);

        var losses = new float[2];
        var gradients = new float[parameters.Length];
        task.Evaluate(parameters, step: 3, losses, gradients);

        using var scope = NewDisposeScope();
        var theta = tensor(parameters).view(2, task.Dimension).requires_grad_(true);
        var loss = reference.Loss(theta, 3);
        var grad = autograd.grad(new[] { loss.sum() }, new[] { theta })[0];
        Assert.Equal(loss.detach().data<float>().ToArray(), losses);
        Assert.Equal(grad.data<float>().ToArray(), gradients);
    }

    [Fact]
    public void SgdTakesTheHandComputedStep()
    {
        using var sgd = new Sgd(2, 0.1);
        float[] theta = [1f, -2f];
        sgd.Step(theta, [0.5f, -4f]);
        Assert.Equal([1f - 0.1f * 0.5f, -2f + 0.1f * 4f], theta, new ToleranceComparer(1e-7f));
    }

    [Fact]
    public void NagTakesTheHandComputedSteps()
    {
        using var nag = new Nag(1, 0.1, momentum: 0.9);
        float[] theta = [1f];
        nag.Step(theta, [2f]);   // v = 2; theta -= 0.1 * (2 + 0.9 * 2) = 0.38
        Assert.Equal(1f - 0.38f, theta[0], 1e-6f);
        nag.Step(theta, [1f]);   // v = 0.9 * 2 + 1 = 2.8; theta -= 0.1 * (1 + 0.9 * 2.8) = 0.352
        Assert.Equal(1f - 0.38f - 0.352f, theta[0], 1e-6f);
    }

    [Fact]
    public void RmsPropTakesTheHandComputedSteps()
    {
        using var rmsprop = new RmsProp(1, 0.01, alpha: 0.99, epsilon: 1e-8);
        float[] theta = [1f];
        rmsprop.Step(theta, [2f]);   // s = 0.01 * 4 = 0.04; theta -= 0.01 * 2 / 0.2 = 0.1
        Assert.Equal(0.9f, theta[0], 1e-6f);
        rmsprop.Step(theta, [-1f]);  // s = 0.99 * 0.04 + 0.01 = 0.0496; theta += 0.01 / sqrt(0.0496)
        Assert.Equal(0.9f + 0.01f / MathF.Sqrt(0.0496f), theta[0], 1e-6f);
    }

    [Fact]
    public void AdamTakesTheHandComputedSteps()
    {
        using var adam = new Adam(1, 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-8);
        float[] theta = [1f];
        // Step 1: bias-corrected m = g and v = g^2, so the step is lr * sign(g).
        adam.Step(theta, [3f]);
        Assert.Equal(0.9f, theta[0], 1e-6f);
        // Step 2: m = 0.9 * 0.3 + 0.1 * (-1) = 0.17, v = 0.999 * 0.009 + 0.001 * 1 = 0.009991, bias-corrected.
        var mHat = 0.17 / (1 - 0.81);
        var vHat = 0.009991 / (1 - 0.998001);
        adam.Step(theta, [-1f]);
        Assert.Equal((float)(0.9 - 0.1 * mHat / (Math.Sqrt(vHat) + 1e-8)), theta[0], 1e-6f);
    }

    [Fact]
    public void TuningPicksTheGridRateWithTheLowestFinalLoss()
    {
        var task = new QuadraticTask(problems: 8, seed: 4, dimension: 5);
        double[] grid = [1e-4, 1e-3, 1e-2, 3e-2];

        var tuned = BaselineTuning.Tune(BaselineKind.Sgd, task, steps: 30, grid);

        var finals = grid.Select(rate =>
        {
            using var sgd = new Sgd(task.ProblemCount * task.Dimension, rate);
            return Evaluator.Run(task, sgd, 30).Mean(30);
        }).ToArray();
        var best = Array.IndexOf(finals, finals.Where(double.IsFinite).Min());
        Assert.Equal(grid[best], tuned.LearningRate);
        Assert.Equal(finals[best], tuned.TuningLoss);
    }

    private sealed class ToleranceComparer(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance * Math.Max(1, Math.Abs(x));
        public int GetHashCode(float obj) => 0;
    }
}
