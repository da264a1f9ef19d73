using L2LOnnx.Runtime.Onnx;

namespace L2LOnnx.Runtime.Engines.Fused;

/// <summary>One method per operator family: what each ONNX node becomes.</summary>
internal sealed partial class FusedProgramCompiler
{
    private void CompileNode(OnnxNode node)
    {
        switch (node.OpType)
        {
            case "Constant": Define(0, ConstantNode(node)); break;
            case "Identity": Define(0, Input(0)); break;
            case "Unsqueeze": Reshape(UnsqueezeDims(Input(0).Dims)); break;
            case "Squeeze": Reshape(SqueezeDims(Input(0).Dims)); break;
            case "Reshape": Reshape(ReshapeDims(Input(0))); break;
            case "Neg": Unary(ProgramOpCode.Negate, x => -x); break;
            case "Abs": Unary(ProgramOpCode.Abs, MathF.Abs); break;
            case "Relu": Relu(); break;
            case "Sigmoid": Unary(ProgramOpCode.Sigmoid, x => 1f / (1f + MathF.Exp(-x))); break;
            case "Tanh": Unary(ProgramOpCode.Tanh, MathF.Tanh); break;
            case "Exp": Unary(ProgramOpCode.Exp, MathF.Exp); break;
            case "Log": Unary(ProgramOpCode.Log, MathF.Log); break;
            case "Sqrt": Unary(ProgramOpCode.Sqrt, MathF.Sqrt); break;
            case "Reciprocal": Unary(ProgramOpCode.Reciprocal, x => 1f / x); break;
            case "Sign": Unary(ProgramOpCode.Sign, x => MathF.Sign(x)); break;
            case "Not": MaskUnary(ProgramOpCode.Not); break;
            case "Cast": Cast(); break;
            case "Add": Add(); break;
            case "Sub": Binary(ProgramOpCode.Subtract, (a, b) => a - b); break;
            case "Mul": Binary(ProgramOpCode.Multiply, (a, b) => a * b); break;
            case "Div": Binary(ProgramOpCode.Divide, (a, b) => a / b); break;
            case "Max": Variadic(ProgramOpCode.Max, MathF.Max); break;
            case "Min": Variadic(ProgramOpCode.Min, MathF.Min); break;
            case "Less": Binary(ProgramOpCode.Less, null); break;
            case "LessOrEqual": Binary(ProgramOpCode.LessOrEqual, null); break;
            case "Greater": Binary(ProgramOpCode.Greater, null); break;
            case "GreaterOrEqual": Binary(ProgramOpCode.GreaterOrEqual, null); break;
            case "Equal": Binary(ProgramOpCode.Equal, null); break;
            case "And": Binary(ProgramOpCode.And, null); break;
            case "Or": Binary(ProgramOpCode.Or, null); break;
            case "Pow": Pow(); break;
            case "Clip": Clip(); break;
            case "Where": Where(); break;
            case "Concat": Concat(); break;
            case "Split": Split(); break;
            case "Slice": Slice(); break;
            case "MatMul": MatMul(); break;
            case "Gemm": Gemm(); break;
            case "LSTM": Lstm(); break;
            default:
                throw Decline("is not an operator the fused compiler implements (see docs/runtime.md, Fused CPU engine)");
        }
    }

    private ConstantValue ConstantNode(OnnxNode node)
    {
        if (node.Attributes.Count != 1) throw Decline("has not exactly one value attribute");
        var attribute = node.Attributes.Values.Single();
        return attribute.Name switch
        {
            "value" when attribute.Tensor is { } tensor => Constant(tensor),
            "value_float" => new ConstantValue { Dims = [], Floats = [attribute.F] },
            "value_floats" => new ConstantValue { Dims = [attribute.Floats.Count], Floats = attribute.Floats.ToArray() },
            "value_int" => new ConstantValue { Dims = [], Integers = [attribute.I] },
            "value_ints" => new ConstantValue { Dims = [attribute.Ints.Count], Integers = attribute.Ints.ToArray() },
            _ => throw Decline($"holds its value in '{attribute.Name}', which the fused compiler does not read"),
        };
    }

    private void Reshape(long[] dims)
    {
        var input = Input(0);
        Define(0, input switch
        {
            ConstantValue c => new ConstantValue { Dims = dims, Floats = c.Floats, Integers = c.Integers },
            CoordinateValue v => Reshaped(v, dims),
            _ => throw new InvalidOperationException(),
        });
    }

    private CoordinateValue Reshaped(CoordinateValue value, long[] dims)
    {
        RequireCoordinateShape(dims);
        var result = value.Reshaped(dims);
        if (result.Rows != value.Rows) throw Decline($"reshapes {value.Shape} to {result.Shape}, which changes the features per coordinate");
        return result;
    }

