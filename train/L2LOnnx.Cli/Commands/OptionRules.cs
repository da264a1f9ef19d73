using System.CommandLine;
using System.Globalization;

namespace L2LOnnx.Cli.Commands;

/// <summary>
/// Range checks that run in the parser, so a bad value is refused before any banner or work, in
/// the flag's own name: <c>--trajectories must be &gt;= 1 (got -3)</c>.
/// </summary>
internal static class OptionRules
{
    /// <summary>Refuses values of <paramref name="option"/> for which <paramref name="valid"/> is false; <paramref name="rule"/> completes "--x must be ...".</summary>
    public static Option<T> Must<T>(this Option<T> option, Func<T, bool> valid, string rule)
    {
        option.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<T>();
            if (!valid(value))
                result.AddError(string.Create(CultureInfo.InvariantCulture, $"{option.Name} must be {rule} (got {value})"));
        });
        return option;
    }

    /// <summary>Whole numbers from <paramref name="minimum"/> up.</summary>
    public static Option<int> AtLeast(this Option<int> option, int minimum) =>
        option.Must(v => v >= minimum, $">= {minimum}");

    /// <summary>Whole numbers from <paramref name="minimum"/> up, when given.</summary>
    public static Option<int?> AtLeast(this Option<int?> option, int minimum) =>
        option.Must(v => v is null || v >= minimum, $">= {minimum}");

    /// <summary>Whole numbers between <paramref name="minimum"/> and <paramref name="maximum"/>.</summary>
    public static Option<int> Between(this Option<int> option, int minimum, int maximum) =>
        option.Must(v => v >= minimum && v <= maximum, $"between {minimum} and {maximum}");

    /// <summary>Finite numbers above zero.</summary>
    public static Option<double> Positive(this Option<double> option) =>
        option.Must(v => v > 0 && double.IsFinite(v), "a positive number");

    /// <summary>Finite numbers above zero, when given.</summary>
    public static Option<double?> Positive(this Option<double?> option) =>
        option.Must(v => v is null || (v > 0 && double.IsFinite(v.Value)), "a positive number");

    /// <summary>Finite numbers from zero up.</summary>
    public static Option<double> NonNegative(this Option<double> option) =>
        option.Must(v => v >= 0 && double.IsFinite(v), ">= 0");
}
