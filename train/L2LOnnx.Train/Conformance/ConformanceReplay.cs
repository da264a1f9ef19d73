namespace L2LOnnx.Train.Conformance;

/// <summary>Replays recorded vectors on an engine and measures the largest difference.</summary>
public static class ConformanceReplay
{
    /// <summary>
    /// Runs every recorded step on <paramref name="engine"/> from the all-zero state and compares each
    /// update, and each state where one was recorded, with <see cref="RelativeDifference"/>.
    /// </summary>
    public static ConformanceReport Run(ConformanceVectors vectors, IConformanceEngine engine)
    {
        engine.Reset(vectors.Coordinates);
        var update = new float[vectors.Coordinates];
        var worst = new ConformanceReport(engine.Name, 0, 1, "update", 0, 0, 0, vectors.Tolerance);
        for (var i = 0; i < vectors.Steps.Count; i++)
        {
            var step = vectors.Steps[i];
            engine.Step(step.Grad, update);
            worst = Worse(worst, step.Update, update, i + 1, "update");
            if (step.StateAfter is null) continue;
            foreach (var (name, expected) in step.StateAfter)
                worst = Worse(worst, expected, engine.State(name), i + 1, name);
        }
        return worst;
    }

    private static ConformanceReport Worse(ConformanceReport worst, ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, int step, string value)
    {
        var (difference, index) = RelativeDifference.Largest(expected, actual);
        return difference > worst.Difference
            ? worst with { Difference = difference, Step = step, Value = value, Index = index, Expected = expected[index], Actual = actual[index] }
            : worst;
    }
}
