using L2LOnnx.Runtime.Onnx;

namespace L2LOnnx.Runtime.Engines.Fused;

/// <summary>
/// Compiles any contract-v1 graph built from coordinatewise-safe operators into a
/// <see cref="FusedProgram"/>: MatMul/Gemm with constant weights, elementwise arithmetic, activations,
/// comparisons and Where with numpy broadcasting of constants over the features, feature-axis
/// Concat/Split/Slice, shape-only Reshape/Unsqueeze/Squeeze/Identity, Constant, and one-step ONNX
/// LSTM. Per-coordinate values are [1.., N, features...]; constants are scalars, per-feature vectors
/// or weights. Anything else (another operator, a value that mixes coordinates, a constant that would
/// need a coordinate axis) makes it decline with the node and the reason.
/// </summary>
internal sealed partial class FusedProgramCompiler
{
    /// <summary>Largest feature count of one value, and total scratch rows: bounds the per-thread scratch.</summary>
    private const int MaxRows = 4096;

    private const int MaxScratchRows = 16384;

    private readonly OnnxModel model;
    private readonly OptimizerContract contract;
    private readonly Dictionary<string, ProgramValue> values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> uses = new(StringComparer.Ordinal);
    private readonly List<ProgramInstruction> instructions = new();
    private readonly List<ProgramRegister> registers = new();
    private readonly Dictionary<ProgramRegister, ProgramInstruction> matMulOf = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<string, int> operators = new(StringComparer.Ordinal);
    private OnnxNode current = null!;

    private FusedProgramCompiler(OnnxModel model, OptimizerContract contract)
    {
        this.model = model;
        this.contract = contract;
    }

    /// <summary>Returns the compiled program, or <c>null</c> and why the graph cannot be compiled.</summary>
    public static FusedProgram? TryCompile(OnnxModel model, OptimizerContract contract, out string reason)
    {
        var compiler = new FusedProgramCompiler(model, contract);
        try
        {
            var program = compiler.Compile();
            reason = program.Describe();
            return program;
        }
        catch (NotCompilableException e)
        {
            reason = e.Message;
            return null;
        }
        catch (OnnxFormatException e)
        {
            reason = $"a constant cannot be decoded: {e.Message}";
            return null;
        }
        catch (Exception e) when (e is IndexOutOfRangeException or ArgumentException or OverflowException or InvalidOperationException)
        {
            // A malformed graph (shapes that contradict the data) that ONNX Runtime will judge itself.
            reason = $"node {compiler.current?.ToString() ?? "(none)"} does not fit its inputs ({e.Message})";
            return null;
        }
    }

    private FusedProgram Compile()
    {
        var graph = model.Graph;
        var gradient = Register(RegisterHome.Gradient, 1);
        values[ContractV1.GradInput] = new CoordinateValue { Dims = [ProgramValue.N], Register = gradient };
        if (contract.HasParamInput)
            values[ContractV1.ParamInput] = new CoordinateValue { Dims = [ProgramValue.N], Register = Register(RegisterHome.Parameters, 1) };
        if (contract.States.FirstOrDefault(s => s.Width > MaxRows) is { } wide)
            throw new NotCompilableException($"state '{wide.Name}' has {wide.Width} floats per coordinate; the fused compiler allows {MaxRows}");
        for (var s = 0; s < contract.States.Count; s++)
            values[contract.States[s].Name] = new CoordinateValue { Dims = [ProgramValue.N, contract.States[s].Width], Register = Register(RegisterHome.State, contract.States[s].Width, s) };

        var needed = NeededNodes(graph);
        foreach (var node in graph.Nodes)
            foreach (var input in node.Inputs.Where(i => i.Length > 0))
                uses[input] = uses.GetValueOrDefault(input) + 1;
        foreach (var output in graph.Outputs) uses[output.Name] = uses.GetValueOrDefault(output.Name) + 1;

        foreach (var node in graph.Nodes)
        {
            if (!needed.Contains(node)) continue;
            current = node;
            if (node.Domain is not ("" or "ai.onnx")) throw Decline($"is in domain '{node.Domain}'");
            operators[node.OpType] = operators.GetValueOrDefault(node.OpType) + 1;
            CompileNode(node);
        }

        StoreOutputs();
        instructions.RemoveAll(i => i.Rows == 0);
        AllocateScratch();
        return new FusedProgram(instructions.ToArray(), registers.ToArray(), contract.States.Select(s => s.Width).ToArray(), operators);
    }

