using System.Diagnostics;
using OnnxBn.Runtime.Inputs;
using OnnxBn.Runtime.Session;
using OnnxBn.Runtime.Values;

namespace OnnxBn.Runtime.Benchmarking;

/// <summary>
/// One model at one batch size, ready for steady-state timing: inputs and outputs are bound once through an
/// <see cref="IoBinding"/> (outputs pre-allocated with the shapes of a first run), so each timed
/// <see cref="RunMilliseconds"/> call passes no names and allocates nothing in managed code.
/// </summary>
public sealed class PreparedRun : IDisposable
{
    private readonly InferenceSession _session;
    private readonly IoBinding _binding;
    private readonly List<OrtValue> _owned = [];

    /// <summary>
    /// Binds inputs for <paramref name="batch"/> (from <paramref name="source"/>'s first feed, or seeded random values)
    /// and outputs shaped by one untimed run.
    /// </summary>
    /// <exception cref="BenchmarkSetupException">The source gives no feed, misses an input, or has another batch size.</exception>
    public PreparedRun(InferenceSession session, int batch, int seed, IReadOnlyDictionary<string, long[]>? shapes = null,
        IInputSource? source = null)
    {
        ArgumentNullException.ThrowIfNull(session);
        _session = session;
        Batch = batch;
        _binding = session.CreateIoBinding();
        try
        {
            var inputs = source is null ? BenchmarkInputs.Create(session, batch, seed, shapes) : BenchmarkInputs.FromSource(session, batch, source);
            _owned.AddRange(inputs.Values);
            foreach (var (name, value) in inputs)
                _binding.BindInput(name, value);
            BindOutputs();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The batch size the inputs were made for.</summary>
    public int Batch { get; }

    /// <summary>Runs the model once and returns the wall time of the run in milliseconds.</summary>
    public double RunMilliseconds()
    {
        var start = Stopwatch.GetTimestamp();
        _session.Run(_binding);
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }

    /// <summary>Releases the binding and every tensor it owns (the session stays open).</summary>
    public void Dispose()
    {
        _binding.Dispose();
        foreach (var value in _owned)
            value.Dispose();
        _owned.Clear();
    }

    /// <summary>
    /// Output shapes may depend on the batch in ways metadata does not say, so one run with runtime-allocated outputs
    /// learns them; tensors are then pre-allocated and bound. Non-tensor outputs stay runtime-allocated.
    /// </summary>
    private void BindOutputs()
    {
        foreach (var output in _session.Outputs)
            _binding.BindOutputToCpu(output.Name);
        _session.Run(_binding);
        using var first = _binding.GetOutputValues();
        _binding.ClearBoundOutputs();
        for (var i = 0; i < first.Count; i++)
        {
            if (!first[i].IsTensor)
            {
                _binding.BindOutputToCpu(first.Names[i]);
                continue;
            }
            var value = OrtValue.Allocate(first[i].ElementType, first[i].Shape);
            _owned.Add(value);
            _binding.BindOutput(first.Names[i], value);
        }
    }
}
