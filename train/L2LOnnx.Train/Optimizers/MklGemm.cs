using System.Runtime.InteropServices;

namespace L2LOnnx.Train.Optimizers;

/// <summary>
/// Single-precision matrix products on row-major float memory through the MKL that libtorch itself
/// links (libtorch's CPU builds for x64 export MKL's BLAS), called directly: no tensor, dispatcher or
/// autograd node per product, and always on the calling thread.
/// </summary>
/// <remarks>
/// <para>
/// Why not <c>torch.mm</c>: the fused optimizer step (<see cref="FusedLstmStep"/>) runs its products on
/// blocks of coordinates, several threads at once, each block followed by its elementwise pass while
/// the block is still in cache. Through libtorch every block product would pay the op's fixed cost
/// (microseconds, as much as a small product itself) and would run MKL's own OpenMP threading inside
/// our threads. Each product here sets MKL's thread-local thread count to one
/// (<c>mkl_set_num_threads_local</c>) for its duration, so the blocks are the only parallelism and no
/// OpenMP team is woken: the cause, measured in docs/training.md, of meta-training being slower at 2
/// threads than at 1.
/// </para>
/// <para>
/// <see cref="IsAvailable"/> is false where the loaded libtorch has no MKL (e.g. macOS arm64); the cell
/// then falls back to <see cref="FusedLstmCell"/>, one layer at a time with libtorch's products.
/// </para>
/// </remarks>
internal static unsafe class MklGemm
{
    private static readonly delegate* unmanaged<byte*, byte*, int*, int*, int*, float*, float*, int*, float*, int*, float*, float*, int*, void> Sgemm;
    private static readonly delegate* unmanaged<int, int> SetLocalThreads;

    static MklGemm()
    {
        // Loads libtorch through TorchSharp if nothing has yet; the lookup below only finds that loaded copy.
        TorchSharp.torch.InitializeDeviceType(TorchSharp.DeviceType.CPU);
        foreach (var name in new[] { "libtorch_cpu.so", "torch_cpu.dll", "libtorch_cpu.dylib" })
        {
            if (!NativeLibrary.TryLoad(name, out var library)) continue;
            // MKL's Fortran-style sgemm_ (arguments by reference), and the C entry of the thread-local
            // thread count (the lower-case mkl_set_num_threads_local export is the Fortran one).
            if (NativeLibrary.TryGetExport(library, "sgemm_", out var sgemm) &&
                NativeLibrary.TryGetExport(library, "MKL_Set_Num_Threads_Local", out var local))
            {
                Sgemm = (delegate* unmanaged<byte*, byte*, int*, int*, int*, float*, float*, int*, float*, int*, float*, float*, int*, void>)sgemm;
                SetLocalThreads = (delegate* unmanaged<int, int>)local;
            }
            return;
        }
    }

    /// <summary>True when libtorch's MKL was found: <see cref="Multiply"/> may be called.</summary>
    public static bool IsAvailable => Sgemm != null;

    /// <summary>
    /// <c>C = alpha op(A) op(B) + beta C</c> for row-major matrices: <c>C</c> is <paramref name="m"/> x
    /// <paramref name="n"/> with row stride <paramref name="ldc"/>; <c>op(A)</c> is m x k, stored as A
    /// (rows of length &gt;= k) or, with <paramref name="transposeA"/>, as A^T (k x m); likewise B.
    /// With <paramref name="beta"/> 0, C's previous contents are never read.
    /// </summary>
    public static void Multiply(bool transposeA, bool transposeB, int m, int n, int k, float alpha,
        float* a, int lda, float* b, int ldb, float beta, float* c, int ldc)
    {
        if (m == 0 || n == 0) return;
        // Row-major C = op(A) op(B) is column-major C^T = op(B)^T op(A)^T: swap the operands, keep the flags.
        var transB = (byte)(transposeB ? 'T' : 'N');
        var transA = (byte)(transposeA ? 'T' : 'N');
        var previous = SetLocalThreads(1);
        try
        {
            Sgemm(&transB, &transA, &n, &m, &k, &alpha, b, &ldb, a, &lda, &beta, c, &ldc);
        }
        finally
        {
            SetLocalThreads(previous);
        }
    }
}
