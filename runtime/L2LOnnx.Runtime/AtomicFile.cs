using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace L2LOnnx.Runtime;

/// <summary>
/// Writes files so that readers see either the old content or the complete new content, never a
/// half-written file: write a temporary file in the same folder, flush it to disk, then rename it over
/// the target (an atomic replace on POSIX file systems).
/// </summary>
/// <remarks>
/// The temporary file is named <c>.&lt;target&gt;.&lt;process id&gt;.&lt;random&gt;.l2l-tmp</c>. It is
/// deleted when the write fails; a process killed mid-write cannot do that, so every write first deletes
/// the temporary files of the same target that no live writer owns: those of processes that no longer
/// run, and this process's own that no write in flight holds.
/// </remarks>
public static class AtomicFile
{
    /// <summary>The suffix of temporary files, recognisable in a folder listing.</summary>
    public const string TemporarySuffix = ".l2l-tmp";

    private static readonly ConcurrentDictionary<string, byte> InFlight = new(StringComparer.Ordinal);

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/> atomically.</summary>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        var full = Path.GetFullPath(path);
        var temporary = Begin(full);
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            End(temporary);
        }
    }

    /// <summary>
    /// Writes <paramref name="path"/> atomically from <paramref name="write"/>, which streams the content
    /// (for files too large to build in memory). If <paramref name="write"/> throws, the target is untouched
    /// and no temporary file remains.
    /// </summary>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        var full = Path.GetFullPath(path);
        var temporary = Begin(full);
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            End(temporary);
        }
    }

    /// <summary>Creates the folder, removes stale temporary files of <paramref name="full"/>, and names a new one.</summary>
    private static string Begin(string full)
    {
        var directory = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(directory);
        RemoveStale(directory, Path.GetFileName(full));
        var temporary = Path.Combine(directory, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}{TemporarySuffix}");
        InFlight[temporary] = 0;
        return temporary;
    }

    /// <summary>After a successful rename the file is gone; after a failure it is deleted here.</summary>
    private static void End(string temporary)
    {
        try
        {
            File.Delete(temporary);
        }
        finally
        {
            InFlight.TryRemove(temporary, out _);
        }
    }

    private static void RemoveStale(string directory, string name)
    {
        var prefix = $".{name}.";
        foreach (var candidate in Directory.EnumerateFiles(directory, $"{prefix}*{TemporarySuffix}"))
        {
            var middle = Path.GetFileName(candidate)[prefix.Length..^TemporarySuffix.Length];
            var dot = middle.IndexOf('.');
            if (dot <= 0 || !int.TryParse(middle.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)) continue;
            var stale = pid == Environment.ProcessId ? !InFlight.ContainsKey(candidate) : !IsRunning(pid);
            if (!stale) continue;
            try
            {
                File.Delete(candidate);
            }
            catch (IOException)
            {
                // Another writer cleaning up the same file at the same moment; it is gone either way.
            }
            catch (UnauthorizedAccessException)
            {
                // Someone else's file in a shared folder: not ours to remove.
            }
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
