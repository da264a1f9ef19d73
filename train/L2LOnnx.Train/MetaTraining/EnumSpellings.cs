namespace L2LOnnx.Train.MetaTraining;

/// <summary>
/// The command-line spellings of an enum whose values each have one name: every spelling in declaration order,
/// and the parse back, derived from the one function that writes them.
/// </summary>
internal static class EnumSpellings
{
    /// <summary>Every value's spelling, in declaration order.</summary>
    public static string[] Names<T>(Func<T, string> spell) where T : struct, Enum => [.. Enum.GetValues<T>().Select(spell)];

    /// <summary>The value spelled <paramref name="name"/>; otherwise an error naming the <paramref name="what"/> and the spellings.</summary>
    public static T Parse<T>(string name, Func<T, string> spell, string what) where T : struct, Enum =>
        Enum.GetValues<T>().Where(v => spell(v) == name).Cast<T?>().FirstOrDefault()
        ?? throw new ArgumentException($"unknown {what} '{name}': use {string.Join(" or ", Names(spell))}", nameof(name));
}
