using Microsoft.ML;

namespace L2LOnnx.Cli.MlNetComparison;

/// <summary>The tasks of the comparison, by the names <c>--tasks</c> takes.</summary>
internal static class ComparisonTasks
{
    /// <summary>Every task's name, in the order a default run takes them.</summary>
    public static readonly string[] Names = ["mnist", "fashion", "fashion-binary", "diabetes"];

    /// <summary>Loads the task called <paramref name="name"/> (one of <see cref="Names"/>), shuffled by <paramref name="seed"/>.</summary>
    public static ComparisonTask Load(MLContext ml, string name, int fashionRows, int seed) => name switch
    {
        "mnist" => ImageTasks.Mnist(ml, seed),
        "fashion" => ImageTasks.Fashion(ml, fashionRows, seed),
        "fashion-binary" => ImageTasks.FashionShirts(ml, seed),
        _ => DiabetesTask.Load(ml, seed),
    };
}
