using L2LOnnx.Runtime;

var problem = new Quadratic(seed: 3);                                    // your model: here the paper's quadratic
var initial = problem.LossAndGradient(new float[10], new float[10]);

// begin-snippet: loop
using var optimizer = ShippedModels.Load("quadratic");                   // models/quadratic.onnx, inside the package
float[] theta = new float[10], grad = new float[10];
using var state = optimizer.CreateState(theta.Length);                   // all-zero LSTM state, yours
for (var step = 0; step < 100; step++)
{
    var loss = problem.LossAndGradient(theta, grad);                     // f and df/dtheta at theta
    optimizer.Step(theta, grad, state);                                  // theta += learned update
}
state.Save("optimizer-state.l2ls");                                      // resume later with state.Load
// end-snippet

Console.WriteLine(optimizer.EngineDescription);
Console.WriteLine($"loss {initial:0.000} at step 0, {problem.LossAndGradient(theta, grad):0.000} after 100 steps");

/// <summary>The paper's optimizee f(theta) = ||W theta - y||^2, with W [10 x 10] and y [10] standard normal.</summary>
sealed class Quadratic
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

    /// <summary>Returns f(theta) and writes df/dtheta = 2 W^T (W theta - y) into <paramref name="grad"/>.</summary>
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
