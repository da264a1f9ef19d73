namespace L2LOnnx.Cli.MlNetComparison;

/// <summary>The ML.NET task family of a comparison task: it picks the trainers and the evaluator.</summary>
internal enum TaskKind
{
    /// <summary>Several classes (MNIST, Fashion-MNIST).</summary>
    Multiclass,

    /// <summary>Two classes (Fashion-MNIST's shirts).</summary>
    Binary,

    /// <summary>A number (Diabetes).</summary>
    Regression,
}
