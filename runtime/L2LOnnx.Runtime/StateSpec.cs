namespace L2LOnnx.Runtime;

/// <summary>One recurrent state tensor a model carries per coordinate: input <c>state_&lt;name&gt;</c> [N, Width].</summary>
/// <param name="Name">The full input name, e.g. <c>state_lstm0_h</c>.</param>
/// <param name="Width">S, the fixed number of floats per coordinate.</param>
public sealed record StateSpec(string Name, int Width)
{
    /// <summary>The matching output name, <c>state_&lt;name&gt;_out</c>.</summary>
    public string OutputName => Name + ContractV1.StateOutputSuffix;
}
