using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace L2LOnnx.Runtime;

/// <summary>
/// The binary checkpoint format of an <see cref="OptimizerState"/>, version 1, little-endian:
/// <code>
/// "L2LSTATE"            8 bytes magic
/// version               int32 (1)
/// model fingerprint     32 bytes (SHA-256 of the model file)
/// N, steps              int64, int64
/// segments              int32 count, then per segment: name (int32 byte count + UTF-8), int32 length
/// states                int32 count, then per state: name (as above), int32 width S
/// values                per state, N x S float32, row-major
/// checksum              32 bytes, SHA-256 of everything before it
/// </code>
/// Values are row-major whatever the engine's in-memory layout, so a checkpoint written under one
/// engine resumes under the other.
/// </summary>
internal static class StateCheckpoint
{
    private const int Version = 1;
    private const int ChunkCoordinates = 4096;
    private const int MaxNameBytes = 4096;
    private const int MaxCount = 1 << 20;

    /// <summary>
    /// Most steps a checkpoint may record: 2^48, about 9,000 years at a million steps a second. A larger
    /// count (long.MaxValue, say) is corruption, and would overflow the next step's counter.
    /// </summary>
    internal const long MaxSteps = 1L << 48;
    private static readonly byte[] Magic = "L2LSTATE"u8.ToArray();

    public static void Write(OptimizerState state, Stream stream)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Emit(ReadOnlySpan<byte> bytes)
        {
            hash.AppendData(bytes);
            stream.Write(bytes);
        }

