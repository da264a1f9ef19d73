using System.Runtime.Intrinsics;

namespace L2LOnnx.Runtime.Engines.Fused;

/// <summary>
/// One kernel the fused engine can run: an entry point over blocks of coordinates, compiled for the
/// widest vectors the machine has, and the native plan it reads. Either the hand-tuned LSTM kernel
/// (<see cref="ForLstm"/>) or the general program interpreter (<see cref="ForProgram"/>).
/// </summary>
internal sealed unsafe class FusedKernel : IDisposable
{
    private readonly IDisposable plan;

    private FusedKernel(delegate*<KernelArguments*, int, int, float*, bool> entry, void* planPointer, IDisposable plan, int blockWidth, int scratchFloats, string description)
    {
        Entry = entry;
        Plan = planPointer;
        this.plan = plan;
        BlockWidth = blockWidth;
        ScratchFloats = scratchFloats;
        Description = description;
    }

    /// <summary>Steps blocks [first, end) of one state with the given scratch; returns whether every value it stored is finite.</summary>
    public delegate*<KernelArguments*, int, int, float*, bool> Entry { get; }

    /// <summary>The native plan the entry point reads (<see cref="KernelArguments.Plan"/>).</summary>
    public void* Plan { get; }

    /// <summary>Coordinates per block; the state layout's block width.</summary>
    public int BlockWidth { get; }

    /// <summary>Floats of scratch one thread needs.</summary>
    public int ScratchFloats { get; }

    /// <summary>What runs, e.g. <c>LSTM 2x20, ...; AVX-512, 32 coordinates per block</c>.</summary>
    public string Description { get; }

    /// <summary>The hand-tuned LSTM kernel for a recognised model.</summary>
    /// <param name="model">The recognised model.</param>
    /// <param name="widest">Cap on the vector width in bits (512, 256, or 0 for the portable path);
    /// lets tests run the narrower paths on a machine that has the wider ones.</param>
    public static FusedKernel ForLstm(FusedLstmModel model, int widest = 512)
    {
        var native = new NativePlan(model);
        delegate*<KernelArguments*, int, int, float*, bool> entry;
        int width;
        string simd;
        if (widest >= 512 && Simd512.IsSupported)
        {
            entry = &LstmKernel<Vector512<float>, Simd512>.Run;
            width = LstmKernel<Vector512<float>, Simd512>.BlockWidth;
            simd = Simd512.Name;
        }
        else if (widest >= 256 && Simd256.IsSupported)
        {
            entry = &LstmKernel<Vector256<float>, Simd256>.Run;
            width = LstmKernel<Vector256<float>, Simd256>.BlockWidth;
            simd = Simd256.Name;
        }
        else
        {
            entry = &LstmKernel<System.Numerics.Vector<float>, SimdPortable>.Run;
            width = LstmKernel<System.Numerics.Vector<float>, SimdPortable>.BlockWidth;
            simd = SimdPortable.Name;
        }
        return new FusedKernel(entry, native.Plan, native, width, (2 + native.MaxPaddedRows) * width,
            $"{model.Describe()}; {simd}, {width} coordinates per block");
    }

    /// <summary>The general interpreter for a compiled program.</summary>
    /// <param name="program">The compiled program.</param>
    /// <param name="widest">As for <see cref="ForLstm"/>.</param>
    public static FusedKernel ForProgram(FusedProgram program, int widest = 512)
    {
        delegate*<KernelArguments*, int, int, float*, bool> entry;
        int lanes;
        string simd;
        if (widest >= 512 && Simd512.IsSupported)
        {
            entry = &ProgramKernel<Vector512<float>, Simd512>.Run;
            lanes = Simd512.Lanes;
            simd = Simd512.Name;
        }
        else if (widest >= 256 && Simd256.IsSupported)
        {
            entry = &ProgramKernel<Vector256<float>, Simd256>.Run;
            lanes = Simd256.Lanes;
            simd = Simd256.Name;
        }
        else
        {
            entry = &ProgramKernel<System.Numerics.Vector<float>, SimdPortable>.Run;
            lanes = SimdPortable.Lanes;
            simd = SimdPortable.Name;
        }
        var width = NativeProgram.VectorsPerBlock * lanes;
        var native = new NativeProgram(program, width);
        return new FusedKernel(entry, native.Plan, native, width, native.ScratchFloats,
            $"compiled program ({program.Describe()}); {simd}, {width} coordinates per block");
    }

    public void Dispose() => plan.Dispose();
}