    /// <summary>The nodes the outputs depend on; the others are never run.</summary>
    private static HashSet<OnnxNode> NeededNodes(OnnxGraph graph)
    {
        var producer = new Dictionary<string, OnnxNode>(StringComparer.Ordinal);
        foreach (var node in graph.Nodes)
            foreach (var output in node.Outputs.Where(o => o.Length > 0))
                producer[output] = node;
        var needed = new HashSet<OnnxNode>(ReferenceEqualityComparer.Instance);
        var pending = new Stack<string>(graph.Outputs.Select(o => o.Name));
        while (pending.Count > 0)
        {
            if (!producer.TryGetValue(pending.Pop(), out var node) || !needed.Add(node)) continue;
            foreach (var input in node.Inputs.Where(i => i.Length > 0)) pending.Push(input);
        }
        return needed;
    }

    private ProgramRegister Register(RegisterHome home, int rows, int state = -1)
    {
        var register = new ProgramRegister(home, rows, state);
        registers.Add(register);
        return register;
    }

    private CoordinateValue NewValue(long[] dims, bool isMask = false)
    {
        RequireCoordinateShape(dims);
        var features = dims[(Array.IndexOf(dims, ProgramValue.N) + 1)..].Aggregate(1L, (a, b) => a * b);
        if (features > MaxRows) throw Decline($"makes a value of {features} features per coordinate (the fused engine allows {MaxRows})");
        return new CoordinateValue { Dims = dims, Register = Register(RegisterHome.Scratch, (int)features), IsMask = isMask };
    }

    private void Emit(ProgramInstruction instruction) => instructions.Add(instruction);

    /// <summary>
    /// The update and every state output are copied into the state's buffers, last. Each store names
    /// what a coordinate with a non-finite gradient gets instead (B): zero for the update, the current
    /// state for a state. A state passed through unchanged is stored too: a double-buffered state's
    /// next buffers must receive it.
    /// </summary>
    private void StoreOutputs()
    {
        var stores = new List<ProgramInstruction>();
        foreach (var output in model.Graph.Outputs)
        {
            var value = Value(output.Name, $"graph output '{output.Name}'");
            if (value is not CoordinateValue coordinate || coordinate.IsMask)
                throw new NotCompilableException($"graph output '{output.Name}' is {(value is ConstantValue ? "a constant" : "boolean")}, not a per-coordinate float");
            int width;
            ProgramRegister target;
            ProgramOperand skipped;
            var passedThrough = false;
            if (output.Name == ContractV1.UpdateOutput)
            {
                width = 1;
                target = Register(RegisterHome.Update, 1);
                skipped = ProgramOperand.Of([0f]);
            }
            else
            {
                var state = contract.States.Select((s, i) => (s, i)).First(p => p.s.OutputName == output.Name);
                width = state.s.Width;
                target = Register(RegisterHome.State, width, state.i);
                skipped = ProgramOperand.Of(target);
                passedThrough = coordinate.Register.Home == RegisterHome.State && coordinate.Register.State == state.i && coordinate.Row == 0 && coordinate.Rows == width;
            }
            if (coordinate.Rows != width)
                throw new NotCompilableException($"graph output '{output.Name}' is computed as {coordinate.Shape}, but the contract declares {width} value(s) per coordinate");
            var source = coordinate;
            if (coordinate.Register.Home != RegisterHome.Scratch && !passedThrough)
            {
                // In place, outputs are written over the inputs, so an output that is another input is
                // copied first (a state passed through is read and written by its own store only).
                source = NewValue([ProgramValue.N, width]);
                Emit(new ProgramInstruction(ProgramOpCode.Copy, width, source.Operand(), coordinate.Operand()));
            }
            stores.Add(new ProgramInstruction(ProgramOpCode.StoreOutput, width, ProgramOperand.Of(target), source.Operand(), skipped));
        }
        instructions.AddRange(stores);
    }

