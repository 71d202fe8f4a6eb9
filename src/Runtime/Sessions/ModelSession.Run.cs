using Microsoft.ML.OnnxRuntime;

namespace OnnxBn.Runtime.Sessions;

/// <summary>Running the model: by name with owned outputs, into pre-allocated outputs, or through an I/O binding.</summary>
public sealed partial class ModelSession
{
    /// <summary>Runs the model and returns the named outputs (all, in the model's order, by default) as owned values.</summary>
    /// <exception cref="OnnxRuntimeException">ONNX Runtime failed (wrong input name, type or shape, or a kernel error).</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled before or during the run.</exception>
    /// <exception cref="ObjectDisposedException">This session was disposed.</exception>
    public IDisposableReadOnlyCollection<OrtValue> Run(IReadOnlyDictionary<string, OrtValue> inputs,
        IReadOnlyCollection<string>? outputNames = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var names = inputs.Keys.ToArray();
        var values = names.Select(n => inputs[n]).ToArray();
        _gate.Enter();
        try
        {
            return Cancellable.Run(cancellationToken,
                runOptions => _session.Run(runOptions, names, values, outputNames ?? _session.OutputNames));
        }
        finally
        {
            _gate.Exit();
        }
    }

    /// <summary>
    /// Runs the model writing into caller-provided outputs (their shapes must be what the model produces); with
    /// reused <paramref name="runOptions"/> a steady-state run allocates only what ONNX Runtime's wrapper does.
    /// </summary>
    /// <exception cref="OnnxRuntimeException">ONNX Runtime failed, or the run options were terminated.</exception>
    /// <exception cref="ObjectDisposedException">This session was disposed.</exception>
    public void RunInto(IReadOnlyCollection<string> inputNames, IReadOnlyCollection<OrtValue> inputs,
        IReadOnlyCollection<string> outputNames, IReadOnlyCollection<OrtValue> outputs, RunOptions runOptions)
    {
        _gate.Enter();
        try
        {
            _session.Run(runOptions, inputNames, inputs, outputNames, outputs);
        }
        finally
        {
            _gate.Exit();
        }
    }

    /// <summary>
    /// Runs the model on what <paramref name="binding"/> binds; allocates no managed memory. The binding and the run
    /// options are held for the call, so disposing either meanwhile (or before) is an
    /// <see cref="ObjectDisposedException"/>, not a native use after free.
    /// </summary>
    /// <exception cref="OnnxRuntimeException">ONNX Runtime failed, or the run options were terminated.</exception>
    /// <exception cref="ObjectDisposedException">This session, the binding or the run options were disposed.</exception>
    internal void RunWithBinding(OrtIoBinding binding, RunOptions runOptions)
    {
        _gate.Enter();
        bool bindingHeld = false, optionsHeld = false;
        try
        {
            binding.DangerousAddRef(ref bindingHeld);
            runOptions.DangerousAddRef(ref optionsHeld);
            _session.RunWithBinding(runOptions, binding);
        }
        finally
        {
            if (optionsHeld)
                runOptions.DangerousRelease();
            if (bindingHeld)
                binding.DangerousRelease();
            _gate.Exit();
        }
    }

    /// <summary>
    /// <see cref="RunWithBinding"/> for an owner that holds a <see cref="Retain"/> and disposes
    /// <paramref name="binding"/> and <paramref name="runOptions"/> only under its own use gate (a
    /// <see cref="Benchmarking.PreparedRun"/>): the Retain keeps the native session alive and the owner's gate its
    /// objects, so the per-call gate and handle references are skipped — they cost a timed run of a small model
    /// about 5 %. A disposed session still refuses the run.
    /// </summary>
    /// <exception cref="ObjectDisposedException">This session was disposed.</exception>
    internal void RunRetained(OrtIoBinding binding, RunOptions runOptions)
    {
        ObjectDisposedException.ThrowIf(_gate.IsDisposed, this);
        _session.RunWithBinding(runOptions, binding);
    }

    /// <summary>
    /// Creates an official I/O binding for this session. Its native object points into the session, so its owner
    /// holds the session with <see cref="Retain"/> until the binding is disposed.
    /// </summary>
    /// <exception cref="ObjectDisposedException">This session was disposed.</exception>
    internal OrtIoBinding CreateIoBinding()
    {
        _gate.Enter();
        try
        {
            return _session.CreateIoBinding();
        }
        finally
        {
            _gate.Exit();
        }
    }

    /// <summary>
    /// Keeps the native session alive for an owner of something that points into it (an I/O binding) until
    /// <see cref="Unretain"/>: disposing the session meanwhile refuses new uses but defers the release.
    /// </summary>
    /// <exception cref="ObjectDisposedException">This session was disposed.</exception>
    internal void Retain() => _gate.Enter();

    /// <summary>Ends a <see cref="Retain"/>; the last one out after disposal releases the session.</summary>
    internal void Unretain() => _gate.Exit();
}
