using L2LOnnx.Runtime;

// Steps a learned optimizer on the GPU through ONNX Runtime's CUDA execution provider:
//   dotnet run --project runtime/L2LOnnx.Runtime.Cuda.Sample -- models/quadratic.onnx [device]
// Exit codes: 0 stepped on CUDA, 1 usage, 2 CUDA not available (the runtime's NotSupportedException).
if (args.Length is < 1 or > 2)
{
    Console.Error.WriteLine("usage: L2LOnnx.Runtime.Cuda.Sample <model.onnx> [cuda-device]");
    return 1;
}
var options = new LearnedOptimizerOptions
{
    ExecutionProvider = ExecutionProvider.Cuda,
    CudaDeviceId = args.Length > 1 ? int.Parse(args[1]) : 0,
};
LearnedOptimizer optimizer;
try
{
    optimizer = LearnedOptimizer.Load(args[0], options);
}
catch (NotSupportedException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
using (optimizer)
{
    const int n = 1_000_000;
    var theta = new float[n];
    var grad = new float[n];
    using var state = optimizer.CreateState(n);
    for (var step = 0; step < 10; step++)
    {
        for (var i = 0; i < n; i++) grad[i] = 2 * (theta[i] - 1);   // f = sum (theta - 1)^2
        optimizer.Step(theta, grad, state);
    }
    Console.WriteLine($"{optimizer.EngineDescription}: 10 steps on {n:N0} coordinates, theta[0] = {theta[0]:G6}");
}
return 0;
