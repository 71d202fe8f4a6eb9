using OnnxBn.Folding;
using OnnxBn.Runtime.Native;
using OnnxBn.Runtime.Values;

namespace OnnxBn.Runtime.Session;

/// <summary>Input and output metadata, read once when the session is created.</summary>
public sealed unsafe partial class InferenceSession
{
    private readonly NameTable _inputNames;
    private readonly NameTable _outputNames;

    /// <summary>The model's inputs in declaration order (initializers are not listed).</summary>
    public IReadOnlyList<NodeMetadata> Inputs { get; }

    /// <summary>The model's outputs in declaration order.</summary>
    public IReadOnlyList<NodeMetadata> Outputs { get; }

    internal NameTable InputNames => _inputNames;

    internal NameTable OutputNames => _outputNames;

    private (NodeMetadata[], NodeMetadata[], NameTable, NameTable) ReadMetadata()
    {
        var api = OrtApi.Instance;
        var session = _handle.DangerousGetHandle();
        nuint inputCount, outputCount;
        api.Check(api.SessionGetInputCount(session, &inputCount));
        api.Check(api.SessionGetOutputCount(session, &outputCount));

        var inputs = new NodeMetadata[(int)inputCount];
        for (nuint i = 0; i < inputCount; i++)
        {
            byte* name;
            api.Check(api.SessionGetInputName(session, i, api.DefaultAllocator, &name));
            nint typeInfo;
            using var nameHandle = new AllocatorStringHandle((nint)name);
            api.Check(api.SessionGetInputTypeInfo(session, i, &typeInfo));
            inputs[(int)i] = Describe(api, nameHandle.Value, new TypeInfoHandle(typeInfo));
        }

        var outputs = new NodeMetadata[(int)outputCount];
        for (nuint i = 0; i < outputCount; i++)
        {
            byte* name;
            api.Check(api.SessionGetOutputName(session, i, api.DefaultAllocator, &name));
            nint typeInfo;
            using var nameHandle = new AllocatorStringHandle((nint)name);
            api.Check(api.SessionGetOutputTypeInfo(session, i, &typeInfo));
            outputs[(int)i] = Describe(api, nameHandle.Value, new TypeInfoHandle(typeInfo));
        }

        return (inputs, outputs, new NameTable(inputs.Select(n => n.Name)), new NameTable(outputs.Select(n => n.Name)));
    }

    private static NodeMetadata Describe(OrtApi api, string name, TypeInfoHandle typeInfo)
    {
        using (typeInfo)
        {
            var raw = typeInfo.DangerousGetHandle();
            int kind;
            api.Check(api.GetOnnxTypeFromTypeInfo(raw, &kind));
            nint tensorInfo;
            api.Check(api.CastTypeInfoToTensorInfo(raw, &tensorInfo));
            if (tensorInfo == 0)
                return new NodeMetadata(name, (OrtValueKind)kind, TensorElementType.Undefined, [], []);
            var (type, shape, symbolic) = TensorInfo.Read(api, tensorInfo);
            return new NodeMetadata(name, (OrtValueKind)kind, type, shape, symbolic);
        }
    }

    /// <summary>Finds an input by name, or null.</summary>
    public NodeMetadata? FindInput(string name) => _inputNames.TryGetIndex(name, out var i) ? Inputs[i] : null;

    /// <summary>Finds an output by name, or null.</summary>
    public NodeMetadata? FindOutput(string name) => _outputNames.TryGetIndex(name, out var i) ? Outputs[i] : null;
}

/// <summary>
/// Names as NUL-terminated UTF-8 in arrays on the pinned object heap, so a run can hand ONNX Runtime their addresses
/// without marshalling (and without allocating) on every call.
/// </summary>
internal sealed unsafe class NameTable
{
    private readonly byte[][] _buffers;
    private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);

    public NameTable(IEnumerable<string> names)
    {
        var list = names.ToList();
        Names = list;
        _buffers = new byte[list.Count][];
        for (var i = 0; i < list.Count; i++)
        {
            var utf8 = OrtEnvironment.Utf8(list[i]);
            _buffers[i] = GC.AllocateArray<byte>(utf8.Length, pinned: true);
            utf8.CopyTo(_buffers[i], 0);
            _index[list[i]] = i;
        }
    }

    public IReadOnlyList<string> Names { get; }

    public int Count => _buffers.Length;

    public bool TryGetIndex(string name, out int index) => _index.TryGetValue(name, out index);

    /// <summary>The NUL-terminated UTF-8 bytes of name <paramref name="index"/>; stable because the array is pinned.</summary>
    public byte* Pointer(int index) => (byte*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref _buffers[index][0]);
}
