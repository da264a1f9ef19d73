using System.Runtime.InteropServices;

namespace L2LOnnx.Runtime.Engines.Fused;

/// <summary>
/// The native memory behind a compiled plan: zeroed 64-byte aligned blocks (whole cache lines, and the
/// widest SIMD loads), all freed together on dispose. Native so the kernels' pointers stay valid
/// without pinning.
/// </summary>
internal sealed unsafe class NativeArena : IDisposable
{
    private readonly List<IntPtr> allocations = new();

    /// <summary>A zeroed, 64-byte aligned block of <paramref name="bytes"/> bytes (at least one).</summary>
    public void* Allocate(int bytes)
    {
        var size = (nuint)Math.Max(bytes, 1);
        var pointer = NativeMemory.AlignedAlloc(size, 64);
        NativeMemory.Clear(pointer, size);
        allocations.Add((IntPtr)pointer);
        return pointer;
    }

    /// <summary>A native copy of <paramref name="values"/>.</summary>
    public float* Copy(float[] values)
    {
        var target = (float*)Allocate(sizeof(float) * values.Length);
        values.AsSpan().CopyTo(new Span<float>(target, values.Length));
        return target;
    }

    /// <summary>Frees every block; pointers handed out before are dangling afterwards.</summary>
    public void Dispose()
    {
        foreach (var pointer in allocations) NativeMemory.AlignedFree((void*)pointer);
        allocations.Clear();
    }
}
