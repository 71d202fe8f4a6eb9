namespace OnnxBn.Folding.Rules;

/// <summary>
/// The axis a per-channel affine op scales: counted from the front (BatchNormalization's axis 1) or from the end
/// (a Mul/Add constant of shape [C] scales the last axis, [C,1,1] the third from last).
/// </summary>
internal readonly record struct ChannelAxis(int Index, bool FromEnd)
{
    public static ChannelAxis BatchNormChannel => new(1, false);

    /// <summary>The axis as a non-negative index for a tensor of rank <paramref name="rank"/>, if that can be told.</summary>
    public int? Absolute(int? rank) => FromEnd ? (rank is int r ? r - Index : null) : Index;

    /// <summary>True when this axis is axis <paramref name="axis"/> of a rank-<paramref name="rank"/> tensor.</summary>
    public bool Is(int axis, int? rank) => Absolute(rank) == axis;

    /// <summary>True when this axis is the last axis of a rank-<paramref name="rank"/> tensor.</summary>
    public bool IsLast(int? rank) => FromEnd ? Index == 1 : rank is int r && r - 1 == Index;

    public override string ToString() => FromEnd ? $"axis -{Index}" : $"axis {Index}";
}
