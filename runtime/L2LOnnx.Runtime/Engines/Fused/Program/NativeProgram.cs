using System.Runtime.InteropServices;

namespace L2LOnnx.Runtime.Engines.Fused;

/// <summary>What <see cref="ProgramKernel{TVec,TSimd}"/> reads: the instructions and the state widths.</summary>
internal unsafe struct ProgramPlan
{
    public int OpCount;
    public ProgramOp* Ops;
    public int StateCount;
    public int* StateWidths;
}

/// <summary>One instruction as the kernel reads it (see <see cref="ProgramInstruction"/>).</summary>
internal unsafe struct ProgramOp
{
    public ProgramOpCode Code;
    public int Rows;
    public int K1;
    public int K2;
    public int Relu;
    public OpOperand Destination;
    public OpOperand Destination2;
    public OpOperand A;
    public OpOperand B;
    public OpOperand C;

    /// <summary>MatMul weights packed for the kernel: per tile of four rows [K][4], then the last rows [K] each.</summary>
    public float* Weights;
    public float* Bias;
}

/// <summary>
/// An operand: floats at <c>bases[Base] + Offset</c>, rows <see cref="RowStride"/> floats apart (0 to
/// broadcast one row); or, when <see cref="Constant"/> is set, one value per row
/// (<see cref="ConstantStride"/> 1) or one for all (0).
/// </summary>
internal unsafe struct OpOperand
{
    public int Base;
    public int Offset;
    public int RowStride;
    public float* Constant;
    public int ConstantStride;
}

/// <summary>
/// Owns the native form of a <see cref="FusedProgram"/> for one block width: instructions, packed
/// weights and constants, 64-byte aligned, freed on dispose.
/// </summary>
internal sealed unsafe class NativeProgram : IDisposable
{
    /// <summary>SIMD vectors per row of a block: four, so one instruction's loop has work to pipeline.</summary>
    public const int VectorsPerBlock = 4;

    /// <summary>Scratch rows before the registers: the gradient with non-finite lanes zeroed, and the finiteness mask.</summary>
    public const int ReservedRows = 2;

    /// <summary>
    /// Base indices: scratch, gradient, parameters, update, then one per state for the current state
    /// (what instructions read), then one per state for the next state (what the output stores write;
    /// the same buffers when the state is updated in place).
    /// </summary>
    public const int ScratchBase = 0, GradientBase = 1, ParametersBase = 2, UpdateBase = 3, FirstStateBase = 4;

    private readonly NativeArena arena = new();

    public NativeProgram(FusedProgram program, int blockWidth)
    {
        var ops = (ProgramOp*)arena.Allocate(sizeof(ProgramOp) * program.Instructions.Count);
        for (var i = 0; i < program.Instructions.Count; i++)
        {
            var instruction = program.Instructions[i];
            var destination = Encode(instruction.Destination, blockWidth);
            if (instruction.Code == ProgramOpCode.StoreOutput && destination.Base >= FirstStateBase)
                destination.Base += program.StateWidths.Count;
            ops[i] = new ProgramOp
            {
                Code = instruction.Code,
                Rows = instruction.Rows,
                K1 = instruction.K1,
                K2 = instruction.K2,
                Relu = instruction.Relu ? 1 : 0,
                Destination = destination,
                Destination2 = Encode(instruction.Destination2, blockWidth),
                A = Encode(instruction.A, blockWidth),
                B = Encode(instruction.B, blockWidth),
                C = Encode(instruction.C, blockWidth),
                Weights = instruction.Weights is { } w ? arena.Copy(Pack(w, instruction.K1 + instruction.K2, instruction.Rows)) : null,
                Bias = instruction.Bias is { } b ? arena.Copy(b) : null,
            };
        }
        var widths = (int*)arena.Allocate(sizeof(int) * Math.Max(1, program.StateWidths.Count));
        for (var s = 0; s < program.StateWidths.Count; s++) widths[s] = program.StateWidths[s];
        Plan = (ProgramPlan*)arena.Allocate(sizeof(ProgramPlan));
        *Plan = new ProgramPlan { OpCount = program.Instructions.Count, Ops = ops, StateCount = program.StateWidths.Count, StateWidths = widths };
        var rows = program.Registers.Where(r => r.Home == RegisterHome.Scratch).Select(r => r.ScratchRow + r.Rows).DefaultIfEmpty(0).Max();
        ScratchFloats = Math.Max(ReservedRows, rows) * blockWidth;
    }

    public ProgramPlan* Plan { get; }

    /// <summary>Floats of scratch one thread needs per block.</summary>
    public int ScratchFloats { get; }

    private OpOperand Encode(ProgramOperand? operand, int blockWidth)
    {
        if (operand is null) return default;
        if (operand.Constant is { } constant)
            return new OpOperand { Constant = arena.Copy(constant), ConstantStride = constant.Length == 1 ? 0 : 1 };
        var register = operand.Register!;
        var (home, row) = register.Home switch
        {
            RegisterHome.Scratch => (ScratchBase, register.ScratchRow),
            RegisterHome.Gradient => (GradientBase, 0),
            RegisterHome.Parameters => (ParametersBase, 0),
            RegisterHome.Update => (UpdateBase, 0),
            _ => (FirstStateBase + register.State, 0),
        };
        return new OpOperand { Base = home, Offset = (row + operand.Row) * blockWidth, RowStride = operand.Broadcast ? 0 : blockWidth };
    }

    /// <summary>[K][M] row-major into tiles of four output rows ([K][4] each), then the remaining rows ([K] each).</summary>
    private static float[] Pack(float[] weights, int k, int m)
    {
        var packed = new float[weights.Length];
        var full = m / 4 * 4;
        for (var row = 0; row < m; row++)
        {
            for (var column = 0; column < k; column++)
            {
                var target = row < full ? (row / 4 * 4) * k + column * 4 + row % 4 : row * k + column;
                packed[target] = weights[column * m + row];
            }
        }
        return packed;
    }

    public void Dispose() => arena.Dispose();
}
