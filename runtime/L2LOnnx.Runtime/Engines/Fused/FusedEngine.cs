using System.Runtime.InteropServices;

namespace L2LOnnx.Runtime.Engines.Fused;

/// <summary>
/// Runs a fused kernel (<see cref="FusedKernel"/>: the hand-tuned LSTM kernel or a compiled program)
/// on the CPU: states are stored blocked and updated in place, blocks of coordinates are spread over
/// the calling thread and <c>threads - 1</c> helpers.
/// </summary>
internal sealed unsafe class FusedEngine : IStepEngine
{
    /// <summary>Blocks per chunk handed to a thread: enough work to amortise the hand-off, small enough to balance.</summary>
    private const int BlocksPerChunk = 16;

    private readonly FusedKernel kernel;
    private readonly WorkerTeam? team;
    private readonly bool bfloat16;

    /// <summary>Floats a thread needs: the kernel's scratch, then (bfloat16 states) a chunk's states in float32.</summary>
    private readonly int threadFloats;

    /// <param name="kernel">What runs on each block; owned (disposed) by the engine.</param>
    /// <param name="threads">Threads per step, the caller's included.</param>
    /// <param name="bfloat16StateFloats">0 for float32 states; else the floats of state per coordinate,
    /// stored as bfloat16 and staged through float32 a chunk at a time around the kernel.</param>
    public FusedEngine(FusedKernel kernel, int threads, int bfloat16StateFloats = 0)
    {
        this.kernel = kernel;
        Threads = Math.Max(1, threads);
        bfloat16 = bfloat16StateFloats > 0;
        threadFloats = checked(kernel.ScratchFloats + BlocksPerChunk * bfloat16StateFloats * kernel.BlockWidth);
        team = Threads > 1 ? new WorkerTeam(Threads - 1, threadFloats) : null;
        Description = $"fused CPU engine: {kernel.Description}, {Threads} thread{(Threads == 1 ? "" : "s")}{(bfloat16 ? ", bfloat16 state" : "")}";
    }

    /// <summary>What runs, e.g. <c>fused CPU engine: LSTM 2x20, ...; AVX-512, 32 coordinates per block, 2 threads</c>.</summary>
    public string Description { get; }

    public int Threads { get; }

    /// <summary>Coordinates per block.</summary>
    public int BlockWidth => kernel.BlockWidth;

    public StateLayout Layout => new(kernel.BlockWidth, DoubleBuffered: false, bfloat16);

    public void Step(OptimizerState state, bool hasNonFinite)
    {
        // Bad lanes are masked inside the kernels, so hasNonFinite needs no extra pass here.
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
        kernel.Dispose();
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
        private readonly delegate*<KernelArguments*, int, int, float*, void> entry;

        public Workspace(FusedEngine owner, OptimizerState state)
        {
            Owner = owner;
            entry = owner.kernel.Entry;
            blocks = (int)(state.Layout.PaddedLength(state.Length) / owner.BlockWidth);
            // Small states get smaller chunks so that every thread still has some.
            chunkBlocks = Math.Clamp(blocks / (owner.Threads * 4), 1, BlocksPerChunk);
            chunks = (blocks + chunkBlocks - 1) / chunkBlocks;
            states = (float**)NativeMemory.Alloc((nuint)Math.Max(1, state.Specs.Count), (nuint)sizeof(float*));
            for (var s = 0; s < state.Specs.Count; s++) states[s] = state.Current(s).Data;
            arguments = (KernelArguments*)NativeMemory.Alloc((nuint)sizeof(KernelArguments));
            *arguments = new KernelArguments
            {
                Plan = owner.kernel.Plan,
                Gradient = state.Gradient.Data,
                Update = state.Update.Data,
                Parameters = state.Parameters is { } p ? p.Data : null,
                States = states,
            };
            scratch = (float*)NativeMemory.AlignedAlloc((nuint)owner.threadFloats * sizeof(float), 64);
            widths = state.Specs.Select(s => s.Width).ToArray();
        }

        private readonly int[] widths;

        public FusedEngine Owner { get; }

        public void Run()
        {
            if (Owner.team is not null && chunks >= 2 && Owner.team.TryRun(this, chunks, scratch)) return;
            if (!Owner.bfloat16) entry(arguments, 0, blocks, scratch);
            else for (var chunk = 0; chunk < chunks; chunk++) RunChunk(chunk, scratch);
        }

        public void RunChunk(int chunk, float* own)
        {
            var first = chunk * chunkBlocks;
            var end = Math.Min(blocks, first + chunkBlocks);
            if (Owner.bfloat16) RunStaged(first, end, own);
            else entry(arguments, first, end, own);
        }

        /// <summary>The kernel on blocks [first, end) of a bfloat16 state: decoded to float32 after the kernel's scratch, stepped, encoded back.</summary>
        private void RunStaged(int first, int end, float* own)
        {
            var width = (long)Owner.BlockWidth;
            var staged = stackalloc float*[Math.Max(1, widths.Length)];
            var next = own + Owner.kernel.ScratchFloats;
            for (var s = 0; s < widths.Length; s++)
            {
                staged[s] = next;
                next += (end - first) * width * widths[s];
                BFloat16Staging.Decode((ushort*)states[s] + first * width * widths[s], staged[s], (end - first) * width * widths[s]);
            }
            var local = new KernelArguments
            {
                Plan = arguments->Plan,
                Gradient = arguments->Gradient + first * width,
                Update = arguments->Update + first * width,
                Parameters = arguments->Parameters == null ? null : arguments->Parameters + first * width,
                States = staged,
            };
            entry(&local, 0, end - first, own);
            for (var s = 0; s < widths.Length; s++)
                BFloat16Staging.Encode(staged[s], (ushort*)states[s] + first * width * widths[s], (end - first) * width * widths[s]);
        }

        public void Dispose()
        {
            NativeMemory.Free(states);
            NativeMemory.Free(arguments);
            NativeMemory.AlignedFree(scratch);
        }
    }
}
