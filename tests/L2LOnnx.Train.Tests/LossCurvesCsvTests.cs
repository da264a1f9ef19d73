using L2LOnnx.Train.Evaluation;

namespace L2LOnnx.Train.Tests;

/// <summary>Loss curves as long-format CSV, with the interquartile range over problems.</summary>
public sealed class LossCurvesCsvTests
{
    [Fact]
    public void EveryStepOptimizerAndStatisticIsOneRow()
    {
        var curves = new LossCurves("Adam(lr=0.1)", new float[,] { { 4, 1, 3, 2 }, { 0.5f, 0.5f, 0.5f, 2.5f } });

        var rows = LossCurvesCsv.Format([curves]).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(
        [
            "step,optimizer,statistic,value",
            "0,\"Adam(lr=0.1)\",mean,2.5", "0,\"Adam(lr=0.1)\",median,2.5", "0,\"Adam(lr=0.1)\",q25,1.75", "0,\"Adam(lr=0.1)\",q75,3.25",
            "1,\"Adam(lr=0.1)\",mean,1", "1,\"Adam(lr=0.1)\",median,0.5", "1,\"Adam(lr=0.1)\",q25,0.5", "1,\"Adam(lr=0.1)\",q75,1",
        ], rows);
    }

    [Fact]
    public void QuantilesSpanTheProblemsAndAgreeWithTheMedian()
    {
        var random = new Random(5);
        var losses = new float[3, 7];
        for (var s = 0; s < 3; s++)
            for (var p = 0; p < 7; p++) losses[s, p] = (float)random.NextDouble();
        var curves = new LossCurves("x", losses);

        for (var s = 0; s < 3; s++)
        {
            var column = Enumerable.Range(0, 7).Select(p => (double)losses[s, p]).ToArray();
            Assert.Equal(column.Min(), curves.Quantile(s, 0));
            Assert.Equal(column.Max(), curves.Quantile(s, 1));
            Assert.Equal(curves.Median(s), curves.Quantile(s, 0.5));
            Assert.InRange(curves.Median(s), curves.Quantile(s, 0.25), curves.Quantile(s, 0.75));
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => curves.Quantile(0, 1.5));
    }
}
