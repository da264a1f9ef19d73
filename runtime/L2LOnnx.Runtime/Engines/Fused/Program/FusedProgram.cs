namespace L2LOnnx.Runtime.Engines.Fused;

/// <summary>
/// A coordinatewise graph compiled for the fused engine by <see cref="FusedProgramCompiler"/>: a
/// straight-line list of vector instructions over registers, each register a per-coordinate feature
/// vector of a block of coordinates ([rows][block width] floats). The program runs once per block,
/// so every intermediate value of a block stays in cache.
/// </summary>
internal sealed class FusedProgram
{
    public FusedProgram(IReadOnlyList<ProgramInstruction> instructions, IReadOnlyList<ProgramRegister> registers, IReadOnlyList<int> stateWidths, IReadOnlyDictionary<string, int> operators)
    {
        Instructions = instructions;
        Registers = registers;
        StateWidths = stateWidths;
        Operators = operators;
    }

    /// <summary>The instructions in execution order; the output stores come last.</summary>
    public IReadOnlyList<ProgramInstruction> Instructions { get; }

    /// <summary>Every register the instructions use, scratch and external.</summary>
    public IReadOnlyList<ProgramRegister> Registers { get; }

    /// <summary>S of every contract state, in contract order.</summary>
    public IReadOnlyList<int> StateWidths { get; }

    /// <summary>The ONNX operators compiled, with their counts.</summary>
    public IReadOnlyDictionary<string, int> Operators { get; }

    /// <summary>E.g. <c>12 instructions from 3 Gemm, 2 Relu, ...</c>.</summary>
    public string Describe() =>
        $"{Instructions.Count} instructions from {string.Join(", ", Operators.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => $"{o.Value} {o.Key}"))}";
}

/// <summary>Where a register lives: in the thread's scratch, or in one of the state's buffers.</summary>
internal enum RegisterHome
{
    Scratch,
    Gradient,
    Parameters,
    Update,
    State,
}

/// <summary>A per-coordinate feature vector of <see cref="Rows"/> features for a block of coordinates.</summary>
internal sealed class ProgramRegister
{
    public ProgramRegister(RegisterHome home, int rows, int state = -1)
    {
        Home = home;
        Rows = rows;
        State = state;
    }

    public RegisterHome Home { get; }

    public int Rows { get; }

    /// <summary>The contract state index when <see cref="Home"/> is <see cref="RegisterHome.State"/>.</summary>
    public int State { get; }

    /// <summary>First row in the scratch, assigned by register allocation.</summary>
    public int ScratchRow { get; set; } = -1;
}

/// <summary>
/// An instruction's operand: rows of a register starting at <see cref="Row"/> (the same row for every
/// feature when <see cref="Broadcast"/>), or a constant, one value per feature or one for all.
/// </summary>
internal sealed record ProgramOperand(ProgramRegister? Register, int Row, bool Broadcast, float[]? Constant)
{
    public static ProgramOperand Of(ProgramRegister register, int row = 0, bool broadcast = false) => new(register, row, broadcast, null);

    public static ProgramOperand Of(float[] constant) => new(null, 0, constant.Length == 1, constant);
}

/// <summary>What an instruction does to each of its rows.</summary>
internal enum ProgramOpCode
{
    Copy,
    Negate,
    Abs,
    Relu,
    Sigmoid,
    Tanh,
    Exp,
    Log,
    Sqrt,
    Reciprocal,
    Sign,
    Not,
    MaskToFloat,
    Add,
    Subtract,
    Multiply,
    Divide,
    Max,
    Min,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    Equal,
    And,
    Or,
    Where,
    MatMul,
    LstmCell,
    StoreOutput,
}

/// <summary>
/// One instruction. Elementwise codes read <see cref="A"/> (and <see cref="B"/>, and for
/// <see cref="ProgramOpCode.Where"/> the condition <see cref="C"/>) and write <see cref="Rows"/> rows of
/// <see cref="Destination"/>. <see cref="ProgramOpCode.MatMul"/> reads <see cref="K1"/> rows of A and
/// <see cref="K2"/> of B with <see cref="Weights"/> [K1 + K2][Rows] and <see cref="Bias"/>.
/// <see cref="ProgramOpCode.LstmCell"/> reads 4H gates (i, o, f, c) from A and c from B and writes h to
/// the destination and c to <see cref="Destination2"/>. <see cref="ProgramOpCode.StoreOutput"/> copies
/// A into a contract output, and B (the current state, or zero) for coordinates with a non-finite gradient.
/// </summary>
internal sealed class ProgramInstruction
{
    public ProgramInstruction(ProgramOpCode code, int rows, ProgramOperand destination, ProgramOperand? a = null, ProgramOperand? b = null, ProgramOperand? c = null)
    {
        Code = code;
        Rows = rows;
        Destination = destination;
        A = a;
        B = b;
        C = c;
    }

    public ProgramOpCode Code { get; }

    public int Rows { get; }

    public ProgramOperand Destination { get; }

    public ProgramOperand? Destination2 { get; init; }

    public ProgramOperand? A { get; set; }

    public ProgramOperand? B { get; set; }

    public ProgramOperand? C { get; init; }

    public int K1 { get; set; }

    public int K2 { get; set; }

    /// <summary>MatMul weights, row-major [K1 + K2][Rows].</summary>
    public float[]? Weights { get; set; }

    /// <summary>MatMul bias, one per output row.</summary>
    public float[]? Bias { get; set; }

    /// <summary>MatMul: apply ReLU to the result (a following Relu folded in).</summary>
    public bool Relu { get; set; }

    /// <summary>Every operand the instruction reads or writes.</summary>
    public IEnumerable<ProgramOperand> Operands()
    {
        yield return Destination;
        if (Destination2 is not null) yield return Destination2;
        if (A is not null) yield return A;
        if (B is not null) yield return B;
        if (C is not null) yield return C;
    }
}