    /// <summary>Axes from the second input (opset 13+) or the <c>axes</c> attribute.</summary>
    private long[]? Axes()
    {
        if (HasInput(1))
        {
            var axes = ConstantInput(1, "axes");
            return axes.Integers ?? throw Decline("has float axes");
        }
        return current.Attributes.TryGetValue("axes", out var attribute) ? attribute.Ints.ToArray() : null;
    }

    private long[] UnsqueezeDims(long[] dims)
    {
        var axes = Axes() ?? throw Decline("has no axes");
        var rank = dims.Length + axes.Length;
        var normalised = axes.Select(a => a < 0 ? a + rank : a).ToHashSet();
        if (normalised.Count != axes.Length || normalised.Any(a => a < 0 || a >= rank)) throw Decline("has invalid axes");
        var result = new long[rank];
        for (int i = 0, j = 0; i < rank; i++) result[i] = normalised.Contains(i) ? 1 : dims[j++];
        return result;
    }

    private long[] SqueezeDims(long[] dims)
    {
        // Without axes ONNX removes every 1, which would include N when N = 1.
        var axes = Axes() ?? throw Decline("has no axes; the fused engine needs them explicit (N may be 1)");
        var normalised = axes.Select(a => a < 0 ? a + dims.Length : a).ToHashSet();
        if (normalised.Any(a => a < 0 || a >= dims.Length || dims[a] != 1)) throw Decline("squeezes an axis that is not 1");
        return dims.Where((_, i) => !normalised.Contains(i)).ToArray();
    }

    private long[] ReshapeDims(ProgramValue input)
    {
        var shape = ConstantInput(1, "shape").Integers ?? throw Decline("has a float shape");
        if (current.Attributes.TryGetValue("allowzero", out var allowZero) && allowZero.I != 0) throw Decline("sets allowzero");
        var dims = shape.Select((d, i) => d == 0 ? (i < input.Dims.Length ? input.Dims[i] : throw Decline("copies a dimension the input lacks")) : d).ToArray();
        var inferred = Array.IndexOf(dims, -1L);
        if (input is ConstantValue constant)
        {
            if (inferred >= 0)
            {
                var known = dims.Where(d => d != -1).Aggregate(1L, (a, b) => a * b);
                dims[inferred] = known == 0 ? 0 : constant.Count / known;
            }
            if (dims.Any(d => d < 0) || dims.Aggregate(1L, (a, b) => a * b) != constant.Count) throw Decline("reshapes a constant to a shape of another size");
            return dims;
        }
        // N is -1 in both notations: a -1 in the target shape stands for N only if the rest keeps the features.
        var coordinate = (CoordinateValue)input;
        if (dims.Count(d => d == ProgramValue.N) != 1) throw Decline("reshapes without a single axis left for N");
        var rest = dims.Where(d => d != ProgramValue.N).Aggregate(1L, (a, b) => a * b);
        if (rest != coordinate.Rows) throw Decline($"reshapes {coordinate.Shape} into [{string.Join(", ", shape)}], which mixes coordinates");
        return dims;
    }

    private void Unary(ProgramOpCode code, Func<float, float> fold)
    {
        var input = Input(0);
        if (input is ConstantValue constant)
        {
            Define(0, new ConstantValue { Dims = constant.Dims, Floats = Floats(constant).Select(fold).ToArray() });
            return;
        }
        var x = RequireFloat((CoordinateValue)input);
        var result = NewValue(x.Dims);
        Emit(new ProgramInstruction(code, result.Rows, result.Operand(), x.Operand()));
        Define(0, result);
    }

    private void MaskUnary(ProgramOpCode code)
    {
        var x = CoordinateInput(0);
        if (!x.IsMask) throw Decline("takes a float input; the fused engine implements it on booleans");
        var result = NewValue(x.Dims, isMask: true);
        Emit(new ProgramInstruction(code, result.Rows, result.Operand(), x.Operand()));
        Define(0, result);
    }

    /// <summary>ReLU, folded into the MatMul that produces its input when nothing else reads that.</summary>
    private void Relu()
    {
        if (Input(0) is CoordinateValue x && UsesOf(0) == 1 && matMulOf.TryGetValue(x.Register, out var matMul) && !matMul.Relu && x.Row == 0 && x.Rows == x.Register.Rows)
        {
            matMul.Relu = true;
            matMulOf.Remove(x.Register);
            Define(0, x);
            return;
        }
        Unary(ProgramOpCode.Relu, x => MathF.Max(x, 0f));
    }

