using Microsoft.ML.OnnxRuntime;
using OnnxBn.Folding;
using OnnxBn.Runtime.Data;
using OnnxBn.Runtime.Sessions;

namespace OnnxBn.Training;

/// <summary>
/// Runs a single-input, single-output float model (a frozen base cut at its features, or a whole model B) over many
/// examples in batches through ONNX Runtime. One input buffer and one output buffer are allocated up front and wrapped
/// as tensors once, so each batch is a copy in, a pre-bound run that allocates nothing, and a copy out. A model whose
/// output is its own input (a base cut at the graph input) is the identity and does not touch ONNX Runtime.
/// </summary>
public sealed class FeatureExtractor : IDisposable
{
    private readonly ModelSession? _session;
    private readonly RunOptions _runOptions = new();
    private readonly long[] _inputDims;
    private readonly string _inputName;
    private readonly string _outputName;

    /// <summary>Creates a session for <paramref name="model"/>.</summary>
    /// <exception cref="ArgumentException">The model does not have exactly one runtime input and one output.</exception>
    public FeatureExtractor(OnnxModel model, SessionSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var inputs = model.Graph.RuntimeInputs;
        if (inputs.Count != 1 || model.Graph.Outputs.Count != 1)
            throw new ArgumentException(
                $"Feature extraction needs one input and one output; the model has {inputs.Count} and {model.Graph.Outputs.Count}.", nameof(model));
        _inputName = inputs[0].Name;
        _outputName = model.Graph.Outputs[0].Name;
        _inputDims = (inputs[0].Shape ?? []).Skip(1).Select(d => d.Value ?? -1).ToArray();
        if (_outputName != _inputName)
            _session = ModelSession.Open(model, settings);
    }

    /// <summary>True when the model's output is its input (no ONNX Runtime run is needed).</summary>
    public bool IsIdentity => _session is null;

    /// <summary>
    /// The per-example input shape the model declares (without the batch dimension) when it accepts
    /// <paramref name="featureSize"/> values per example; a model declaring [N, 784] gets [784], one declaring
    /// [N, 1, 28, 28] gets [1, 28, 28].
    /// </summary>
    /// <exception cref="InvalidDataException">The declared shape holds another number of values.</exception>
    public long[] ExampleShape(int featureSize)
    {
        if (_inputDims.Length == 0 || _inputDims.Any(d => d < 0))
            return _inputDims.Length <= 1 ? [featureSize] : throw Mismatch(featureSize);
        return _inputDims.Aggregate(1L, (a, b) => a * b) == featureSize ? _inputDims : throw Mismatch(featureSize);
    }

    /// <summary>
    /// The model's output for each row of <paramref name="data"/>, flattened per example: a [count × size] array
    /// and the size. <paramref name="progress"/> receives the number of rows done after each batch.
    /// </summary>
    public (float[] Values, int Size) Run(LabeledData data, int batchSize = 256, IProgress<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        if (_session is null)
        {
            progress?.Report(data.Count);
            return ((float[])data.Features.Clone(), data.FeatureSize);
        }
        var exampleShape = ExampleShape(data.FeatureSize);
        if (data.Count == 0)
            return ([], 0);
        var batch = Math.Min(batchSize, data.Count);
        var outputDims = OutputDims(data, exampleShape);
        var outputSize = (int)outputDims.Aggregate(1L, (a, b) => a * b);
        var result = new float[(long)data.Count * outputSize > Array.MaxLength
            ? throw new InvalidOperationException($"{data.Count} examples of {outputSize} features do not fit in one array.")
            : data.Count * outputSize];

        var inputBuffer = new float[batch * data.FeatureSize];
        var outputBuffer = new float[batch * outputSize];
        var full = Bind(inputBuffer, outputBuffer, batch, exampleShape, outputDims);
        (OrtValue In, OrtValue Out)? tail = null;
        try
        {
            for (var start = 0; start < data.Count; start += batch)
            {
                var n = Math.Min(batch, data.Count - start);
                var values = n == batch ? full : (tail ??= Bind(inputBuffer, outputBuffer, n, exampleShape, outputDims));
                data.Features.AsSpan(start * data.FeatureSize, n * data.FeatureSize).CopyTo(inputBuffer);
                _session.RunInto([_inputName], [values.In], [_outputName], [values.Out], _runOptions);
                outputBuffer.AsSpan(0, n * outputSize).CopyTo(result.AsSpan(start * outputSize));
                progress?.Report(start + n);
            }
        }
        finally
        {
            full.In.Dispose();
            full.Out.Dispose();
            tail?.In.Dispose();
            tail?.Out.Dispose();
        }
        return (result, outputSize);
    }

    /// <summary>Releases the session.</summary>
    public void Dispose()
    {
        _session?.Dispose();
        _runOptions.Dispose();
    }

    /// <summary>
    /// The output's dimensions after the batch one: declared ones when all are known, else those of one run on the
    /// first example (ONNX Runtime writes into a pre-bound output only when its shape is exactly right).
    /// </summary>
    private long[] OutputDims(LabeledData data, long[] exampleShape)
    {
        var declared = _session!.Outputs[0].Shape;
        if (declared.Count >= 1 && declared.Skip(1).All(d => d >= 0))
            return declared.Skip(1).ToArray();
        var one = data.Features.AsMemory(0, data.FeatureSize).ToArray();
        using var input = OrtValue.CreateTensorValueFromMemory(one, [1, .. exampleShape]);
        using var results = _session.Run(new Dictionary<string, OrtValue> { [_inputName] = input }, [_outputName]);
        var shape = results[0].Shape();
        if (shape.Length == 0 || shape[0] != 1)
            throw new InvalidOperationException($"The model output '{_outputName}' has no batch dimension (shape [{string.Join(",", shape.ToArray())}]).");
        return shape[1..].ToArray();
    }

    private static (OrtValue In, OrtValue Out) Bind(float[] input, float[] output, int rows, long[] exampleShape, long[] outputDims)
    {
        var perExample = (int)exampleShape.Aggregate(1L, (a, b) => a * b);
        var outputSize = (int)outputDims.Aggregate(1L, (a, b) => a * b);
        var inValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, input.AsMemory(0, rows * perExample), [rows, .. exampleShape]);
        try
        {
            return (inValue, OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, output.AsMemory(0, rows * outputSize), [rows, .. outputDims]));
        }
        catch
        {
            inValue.Dispose();
            throw;
        }
    }

    private InvalidDataException Mismatch(int featureSize) =>
        new($"The model input '{_inputName}' takes [{string.Join(",", _inputDims.Select(d => d < 0 ? "?" : d.ToString(System.Globalization.CultureInfo.InvariantCulture)))}] " +
            $"per example but the data has {featureSize} values per example.");
}
