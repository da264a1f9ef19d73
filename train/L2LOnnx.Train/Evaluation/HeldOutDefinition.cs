namespace L2LOnnx.Train.Evaluation;

/// <summary>What "held-out problem" means for a family over real data.</summary>
public enum HeldOutDefinition
{
    /// <summary>
    /// The standard definition: held-out problems are fresh seeds (initialisation, minibatch order) on the
    /// training data, and their parameters are also scored on the disjoint test split. For quadratics, fresh
    /// draws of W, y and theta0.
    /// </summary>
    FreshSeeds,

    /// <summary>
    /// The older definition: held-out problems train on the held-out data itself (for MNIST the 2,000
    /// held-out digits, for Fashion-MNIST the 10,000 test images); there is no further split to test on.
    /// </summary>
    HeldOutData,
}
