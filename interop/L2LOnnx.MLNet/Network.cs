using System.Numerics;

namespace L2LOnnx.MLNet;

/// <summary>
/// The optimizee: a linear map (no hidden layer) or a one-hidden-layer perceptron from D features to K
/// logits, with its parameters in one flat vector θ so that one optimizer state covers them all.
/// Layout of θ: [W1 (H×D), b1 (H)] when there is a hidden layer, then [W (K×in), b (K)]; matrices are
/// row-major with one row per output unit.
/// </summary>
/// <remarks>Forward and backward reuse buffers sized for the largest minibatch: nothing is allocated per step.</remarks>
internal sealed class Network
{
    private readonly float[] hiddenActivations;
    private readonly float[] hiddenGradients;

    public Network(int inputs, int hidden, int outputs, HiddenActivation activation, int maxBatch)
    {
        Inputs = inputs;
        Hidden = hidden;
        Outputs = outputs;
        Activation = activation;
        hiddenActivations = new float[hidden * maxBatch];
        hiddenGradients = new float[hidden * maxBatch];
    }

    public int Inputs { get; }

    public int Hidden { get; }

    public int Outputs { get; }

    public HiddenActivation Activation { get; }

    /// <summary>Inputs of the output layer: the hidden units, or the features when there is no hidden layer.</summary>
    public int OutputLayerInputs => Hidden > 0 ? Hidden : Inputs;

    private int HiddenWeightCount => Hidden * Inputs;

    private int HiddenParameterCount => Hidden > 0 ? HiddenWeightCount + Hidden : 0;

    private int OutputWeightOffset => HiddenParameterCount;

    private int OutputBiasOffset => OutputWeightOffset + Outputs * OutputLayerInputs;

    public int ParameterCount => OutputBiasOffset + Outputs;

    public Range HiddenWeights => new(0, HiddenWeightCount);

    public Range HiddenBiases => new(HiddenWeightCount, HiddenParameterCount);

    public Range OutputWeights => new(OutputWeightOffset, OutputBiasOffset);

    public Range OutputBiases => new(OutputBiasOffset, ParameterCount);

    /// <summary>
    /// Zero output layer (the usual start for convex models: every class equally likely); hidden weights
    /// He-uniform for ReLU, Glorot-uniform otherwise, so units start distinct.
    /// </summary>
    public void Initialize(Span<float> theta, Random random)
    {
        theta.Clear();
        if (Hidden == 0) return;
        var limit = Activation == HiddenActivation.Relu ? Math.Sqrt(6.0 / Inputs) : Math.Sqrt(6.0 / (Inputs + Hidden));
        foreach (ref var w in theta[HiddenWeights]) w = (float)((2 * random.NextDouble() - 1) * limit);
        var outputLimit = Math.Sqrt(6.0 / (Hidden + Outputs));
        foreach (ref var w in theta[OutputWeights]) w = (float)((2 * random.NextDouble() - 1) * outputLimit);
    }

    /// <summary>Logits of <paramref name="batch"/> rows of <paramref name="x"/> (row-major, D per row) into <paramref name="logits"/> (K per row).</summary>
    public void Forward(ReadOnlySpan<float> theta, ReadOnlySpan<float> x, int batch, Span<float> logits)
    {
        var layerInput = x;
        if (Hidden > 0)
        {
            var a = hiddenActivations.AsSpan(0, batch * Hidden);
            Dense(theta[HiddenWeights], theta[HiddenBiases], x, Inputs, Hidden, batch, a);
            Activate(a);
            layerInput = a;
        }
        Dense(theta[OutputWeights], theta[OutputBiases], layerInput, OutputLayerInputs, Outputs, batch, logits);
    }

    /// <summary>
    /// Gradient of the loss with respect to θ into <paramref name="gradient"/> (overwritten), given the
    /// loss's gradient with respect to the logits of the last <see cref="Forward"/> call.
    /// </summary>
    public void Backward(ReadOnlySpan<float> theta, ReadOnlySpan<float> x, int batch, ReadOnlySpan<float> logitGradients, Span<float> gradient)
    {
        gradient.Clear();
        var layerInput = Hidden > 0 ? hiddenActivations.AsSpan(0, batch * Hidden) : x;
        DenseBackward(layerInput, OutputLayerInputs, Outputs, batch, logitGradients, gradient[OutputWeights], gradient[OutputBiases]);
        if (Hidden == 0) return;

        var dh = hiddenGradients.AsSpan(0, batch * Hidden);
        dh.Clear();
        var w = theta[OutputWeights];
        for (var b = 0; b < batch; b++)
        {
            var row = dh.Slice(b * Hidden, Hidden);
            for (var k = 0; k < Outputs; k++)
                Axpy(logitGradients[b * Outputs + k], w.Slice(k * Hidden, Hidden), row);
        }
        ActivationBackward(hiddenActivations.AsSpan(0, batch * Hidden), dh);
        DenseBackward(x, Inputs, Hidden, batch, dh, gradient[HiddenWeights], gradient[HiddenBiases]);
    }

