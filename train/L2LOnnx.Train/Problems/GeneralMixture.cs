using L2LOnnx.Train.Data;

namespace L2LOnnx.Train.Problems;

/// <summary>
/// The problems the general default optimizer is meta-trained on (<c>--problem general</c>): linear,
/// logistic and softmax regression on synthetic data of several dimensions, feature scales over two
/// decades and correlated features; softmax regression on MNIST digits; and 32-unit ReLU and tanh MLPs
/// on MNIST. Every loss is a minibatch mean (about 0.5 to 2.3 at the start).
/// </summary>
/// <remarks>
/// Held out (never in the mixture): the paper's 10-d quadratics, the paper's 784-20-10 sigmoid MLP on
/// MNIST, softmax regression on Fashion-MNIST, logistic regression on the breast-cancer table, linear
/// regression on Diabetes, a 784-32-10 ReLU MLP on Fashion-MNIST and a small convnet on Fashion-MNIST
/// images (<see cref="HeldOutNames"/>).
/// </remarks>
public static class GeneralMixture
{
    /// <summary>The <c>--problem</c> names of the held-out families used to evaluate the general optimizer.</summary>
    public static IReadOnlyList<string> HeldOutNames { get; } =
        ["quadratic", "mnist", "fashion-mnist-softmax", "breast-cancer-logistic", "diabetes-linear", "fashion-mnist-relu-mlp", "fashion-mnist-convnet"];

    /// <summary>
    /// Standard deviation of the N(0, s^2) initialisation of the mixture's 32-unit MLPs, shared by the held-out
    /// Fashion-MNIST ReLU MLP so that it differs from the mixture's MNIST ReLU MLP in its data only.
    /// </summary>
    public const double HiddenMlpInitStd = 0.1;

    /// <summary>
    /// The mixture, on the MNIST training digits (or, with <paramref name="heldOut"/>, the held-out digits
    /// for evaluating on the mixture's own distribution). Dispose it when done.
    /// </summary>
    public static MixtureFamily Create(bool heldOut)
    {
        var members = new List<IProblemFamily>();
        try
        {
            foreach (var loss in Enum.GetValues<LinearModelLoss>())
                foreach (var features in new[] { 5, 20, 50 })
                    members.Add(LinearModelFamily.Synthetic(loss, new SyntheticDataConfig { Features = features }));
            members.Add(new MlpFamily(Mnist(heldOut), new MlpConfig { HiddenSizes = [] }));
            members.Add(new MlpFamily(Mnist(heldOut), new MlpConfig { HiddenSizes = [32], Activation = Activation.Relu, InitStd = HiddenMlpInitStd }));
            members.Add(new MlpFamily(Mnist(heldOut), new MlpConfig { HiddenSizes = [32], Activation = Activation.Tanh, InitStd = HiddenMlpInitStd }));
            return new MixtureFamily("general", members);
        }
        catch
        {
            foreach (var member in members) member.Dispose();
            throw;
        }
    }

    private static ImageTensors Mnist(bool heldOut)
    {
        var (training, test) = DataSets.Mnist().Shuffled(ProblemSpec.MnistShuffleSeed).Split(ProblemSpec.MnistTrainingImages);
        return new ImageTensors(heldOut ? test : training);
    }
}
