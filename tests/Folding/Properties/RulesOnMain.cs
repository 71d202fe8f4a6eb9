namespace OnnxBn.Folding.Tests.Properties;

/// <summary>
/// Which families' rules are merged on main. A family whose rule exists must fold everything the spec calls
/// foldable (<c>requireSpecFolds</c>); before that, its property test still checks equivalence, report honesty and
/// that nothing unfoldable is folded. Flip a flag to true when the rule lands.
/// </summary>
internal static class RulesOnMain
{
    public const bool ConvBackward = true;
    public const bool ConvTransposeBackward = true;
    public const bool GemmBackward = true;
    public const bool MatMulBackward = true;
    public const bool DenseForward = false;
    public const bool ConvForward = false;
    public const bool FlattenForward = false;
    public const bool Chains = false;
    public const bool Tf2OnnxDense = true;
}
