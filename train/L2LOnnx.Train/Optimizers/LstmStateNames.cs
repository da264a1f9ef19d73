using L2LOnnx.Runtime;

namespace L2LOnnx.Train.Optimizers;

/// <summary>
/// The names an <see cref="LstmOptimizer"/>'s per-coordinate state carries in contract-v1 files:
/// <c>state_lstm{l}_h</c> and <c>state_lstm{l}_c</c> for layer l. One definition for the exporter, the
/// importer and the conformance engines.
/// </summary>
public static class LstmStateNames
{
    /// <summary>The name of state <paramref name="part"/> (<c>"h"</c> or <c>"c"</c>) of LSTM layer <paramref name="layer"/>.</summary>
    public static string Of(int layer, string part) => $"{ContractV1.StatePrefix}lstm{layer}_{part}";
}
