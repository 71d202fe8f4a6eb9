using OnnxBn.Runtime.Native;
using OnnxBn.Runtime.Values;

namespace OnnxBn.Runtime.Session;

/// <summary>
/// Inputs and outputs bound to a session ahead of time (<c>OrtIoBinding</c>), so that repeated runs through
/// <see cref="InferenceSession.Run(IoBinding, RunOptions)"/> pass no names and allocate nothing. Bound values are
/// kept referenced until rebound, cleared or the binding is disposed. The binding keeps its session alive.
/// </summary>
public sealed unsafe class IoBinding : IDisposable
{
    private readonly InferenceSession _session;
    private readonly Dictionary<string, OrtValue> _inputs = new(StringComparer.Ordinal);
    private readonly List<string> _outputOrder = [];
    private readonly Dictionary<string, OrtValue?> _outputs = new(StringComparer.Ordinal);

    internal IoBinding(InferenceSession session)
    {
        _session = session;
        var api = OrtApi.Instance;
        nint raw;
        api.Check(api.CreateIoBinding(session.Handle.DangerousGetHandle(), &raw));
        Handle = new IoBindingHandle(raw, session.Handle);
    }

    internal IoBindingHandle Handle { get; }

    /// <summary>Binds <paramref name="value"/> as the input <paramref name="name"/> (ONNX Runtime reads it in place).</summary>
    public void BindInput(string name, OrtValue value)
    {
        var api = OrtApi.Instance;
        api.Check(api.BindInput(Handle.DangerousGetHandle(), Name(_session.InputNames, name, "input"), value.Handle.DangerousGetHandle()));
        _inputs[name] = value;
    }

    /// <summary>Binds a pre-allocated tensor as output <paramref name="name"/>; runs write into it.</summary>
    public void BindOutput(string name, OrtValue value)
    {
        var api = OrtApi.Instance;
        api.Check(api.BindOutput(Handle.DangerousGetHandle(), Name(_session.OutputNames, name, "output"), value.Handle.DangerousGetHandle()));
        Remember(name, value);
    }

    /// <summary>Binds output <paramref name="name"/> to CPU memory that ONNX Runtime allocates on each run
    /// (for outputs whose shape is not known in advance); read them with <see cref="GetOutputValues"/>.</summary>
    public void BindOutputToCpu(string name)
    {
        var api = OrtApi.Instance;
        api.Check(api.BindOutputToDevice(Handle.DangerousGetHandle(), Name(_session.OutputNames, name, "output"),
            OrtValue.CpuMemoryInfo.DangerousGetHandle()));
        Remember(name, null);
    }

    /// <summary>The bound outputs after a run, in binding order, as new owned values (dispose the result).</summary>
    public RunResults GetOutputValues()
    {
        var api = OrtApi.Instance;
        var allocator = api.DefaultAllocator;
        nint* values;
        nuint count;
        api.Check(api.GetBoundOutputValues(Handle.DangerousGetHandle(), allocator, &values, &count));
        if (count == 0)
            return new RunResults([], []);
        var result = new OrtValue[(int)count];
        var wrapped = 0;
        try
        {
            for (; wrapped < (int)count; wrapped++)
                result[wrapped] = OrtValue.FromNative(values[wrapped]);
        }
        catch
        {
            for (var i = 0; i < wrapped; i++)
                result[i].Dispose();
            for (var i = wrapped + 1; i < (int)count; i++)
                api.ReleaseValue(values[i]);
            throw;
        }
        finally
        {
            api.IgnoreStatus(api.AllocatorFree(allocator, values));
        }
        return new RunResults([.. _outputOrder], result);
    }

    /// <summary>Removes every input binding.</summary>
    public void ClearBoundInputs()
    {
        OrtApi.Instance.ClearBoundInputs(Handle.DangerousGetHandle());
        _inputs.Clear();
    }

    /// <summary>Removes every output binding.</summary>
    public void ClearBoundOutputs()
    {
        OrtApi.Instance.ClearBoundOutputs(Handle.DangerousGetHandle());
        _outputs.Clear();
        _outputOrder.Clear();
    }

    /// <summary>Releases the native binding (the bound values stay owned by their creators).</summary>
    public void Dispose()
    {
        Handle.Dispose();
        _inputs.Clear();
        _outputs.Clear();
    }

    private void Remember(string name, OrtValue? value)
    {
        if (!_outputs.ContainsKey(name))
            _outputOrder.Add(name);
        _outputs[name] = value;
    }

    private static byte* Name(NameTable table, string name, string what) =>
        table.TryGetIndex(name, out var index)
            ? table.Pointer(index)
            : throw new ArgumentException(
                $"The model has no {what} named '{name}'; its {what}s are: {string.Join(", ", table.Names)}.", nameof(name));
}
