namespace L2LOnnx.Train.Data;

/// <summary>
/// A data set's files are not where they were looked for. The message names the missing file, the
/// folder that was searched and the command that gets the data, because the reader of that message is
/// usually someone running the tool for the first time.
/// </summary>
public sealed class DataSetNotFoundException : FileNotFoundException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What was looked for where, and how to get it.</param>
    /// <param name="fileName">Full path of the missing file (or folder).</param>
    /// <param name="remedy">The fix alone, e.g. the install command, for callers that show it separately.</param>
    public DataSetNotFoundException(string message, string fileName, string remedy)
        : base(message, fileName)
    {
        Remedy = remedy;
    }

    /// <summary>How to get the missing data (also contained in <see cref="Exception.Message"/>).</summary>
    public string Remedy { get; }
}
