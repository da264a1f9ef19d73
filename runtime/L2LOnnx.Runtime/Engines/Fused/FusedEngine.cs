using System.Runtime.InteropServices;

namespace L2LOnnx.Runtime.Engines.Fused;

/// <summary>
/// Runs a fused kernel (<see cref="FusedKernel"/>: the hand-tuned LSTM kernel or a compiled program)
/// on the CPU: states are stored blocked, blocks of coordinates are spread over the calling thread
/// and <c>threads - 1</c> helpers.
/// </summary>
/// <remarks>
/// With the output check, states are double-buffered: the kernels read the current state, write the
/// next one to the back buffers and report whether every value they stored is finite; the step swaps
/// only if all blocks of all threads were, so a refused step has written nothing the caller sees.
/// Without it (in place), the state takes half the memory and a step cannot be refused.
/// </remarks>
internal sealed unsafe class FusedEngine : IStepEngine
{
    /// <summary>Blocks per chunk handed to a thread: enough work to amortise the hand-off, small enough to balance.</summary>
    private const int BlocksPerChunk = 16;

    /// <summary>
    /// Bytes of one set of float32 state above which double-buffered next states are written with
    /// non-temporal stores (<see cref="KernelArguments.StreamNextStates"/>): well beyond the caches,
    /// where the next step reads them from memory anyway.
    /// </summary>
    public const long DefaultStreamingBytes = 8L << 20;

    private readonly long streamingBytes;

    private readonly FusedKernel kernel;
    private readonly WorkerTeam? team;
    private readonly bool bfloat16;
    private readonly bool inPlace;

    /// <summary>Floats a thread needs: the kernel's scratch, then (bfloat16 states) a chunk's states in float32.</summary>
    private readonly int threadFloats;

    /// <param name="kernel">What runs on each block; owned (disposed) by the engine.</param>
    /// <param name="threads">Threads per step, the caller's included.</param>
    /// <param name="bfloat16StateFloats">0 for float32 states; else the floats of state per coordinate,
    /// stored as bfloat16 and staged through float32 a chunk at a time around the kernel.</param>
    /// <param name="inPlace">Update states in place (half the memory) instead of double-buffering
    /// them; steps can then not be refused (no output check).</param>
    /// <param name="streamingBytes">See <see cref="DefaultStreamingBytes"/>; tests pass 0 to stream any state.</param>
    public FusedEngine(FusedKernel kernel, int threads, int bfloat16StateFloats = 0, bool inPlace = false, long streamingBytes = DefaultStreamingBytes)
    {
        this.streamingBytes = streamingBytes;
        this.kernel = kernel;
        Threads = Math.Max(1, threads);
        bfloat16 = bfloat16StateFloats > 0;
        this.inPlace = inPlace;
        threadFloats = checked(kernel.ScratchFloats + BlocksPerChunk * bfloat16StateFloats * kernel.BlockWidth);
        team = Threads > 1 ? new WorkerTeam(Threads - 1, threadFloats) : null;
        Description = $"fused CPU engine: {kernel.Description}, {Threads} thread{(Threads == 1 ? "" : "s")}{(bfloat16 ? ", bfloat16 state" : "")}{(inPlace ? ", state in place (no output check)" : "")}";
    }

    /// <summary>What runs, e.g. <c>fused CPU engine: LSTM 2x20, ...; AVX-512, 32 coordinates per block, 2 threads</c>.</summary>
    public string Description { get; }

    public int Threads { get; }

    /// <summary>Coordinates per block.</summary>
    public int BlockWidth => kernel.BlockWidth;

    public StateLayout Layout => new(kernel.BlockWidth, DoubleBuffered: !inPlace, bfloat16);

    public bool Step(OptimizerState state, bool hasNonFinite, bool checkOutputs)
    {
        if (checkOutputs && inPlace) throw new InvalidOperationException("an engine that updates states in place cannot refuse a step: create it double-buffered to check outputs");
        // Bad lanes are masked inside the kernels, so hasNonFinite needs no extra pass here.
        var workspace = state.EngineWorkspace as Workspace;
        if (workspace is null || workspace.Owner != this)
        {
            state.EngineWorkspace?.Dispose();
            state.EngineWorkspace = null;
            workspace = new Workspace(this, state);
            state.EngineWorkspace = workspace;
        }
        var finite = workspace.Run(state.Parity);
        if (checkOutputs && !finite) return false;
        if (!inPlace) state.Swap();
        return true;
    }

    public void Dispose()
    {
        team?.Dispose();
        kernel.Dispose();
    }

    /// <summary>
    /// A state's pointers for the kernel (one set of arguments per parity of a double-buffered state),
    /// the caller's scratch, and the chunking of its blocks.
    /// </summary>
    private sealed class Workspace : IChunkedWork, IDisposable
    {
        /// <summary>[parity]: read state set p, write set 1 - p (or set 0 both ways in place).</summary>
        private readonly KernelArguments* arguments;
        private readonly float** states;
        private readonly float* scratch;
        private readonly int blocks;
        private readonly int chunkBlocks;
        private readonly int chunks;
        private readonly int[] widths;
        private readonly delegate*<KernelArguments*, int, int, float*, bool> entry;
        private KernelArguments* current;

