using Google.Protobuf;
using Onnx;

namespace L2LOnnx.Runtime.Tests.Hostile;

/// <summary>
/// Findings 2 and 5 of issue 11: a disposed optimizer throws <see cref="ObjectDisposedException"/> on
/// both engines, disposing while other threads step is safe, and a model that misbehaves at run time
/// (NaN update or state, an output of another shape) gets a <see cref="ContractViolationException"/>
/// with nothing written.
/// </summary>
public sealed class MisuseTests
{
    [Theory]
    [InlineData(OptimizerEngine.Fused)]
    [InlineData(OptimizerEngine.OnnxRuntime)]
    public void EveryCallOnADisposedOptimizerThrowsObjectDisposed(OptimizerEngine engine)
    {
        var optimizer = LearnedOptimizer.Load(LstmModels.Bytes(), new LearnedOptimizerOptions { Engine = engine, IntraOpThreads = 2 });
        using var state = optimizer.CreateState(100);
        var parameters = new float[100];
        var grad = Gradients.Spanning(100, 1);
        optimizer.Step(parameters, grad, state);
        optimizer.Dispose();
        optimizer.Dispose();

        Assert.Throws<ObjectDisposedException>(() => optimizer.Step(parameters, grad, state));
        Assert.Throws<ObjectDisposedException>(() => optimizer.ComputeUpdate(grad, state, new float[100]));
        Assert.Throws<ObjectDisposedException>(() => optimizer.Step([parameters], [grad], state));
        Assert.Throws<ObjectDisposedException>(() => optimizer.ComputeUpdate([grad], state, [new float[100]]));
        Assert.Throws<ObjectDisposedException>(() => optimizer.CreateState(10));
        Assert.Throws<ObjectDisposedException>(() => optimizer.CreateState(("w", 10)));
    }

    [Theory]
    [InlineData(OptimizerEngine.Fused)]
    [InlineData(OptimizerEngine.OnnxRuntime)]
    public void DisposingWhileOtherThreadsStepWaitsForThemAndThenRefuses(OptimizerEngine engine)
    {
        var optimizer = LearnedOptimizer.Load(LstmModels.Bytes(), new LearnedOptimizerOptions { Engine = engine, IntraOpThreads = 2 });
        const int n = 2_000;
        var started = new CountdownEvent(3);
        var unexpected = new System.Collections.Concurrent.ConcurrentBag<Exception>();
        var steps = new int[3];
        var threads = Enumerable.Range(0, 3).Select(t => new Thread(() =>
        {
            using var state = optimizer.CreateState(n);
            var parameters = new float[n];
            var grad = Gradients.Spanning(n, t + 1);
            started.Signal();
            try
            {
                while (true)
                {
                    optimizer.Step(parameters, grad, state);
                    steps[t]++;
                }
            }
            catch (ObjectDisposedException)
            {
            }
            catch (Exception e)
            {
                unexpected.Add(e);
            }
        })).ToArray();
        foreach (var thread in threads) thread.Start();
        started.Wait();
        Thread.Sleep(50);
        optimizer.Dispose();
        foreach (var thread in threads) Assert.True(thread.Join(TimeSpan.FromSeconds(60)));
        Assert.Empty(unexpected);
        Assert.All(steps, s => Assert.True(s > 0));
    }

    [Theory]
    [InlineData(OptimizerEngine.OnnxRuntime, false)]
    [InlineData(OptimizerEngine.OnnxRuntime, true)]
    [InlineData(OptimizerEngine.Fused, false)]
    [InlineData(OptimizerEngine.Fused, true)]
    public void ANonFiniteUpdateIsRefusedWithNothingWritten(OptimizerEngine engine, bool fromState)
    {
        // sqrt(-1 - |x|) is NaN for every finite x: in the update, or in the next state only.
        var model = HostileModels.Base();
        var source = fromState ? "state_count" : "grad";
        model.Graph.Node.Clear();
        model.Graph.Node.Add(Node("Abs", [source], "a"));
        model.Graph.Node.Add(Node("Neg", ["a"], "b"));
        model.Graph.Node.Add(Node("Sub", ["b", "one"], "c"));
        model.Graph.Node.Add(Node("Sqrt", ["c"], fromState ? "state_count_out" : "update"));
        model.Graph.Node.Add(fromState ? Node("Mul", ["grad", "minus_lr"], "update") : Node("Add", ["state_count", "one"], "state_count_out"));
        var bytes = model.ToByteArray();

        // Fused is requested, not merely allowed: a fallback to ONNX Runtime would throw at load.
        using var optimizer = LearnedOptimizer.Load(bytes, new LearnedOptimizerOptions { Engine = engine, IntraOpThreads = 1 });
        Assert.Equal(engine, optimizer.Engine);
        using var state = optimizer.CreateState(8);
        var parameters = Enumerable.Range(0, 8).Select(i => (float)i).ToArray();
        var e = Assert.Throws<ContractViolationException>(() => optimizer.Step(parameters, Gradients.Spanning(8, 1), state));
        Assert.Contains(fromState ? "state 'state_count_out'" : "update[0] is NaN", e.Message);
        Assert.Equal(Enumerable.Range(0, 8).Select(i => (float)i), parameters);
        Assert.All(state.Read(0), v => Assert.Equal(0f, v));
        Assert.Equal(0, state.Steps);

        using var trusting = LearnedOptimizer.Load(bytes, new LearnedOptimizerOptions { Engine = engine, IntraOpThreads = 1, SkipOutputCheck = true });
        using var passed = trusting.CreateState(8);
        trusting.Step(parameters, Gradients.Spanning(8, 1), passed);
        Assert.Contains(fromState ? passed.Read(0) : parameters, float.IsNaN);
    }

    [Fact]
    public void AnOutputOfAnotherShapeThanDeclaredIsAContractViolation()
    {
        // Declared [N], computed [N, 1]: ONNX Runtime refuses to write it into the bound [N] buffer.
        var model = HostileModels.Base();
        var axes = new TensorProto { Name = "axes", DataType = (int)TensorProto.Types.DataType.Int64 };
        axes.Dims.Add(1);
        axes.Int64Data.Add(1);
        model.Graph.Initializer.Add(axes);
        model.Graph.Node[0].Output[0] = "scaled";
        model.Graph.Node[0].Name = "scaled";
        model.Graph.Node.Add(Node("Unsqueeze", ["scaled", "axes"], "update"));
        using var optimizer = LearnedOptimizer.Load(model.ToByteArray(), new LearnedOptimizerOptions { Engine = OptimizerEngine.OnnxRuntime, IntraOpThreads = 1 });
        using var state = optimizer.CreateState(4);
        var parameters = new float[4];
        var e = Assert.Throws<ContractViolationException>(() => optimizer.Step(parameters, Gradients.Spanning(4, 1), state));
        Assert.Contains("ONNX Runtime failed to run the model's step", e.Message);
        Assert.All(parameters, p => Assert.Equal(0f, p));
        Assert.Equal(0, state.Steps);
    }

    private static NodeProto Node(string op, string[] inputs, string output)
    {
        var node = new NodeProto { OpType = op, Name = output };
        node.Input.Add(inputs);
        node.Output.Add(output);
        return node;
    }
}