    private void Cast()
    {
        if (!current.Attributes.TryGetValue("to", out var to)) throw Decline("has no target type");
        var x = Input(0);
        if (to.I != (long)OnnxDataType.Float) throw Decline($"casts to element type {to.I}; the fused engine computes in float32");
        if (x is ConstantValue constant)
        {
            Define(0, new ConstantValue { Dims = constant.Dims, Floats = Floats(constant) });
            return;
        }
        var coordinate = (CoordinateValue)x;
        if (!coordinate.IsMask)
        {
            Define(0, coordinate);
            return;
        }
        var result = NewValue(coordinate.Dims);
        Emit(new ProgramInstruction(ProgramOpCode.MaskToFloat, result.Rows, result.Operand(), coordinate.Operand()));
        Define(0, result);
    }

    /// <summary>Add, with a constant folded into the bias of the MatMul it follows, or two MatMuls merged into one.</summary>
    private void Add()
    {
        var (ia, ib) = Input(0) is ConstantValue && Input(1) is CoordinateValue ? (1, 0) : (0, 1);
        var (a, b) = (Input(ia), Input(ib));
        if (a is CoordinateValue x && IsFoldable(x, current.Inputs[ia]))
        {
            var matMul = matMulOf[x.Register];
            if (b is ConstantValue { Floats: not null } bias && BroadcastDims(x.Dims, bias.Dims).SequenceEqual(x.Dims))
            {
                var vector = Materialise(bias, x.Dims);
                for (var i = 0; i < matMul.Rows; i++) matMul.Bias![i] += vector[vector.Length == 1 ? 0 : i];
                Define(0, x);
                return;
            }
            if (b is CoordinateValue y && y.Dims.SequenceEqual(x.Dims) && IsFoldable(y, current.Inputs[ib]))
            {
                var other = matMulOf[y.Register];
                if (other.K2 == 0 && matMul.K2 == 0 && other != matMul)
                {
                    var later = instructions.IndexOf(matMul) > instructions.IndexOf(other) ? x : y;
                    Merge(matMul, other);
                    Define(0, later);
                    return;
                }
            }
        }
        Binary(ProgramOpCode.Add, (p, q) => p + q);
    }

    /// <summary>A MatMul result read only here, whole, with no ReLU yet.</summary>
    private bool IsFoldable(CoordinateValue value, string name) =>
        uses.GetValueOrDefault(name) == 1 && matMulOf.TryGetValue(value.Register, out var matMul) && !matMul.Relu && value.Row == 0 && value.Rows == value.Register.Rows;

    /// <summary>Two single-source MatMuls added: the later one takes both sources, weights stacked, biases summed.</summary>
    private void Merge(ProgramInstruction x, ProgramInstruction y)
    {
        var (early, late) = instructions.IndexOf(x) < instructions.IndexOf(y) ? (x, y) : (y, x);
        var rows = late.Rows;
        var weights = new float[(late.K1 + early.K1) * rows];
        late.Weights!.CopyTo(weights, 0);
        early.Weights!.CopyTo(weights, late.K1 * rows);
        late.Weights = weights;
        for (var i = 0; i < rows; i++) late.Bias![i] += early.Bias![i];
        late.B = early.A;
        late.K2 = early.K1;
        instructions.Remove(early);
        matMulOf.Remove(early.Destination.Register!);
    }

    private void Variadic(ProgramOpCode code, Func<float, float, float> fold)
    {
        if (current.Inputs.Count == 1)
        {
            Define(0, Input(0));
            return;
        }
        if (current.Inputs.Count != 2) throw Decline($"has {current.Inputs.Count} inputs; the fused engine implements two");
        Binary(code, fold);
    }

    private void Binary(ProgramOpCode code, Func<float, float, float>? fold) => Define(0, Elementwise(code, Input(0), Input(1), fold));

    private ProgramValue Elementwise(ProgramOpCode code, ProgramValue a, ProgramValue b, Func<float, float, float>? fold)
    {
        var dims = BroadcastDims(a.Dims, b.Dims);
        if (a is ConstantValue ca && b is ConstantValue cb)
        {
            if (fold is null) throw Decline("compares constants only; fold it when exporting");
            var (x, y) = (Expand(ca, dims), Expand(cb, dims));
            return new ConstantValue { Dims = dims, Floats = x.Select((v, i) => fold(v, y[i])).ToArray() };
        }
        var maskIn = code is ProgramOpCode.And or ProgramOpCode.Or;
        foreach (var operand in new[] { a, b })
            if (operand is CoordinateValue { IsMask: var isMask } && isMask != maskIn)
                throw Decline(maskIn ? "combines non-boolean values" : "computes on a boolean value; cast it to float first");
        var result = NewValue(dims, isMask: maskIn || code is >= ProgramOpCode.Less and <= ProgramOpCode.Equal);
        Emit(new ProgramInstruction(code, result.Rows, result.Operand(), Operand(a, dims), Operand(b, dims)));
        return result;
    }

