using OnnxBn.Serving.Codecs;
using OnnxBn.Serving.Models;

namespace OnnxBn.Serving.Inference;

/// <summary>
/// Answers validated requests: directly on the request's thread, or through the <see cref="MicroBatcher"/> when
/// batching is on and the model can be batched.
/// </summary>
public sealed class Predictor : IAsyncDisposable
{
    private readonly ServingMetrics _metrics;
    private readonly MicroBatcher? _batcher;

    /// <summary>Creates the predictor (and its batching loop when <see cref="BatchingOptions.Enabled"/>).</summary>
    public Predictor(ServingOptions options, ServingMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(options);
        _metrics = metrics;
        _batcher = options.Batching.Enabled ? new MicroBatcher(options.Batching, metrics) : null;
    }

    /// <summary>The outputs of <paramref name="model"/> on <paramref name="inputs"/> (in the model's input order).</summary>
    /// <exception cref="BadRequestException">ONNX Runtime refused the values.</exception>
    public Task<NamedTensor[]> PredictAsync(ServedModel model, NamedTensor[] inputs)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputs);
        if (_batcher is not null && model.Signature.IsBatchable)
            return _batcher.RunAsync(model, inputs);
        var outputs = ModelRunner.Run(model, inputs);
        _metrics.Batch(inputs.Length == 0 || inputs[0].Shape.Length == 0 ? 1 : inputs[0].Shape[0]);
        return Task.FromResult(outputs);
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _batcher?.DisposeAsync() ?? ValueTask.CompletedTask;
}