        Emit(EncodeHeader(state));
        var floats = new float[ChunkCoordinates * (state.Specs.Count == 0 ? 1 : state.Specs.Max(s => s.Width))];
        for (var s = 0; s < state.Specs.Count; s++)
        {
            var width = state.Specs[s].Width;
            for (long first = 0; first < state.Length; first += ChunkCoordinates)
            {
                var count = (int)Math.Min(ChunkCoordinates, state.Length - first);
                var chunk = floats.AsSpan(0, count * width);
                state.CopyOut(s, first, count, chunk);
                if (!BitConverter.IsLittleEndian) ReverseEndianness(chunk);
                Emit(MemoryMarshal.AsBytes(chunk));
            }
        }
        stream.Write(hash.GetHashAndReset());
    }

    public static void Read(OptimizerState state, Stream stream, string source)
    {
        if (!stream.CanSeek)
        {
            var copy = new MemoryStream();
            stream.CopyTo(copy);
            copy.Position = 0;
            stream = copy;
        }

        var start = stream.Position;
        var available = stream.Length - start;
        var reader = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        CheckpointHeader header;
        try
        {
            header = ReadHeader(reader, source);
        }
        catch (EndOfStreamException)
        {
            throw new InvalidDataException($"{source}: the checkpoint is truncated ({available} bytes end inside the header)");
        }

        var payloadStart = stream.Position;
        var expected = payloadStart - start + header.Length * header.States.Sum(s => (long)s.Width) * sizeof(float) + 32;
        if (available != expected)
            throw new InvalidDataException($"{source}: the checkpoint has {available} bytes but its header describes {expected}: the file is truncated or corrupt");
        VerifyChecksum(stream, start, available, source);

        if (header.Fingerprint != state.ModelFingerprint)
            throw new InvalidDataException(
                $"{source}: the checkpoint belongs to another model (fingerprint {header.Fingerprint[..12]}…, this state's model is {state.ModelFingerprint[..12]}…); load it into a state of the optimizer that saved it");
        if (header.Length != state.Length)
            throw new InvalidDataException($"{source}: the checkpoint was saved for N = {header.Length} coordinates, this state has N = {state.Length}");
        if (!header.Segments.SequenceEqual(state.Segments.Select(s => (s.Name, s.Length))))
            throw new InvalidDataException(
                $"{source}: the checkpoint covers tensors [{Describe(header.Segments)}], this state covers [{Describe(state.Segments.Select(s => (s.Name, s.Length)))}]");
        if (!header.States.SequenceEqual(state.Specs.Select(s => (s.Name, s.Width))))
            throw new InvalidDataException($"{source}: the checkpoint's states differ from the model's");

        var floats = new float[ChunkCoordinates * (state.Specs.Count == 0 ? 1 : state.Specs.Max(s => s.Width))];
        RequireFinite(state, stream, payloadStart, floats, source);

        // Verified: from here on nothing can fail half-way, so the state is either untouched or fully restored.
        stream.Position = payloadStart;
        for (var s = 0; s < state.Specs.Count; s++)
        {
            var width = state.Specs[s].Width;
            for (long first = 0; first < state.Length; first += ChunkCoordinates)
            {
                var count = (int)Math.Min(ChunkCoordinates, state.Length - first);
                var chunk = floats.AsSpan(0, count * width);
                stream.ReadExactly(MemoryMarshal.AsBytes(chunk));
                if (!BitConverter.IsLittleEndian) ReverseEndianness(chunk);
                state.CopyIn(s, first, count, chunk);
            }
        }
        state.Steps = header.Steps;
    }

    /// <summary>
    /// A checksum proves the file is what was written, not that it is sane: a tool can write NaN and
    /// recompute the checksum. A learned optimizer's state is finite, so anything else is refused.
    /// </summary>
    private static void RequireFinite(OptimizerState state, Stream stream, long payloadStart, float[] floats, string source)
    {
        stream.Position = payloadStart;
        for (var s = 0; s < state.Specs.Count; s++)
        {
            var width = state.Specs[s].Width;
            for (long first = 0; first < state.Length; first += ChunkCoordinates)
            {
                var count = (int)Math.Min(ChunkCoordinates, state.Length - first);
                var chunk = floats.AsSpan(0, count * width);
                stream.ReadExactly(MemoryMarshal.AsBytes(chunk));
                if (!BitConverter.IsLittleEndian) ReverseEndianness(chunk);
                for (var i = 0; i < chunk.Length; i++)
                {
                    if (!float.IsFinite(chunk[i]))
                        throw new InvalidDataException(
                            $"{source}: state '{state.Specs[s].Name}' holds {chunk[i]} at coordinate {first + i / width}: a checkpoint's values must be finite (the file was corrupted or written from a diverged state)");
                }
            }
        }
    }

    private static byte[] EncodeHeader(OptimizerState state)
    {
        using var memory = new MemoryStream();
        using (var writer = new BinaryWriter(memory, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Magic);
            writer.Write(Version);
            writer.Write(Convert.FromHexString(state.ModelFingerprint));
            writer.Write((long)state.Length);
            writer.Write(state.Steps);
            writer.Write(state.Segments.Count);
            foreach (var segment in state.Segments)
            {
                WriteName(writer, segment.Name);
                writer.Write(segment.Length);
            }
            writer.Write(state.Specs.Count);
            foreach (var spec in state.Specs)
            {
                WriteName(writer, spec.Name);
                writer.Write(spec.Width);
            }
        }
        return memory.ToArray();
    }

    private static CheckpointHeader ReadHeader(BinaryReader reader, string source)
    {
        if (!reader.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic))
            throw new InvalidDataException($"{source}: not an L2LOnnx optimizer-state checkpoint (no 'L2LSTATE' magic)");
        var version = reader.ReadInt32();
        if (version != Version)
            throw new InvalidDataException($"{source}: checkpoint format version {version}; this runtime reads version {Version}");
        var fingerprint = Convert.ToHexString(reader.ReadBytes(32)).ToLowerInvariant();
        var length = reader.ReadInt64();
        var steps = reader.ReadInt64();
        var segments = new List<(string Name, int Length)>();
        var segmentCount = Count(reader.ReadInt32(), "segment", source);
        for (var i = 0; i < segmentCount; i++) segments.Add((ReadName(reader, source), reader.ReadInt32()));
        var states = new List<(string Name, int Width)>();
        var stateCount = Count(reader.ReadInt32(), "state", source);
        for (var i = 0; i < stateCount; i++) states.Add((ReadName(reader, source), reader.ReadInt32()));
        if (steps is < 0 or > MaxSteps)
            throw new InvalidDataException($"{source}: the checkpoint records {steps} steps; a valid count is 0 to {MaxSteps} (2^48), so the header is corrupt");
        if (length < 1 || length > int.MaxValue || states.Any(s => s.Item2 < 1 || s.Item2 > OptimizerContract.MaxStateWidth))
            throw new InvalidDataException($"{source}: the checkpoint header is corrupt (N = {length}, steps = {steps})");
        return new CheckpointHeader(fingerprint, length, steps, segments, states);
    }

    private static void VerifyChecksum(Stream stream, long start, long available, string source)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        stream.Position = start;
        var buffer = new byte[1 << 16];
        var remaining = available - 32;
        while (remaining > 0)
        {
            var read = stream.Read(buffer, 0, (int)Math.Min(buffer.Length, remaining));
            if (read == 0) throw new InvalidDataException($"{source}: the checkpoint is truncated");
            hash.AppendData(buffer, 0, read);
            remaining -= read;
        }
        var stored = new byte[32];
        stream.ReadExactly(stored);
        if (!hash.GetHashAndReset().AsSpan().SequenceEqual(stored))
            throw new InvalidDataException($"{source}: the checkpoint's checksum does not match its content: the file is corrupt");
    }

    private static int Count(int count, string what, string source) =>
        count is >= 0 and <= MaxCount ? count : throw new InvalidDataException($"{source}: the checkpoint header is corrupt ({count} {what}s)");

    private static void WriteName(BinaryWriter writer, string name)
    {
        var bytes = Encoding.UTF8.GetBytes(name);
        writer.Write(bytes.Length);
        writer.Write(bytes);
    }

    private static string ReadName(BinaryReader reader, string source)
    {
        var length = reader.ReadInt32();
        if (length is < 0 or > MaxNameBytes) throw new InvalidDataException($"{source}: the checkpoint header is corrupt (a name of {length} bytes)");
        var bytes = reader.ReadBytes(length);
        if (bytes.Length != length) throw new EndOfStreamException();
        return Encoding.UTF8.GetString(bytes);
    }

    private static string Describe(IEnumerable<(string Name, int Length)> segments) =>
        string.Join(", ", segments.Select(s => s.Name.Length == 0 ? s.Length.ToString() : $"{s.Name}: {s.Length}"));

    private static void ReverseEndianness(Span<float> values)
    {
        var ints = MemoryMarshal.Cast<float, int>(values);
        BinaryPrimitives.ReverseEndianness(ints, ints);
    }

    private sealed record CheckpointHeader(string Fingerprint, long Length, long Steps, List<(string Name, int Length)> Segments, List<(string Name, int Width)> States);
}
