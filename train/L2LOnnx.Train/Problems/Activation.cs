namespace L2LOnnx.Train.Problems;

/// <summary>Hidden-layer nonlinearity of an optimizee network.</summary>
public enum Activation
{
    /// <summary>The logistic sigmoid, as in the paper's MNIST MLP.</summary>
    Sigmoid,

    /// <summary>The rectified linear unit (the paper's generalisation test that its optimizer failed).</summary>
    Relu,

    /// <summary>The hyperbolic tangent.</summary>
    Tanh,
}
