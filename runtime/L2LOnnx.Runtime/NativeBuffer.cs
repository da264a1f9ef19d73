using System.Runtime.InteropServices;

namespace L2LOnnx.Runtime;

/// <summary>
/// A 64-byte aligned block of native floats. Native rather than managed so that ONNX Runtime and the
/// fused kernel can read and write it in place without pinning, and so the garbage collector never
/// moves or scans it. The owner disposes it; spans and pointers taken from it must not outlive it.
/// </summary>
internal sealed unsafe class NativeBuffer : IDisposable
{
    private float* data;

    /// <summary>Number of floats.</summary>
    public long Length { get; }

    /// <summary>Allocates <paramref name="length"/> floats, zeroed.</summary>
    /// <exception cref="OutOfMemoryException">The machine cannot provide the memory; the message says how much was asked.</exception>
    public NativeBuffer(long length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Length = length;
        var bytes = (nuint)Math.Max(1, length) * sizeof(float);
        try
        {
            data = (float*)NativeMemory.AlignedAlloc(bytes, 64);
        }
        catch (OutOfMemoryException e)
        {
            throw new OutOfMemoryException($"cannot allocate {bytes / (1024.0 * 1024.0):0.#} MiB of optimizer state; shard the parameters into smaller states (see docs/runtime.md)", e);
        }
        NativeMemory.Clear(data, bytes);
    }

    /// <summary>Address of the first float.</summary>
    public float* Data => Alive();

    /// <summary>The whole buffer as a span (lengths above int.MaxValue are not supported by spans).</summary>
    public Span<float> Span => new(Alive(), checked((int)Length));

    /// <summary>A part of the buffer.</summary>
    public Span<float> Slice(long start, int length)
    {
        if (start < 0 || length < 0 || start + length > Length) throw new ArgumentOutOfRangeException(nameof(start));
        return new Span<float>(Alive() + start, length);
    }

    /// <summary>Sets every float to zero.</summary>
    public void Clear() => NativeMemory.Clear(Alive(), (nuint)Length * sizeof(float));

    private float* Alive() => data != null ? data : throw new ObjectDisposedException(nameof(NativeBuffer));

    /// <inheritdoc />
    public void Dispose()
    {
        if (data == null) return;
        NativeMemory.AlignedFree(data);
        data = null;
    }
}
