namespace L2LOnnx.Cli.MlNetComparison;

/// <summary>Which of the compared trainers a row is, for the summary.</summary>
internal enum TrainerRole
{
    /// <summary>The learned optimizer's trainer.</summary>
    Learned,

    /// <summary>The same trainer with Adam at the learning rate picked on the validation split.</summary>
    TunedAdam,

    /// <summary>One of ML.NET's own trainers.</summary>
    MlNet,

    /// <summary>Anything else (e.g. the SGD twin, the MLP variant).</summary>
    Other,
}