    private void Pow()
    {
        var exponent = ConstantInput(1, "exponent");
        var e = Floats(exponent);
        if (e.Length != 1) throw Decline("has a per-feature exponent");
        if (Input(0) is not CoordinateValue x) throw Decline("computes on constants only; fold it when exporting");
        switch (e[0])
        {
            case 1f: Define(0, x); break;
            case 2f: Define(0, Elementwise(ProgramOpCode.Multiply, x, x, null)); break;
            case 0.5f: Unary(ProgramOpCode.Sqrt, MathF.Sqrt); break;
            case -1f: Unary(ProgramOpCode.Reciprocal, v => 1f / v); break;
            default: throw Decline($"raises to the power {e[0]}; the fused engine implements 0.5, 1, 2 and -1");
        }
    }

    private void Clip()
    {
        ProgramValue x = CoordinateInput(0);
        ConstantValue? min = null, max = null;
        if (HasInput(1)) min = ConstantInput(1, "minimum");
        if (HasInput(2)) max = ConstantInput(2, "maximum");
        if (current.Attributes.TryGetValue("min", out var minAttribute)) min = new ConstantValue { Dims = [], Floats = [minAttribute.F] };
        if (current.Attributes.TryGetValue("max", out var maxAttribute)) max = new ConstantValue { Dims = [], Floats = [maxAttribute.F] };
        if (min is not null) x = Elementwise(ProgramOpCode.Max, x, min, null);
        if (max is not null) x = Elementwise(ProgramOpCode.Min, x, max, null);
        Define(0, x);
    }

    private void Where()
    {
        var condition = CoordinateInput(0);
        if (!condition.IsMask) throw Decline("has a condition that is not boolean");
        var (a, b) = (Input(1), Input(2));
        var dims = BroadcastDims(BroadcastDims(condition.Dims, a.Dims), b.Dims);
        foreach (var operand in new[] { a, b })
            if (operand is CoordinateValue { IsMask: true }) throw Decline("selects between booleans");
        var result = NewValue(dims);
        Emit(new ProgramInstruction(ProgramOpCode.Where, result.Rows, result.Operand(), Operand(a, dims), Operand(b, dims), Operand(condition, dims)));
        Define(0, result);
    }

    /// <summary>How an operand of an elementwise node reads for an output of shape <paramref name="dims"/>.</summary>
    private ProgramOperand Operand(ProgramValue value, long[] dims)
    {
        if (value is ConstantValue constant) return ProgramOperand.Of(Materialise(constant, dims));
        var coordinate = (CoordinateValue)value;
        var outAxis = Array.IndexOf(dims, ProgramValue.N);
        var offset = dims.Length - coordinate.Dims.Length;
        if (coordinate.Axis + offset != outAxis) throw Decline($"lines up the coordinate axis of {coordinate.Shape} with a feature axis of the result");
        var features = coordinate.FeatureDims;
        if (features.SequenceEqual(dims[(outAxis + 1)..])) return coordinate.Operand();
        if (coordinate.Rows == 1) return coordinate.Operand(broadcast: true);
        throw Decline($"broadcasts {coordinate.Shape} over some of the features of [{string.Join(", ", dims)}]; the fused engine broadcasts a single feature or constants only");
    }

    private void Concat()
    {
        var parts = Enumerable.Range(0, current.Inputs.Count).Select(CoordinateInputOrDecline).ToArray();
        var first = parts[0];
        var axis = FeatureAxis(first, "axis", 1);
        var inner = first.Dims[(axis + 1)..];
        foreach (var part in parts)
            if (part.Dims.Length != first.Dims.Length || !part.Dims[(axis + 1)..].SequenceEqual(inner) || part.Axis != first.Axis || part.IsMask != first.IsMask)
                throw Decline("concatenates values of different shapes or kinds");
        var dims = first.Dims.ToArray();
        dims[axis] = parts.Sum(p => p.Dims[axis]);
        var result = NewValue(dims, first.IsMask);
        var row = 0;
        foreach (var part in parts)
        {
            Emit(new ProgramInstruction(ProgramOpCode.Copy, part.Rows, ProgramOperand.Of(result.Register, row), part.Operand()));
            row += part.Rows;
        }
        Define(0, result);
    }