    /// <summary>
    /// Gives every scratch register rows of the scratch for the instructions from its first write to
    /// its last use (first fit), after two rows for the masked gradient and its finiteness mask.
    /// </summary>
    private void AllocateScratch()
    {
        var first = new Dictionary<ProgramRegister, int>(ReferenceEqualityComparer.Instance);
        var last = new Dictionary<ProgramRegister, int>(ReferenceEqualityComparer.Instance);
        for (var i = 0; i < instructions.Count; i++)
        {
            foreach (var operand in instructions[i].Operands())
            {
                if (operand.Register is not { Home: RegisterHome.Scratch } register) continue;
                first.TryAdd(register, i);
                last[register] = i;
            }
        }
        var live = new List<(int Start, int End, int LastUse)>();
        foreach (var register in first.Keys.OrderBy(r => first[r]))
        {
            var start = first[register];
            live.RemoveAll(l => l.LastUse < start);
            var row = NativeProgram.ReservedRows;
            foreach (var (s, e, _) in live.OrderBy(l => l.Start))
            {
                if (row + register.Rows <= s) break;
                row = Math.Max(row, e);
            }
            register.ScratchRow = row;
            live.Add((row, row + register.Rows, last[register]));
            if (row + register.Rows > MaxScratchRows)
                throw new NotCompilableException($"the program needs more than {MaxScratchRows} rows of scratch per block");
        }
    }

    private ProgramValue Value(string name, string role)
    {
        if (values.TryGetValue(name, out var value)) return value;
        if (model.Graph.TryGetInitializer(name, out var tensor))
        {
            value = Constant(tensor);
            values[name] = value;
            return value;
        }
        throw new NotCompilableException($"{role} reads '{name}', which is neither an input, an initializer nor computed earlier (nodes out of order?)");
    }

    private ProgramValue Input(int index)
    {
        if (index >= current.Inputs.Count || current.Inputs[index].Length == 0) throw Decline($"lacks input {index}");
        return Value(current.Inputs[index], $"node {current}");
    }

    private bool HasInput(int index) => index < current.Inputs.Count && current.Inputs[index].Length > 0;

    private CoordinateValue CoordinateInput(int index)
    {
        var value = Input(index);
        if (value is not CoordinateValue coordinate) throw Decline($"computes on constants only (input {index} '{current.Inputs[index]}'); fold it when exporting");
        return coordinate;
    }

    private ConstantValue ConstantInput(int index, string what)
    {
        var value = Input(index);
        return value as ConstantValue ?? throw Decline($"takes its {what} from a per-coordinate value; the fused engine needs a constant");
    }

    private static ConstantValue Constant(OnnxTensor tensor)
    {
        var dims = tensor.Dims.ToArray();
        return tensor.DataType switch
        {
            OnnxDataType.Float => new ConstantValue { Dims = dims, Floats = tensor.ToFloatArray() },
            OnnxDataType.Int64 or OnnxDataType.Int32 => new ConstantValue { Dims = dims, Integers = tensor.ToInt64Array() },
            _ => throw new NotCompilableException($"constant '{tensor.Name}' has element type {tensor.DataType}; the fused engine computes in float32 (and reads int64 shapes)"),
        };
    }

    private void Define(int output, ProgramValue value)
    {
        if (output < current.Outputs.Count && current.Outputs[output].Length > 0) values[current.Outputs[output]] = value;
    }

    private int UsesOf(int input) => uses.GetValueOrDefault(current.Inputs[input]);

    private NotCompilableException Decline(string why) => new($"node {current} {why}");

    private void RequireCoordinateShape(long[] dims)
    {
        var axis = Array.IndexOf(dims, ProgramValue.N);
        if (axis < 0 || Array.LastIndexOf(dims, ProgramValue.N) != axis)
            throw Decline($"would compute a value of shape [{string.Join(", ", dims.Select(d => d == ProgramValue.N ? "N" : d.ToString()))}], which mixes coordinates");
        for (var i = 0; i < axis; i++)
            if (dims[i] != 1) throw Decline($"would put a dimension of {dims[i]} before the coordinate axis");
    }

    private sealed class NotCompilableException(string message) : Exception(message);
}
