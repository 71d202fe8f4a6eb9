namespace OnnxBn.Folding.Rules;

/// <summary>Aligns a scale and a shift vector that may each be per-channel or a single broadcast value.</summary>
internal static class Broadcast
{
    public static bool TryAlign(ref double[] scale, ChannelAxis scaleAxis, ref double[]? shift, ChannelAxis? shiftAxis, out ChannelAxis axis)
    {
        axis = scaleAxis;
        if (shift is null) return true;
        if (scale.Length == shift.Length)
            return scale.Length == 1 || scaleAxis == shiftAxis;
        if (scale.Length == 1)
        {
            scale = Enumerable.Repeat(scale[0], shift.Length).ToArray();
            axis = shiftAxis!.Value;
            return true;
        }
        if (shift.Length == 1)
        {
            shift = Enumerable.Repeat(shift[0], scale.Length).ToArray();
            return true;
        }
        return false;
    }
}
