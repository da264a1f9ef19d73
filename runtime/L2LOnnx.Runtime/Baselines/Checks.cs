namespace L2LOnnx.Runtime.Baselines;

internal static class Checks
{
    public static void Lengths(int expected, int parameters, int gradients)
    {
        if (parameters != expected || gradients != expected)
            throw new ArgumentException($"the optimizer was created for {expected} coordinates, got {parameters} parameters and {gradients} gradients");
    }
}
