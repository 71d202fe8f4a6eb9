namespace OnnxBn.Folding.Rules;

/// <summary>
/// The axis a per-channel affine op scales: counted from the front (BatchNormalization's axis 1) or from the end
/// (a Mul/Add constant of shape [C] scales the last axis, [C,1,1] the third from last). A constant whose dims are all
/// 1 scales every element alike: it is <see cref="Uniform"/> and counts as any axis a rule asks for.
/// </summary>
internal readonly record struct ChannelAxis(int Index, bool FromEnd, bool Uniform = false)
{
    /// <summary>The axis of a single broadcast value ([1], [1,1,1] or a scalar): every axis at once.</summary>
    public static ChannelAxis Any => new(1, FromEnd: true, Uniform: true);

    public static ChannelAxis BatchNormChannel => new(1, false);

    /// <summary>The axis as a non-negative index for a tensor of rank <paramref name="rank"/>, if that can be told.</summary>
    public int? Absolute(int? rank) => FromEnd ? (rank is int r ? r - Index : null) : Index;

    /// <summary>True when this axis is axis <paramref name="axis"/> of a rank-<paramref name="rank"/> tensor.</summary>
    public bool Is(int axis, int? rank) => Uniform || Absolute(rank) == axis;

    /// <summary>True when this axis is the last axis of a rank-<paramref name="rank"/> tensor.</summary>
    public bool IsLast(int? rank) => Uniform || (FromEnd ? Index == 1 : rank is int r && r - 1 == Index);

    public override string ToString() => Uniform ? "every axis" : FromEnd ? $"axis -{Index}" : $"axis {Index}";
}