    private CoordinateValue CoordinateInputOrDecline(int index) =>
        Input(index) as CoordinateValue ?? throw Decline($"concatenates a constant ('{current.Inputs[index]}') with per-coordinate values");

    /// <summary>
    /// The axis named by attribute <paramref name="name"/>, which must be a feature axis with only 1s
    /// between it and N, so that a range along it is a range of consecutive rows.
    /// </summary>
    private int FeatureAxis(CoordinateValue value, string name, long fallback)
    {
        var axis = current.Attributes.TryGetValue(name, out var attribute) ? attribute.I : fallback;
        return CheckFeatureAxis(value, axis);
    }

    private int CheckFeatureAxis(CoordinateValue value, long axis)
    {
        if (axis < 0) axis += value.Dims.Length;
        if (axis <= value.Axis || axis >= value.Dims.Length) throw Decline($"works along axis {axis} of {value.Shape}, not along the features");
        for (var i = value.Axis + 1; i < axis; i++)
            if (value.Dims[i] != 1) throw Decline($"works along axis {axis} of {value.Shape}, whose ranges are not consecutive features");
        return (int)axis;
    }

    private void Split()
    {
        var x = CoordinateInput(0);
        var axis = FeatureAxis(x, "axis", 0);
        var size = x.Dims[axis];
        long[] sizes;
        if (HasInput(1)) sizes = ConstantInput(1, "split").Integers ?? throw Decline("has float split sizes");
        else if (current.Attributes.TryGetValue("split", out var splitAttribute)) sizes = splitAttribute.Ints.ToArray();
        else
        {
            var parts = current.Outputs.Count;
            var each = (size + parts - 1) / parts;
            sizes = Enumerable.Range(0, parts).Select(i => Math.Max(0, Math.Min(each, size - i * each))).ToArray();
        }
        if (sizes.Length != current.Outputs.Count || sizes.Sum() != size || sizes.Any(s => s < 0)) throw Decline("has split sizes that do not add up");
        var inner = (int)x.Dims[(axis + 1)..].Aggregate(1L, (a, b) => a * b);
        long start = 0;
        for (var i = 0; i < sizes.Length; i++)
        {
            var dims = x.Dims.ToArray();
            dims[axis] = sizes[i];
            Define(i, new CoordinateValue { Dims = dims, Register = x.Register, Row = x.Row + (int)(start * inner), IsMask = x.IsMask });
            start += sizes[i];
        }
    }

    private void Slice()
    {
        var x = CoordinateInput(0);
        var starts = ConstantInput(1, "starts").Integers ?? throw Decline("has float starts");
        var ends = ConstantInput(2, "ends").Integers ?? throw Decline("has float ends");
        var axes = HasInput(3) ? ConstantInput(3, "axes").Integers ?? throw Decline("has float axes") : Enumerable.Range(0, starts.Length).Select(i => (long)i).ToArray();
        var steps = HasInput(4) ? ConstantInput(4, "steps").Integers ?? throw Decline("has float steps") : starts.Select(_ => 1L).ToArray();
        if (axes.Length != starts.Length || ends.Length != starts.Length || steps.Length != starts.Length) throw Decline("has starts, ends, axes and steps of different lengths");
        var dims = x.Dims.ToArray();
        var row = x.Row;
        for (var i = 0; i < axes.Length; i++)
        {
            var axis = axes[i] < 0 ? axes[i] + dims.Length : axes[i];
            if (axis == x.Axis)
            {
                if (starts[i] == 0 && ends[i] >= int.MaxValue && steps[i] == 1) continue;
                throw Decline("slices the coordinate axis");
            }
            if (steps[i] != 1) throw Decline("slices with a step other than 1");
            var checkedAxis = CheckFeatureAxis(x, axis);
            var size = dims[checkedAxis];
            var start = Math.Clamp(starts[i] < 0 ? starts[i] + size : starts[i], 0, size);
            var end = Math.Clamp(ends[i] < 0 ? ends[i] + size : ends[i], 0, size);
            if (end < start) end = start;
            var inner = (int)dims[(checkedAxis + 1)..].Aggregate(1L, (a, b) => a * b);
            row += (int)start * inner;
            dims[checkedAxis] = end - start;
            if (axes.Length > 1 && i > 0) throw Decline("slices several feature axes");
        }
        Define(0, new CoordinateValue { Dims = dims, Register = x.Register, Row = row, IsMask = x.IsMask });
    }

    private CoordinateValue RequireFloat(CoordinateValue value) =>
        value.IsMask ? throw Decline("computes on a boolean value; cast it to float first") : value;
}
