using Microsoft.ML.OnnxRuntime;
using OnnxBn.Runtime.Inputs;

namespace OnnxBn.Runtime.Verification;

/// <summary>
/// One feed as native values, keyed for both models of a comparison: the candidate may name its inputs differently,
/// and an input only the original has is fed to the original alone. Disposing releases every value.
/// </summary>
internal sealed class PairedFeed : IDisposable
{
    private readonly List<OrtValue> _values = [];

    public PairedFeed(InputFeed feed, IReadOnlyDictionary<string, string> candidateNames)
    {
        try
        {
            foreach (var tensor in feed.Tensors)
            {
                var value = EquivalenceChecker.ToOrtValue(tensor);
                _values.Add(value);
                Original[tensor.Name] = value;
                if (candidateNames.TryGetValue(tensor.Name, out var candidateName))
                    Candidate[candidateName] = value;
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public Dictionary<string, OrtValue> Original { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, OrtValue> Candidate { get; } = new(StringComparer.Ordinal);

    public void Dispose()
    {
        foreach (var value in _values)
            value.Dispose();
        _values.Clear();
    }
}
