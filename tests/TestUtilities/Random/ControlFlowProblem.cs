using OnnxBn.Folding;
using OnnxBn.Runtime.Reference;

namespace OnnxBn.TestUtilities.Random;

/// <summary>Where a generated weight or BN parameter lives, which decides whether a fold may use it.</summary>
public enum ParameterHome
{
    /// <summary>An initializer of the scope whose node reads it.</summary>
    Local,
    /// <summary>An initializer of the main graph, read from inside a sub-graph (an outer-scope constant).</summary>
    Main,
    /// <summary>A local initializer named like a main-graph initializer of other values, which it shadows.</summary>
    Shadowing,
    /// <summary>A graph input of the main graph: fed at run time, so never a constant.</summary>
    MainInput,
}

/// <summary>
/// A seeded random model with BNs at random depths of nested If and Loop nodes: every scope runs a Conv (1×1 or 3×3,
/// padded to keep the shape) or a Gemm, then a BN, then maybe Relu, then maybe an If (both branches such blocks) or a
/// Loop (two iterations of such a block over a carried value). Each weight and BN parameter is placed at a random
/// <see cref="ParameterHome"/>; a BN is foldable exactly when its linear op's weight and bias and its own parameters
/// are constants, i.e. none lives in <see cref="ParameterHome.MainInput"/>.
/// </summary>
public sealed class ControlFlowProblem
{
    private const int Channels = 3;

    private readonly SeededRandom _random;
    private readonly bool _dense;
    private readonly GraphBuilder _main;
    private readonly Dictionary<string, RefTensor> _feeds = new(StringComparer.Ordinal);
    private readonly List<(string Name, float[] Values)> _mainVectors = [];
    private readonly Dictionary<string, string> _bnScopes = new(StringComparer.Ordinal);

    /// <summary>Main-graph names each sub-graph already shadows (a scope defines a name once).</summary>
    private readonly Dictionary<GraphBuilder, HashSet<string>> _shadowed = new(ReferenceEqualityComparer.Instance);
    private int _counter;

    private ControlFlowProblem(int seed)
    {
        Seed = seed;
        _random = new SeededRandom(seed);
        _dense = _random.Chance(0.3);
        _main = new GraphBuilder()
            .Input("x", OnnxDataType.Float, DataShape.Cast<object>().ToArray())
            .Input("cond", OnnxDataType.Bool)
            .Initializer(TensorData.Create("two", [], new long[] { 2 }.AsSpan()))
            .Initializer(TensorData.Create("yes", [], new[] { true }.AsSpan()));
        _feeds["x"] = RefTensor.Of(DataShape, _random.Normals(RefTensor.ElementCount(DataShape), 1));
        string y = Block(_main, BnFate.MainScope, "x", depth: 0);
        _main.Output("y", OnnxDataType.Float, DataShape.Cast<object>().ToArray())
            .Node("Identity", [y], ["y"], "out");
    }

    /// <summary>The seed that reproduces this problem.</summary>
    public int Seed { get; }

    /// <summary>The model.</summary>
    public OnnxModel Model => _main.Build();

    /// <summary>Scope path of every BN by node name ("main/Loop 'loop_4'/body").</summary>
    public IReadOnlyDictionary<string, string> BnScopes => _bnScopes;

    /// <summary>How many BNs must fold: those whose weight, bias and parameters are all constants.</summary>
    public int MustFold { get; private set; }

    /// <summary>Feeds for x, the main-graph inputs holding parameters, and cond set to <paramref name="condition"/>.</summary>
    public IReadOnlyDictionary<string, RefTensor> Inputs(bool condition) =>
        new Dictionary<string, RefTensor>(_feeds) { ["cond"] = RefTensor.Scalar(condition ? 1 : 0) };

    /// <summary>The problem of <paramref name="seed"/>.</summary>
    public static ControlFlowProblem Generate(int seed) => new(seed);

    /// <inheritdoc/>
    public override string ToString() => $"control-flow problem seed {Seed} ({(_dense ? "Gemm" : "Conv")}, {_bnScopes.Count} BNs, {MustFold} foldable)";

    private long[] DataShape => _dense ? [2, Channels] : [1, Channels, 4, 4];

