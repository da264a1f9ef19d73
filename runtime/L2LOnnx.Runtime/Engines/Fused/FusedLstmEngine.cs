using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace L2LOnnx.Runtime.Engines.Fused;

/// <summary>
/// Runs a recognised LSTM optimizer (<see cref="FusedLstmModel"/>) on the CPU with a hand-written SIMD
/// kernel (<see cref="LstmKernel{TVec,TSimd}"/>): states are stored blocked and updated in place,
/// blocks of coordinates are spread over the calling thread and <c>threads - 1</c> helpers.
/// </summary>
internal sealed unsafe class FusedLstmEngine : IStepEngine
{
    /// <summary>Blocks per chunk handed to a thread: enough work to amortise the hand-off, small enough to balance.</summary>
    private const int BlocksPerChunk = 16;

    private readonly NativePlan plan;
    private readonly WorkerTeam? team;
    private readonly delegate*<KernelArguments*, int, int, float*, void> kernel;

    /// <param name="model">The recognised model.</param>
    /// <param name="threads">Threads per step, the caller's included.</param>
    /// <param name="widest">Cap on the vector width in bits (512, 256, or 0 for the portable path);
    /// lets tests run the narrower paths on a machine that has the wider ones.</param>
    public FusedLstmEngine(FusedLstmModel model, int threads, int widest = 512)
    {
        plan = new NativePlan(model);
        string simd;
        if (widest >= 512 && Simd512.IsSupported)
        {
            kernel = &LstmKernel<Vector512<float>, Simd512>.Run;
            BlockWidth = LstmKernel<Vector512<float>, Simd512>.BlockWidth;
            simd = Simd512.Name;
        }
        else if (widest >= 256 && Simd256.IsSupported)
        {
            kernel = &LstmKernel<Vector256<float>, Simd256>.Run;
            BlockWidth = LstmKernel<Vector256<float>, Simd256>.BlockWidth;
            simd = Simd256.Name;
        }
        else
        {
            kernel = &LstmKernel<System.Numerics.Vector<float>, SimdPortable>.Run;
            BlockWidth = LstmKernel<System.Numerics.Vector<float>, SimdPortable>.BlockWidth;
            simd = SimdPortable.Name;
        }
        ScratchFloats = (2 + plan.MaxPaddedRows) * BlockWidth;
        Threads = Math.Max(1, threads);
        team = Threads > 1 ? new WorkerTeam(Threads - 1, ScratchFloats) : null;
        Description = $"fused CPU engine: {model.Describe()}; {simd}, {BlockWidth} coordinates per block, {Threads} thread{(Threads == 1 ? "" : "s")}";
    }

    /// <summary>What runs, e.g. <c>fused CPU engine: LSTM 2x20, ...; AVX-512, 32 coordinates per block, 2 threads</c>.</summary>
    public string Description { get; }

    public int Threads { get; }

    /// <summary>Coordinates per block (two SIMD vectors).</summary>
    public int BlockWidth { get; }

    private int ScratchFloats { get; }

    public StateLayout Layout => new(BlockWidth, DoubleBuffered: false);

    public void Step(OptimizerState state, bool hasNonFinite)
    {
        // Bad lanes are masked inside the kernel, so hasNonFinite needs no extra pass here.
        var workspace = state.EngineWorkspace as Workspace;
        if (workspace is null || workspace.Owner != this)
        {
            state.EngineWorkspace?.Dispose();
            state.EngineWorkspace = null;
            workspace = new Workspace(this, state);
            state.EngineWorkspace = workspace;
        }
        workspace.Run();
    }

    public void Dispose()
    {
        team?.Dispose();
        plan.Dispose();
    }

    /// <summary>A state's pointers for the kernel, the caller's scratch, and the chunking of its blocks.</summary>
    private sealed class Workspace : IChunkedWork, IDisposable
    {
        private readonly KernelArguments* arguments;
        private readonly float** states;
        private readonly float* scratch;
        private readonly int blocks;
        private readonly int chunkBlocks;
        private readonly int chunks;

        public Workspace(FusedLstmEngine owner, OptimizerState state)
        {
            Owner = owner;
            blocks = (int)(state.Layout.PaddedLength(state.Length) / owner.BlockWidth);
            // Small states get smaller chunks so that every thread still has some.
            chunkBlocks = Math.Clamp(blocks / (owner.Threads * 4), 1, BlocksPerChunk);
            chunks = (blocks + chunkBlocks - 1) / chunkBlocks;
            states = (float**)NativeMemory.Alloc((nuint)Math.Max(1, state.Specs.Count), (nuint)sizeof(float*));
            for (var s = 0; s < state.Specs.Count; s++) states[s] = state.Current(s).Data;
            arguments = (KernelArguments*)NativeMemory.Alloc((nuint)sizeof(KernelArguments));
            *arguments = new KernelArguments
            {
                Plan = owner.plan.Plan,
                Gradient = state.Gradient.Data,
                Update = state.Update.Data,
                States = states,
            };
            scratch = (float*)NativeMemory.AlignedAlloc((nuint)owner.ScratchFloats * sizeof(float), 64);
        }

        public FusedLstmEngine Owner { get; }

        public void Run()
        {
            if (Owner.team is null || chunks < 2 || !Owner.team.TryRun(this, chunks, scratch))
                Owner.kernel(arguments, 0, blocks, scratch);
        }

        public void RunChunk(int chunk, float* own)
        {
            var first = chunk * chunkBlocks;
            Owner.kernel(arguments, first, Math.Min(blocks, first + chunkBlocks), own);
        }

        public void Dispose()
        {
            NativeMemory.Free(states);
            NativeMemory.Free(arguments);
            NativeMemory.AlignedFree(scratch);
        }
    }
}
