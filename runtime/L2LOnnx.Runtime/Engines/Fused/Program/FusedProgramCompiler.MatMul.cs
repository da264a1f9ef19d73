namespace L2LOnnx.Runtime.Engines.Fused;

/// <summary>The matrix products: MatMul, Gemm, and ONNX LSTM as one two-input product plus the cell.</summary>
internal sealed partial class FusedProgramCompiler
{
    private void MatMul()
    {
        var x = CoordinateInput(0);
        var w = ConstantInput(1, "weights");
        if (w.Dims.Length != 2 || w.Floats is null) throw Decline("multiplies by a constant that is not a float matrix");
        if (x.FeatureDims.Length != 1 || x.FeatureDims[0] != w.Dims[0]) throw Decline($"multiplies {x.Shape} by [{w.Dims[0]}, {w.Dims[1]}]");
        var dims = x.Dims.ToArray();
        dims[^1] = w.Dims[1];
        Define(0, EmitMatMul(x, w.Floats, new float[w.Dims[1]], dims));
    }

    private void Gemm()
    {
        var x = CoordinateInput(0);
        var b = ConstantInput(1, "weights");
        if (Attribute("transA", 0) != 0) throw Decline("transposes its per-coordinate input");
        var transB = Attribute("transB", 0) != 0;
        var alpha = current.Attributes.TryGetValue("alpha", out var alphaAttribute) ? alphaAttribute.F : 1f;
        var beta = current.Attributes.TryGetValue("beta", out var betaAttribute) ? betaAttribute.F : 1f;
        if (b.Dims.Length != 2 || b.Floats is null || x.Dims.Length != 2 || x.Axis != 0) throw Decline("is not [N, K] x [K, M]");
        var (k, m) = transB ? (b.Dims[1], b.Dims[0]) : (b.Dims[0], b.Dims[1]);
        if (x.Rows != k) throw Decline($"multiplies {x.Shape} by a [{k}, {m}] matrix");
        var weights = new float[k * m];
        for (var i = 0; i < k; i++)
            for (var j = 0; j < m; j++)
                weights[i * m + j] = alpha * b.Floats[transB ? j * k + i : i * m + j];
        var dims = new[] { ProgramValue.N, m };
        var bias = new float[m];
        if (HasInput(2))
        {
            var c = ConstantInput(2, "bias");
            var vector = Materialise(c, BroadcastDims(dims, c.Dims));
            for (var j = 0; j < m; j++) bias[j] = beta * vector[vector.Length == 1 ? 0 : j];
        }
        Define(0, EmitMatMul(x, weights, bias, dims));
    }

    private long Attribute(string name, long fallback) => current.Attributes.TryGetValue(name, out var a) ? a.I : fallback;

    private CoordinateValue EmitMatMul(CoordinateValue x, float[] weights, float[] bias, long[] dims)
    {
        if (x.IsMask) throw Decline("multiplies a boolean value");
        var result = NewValue(dims);
        var instruction = new ProgramInstruction(ProgramOpCode.MatMul, result.Rows, result.Operand(), x.Operand()) { K1 = x.Rows, Weights = weights, Bias = bias };
        Emit(instruction);
        matMulOf[result.Register] = instruction;
        return result;
    }

    /// <summary>ONNX LSTM over one time step: the gates as one two-source MatMul, then the cell.</summary>
    private void Lstm()
    {
        foreach (var attribute in current.Attributes.Values)
        {
            var fine = attribute.Name switch
            {
                "hidden_size" => true,
                "direction" => attribute.S == "forward",
                "activations" => attribute.Strings.Select(s => s.ToLowerInvariant()).SequenceEqual(new[] { "sigmoid", "tanh", "tanh" }),
                "input_forget" or "layout" => attribute.I == 0,
                _ => false,
            };
            if (!fine) throw Decline($"sets attribute '{attribute.Name}', which the fused engine does not implement");
        }
        var h = Attribute("hidden_size", 0);
        if (h is < 1 or > MaxRows / 4) throw Decline("has no usable hidden_size");
        if (HasInput(4) || HasInput(7)) throw Decline("uses sequence lengths or peepholes");
        var x = CoordinateInput(0);
        if (x.Dims.Length != 3 || x.Axis != 1 || x.Dims[0] != 1) throw Decline($"runs on {x.Shape}; the fused engine runs one time step [1, N, features]");
        if (!HasInput(5) || !HasInput(6)) throw Decline("has no initial state");
        var h0 = CoordinateInput(5);
        var c0 = CoordinateInput(6);
        foreach (var state in new[] { h0, c0 })
            if (state.Dims.Length != 3 || state.Axis != 1 || state.Rows != h) throw Decline($"has an initial state of shape {state.Shape}, expected [1, N, {h}]");
        var inputs = x.Rows;
        var w = ConstantInput(1, "W").Floats ?? throw Decline("has integer weights");
        var r = ConstantInput(2, "R").Floats ?? throw Decline("has integer weights");
        if (w.Length != 4 * h * inputs || r.Length != 4 * h * h) throw Decline("has weights of the wrong size");
        var b = HasInput(3) ? ConstantInput(3, "B").Floats ?? throw Decline("has an integer bias") : new float[8 * h];
        if (b.Length != 8 * h) throw Decline("has a bias of the wrong size");

        var gates = (int)(4 * h);
        var weights = new float[(inputs + h) * gates];
        for (var g = 0; g < gates; g++)
        {
            for (var k = 0; k < inputs; k++) weights[k * gates + g] = w[g * inputs + k];
            for (var k = 0; k < h; k++) weights[(inputs + k) * gates + g] = r[g * h + k];
        }
        var gateValue = NewValue([ProgramValue.N, gates]);
        Emit(new ProgramInstruction(ProgramOpCode.MatMul, gates, gateValue.Operand(), x.Operand(), h0.Operand())
        {
            K1 = inputs,
            K2 = (int)h,
            Weights = weights,
            Bias = Enumerable.Range(0, gates).Select(g => b[g] + b[gates + g]).ToArray(),
        });
        var hNext = NewValue([1, ProgramValue.N, h]);
        var cNext = NewValue([1, ProgramValue.N, h]);
        Emit(new ProgramInstruction(ProgramOpCode.LstmCell, (int)h, hNext.Operand(), gateValue.Operand(), c0.Operand()) { Destination2 = cNext.Operand() });
        Define(0, hNext.Reshaped([1, 1, ProgramValue.N, h]));
        Define(1, hNext);
        Define(2, cNext);
    }
}
