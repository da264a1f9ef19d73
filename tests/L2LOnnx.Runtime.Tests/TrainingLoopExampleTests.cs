using L2LOnnx.Runtime;

namespace L2LOnnx.Runtime.Tests;

/// <summary>
/// The custom training loop of docs/runtime.md, run as written on the paper's quadratic
/// f(theta) = ||W theta - y||^2 with the 2x20 optimizer meta-trained on that family
/// (models/quadratic.onnx, also the benchmark's model).
/// </summary>
public sealed class TrainingLoopExampleTests
{
    [Fact]
    public void TheDocumentedLoopMinimisesAQuadraticAndResumesFromItsCheckpoint()
    {
        using var temp = new TempDirectory();
        var model = Path.Combine(AppContext.BaseDirectory, "models", "quadratic.onnx");
        var problem = new Quadratic(seed: 3);
        var initialLoss = problem.LossAndGradient(new float[10], new float[10]);
        var checkpoint = temp.File("optimizer-state.l2ls");

        // --- as in docs/runtime.md ---
        using var optimizer = LearnedOptimizer.Load(model);                      // fused engine when it can
        float[] theta = new float[10], grad = new float[10];
        using var state = optimizer.CreateState(theta.Length);                   // all-zero LSTM state
        for (var step = 0; step < 100; step++)
        {
            var loss = problem.LossAndGradient(theta, grad);                     // your model: f and df/dtheta
            optimizer.Step(theta, grad, state);                                  // theta += learned update
        }
        state.Save(checkpoint);                                                  // resume later with state.Load
        // ---

        var finalLoss = problem.LossAndGradient(theta, grad);
        Assert.True(finalLoss < initialLoss / 10, $"loss {initialLoss:G4} -> {finalLoss:G4}");
        using var resumed = optimizer.CreateState(theta.Length);
        resumed.Load(checkpoint);
        Assert.Equal(100, resumed.Steps);
        Assert.Equal(state.Read(0), resumed.Read(0));
    }

    /// <summary>The paper's synthetic problem: W [10 x 10] and y [10] with standard normal entries.</summary>
    private sealed class Quadratic
    {
        private readonly float[,] w = new float[10, 10];
        private readonly float[] y = new float[10];

        public Quadratic(int seed)
        {
            var random = new Random(seed);
            float Normal() => (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
            for (var i = 0; i < 10; i++)
            {
                y[i] = Normal();
                for (var j = 0; j < 10; j++) w[i, j] = Normal();
            }
        }

        /// <summary>f(theta) = ||W theta - y||^2; writes df/dtheta = 2 W^T (W theta - y) into <paramref name="grad"/>.</summary>
        public float LossAndGradient(float[] theta, float[] grad)
        {
            var residual = new float[10];
            float loss = 0;
            for (var i = 0; i < 10; i++)
            {
                for (var j = 0; j < 10; j++) residual[i] += w[i, j] * theta[j];
                residual[i] -= y[i];
                loss += residual[i] * residual[i];
            }
            for (var j = 0; j < 10; j++)
            {
                grad[j] = 0;
                for (var i = 0; i < 10; i++) grad[j] += 2 * w[i, j] * residual[i];
            }
            return loss;
        }
    }
}