        /// <summary>
        /// Set by any participant that stored a non-finite value in the step running. Every chunk still
        /// runs, so that the whole refused next state and update are this step's (the message names the
        /// first bad value in them).
        /// </summary>
        private int nonFinite;

        public Workspace(FusedEngine owner, OptimizerState state)
        {
            Owner = owner;
            entry = owner.kernel.Entry;
            blocks = (int)(state.Layout.PaddedLength(state.Length) / owner.BlockWidth);
            // Small states get smaller chunks so that every thread still has some.
            chunkBlocks = Math.Clamp(blocks / (owner.Threads * 4), 1, BlocksPerChunk);
            chunks = (blocks + chunkBlocks - 1) / chunkBlocks;
            var count = state.Specs.Count;
            var sets = owner.inPlace ? 1 : 2;
            states = (float**)NativeMemory.Alloc((nuint)Math.Max(1, sets * count), (nuint)sizeof(float*));
            for (var set = 0; set < sets; set++)
                for (var s = 0; s < count; s++) states[set * count + s] = state.Buffer(set, s).Data;
            arguments = (KernelArguments*)NativeMemory.Alloc(2, (nuint)sizeof(KernelArguments));
            // bfloat16 chunks are staged through the thread's scratch, which is in place: never streamed.
            var stateBytes = state.Layout.PaddedLength(state.Length) * state.Specs.Sum(s => (long)s.Width) * sizeof(float);
            var stream = !owner.inPlace && !owner.bfloat16 && stateBytes > owner.streamingBytes;
            for (var parity = 0; parity < 2; parity++)
            {
                arguments[parity] = new KernelArguments
                {
                    Plan = owner.kernel.Plan,
                    Gradient = state.Gradient.Data,
                    Update = state.Update.Data,
                    Parameters = state.Parameters is { } p ? p.Data : null,
                    States = states + (owner.inPlace ? 0 : parity * count),
                    NextStates = states + (owner.inPlace ? 0 : (1 - parity) * count),
                    StreamNextStates = stream ? 1 : 0,
                };
            }
            current = arguments;
            scratch = (float*)NativeMemory.AlignedAlloc((nuint)owner.threadFloats * sizeof(float), 64);
            widths = state.Specs.Select(s => s.Width).ToArray();
            // The padding lanes of the last block get a NaN gradient, so the kernels mask them like
            // skipped coordinates: zero update, state kept. Otherwise a model that is not finite at a
            // zero gradient (Log of it) would fill them with NaN and refuse every step.
            state.Gradient.Slice(state.Length, (int)(state.Gradient.Length - state.Length)).Fill(float.NaN);
        }

        public FusedEngine Owner { get; }

        /// <summary>Steps every block of the state at <paramref name="parity"/>; returns whether every value stored is finite.</summary>
        public bool Run(int parity)
        {
            current = arguments + parity;
            nonFinite = 0;
            if (Owner.team is not null && chunks >= 2 && Owner.team.TryRun(this, chunks, scratch)) return nonFinite == 0;
            if (!Owner.bfloat16) return entry(current, 0, blocks, scratch);
            for (var chunk = 0; chunk < chunks; chunk++) RunChunk(chunk, scratch);
            return nonFinite == 0;
        }

        public void RunChunk(int chunk, float* own)
        {
            var first = chunk * chunkBlocks;
            var end = Math.Min(blocks, first + chunkBlocks);
            var finite = Owner.bfloat16 ? RunStaged(first, end, own) : entry(current, first, end, own);
            if (!finite) Volatile.Write(ref nonFinite, 1);
        }

        /// <summary>
        /// The kernel on blocks [first, end) of a bfloat16 state: decoded to float32 after the kernel's
        /// scratch, stepped there, encoded into the next state. Returns whether all stored values are finite.
        /// </summary>
        private bool RunStaged(int first, int end, float* own)
        {
            var width = (long)Owner.BlockWidth;
            var staged = stackalloc float*[Math.Max(1, widths.Length)];
            var next = own + Owner.kernel.ScratchFloats;
            for (var s = 0; s < widths.Length; s++)
            {
                staged[s] = next;
                next += (end - first) * width * widths[s];
                BFloat16Staging.Decode((ushort*)current->States[s] + first * width * widths[s], staged[s], (end - first) * width * widths[s]);
            }
            var local = new KernelArguments
            {
                Plan = current->Plan,
                Gradient = current->Gradient + first * width,
                Update = current->Update + first * width,
                Parameters = current->Parameters == null ? null : current->Parameters + first * width,
                States = staged,
                NextStates = staged,
            };
            var finite = entry(&local, 0, end - first, own);
            for (var s = 0; s < widths.Length; s++)
                finite &= BFloat16Staging.Encode(staged[s], (ushort*)current->NextStates[s] + first * width * widths[s], (end - first) * width * widths[s]);
            return finite;
        }

        public void Dispose()
        {
            NativeMemory.Free(states);
            NativeMemory.Free(arguments);
            NativeMemory.AlignedFree(scratch);
        }
    }
}
