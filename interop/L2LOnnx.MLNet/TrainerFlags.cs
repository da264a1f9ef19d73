using Microsoft.ML;

namespace L2LOnnx.MLNet;

/// <summary>The <see cref="TrainerInfo"/> every learned-optimizer trainer reports.</summary>
internal static class TrainerFlags
{
    /// <summary>
    /// Needs normalised features, tolerates caching, no calibration, validation set or incremental training:
    /// ML.NET's default <see cref="TrainerInfo"/>. ML.NET 5 keeps that constructor internal, so the value is
    /// taken from SDCA, whose trainer reports exactly the default (checked: every flag, public or not).
    /// </summary>
    public static readonly TrainerInfo Default = new MLContext().Regression.Trainers.Sdca().Info;
}
