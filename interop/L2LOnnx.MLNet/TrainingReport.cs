namespace L2LOnnx.MLNet;

/// <summary>How a fit went: which optimizer, how long, and the training loss along the way.</summary>
public sealed class TrainingReport
{
    internal TrainingReport(string optimizer, int rows, int steps, int batchSize, IReadOnlyList<TrainingProgress> lossHistory, TimeSpan readTime, TimeSpan trainTime)
    {
        Optimizer = optimizer;
        Rows = rows;
        Steps = steps;
        BatchSize = batchSize;
        LossHistory = lossHistory;
        ReadTime = readTime;
        TrainTime = trainTime;
    }

    /// <summary>The optimizer that made the updates, e.g. <c>learned: general.onnx</c> or <c>Adam(lr=0.001)</c>.</summary>
    public string Optimizer { get; }

    /// <summary>Training rows read from the data view.</summary>
    public int Rows { get; }

    /// <summary>Minibatch steps taken.</summary>
    public int Steps { get; }

    /// <summary>Rows per minibatch.</summary>
    public int BatchSize { get; }

    /// <summary>Passes over the data, fractional (an epoch's last minibatch may be smaller than <see cref="BatchSize"/>).</summary>
    public double Epochs => LossHistory[^1].Epoch;

    /// <summary>
    /// Mean minibatch loss (without the L2 term) per <see cref="LearnedOptimizerTrainerOptions.ProgressInterval"/>
    /// steps; the last entry covers the final steps. Regression losses are in units of the label's variance
    /// (see <see cref="LearnedOptimizerRegressionTrainer"/>).
    /// </summary>
    public IReadOnlyList<TrainingProgress> LossHistory { get; }

    /// <summary>The loss of the last entry of <see cref="LossHistory"/>.</summary>
    public double FinalLoss => LossHistory[^1].Loss;

    /// <summary>Time spent reading and checking the data view.</summary>
    public TimeSpan ReadTime { get; }

    /// <summary>Time spent in the minibatch loop (gradients and optimizer steps).</summary>
    public TimeSpan TrainTime { get; }
}