    /// <summary>Linear op → BN → maybe Relu → maybe a control-flow node, in <paramref name="graph"/>; returns the block's output.</summary>
    private string Block(GraphBuilder graph, string path, string input, int depth)
    {
        string id = $"{++_counter}";
        bool constant = true;
        // About a third of the BNs get one non-constant parameter (of the 6: weight, bias, γ, β, mean, var).
        int slot = 0, variable = _random.Chance(0.35) ? _random.Int(0, 5) : -1;
        bool AsInput() => slot++ == variable;
        string weight, bias;
        if (_dense)
        {
            weight = Parameter(graph, $"w{id}", [Channels, Channels], _random.Normals(Channels * Channels, 0.5), AsInput(), ref constant);
            bias = Parameter(graph, $"b{id}", [Channels], _random.Normals(Channels, 0.3), AsInput(), ref constant);
            graph.Node("Gemm", [input, weight, bias], [$"lin{id}"], $"gemm{id}");
        }
        else
        {
            int k = _random.Pick(1, 3);
            weight = Parameter(graph, $"w{id}", [Channels, Channels, k, k], _random.Normals(Channels * Channels * k * k, 0.4), AsInput(), ref constant);
            bias = Parameter(graph, $"b{id}", [Channels], _random.Normals(Channels, 0.3), AsInput(), ref constant);
            graph.Node("Conv", [input, weight, bias], [$"lin{id}"], $"conv{id}", ("pads", new long[] { k / 2, k / 2, k / 2, k / 2 }));
        }
        string[] bnInputs =
        [
            $"lin{id}",
            Parameter(graph, $"gamma{id}", [Channels], _random.Uniforms(Channels, 0.5, 1.5), AsInput(), ref constant),
            Parameter(graph, $"beta{id}", [Channels], _random.Normals(Channels, 0.2), AsInput(), ref constant),
            Parameter(graph, $"mean{id}", [Channels], _random.Normals(Channels, 0.5), AsInput(), ref constant),
            Parameter(graph, $"var{id}", [Channels], _random.Uniforms(Channels, 0.25, 2), AsInput(), ref constant),
        ];
        graph.Node("BatchNormalization", bnInputs, [$"bn{id}_out"], $"bn{id}");
        _bnScopes[$"bn{id}"] = path;
        if (constant) MustFold++;
        string output = $"bn{id}_out";
        if (_random.Chance(0.5))
        {
            graph.Node("Relu", [output], [$"relu{id}"], $"relu{id}");
            output = $"relu{id}";
        }
        if (depth >= 3 || !_random.Chance(0.7))
            return output;
        return _random.Chance(0.5) ? If(graph, path, output, depth) : Loop(graph, path, output, depth);
    }

    private string If(GraphBuilder graph, string path, string input, int depth)
    {
        string name = $"if{++_counter}";
        var branches = new[] { "then_branch", "else_branch" }.Select(attribute =>
        {
            var branch = new GraphBuilder();
            string result = Block(branch, $"{path}/If '{name}'/{attribute}", input, depth + 1);
            // A branch output must be the branch's own value: an Identity when the block ends on an outer one.
            string output = $"{name}_{attribute}_y";
            branch.Node("Identity", [result], [output], $"{output}_id").Output(output, OnnxDataType.Float, DataShape.Cast<object>().ToArray());
            return branch;
        }).ToArray();
        graph.If("cond", [$"{name}_y"], branches[0], branches[1], name);
        return $"{name}_y";
    }

    private string Loop(GraphBuilder graph, string path, string input, int depth)
    {
        string name = $"loop{++_counter}";
        var body = new GraphBuilder()
            .Input($"{name}_i", OnnxDataType.Int64)
            .Input($"{name}_cond", OnnxDataType.Bool)
            .Input($"{name}_in", OnnxDataType.Float, DataShape.Cast<object>().ToArray())
            .Output($"{name}_cond_out", OnnxDataType.Bool)
            .Node("Identity", [$"{name}_cond"], [$"{name}_cond_out"], $"{name}_keep_going");
        string result = Block(body, $"{path}/Loop '{name}'/body", $"{name}_in", depth + 1);
        body.Node("Identity", [result], [$"{name}_out"], $"{name}_out_id").Output($"{name}_out", OnnxDataType.Float, DataShape.Cast<object>().ToArray());
        graph.Loop("two", "yes", [input], [$"{name}_y"], body, name);
        return $"{name}_y";
    }

    /// <summary>Places a parameter at a random home and returns the name its reader uses.</summary>
    private string Parameter(GraphBuilder scope, string name, long[] dims, double[] values, bool asInput, ref bool constant)
    {
        var floats = values.Select(v => (float)v).ToArray();
        bool inMain = ReferenceEquals(scope, _main);
        var home = asInput ? ParameterHome.MainInput : _random.Pick(ParameterHome.Local, ParameterHome.Main, ParameterHome.Shadowing);
        if (inMain && home == ParameterHome.Shadowing) home = ParameterHome.Local;
        if (home == ParameterHome.Shadowing && dims.Length == 1)
        {
            var used = _shadowed.TryGetValue(scope, out var set) ? set : _shadowed[scope] = new HashSet<string>(StringComparer.Ordinal);
            var candidates = _mainVectors.Where(v => v.Values.Length == floats.Length && !used.Contains(v.Name)).ToArray();
            if (candidates.Length > 0)
            {
                string shadowed = _random.Pick(candidates).Name;
                used.Add(shadowed);
                scope.Initializer(shadowed, dims, floats);
                return shadowed;
            }
        }
        switch (home)
        {
            case ParameterHome.MainInput:
                constant = false;
                _main.Input(name, OnnxDataType.Float, dims.Cast<object>().ToArray());
                _feeds[name] = RefTensor.Of(dims, floats.Select(v => (double)v).ToArray());
                return name;
            case ParameterHome.Main when !inMain:
                _main.Initializer(name, dims, floats);
                if (dims.Length == 1) _mainVectors.Add((name, floats));
                return name;
            default:
                scope.Initializer(name, dims, floats);
                if (inMain && dims.Length == 1) _mainVectors.Add((name, floats));
                return name;
        }
    }
}
