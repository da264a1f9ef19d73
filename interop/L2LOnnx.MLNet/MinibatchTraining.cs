using System.Diagnostics;
using L2LOnnx.Runtime;

namespace L2LOnnx.MLNet;

/// <summary>
/// The optimizee's training loop: shuffle each epoch, take minibatch gradients of the weighted mean loss
/// (+ L2), and let the optimizer turn each gradient into an update. Stops with <see cref="TrainingDivergedException"/>
/// as soon as a loss, gradient or parameter stops being finite. It hands the progress to its report callback
/// every <see cref="LearnedOptimizerTrainerOptions.ProgressInterval"/> steps and after the last.
/// </summary>
internal sealed class MinibatchTraining(TrainingSet data, Network network, PredictionTask task, LearnedOptimizerTrainerOptions options,
    string optimizerName, string divergenceHint, Action<TrainingProgress> report)
{
    /// <summary>Trains from a fresh initialisation; returns θ and the loss history.</summary>
    public (float[] Theta, IReadOnlyList<TrainingProgress> History, TimeSpan Elapsed) Run(IVectorOptimizer optimizer, Random random)
    {
        var rows = data.Rows;
        var batchSize = Math.Min(options.BatchSize, rows);
        var stepsPerEpoch = (rows + batchSize - 1) / batchSize;
        var totalSteps = options.NumberOfSteps ?? checked(options.NumberOfEpochs * stepsPerEpoch);
        var dimension = data.Dimension;
        var outputs = network.Outputs;

        var theta = new float[network.ParameterCount];
        var gradient = new float[theta.Length];
        network.Initialize(theta, random);
        var order = Enumerable.Range(0, rows).ToArray();
        var x = new float[batchSize * dimension];
        var y = new float[batchSize];
        var w = new float[batchSize];
        var logits = new float[batchSize * outputs];
        var logitGradients = new float[batchSize * outputs];

        var history = new List<TrainingProgress>();
        var clock = Stopwatch.StartNew();
        var next = rows;
        long rowsSeen = 0;
        double intervalLoss = 0;
        double intervalWeight = 0;
        for (var step = 1; step <= totalSteps; step++)
        {
            if (next == rows)
            {
                random.Shuffle(order);
                next = 0;
            }
            var batch = Math.Min(batchSize, rows - next);
            for (var i = 0; i < batch; i++)
            {
                var row = order[next + i];
                data.Row(row).CopyTo(x.AsSpan(i * dimension, dimension));
                y[i] = data.Targets[row];
                w[i] = data.Weights[row];
                intervalWeight += w[i];
            }
            next += batch;
            rowsSeen += batch;

            var xs = x.AsSpan(0, batch * dimension);
            network.Forward(theta, xs, batch, logits.AsSpan(0, batch * outputs));
            var loss = task.Loss(logits.AsSpan(0, batch * outputs), y, w, batch, logitGradients);
            if (!double.IsFinite(loss)) throw Diverged(step, totalSteps, rowsSeen, "training loss", loss);
            network.Backward(theta, xs, batch, logitGradients.AsSpan(0, batch * outputs), gradient);
            network.AddL2(theta, options.L2Regularization, gradient);
            try
            {
                optimizer.Step(theta, gradient);
            }
            catch (ArgumentException e) when (e.ParamName == "gradients")
            {
                throw Diverged(step, totalSteps, rowsSeen, "gradient", double.NaN, e);
            }

            intervalLoss += loss;
            if (step % options.ProgressInterval == 0 || step == totalSteps)
            {
                // A stretch of zero-weight rows has no weighted loss to average.
                var meanLoss = intervalWeight > 0 ? intervalLoss / intervalWeight : double.NaN;
                var progress = new TrainingProgress(step, totalSteps, (double)rowsSeen / rows, meanLoss, clock.Elapsed);
                history.Add(progress);
                report(progress);
                intervalLoss = 0;
                intervalWeight = 0;
            }
        }

        for (var i = 0; i < theta.Length; i++)
            if (!float.IsFinite(theta[i])) throw Diverged(totalSteps, totalSteps, rowsSeen, $"parameter {i}", theta[i]);
        return (theta, history, clock.Elapsed);
    }

    private TrainingDivergedException Diverged(int step, int totalSteps, long rowsSeen, string what, double value, Exception? inner = null)
    {
        var message = $"training diverged at step {step} of {totalSteps} (epoch {(double)rowsSeen / data.Rows:0.##}): the {what} became " +
                      $"{(inner is null ? value.ToString(System.Globalization.CultureInfo.InvariantCulture) : "non-finite")} with optimizer {optimizerName}. {divergenceHint}";
        return inner is null ? new TrainingDivergedException(message) : new TrainingDivergedException(message, inner);
    }
}