    /// <summary>Adds <c>λ·W</c> to the weight gradients and returns the penalty <c>λ/2·‖W‖²</c> (biases are not penalised).</summary>
    public double AddL2(ReadOnlySpan<float> theta, float lambda, Span<float> gradient)
    {
        if (lambda == 0) return 0;
        return 0.5 * lambda * (Penalize(theta[HiddenWeights], lambda, gradient[HiddenWeights]) + Penalize(theta[OutputWeights], lambda, gradient[OutputWeights]));
    }

    private static double Penalize(ReadOnlySpan<float> w, float lambda, Span<float> gradient)
    {
        Axpy(lambda, w, gradient);
        return Dot(w, w);
    }

    /// <summary>
    /// Folds a shift of the inputs into the first layer's biases: a network trained on <c>x - mean</c>
    /// becomes the same function of <c>x</c> (<c>b[o] -= W[o] · mean</c>).
    /// </summary>
    public void FoldInputShift(Span<float> theta, ReadOnlySpan<float> mean)
    {
        var (weights, biases, units) = Hidden > 0 ? (HiddenWeights, HiddenBiases, Hidden) : (OutputWeights, OutputBiases, Outputs);
        var w = theta[weights];
        var b = theta[biases];
        for (var o = 0; o < units; o++) b[o] -= Dot(w.Slice(o * Inputs, Inputs), mean);
    }

    /// <summary>Rescales the output layer so that new logits = <paramref name="scale"/> · old + <paramref name="shift"/>.</summary>
    public void FoldOutputAffine(Span<float> theta, float scale, float shift)
    {
        foreach (ref var w in theta[OutputWeights]) w *= scale;
        foreach (ref var b in theta[OutputBiases]) b = scale * b + shift;
    }

    /// <summary>y[b, o] = W[o] · x[b] + bias[o] for every row b and output o.</summary>
    private static void Dense(ReadOnlySpan<float> w, ReadOnlySpan<float> bias, ReadOnlySpan<float> x, int inputs, int outputs, int batch, Span<float> y)
    {
        for (var b = 0; b < batch; b++)
        {
            var row = x.Slice(b * inputs, inputs);
            for (var o = 0; o < outputs; o++)
                y[b * outputs + o] = Dot(w.Slice(o * inputs, inputs), row) + bias[o];
        }
    }

    /// <summary>dW[o] += Σ_b dy[b, o] · x[b]; dbias[o] += Σ_b dy[b, o].</summary>
    private static void DenseBackward(ReadOnlySpan<float> x, int inputs, int outputs, int batch, ReadOnlySpan<float> dy, Span<float> dw, Span<float> dbias)
    {
        for (var b = 0; b < batch; b++)
        {
            var row = x.Slice(b * inputs, inputs);
            for (var o = 0; o < outputs; o++)
            {
                var g = dy[b * outputs + o];
                if (g == 0) continue;
                Axpy(g, row, dw.Slice(o * inputs, inputs));
                dbias[o] += g;
            }
        }
    }

    private void Activate(Span<float> a)
    {
        switch (Activation)
        {
            case HiddenActivation.Relu:
                foreach (ref var v in a) v = MathF.Max(v, 0);
                break;
            case HiddenActivation.Tanh:
                foreach (ref var v in a) v = MathF.Tanh(v);
                break;
            case HiddenActivation.Sigmoid:
                foreach (ref var v in a) v = 1 / (1 + MathF.Exp(-v));
                break;
        }
    }

    /// <summary>Multiplies <paramref name="gradient"/> by the activation's derivative, written in terms of the activation's output.</summary>
    private void ActivationBackward(ReadOnlySpan<float> activated, Span<float> gradient)
    {
        for (var i = 0; i < gradient.Length; i++)
        {
            var a = activated[i];
            gradient[i] *= Activation switch
            {
                HiddenActivation.Relu => a > 0 ? 1 : 0,
                HiddenActivation.Tanh => 1 - a * a,
                _ => a * (1 - a),
            };
        }
    }

    internal static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var sum = Vector<float>.Zero;
        var i = 0;
        for (; i <= a.Length - Vector<float>.Count; i += Vector<float>.Count)
            sum += new Vector<float>(a.Slice(i)) * new Vector<float>(b.Slice(i));
        var result = Vector.Sum(sum);
        for (; i < a.Length; i++) result += a[i] * b[i];
        return result;
    }

    /// <summary>y += alpha · x.</summary>
    internal static void Axpy(float alpha, ReadOnlySpan<float> x, Span<float> y)
    {
        var i = 0;
        var va = new Vector<float>(alpha);
        for (; i <= x.Length - Vector<float>.Count; i += Vector<float>.Count)
            (new Vector<float>(y.Slice(i)) + va * new Vector<float>(x.Slice(i))).CopyTo(y.Slice(i));
        for (; i < x.Length; i++) y[i] += alpha * x[i];
    }
}
