using System.Runtime.InteropServices;

namespace L2LOnnx.Runtime.Engines.Fused;

/// <summary>Work split into chunks that any participant may take, in any order.</summary>
internal unsafe interface IChunkedWork
{
    /// <summary>Processes chunk <paramref name="chunk"/> using <paramref name="scratch"/>, private to the calling participant.</summary>
    void RunChunk(int chunk, float* scratch);
}

/// <summary>
/// Helper threads owned by one fused engine. The calling thread always works too, taking chunks from a
/// shared counter, so a step never waits for a helper to start before work begins. Dispatch allocates
/// nothing. One step uses the team at a time: a concurrent step on another state runs on its own
/// calling thread alone rather than waiting.
/// </summary>
internal sealed unsafe class WorkerTeam : IDisposable
{
    private readonly Thread[] threads;
    private readonly float*[] scratch;
    private readonly SemaphoreSlim start = new(0);
    // Semaphores rather than ManualResetEventSlim: the latter allocates its lock object the first time
    // a wait really blocks, which would break "no allocation per step" at some random later step.
    private readonly SemaphoreSlim done = new(0);
    private readonly Lock gate = new();
    private IChunkedWork? work;
    private int chunks;
    private int nextChunk;
    private int pending;
    private volatile bool stopping;

    /// <param name="helpers">Threads besides the caller.</param>
    /// <param name="scratchFloats">Private scratch per helper.</param>
    public WorkerTeam(int helpers, int scratchFloats)
    {
        threads = new Thread[helpers];
        scratch = new float*[helpers];
        for (var i = 0; i < helpers; i++)
        {
            scratch[i] = (float*)NativeMemory.AlignedAlloc((nuint)scratchFloats * sizeof(float), 64);
            var index = i;
            threads[i] = new Thread(() => Loop(index)) { IsBackground = true, Name = $"L2LOnnx fused engine {i + 1}" };
            threads[i].Start();
        }
    }

    /// <summary>
    /// Runs <paramref name="chunkCount"/> chunks with the helpers and the caller (whose scratch is
    /// <paramref name="callerScratch"/>); returns when all are done. Returns false without running
    /// anything when another step holds the team.
    /// </summary>
    public bool TryRun(IChunkedWork chunkedWork, int chunkCount, float* callerScratch)
    {
        if (!gate.TryEnter()) return false;
        try
        {
            work = chunkedWork;
            chunks = chunkCount;
            nextChunk = -1;
            pending = threads.Length;
            start.Release(threads.Length);
            Participate(callerScratch);
            done.Wait();
            work = null;
            return true;
        }
        finally
        {
            gate.Exit();
        }
    }

    private void Participate(float* own)
    {
        var current = work!;
        int chunk;
        while ((chunk = Interlocked.Increment(ref nextChunk)) < chunks) current.RunChunk(chunk, own);
    }

    private void Loop(int index)
    {
        while (true)
        {
            start.Wait();
            if (stopping) return;
            Participate(scratch[index]);
            if (Interlocked.Decrement(ref pending) == 0) done.Release();
        }
    }

    public void Dispose()
    {
        if (stopping) return;
        stopping = true;
        start.Release(threads.Length);
        foreach (var thread in threads) thread.Join();
        foreach (var pointer in scratch) NativeMemory.AlignedFree(pointer);
        start.Dispose();
        done.Dispose();
    }
}
