namespace OnnxBn.Folding.Rules;

/// <summary>
/// Elementwise Add/Mul/Sub/Div before opset 7 do not broadcast numpy-style: operands must have equal shapes unless
/// the node says <c>broadcast=1</c>, and then B aligns with A's trailing dims, or from <c>axis</c> when given
/// (Mul(x[N,C,H,W], s[C], broadcast=1, axis=1) scales channels). Nodes the rules create in such models say so, and
/// nodes the rules read count as numpy-style only when they align trailing dims.
/// </summary>
internal static class LegacyBroadcast
{
    /// <summary>The first opset whose elementwise ops broadcast numpy-style.</summary>
    public const long NumpyFrom = 7;

    public static bool Applies(FoldContext context) => context.Opset is > 0 and < NumpyFrom;

    /// <summary>
    /// Marks a created elementwise node whose second operand broadcasts: <c>broadcast=1</c>, and <c>axis</c> when
    /// the operand aligns from that axis instead of from the end. Does nothing from opset 7 on.
    /// </summary>
    public static void Mark(FoldContext context, Node node, int? axis = null)
    {
        if (!Applies(context))
            return;
        node.SetInt("broadcast", 1);
        if (axis is int a)
            node.SetInt("axis", a);
    }

    /// <summary>
    /// Why an existing elementwise node does not broadcast its constant the numpy way (aligned with the trailing
    /// dims), or null when it does: always from opset 7 on; before, only with broadcast=1 and no axis.
    /// </summary>
    public static string? NotTrailingReason(FoldContext context, Node node)
    {
        if (!Applies(context))
            return null;
        if (node.GetInt("broadcast", 0) != 1)
            return $"{node.DisplayName} has no broadcast=1 (opset {context.Opset}: operands of equal shape only)";
        if (node.HasAttribute("axis"))
            return $"{node.DisplayName} broadcasts from axis={node.GetInt("axis", 0)} (opset {context.Opset} legacy broadcasting)";
        return null;
    }
}
