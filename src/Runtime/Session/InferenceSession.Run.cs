using OnnxBn.Runtime.Native;
using OnnxBn.Runtime.Values;

namespace OnnxBn.Runtime.Session;

/// <summary>Running the model: by name with owned outputs, into pre-allocated outputs, or through an <see cref="IoBinding"/>.</summary>
public sealed unsafe partial class InferenceSession
{
    private const int StackLimit = 64;

    /// <summary>Runs the model and returns every output as owned values (dispose the result).</summary>
    /// <exception cref="OrtException">ONNX Runtime failed (wrong input name, type or shape, or a kernel error).</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled or the run options were terminated.</exception>
    public RunResults Run(IReadOnlyDictionary<string, OrtValue> inputs, RunOptions? runOptions = null,
        CancellationToken cancellationToken = default) =>
        Run(inputs, _outputNames.Names, runOptions, cancellationToken);

    /// <summary>Runs the model and returns the named outputs, in the order asked, as owned values.</summary>
    /// <exception cref="ArgumentException">An input or output name is not part of the model.</exception>
    /// <exception cref="OrtException">ONNX Runtime failed.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled or the run options were terminated.</exception>
    public RunResults Run(IReadOnlyDictionary<string, OrtValue> inputs, IReadOnlyList<string> outputNames,
        RunOptions? runOptions = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(outputNames);
        var inputNames = inputs.Keys.ToArray();
        var inputValues = inputNames.Select(n => inputs[n]).ToArray();
        var outputs = new nint[outputNames.Count];
        var names = outputNames.ToArray();
        WithCancellation(runOptions, cancellationToken, ro => RunCore(inputNames, inputValues, names, outputs, null, ro));

        var values = new OrtValue[outputs.Length];
        var wrapped = 0;
        try
        {
            for (; wrapped < outputs.Length; wrapped++)
                values[wrapped] = OrtValue.FromNative(outputs[wrapped]);
        }
        catch
        {
            for (var i = 0; i < wrapped; i++)
                values[i].Dispose();
            for (var i = wrapped + 1; i < outputs.Length; i++)
                OrtApi.Instance.ReleaseValue(outputs[i]);
            throw;
        }
        return new RunResults(names, values);
    }

    /// <summary>
    /// Runs the model writing into caller-provided output tensors (their shapes must match what the model produces).
    /// Allocates no managed memory: names are looked up in a dictionary and passed to ONNX Runtime pre-encoded.
    /// </summary>
    /// <exception cref="ArgumentException">A name is not part of the model, or the counts differ.</exception>
    /// <exception cref="OrtException">ONNX Runtime failed.</exception>
    /// <exception cref="OperationCanceledException">The run options were terminated.</exception>
    public void Run(ReadOnlySpan<string> inputNames, ReadOnlySpan<OrtValue> inputs,
        ReadOnlySpan<string> outputNames, ReadOnlySpan<OrtValue> outputs, RunOptions? runOptions = null)
    {
        if (outputs.Length != outputNames.Length)
            throw new ArgumentException($"{outputNames.Length} output names but {outputs.Length} output values.", nameof(outputs));
        Span<nint> raw = outputs.Length <= StackLimit ? stackalloc nint[outputs.Length] : new nint[outputs.Length];
        for (var i = 0; i < outputs.Length; i++)
            raw[i] = outputs[i].Handle.DangerousGetHandle();
        RunCore(inputNames, inputs, outputNames, raw, outputs, runOptions);
    }

    /// <summary>Runs the model on the inputs and outputs bound in <paramref name="binding"/>; allocates no managed memory.</summary>
    /// <exception cref="OrtException">ONNX Runtime failed.</exception>
    /// <exception cref="OperationCanceledException">The run options were terminated.</exception>
    public void Run(IoBinding binding, RunOptions? runOptions = null)
    {
        ArgumentNullException.ThrowIfNull(binding);
        var api = OrtApi.Instance;
        var added = false;
        _handle.DangerousAddRef(ref added);
        try
        {
            var status = api.RunWithBinding(_handle.DangerousGetHandle(), RawOptions(runOptions), binding.Handle.DangerousGetHandle());
            CheckRun(api, status, runOptions);
        }
        finally
        {
            _handle.DangerousRelease();
        }
        GC.KeepAlive(binding);
    }

