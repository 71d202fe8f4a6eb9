using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using OnnxBn.Runtime.Data;
using OnnxBn.Runtime.Inputs;
using OnnxBn.Runtime.Sessions;

namespace OnnxBn.Runtime.Benchmarking;

/// <summary>
/// One model and batch size ready to be timed: inputs created once and bound, outputs pre-allocated and bound, so a
/// timed run is one official <see cref="InferenceSession.RunWithBinding(RunOptions, OrtIoBinding)"/> call that
/// allocates no managed memory. Use after (or during) <see cref="Dispose"/> throws
/// <see cref="ObjectDisposedException"/>; the native binding and values are released when the last run has left.
/// </summary>
public sealed class PreparedRun : IDisposable
{
    private readonly ModelSession _session;
    private readonly OrtIoBinding _binding;
    private readonly RunOptions _runOptions = new();
    private readonly List<OrtValue> _owned = [];
    private readonly UseGate _gate;

    /// <summary>
    /// Binds seeded random inputs for <paramref name="batch"/> (or the first feed of <paramref name="source"/>) and
    /// outputs of the shapes one run produces.
    /// </summary>
    /// <exception cref="BenchmarkSetupException">The inputs cannot be made for this batch.</exception>
    public PreparedRun(ModelSession session, int batch, int seed, IReadOnlyDictionary<string, long[]>? shapes = null,
        IInputSource? source = null)
    {
        ArgumentNullException.ThrowIfNull(session);
        // The binding points into the native session: hold the session until the binding is released.
        session.Retain();
        try
        {
            _binding = session.CreateIoBinding();
        }
        catch
        {
            session.Unretain();
            throw;
        }
        _session = session;
        Batch = batch;
        _gate = new UseGate(this, Release);
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

    /// <summary>The batch size the inputs hold.</summary>
    public int Batch { get; }

    /// <summary>Runs once and returns the wall-clock time of the run in milliseconds.</summary>
    /// <exception cref="ObjectDisposedException">This run or its session was disposed.</exception>
    public double RunMilliseconds()
    {
        _gate.Enter();
        try
        {
            var start = Stopwatch.GetTimestamp();
            _session.RunRetained(_binding, _runOptions);
            return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        finally
        {
            _gate.Exit();
        }
    }

    /// <summary>Releases the binding and the values, after a run still in progress has finished.</summary>
    public void Dispose() => _gate.Dispose();

    private void Release()
    {
        _binding.Dispose();
        _runOptions.Dispose();
        foreach (var value in _owned)
            value.Dispose();
        _owned.Clear();
        _session.Unretain();
    }

    private void BindOutputs()
    {
        foreach (var output in _session.Outputs)
            _binding.BindOutputToDevice(output.Name, OrtMemoryInfo.DefaultInstance);
        _session.RunWithBinding(_binding, _runOptions);
        var names = _binding.GetOutputNames();
        using var first = _binding.GetOutputValues();
        _binding.ClearBoundOutputs();
        var k = 0;
        foreach (var value in first)
        {
            var name = names[k++];
            if (!value.IsTensor)
            {
                _binding.BindOutputToDevice(name, OrtMemoryInfo.DefaultInstance);
                continue;
            }
            var owned = TensorDataInterop.Allocate(value.ElementType(), value.Shape());
            _owned.Add(owned);
            _binding.BindOutput(name, owned);
        }
    }
}
