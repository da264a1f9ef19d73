namespace L2LOnnx.Runtime.Baselines;

/// <summary>The hand-designed optimizers the paper compares against.</summary>
public enum BaselineKind
{
    /// <summary>Plain gradient descent.</summary>
    Sgd,

    /// <summary>Nesterov accelerated gradient, momentum 0.9 (PyTorch's <c>SGD(nesterov=True)</c> formulation).</summary>
    Nag,

    /// <summary>RMSprop with PyTorch's defaults (alpha 0.99, eps 1e-8).</summary>
    RmsProp,

    /// <summary>Adam with the usual defaults (beta1 0.9, beta2 0.999, eps 1e-8).</summary>
    Adam,
}

/// <summary>Creates baseline optimizers by kind.</summary>
public static class Baseline
{
    /// <summary>A baseline of <paramref name="kind"/> with learning rate <paramref name="learningRate"/> over <paramref name="length"/> coordinates.</summary>
    public static IVectorOptimizer Create(BaselineKind kind, double learningRate, int length) => kind switch
    {
        BaselineKind.Sgd => new Sgd(length, learningRate),
        BaselineKind.Nag => new Nag(length, learningRate),
        BaselineKind.RmsProp => new RmsProp(length, learningRate),
        BaselineKind.Adam => new Adam(length, learningRate),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}
