namespace OnnxBn.Runtime.Verification;

/// <summary>Why a folded tensor has no rounding bound: a reason tensors share, and the sentence for this tensor.</summary>
/// <param name="Reason">The kind of gap, the same for every tensor it applies to ("the folded op is not modelled").</param>
/// <param name="Detail">This tensor's sentence, naming its nodes.</param>
internal sealed record MissingBound(string Reason, string Detail);

/// <summary>
/// The notes on tensors the rounding check skipped, one line per reason: a deep model whose folds are all of a kind
/// the bound does not model would otherwise get one near-identical note per layer. A reason met once keeps its full
/// sentence; a shared one gives the count and the first few tensors.
/// </summary>
internal sealed class MissingBounds
{
    private const int TensorsNamed = 3;
    private readonly Dictionary<string, List<(string Tensor, string Detail)>> _byReason = new(StringComparer.Ordinal);

    public void Add(string tensor, MissingBound missing)
    {
        if (!_byReason.TryGetValue(missing.Reason, out var list))
            _byReason[missing.Reason] = list = [];
        list.Add((tensor, missing.Detail));
    }

    public IEnumerable<string> Notes() => _byReason.Select(kv => kv.Value switch
    {
        [var only] => $"no rounding bound for {only.Tensor}: {only.Detail}",
        var many => $"no rounding bound for {many.Count} tensors ({kv.Key}): " +
                    string.Join(", ", many.Take(TensorsNamed).Select(t => t.Tensor)) + (many.Count > TensorsNamed ? ", ..." : ""),
    });
}
