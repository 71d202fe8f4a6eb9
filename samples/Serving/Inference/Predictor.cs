using OnnxBn.Serving.Codecs;
using OnnxBn.Serving.Models;

namespace OnnxBn.Serving.Inference;

/// <summary>
/// Answers validated requests, each on its own run of the leased model, on the request's thread. (Coalescing
/// concurrent requests into batches was measured and did not pay: bench/README.md, "Serving".)
/// </summary>
public sealed class Predictor(ServingMetrics metrics)
{
    /// <summary>The outputs of <paramref name="model"/> on <paramref name="inputs"/> (in the model's input order).</summary>
    /// <exception cref="BadRequestException">ONNX Runtime refused the values.</exception>
    public NamedTensor[] Predict(ServedModel model, NamedTensor[] inputs)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputs);
        var outputs = ModelRunner.Run(model, inputs);
        metrics.Batch(inputs.Length == 0 || inputs[0].Shape.Length == 0 ? 1 : inputs[0].Shape[0]);
        return outputs;
    }
}
