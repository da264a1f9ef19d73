namespace L2LOnnx.MLNet;

/// <summary>What a trainer reports to <see cref="LearnedOptimizerTrainerOptions.Progress"/>.</summary>
/// <param name="Step">Minibatch steps taken so far.</param>
/// <param name="TotalSteps">Steps the training will take.</param>
/// <param name="Epoch">Passes over the data so far, fractional.</param>
/// <param name="Loss">Mean minibatch training loss over the steps since the previous report (without the L2 term), weighted by
/// the example weights; NaN if every row of those steps weighed 0.</param>
/// <param name="Elapsed">Time since training started (after the data was read).</param>
public sealed record TrainingProgress(int Step, int TotalSteps, double Epoch, double Loss, TimeSpan Elapsed);
