namespace L2LOnnx.Train.Problems;

/// <summary>The loss of a linear model <c>z = x W + b</c>, averaged over the minibatch.</summary>
public enum LinearModelLoss
{
    /// <summary>Linear regression: <c>(z - y)^2 / 2</c>, one output.</summary>
    Squared,

    /// <summary>Logistic regression: the binary cross-entropy of <c>sigmoid(z)</c> against y in {0, 1}, one output.</summary>
    Logistic,

    /// <summary>Softmax regression: the cross-entropy of <c>softmax(z)</c> against a class index, one output per class.</summary>
    Softmax,
}
