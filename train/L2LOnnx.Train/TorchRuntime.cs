using System.Runtime.InteropServices;
using TorchSharp;

namespace L2LOnnx.Train;

/// <summary>
/// Process-wide settings that make TorchSharp fast on small CPU machines. Call once at start-up,
/// before the first tensor: two of the settings only take effect before libtorch is loaded.
/// </summary>
public static partial class TorchRuntime
{
    private const int M_TRIM_THRESHOLD = -1;
    private const int M_MMAP_MAX = -4;

    /// <summary>
    /// Makes idle OpenMP threads sleep, sets libtorch's intra-op thread count (0 keeps libtorch's default,
    /// one per core) and stops glibc from returning freed memory to the kernel.
    /// </summary>
    /// <remarks>
    /// TorchSharp allocates fresh tensors for every op. With glibc's defaults, large blocks are mmap'ed
    /// and unmapped each time and the heap is trimmed, so every op page-faults fresh memory; measured on
    /// these 2-core VMs, keeping freed memory in the process made a meta-training trajectory about 6x
    /// faster. Memory stays bounded by the peak working set.
    /// <para>
    /// libtorch's OpenMP (libgomp) lets idle worker threads spin for a while after every parallel region.
    /// With more than one thread and the many small ops of meta-training, the spinning workers took the
    /// cores from the thread doing the work: 20 small quadratic trajectories took 8 s at 2 threads against
    /// 0.5 s at 1 thread, and 0.6 s at 2 threads with <c>OMP_WAIT_POLICY=PASSIVE</c>. libgomp reads the
    /// variable when it is loaded, so it is set here (unless the user set it, or <c>GOMP_SPINCOUNT</c>)
    /// before the first torch call. Spinning may help large problems on an otherwise idle machine (one
    /// back-to-back MNIST measurement at 2 threads: 2.5 s per trajectory active against 3.0 s passive),
    /// but on a shared one it costs small problems everything (quadratics: 8.5 s against 0.15 s), and
    /// short spins (<c>GOMP_SPINCOUNT</c> 3,000 to 300,000) were slower than passive for both.
    /// </para>
    /// </remarks>
    public static void Configure(int threads)
    {
        if (OperatingSystem.IsLinux())
        {
            try
            {
                // A user's own choice of spinning (either variable) wins.
                if (Environment.GetEnvironmentVariable("GOMP_SPINCOUNT") is null)
                    setenv("OMP_WAIT_POLICY", "PASSIVE", overwrite: 0);
                mallopt(M_MMAP_MAX, 0);
                mallopt(M_TRIM_THRESHOLD, int.MaxValue);
            }
            catch (EntryPointNotFoundException)
            {
                // Not glibc (musl, say): nothing to tune.
            }
            catch (DllNotFoundException)
            {
            }
        }
        if (threads > 0) torch.set_num_threads(threads);
    }

    [LibraryImport("libc", EntryPoint = "mallopt")]
    private static partial int mallopt(int parameter, int value);

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int setenv(string name, string value, int overwrite);
}
