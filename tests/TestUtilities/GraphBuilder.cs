using Google.Protobuf;
using OnnxBn.Folding;
using OnnxBn.Folding.Onnx.Proto;

namespace OnnxBn.TestUtilities;

/// <summary>
/// Builds small ONNX models in tests: declare inputs and outputs, add initializers and nodes, then
/// <see cref="Build"/> an <see cref="OnnxModel"/> or <see cref="ToBytes"/>.
/// </summary>
public sealed class GraphBuilder(long opset = 13, long irVersion = 8)
{
    private readonly ModelProto _model = new()
    {
        IrVersion = irVersion,
        ProducerName = "OnnxBn.TestUtilities",
        Graph = new GraphProto { Name = "test" },
    };

    private GraphProto Graph => _model.Graph;

    public GraphBuilder Input(string name, OnnxDataType type, params object[] dims)
    {
        Graph.Input.Add(ValueInfoOf(name, type, dims));
        return this;
    }

    public GraphBuilder Output(string name, OnnxDataType type, params object[] dims)
    {
        Graph.Output.Add(ValueInfoOf(name, type, dims));
        return this;
    }

    /// <summary>Declares a graph output with an element type but no shape at all (rank unknown).</summary>
    public GraphBuilder OutputWithoutShape(string name, OnnxDataType type)
    {
        Graph.Output.Add(new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type } },
        });
        return this;
    }

    /// <summary>Declares an intermediate value's type and shape (value_info).</summary>
    public GraphBuilder ValueInfo(string name, OnnxDataType type, params object[] dims)
    {
        Graph.ValueInfo.Add(ValueInfoOf(name, type, dims));
        return this;
    }

    public GraphBuilder Initializer(string name, long[] dims, params float[] values) =>
        Initializer(TensorData.Create(name, dims, values.AsSpan()));

    public GraphBuilder Initializer(TensorData tensor)
    {
        Graph.Initializer.Add(TensorProto.Parser.ParseFrom(tensor.ToTensorProtoBytes()));
        return this;
    }

    /// <summary>
    /// Adds a node; attributes are (name, value) pairs with long, float, string, long[] or float[] values, or a
    /// <see cref="GraphBuilder"/> for a sub-graph (its graph; its opset and IR version are the model's).
    /// </summary>
    public GraphBuilder Node(string opType, string[] inputs, string[] outputs, string? name = null, params (string Name, object Value)[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = name ?? $"{opType}_{Graph.Node.Count}" };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        foreach (var (attrName, value) in attributes)
            node.Attribute.Add(AttributeOf(attrName, value));
        Graph.Node.Add(node);
        return this;
    }

    /// <summary>Adds If(<paramref name="condition"/>) choosing between two branches (sub-graphs without inputs).</summary>
    public GraphBuilder If(string condition, string[] outputs, GraphBuilder thenBranch, GraphBuilder elseBranch, string name) =>
        Node("If", [condition], outputs, name, ("then_branch", thenBranch), ("else_branch", elseBranch));

    /// <summary>
    /// Adds Loop(<paramref name="tripCount"/>, <paramref name="condition"/>, <paramref name="carried"/>...) whose body
    /// takes (iteration, condition, carried...) and returns (condition, carried..., scan outputs...).
    /// </summary>
    public GraphBuilder Loop(string tripCount, string condition, string[] carried, string[] outputs, GraphBuilder body, string name) =>
        Node("Loop", [tripCount, condition, .. carried], outputs, name, ("body", body));

    /// <summary>Adds a Constant node whose value is <paramref name="tensor"/>.</summary>
    public GraphBuilder Constant(string output, TensorData tensor)
    {
        var node = new NodeProto { OpType = "Constant", Name = $"Constant_{output}" };
        node.Output.Add(output);
        node.Attribute.Add(new AttributeProto
        {
            Name = "value",
            Type = AttributeProto.Types.AttributeType.Tensor,
            T = TensorProto.Parser.ParseFrom(tensor.WithName(output).ToTensorProtoBytes()),
        });
        Graph.Node.Add(node);
        return this;
    }

    public byte[] ToBytes()
    {
        var copy = _model.Clone();
        copy.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
        return copy.ToByteArray();
    }

    public OnnxModel Build() => OnnxModel.FromBytes(ToBytes());

    private static ValueInfoProto ValueInfoOf(string name, OnnxDataType type, object[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims)
        {
            var dim = new TensorShapeProto.Types.Dimension();
            if (d is string symbol) dim.DimParam = symbol;
            else dim.DimValue = Convert.ToInt64(d, System.Globalization.CultureInfo.InvariantCulture);
            shape.Dim.Add(dim);
        }
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
        };
    }

    private static AttributeProto AttributeOf(string name, object value)
    {
        var a = new AttributeProto { Name = name };
        switch (value)
        {
            case int i: a.Type = AttributeProto.Types.AttributeType.Int; a.I = i; break;
            case long l: a.Type = AttributeProto.Types.AttributeType.Int; a.I = l; break;
            case float f: a.Type = AttributeProto.Types.AttributeType.Float; a.F = f; break;
            case double d: a.Type = AttributeProto.Types.AttributeType.Float; a.F = (float)d; break;
            case string s: a.Type = AttributeProto.Types.AttributeType.String; a.S = ByteString.CopyFromUtf8(s); break;
            case long[] ls: a.Type = AttributeProto.Types.AttributeType.Ints; a.Ints.AddRange(ls); break;
            case int[] isx: a.Type = AttributeProto.Types.AttributeType.Ints; a.Ints.AddRange(isx.Select(x => (long)x)); break;
            case float[] fs: a.Type = AttributeProto.Types.AttributeType.Floats; a.Floats.AddRange(fs); break;
            case GraphBuilder g: a.Type = AttributeProto.Types.AttributeType.Graph; a.G = g.Graph.Clone(); break;
            default: throw new ArgumentException($"attribute {name}: unsupported value type {value.GetType().Name}");
        }
        return a;
    }
}
