namespace L2LOnnx.MLNet;

/// <summary>Nonlinearity of the optional hidden layer.</summary>
public enum HiddenActivation
{
    /// <summary><c>max(0, x)</c>; weights start He-uniform.</summary>
    Relu,

    /// <summary><c>tanh(x)</c>; weights start Glorot-uniform.</summary>
    Tanh,

    /// <summary><c>1 / (1 + e^-x)</c>, as in the paper's MNIST network; weights start Glorot-uniform.</summary>
    Sigmoid,
}
