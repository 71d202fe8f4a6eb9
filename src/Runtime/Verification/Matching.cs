using OnnxBn.Runtime.Sessions;

namespace OnnxBn.Runtime.Verification;

/// <summary>Pairs the inputs and outputs of the original with the candidate's: by name, else by position.</summary>
internal static class Matching
{
    public sealed record OutputPair(SessionPort Original, SessionPort? Candidate, OutputMatch Match);

    /// <summary>
    /// For each original tensor output, the candidate output of the same name; failing that, the candidate output at
    /// the same position when both have as many outputs and that one's name is not an original output name (the
    /// candidate renamed it). Candidate outputs left over are noted.
    /// </summary>
    public static IReadOnlyList<OutputPair> Outputs(ModelSession original, ModelSession candidate, List<string> notes)
    {
        var originals = original.Outputs;
        var candidates = candidate.Outputs;
        var originalNames = originals.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        var used = new HashSet<string>(StringComparer.Ordinal);
        var pairs = new List<OutputPair>();
        for (var i = 0; i < originals.Count; i++)
        {
            var o = originals[i];
            if (!o.IsTensor)
            {
                notes.Add($"output '{o.Name}' is a {o.Kind}, not a tensor: not compared.");
                continue;
            }
            if (candidate.FindOutput(o.Name) is { } sameName)
                pairs.Add(new OutputPair(o, sameName, OutputMatch.Name));
            else if (originals.Count == candidates.Count && !originalNames.Contains(candidates[i].Name))
                pairs.Add(new OutputPair(o, candidates[i], OutputMatch.Position));
            else
                pairs.Add(new OutputPair(o, null, OutputMatch.Missing));
            if (pairs[^1].Candidate is { } c)
                used.Add(c.Name);
        }
        foreach (var extra in candidates.Where(c => !used.Contains(c.Name)))
            notes.Add($"the candidate's output '{extra.Name}' has no counterpart in the original: not compared.");
        return pairs;
    }

    /// <summary>
    /// Original input name → candidate input name, with the same by-name-then-by-position rule. A candidate input
    /// that nothing feeds is a problem (the candidate could not run).
    /// </summary>
    public static IReadOnlyDictionary<string, string> Inputs(ModelSession original, ModelSession candidate, List<string> problems)
    {
        var originals = original.Inputs;
        var candidates = candidate.Inputs;
        var originalNames = originals.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        var candidateNames = candidates.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < candidates.Count; i++)
        {
            var c = candidates[i];
            if (originalNames.Contains(c.Name))
                map[c.Name] = c.Name;
            else if (originals.Count == candidates.Count && !candidateNames.Contains(originals[i].Name))
                map[originals[i].Name] = c.Name;
            else
                problems.Add($"the candidate's input '{c.Name}' has no counterpart in the original " +
                    $"(original inputs: {string.Join(", ", originals.Select(o => o.Name))}).");
        }
        return map;
    }
}
