using System.IO.Compression;

namespace L2LOnnx.Train.Data;

/// <summary>
/// File helpers shared by the readers: transparent gzip, exact reads, and error messages that always name
/// the file (a bare "unexpected end of stream" is useless when four files are loaded in a row).
/// </summary>
internal static class DataFile
{
    /// <summary>
    /// Opens <paramref name="path"/> for reading, decompressing on the fly when it starts with the gzip
    /// magic bytes 1f 8b. The content decides, not the extension, so renamed or pre-extracted files work.
    /// </summary>
    public static Stream OpenRead(string path)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        try
        {
            Span<byte> magic = stackalloc byte[2];
            int got = file.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
            file.Position = 0;
            if (got == 2 && magic[0] == 0x1f && magic[1] == 0x8b)
                return new BufferedStream(new GZipStream(file, CompressionMode.Decompress), 1 << 16);
            return file;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Reads the whole (decompressed) content.</summary>
    public static byte[] ReadAllBytes(string path)
    {
        using var stream = OpenRead(path);
        using var buffer = new MemoryStream();
        try
        {
            stream.CopyTo(buffer);
        }
        catch (InvalidDataException e)
        {
            throw Corrupt(path, "the gzip data is damaged (" + e.Message + ")");
        }
        return buffer.ToArray();
    }

    /// <summary>
    /// Fills <paramref name="destination"/> from <paramref name="stream"/>, throwing
    /// <see cref="InvalidDataException"/> naming the file when it ends early.
    /// </summary>
    public static void ReadExactly(Stream stream, Span<byte> destination, string path, string what)
    {
        int got;
        try
        {
            got = stream.ReadAtLeast(destination, destination.Length, throwOnEndOfStream: false);
        }
        catch (InvalidDataException e)
        {
            throw Corrupt(path, "the gzip data is damaged (" + e.Message + ")");
        }
        if (got < destination.Length)
            throw Corrupt(path, $"truncated: expected {destination.Length} bytes of {what}, found only {got}");
    }

    /// <summary>True when the stream has no bytes left (used to reject files longer than their header says).</summary>
    public static bool AtEnd(Stream stream, string path)
    {
        try
        {
            return stream.ReadByte() < 0;
        }
        catch (InvalidDataException e)
        {
            throw Corrupt(path, "the gzip data is damaged (" + e.Message + ")");
        }
    }

    /// <summary>The exception for a file that exists but is not what it should be.</summary>
    public static InvalidDataException Corrupt(string path, string problem) =>
        new($"{path}: {problem}.");
}