    /// <summary>Creates an I/O binding for this session.</summary>
    public IoBinding CreateIoBinding() => new(this);

    private void RunCore(ReadOnlySpan<string> inputNames, ReadOnlySpan<OrtValue> inputs, ReadOnlySpan<string> outputNames,
        Span<nint> outputs, ReadOnlySpan<OrtValue> keepAlive, RunOptions? runOptions)
    {
        if (inputs.Length != inputNames.Length)
            throw new ArgumentException($"{inputNames.Length} input names but {inputs.Length} input values.", nameof(inputs));
        var inCount = inputs.Length;
        var outCount = outputNames.Length;
        Span<nint> inNames = inCount <= StackLimit ? stackalloc nint[inCount] : new nint[inCount];
        Span<nint> inValues = inCount <= StackLimit ? stackalloc nint[inCount] : new nint[inCount];
        Span<nint> outNames = outCount <= StackLimit ? stackalloc nint[outCount] : new nint[outCount];
        for (var i = 0; i < inCount; i++)
        {
            inNames[i] = (nint)_inputNames.Pointer(IndexOf(_inputNames, inputNames[i], "input"));
            inValues[i] = inputs[i].Handle.DangerousGetHandle();
        }
        for (var i = 0; i < outCount; i++)
            outNames[i] = (nint)_outputNames.Pointer(IndexOf(_outputNames, outputNames[i], "output"));

        var api = OrtApi.Instance;
        var added = false;
        _handle.DangerousAddRef(ref added);
        try
        {
            fixed (nint* pInNames = inNames, pInValues = inValues, pOutNames = outNames, pOutputs = outputs)
            {
                var status = api.Run(_handle.DangerousGetHandle(), RawOptions(runOptions), (byte**)pInNames, pInValues,
                    (nuint)inCount, (byte**)pOutNames, (nuint)outCount, pOutputs);
                CheckRun(api, status, runOptions);
            }
        }
        finally
        {
            _handle.DangerousRelease();
        }
        foreach (var value in inputs)
            GC.KeepAlive(value);
        foreach (var value in keepAlive)
            GC.KeepAlive(value);
    }

    private int IndexOf(NameTable table, string name, string what) =>
        table.TryGetIndex(name, out var index)
            ? index
            : throw new ArgumentException(
                $"The model has no {what} named '{name}'; its {what}s are: {string.Join(", ", table.Names)}.", nameof(name));

    private static nint RawOptions(RunOptions? runOptions) => runOptions?.Handle.DangerousGetHandle() ?? 0;

    private static void CheckRun(OrtApi api, nint status, RunOptions? runOptions)
    {
        if (status == 0)
            return;
        try
        {
            api.Check(status);
        }
        catch (OrtException ex) when (runOptions is { IsTerminateRequested: true })
        {
            throw new OperationCanceledException($"The run was terminated: {ex.OrtMessage}", ex, runOptions.CancellationToken);
        }
    }

    /// <summary>Runs <paramref name="body"/> with run options whose terminate flag follows <paramref name="token"/>.</summary>
    private static void WithCancellation(RunOptions? runOptions, CancellationToken token, Action<RunOptions?> body)
    {
        if (!token.CanBeCanceled)
        {
            body(runOptions);
            return;
        }
        token.ThrowIfCancellationRequested();
        var owned = runOptions is null ? new RunOptions() : null;
        var options = runOptions ?? owned!;
        try
        {
            using var registration = options.TerminateOn(token);
            body(options);
        }
        finally
        {
            owned?.Dispose();
        }
    }
}
