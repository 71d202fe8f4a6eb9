using Microsoft.ML.OnnxRuntime;
using OnnxBn.Runtime.Data;
using OnnxBn.Runtime.Sessions;
using OnnxBn.Serving.Codecs;
using OnnxBn.Serving.Models;

namespace OnnxBn.Serving.Inference;

/// <summary>One run of a served model on validated tensors, outputs copied out of ONNX Runtime's memory.</summary>
internal static class ModelRunner
{
    /// <summary>Runs <paramref name="model"/> on <paramref name="inputs"/> (in the model's input order).</summary>
    /// <exception cref="BadRequestException">ONNX Runtime refused the values (a shape the model cannot take).</exception>
    public static NamedTensor[] Run(ServedModel model, IReadOnlyList<NamedTensor> inputs)
    {
        var values = new Dictionary<string, OrtValue>(inputs.Count, StringComparer.Ordinal);
        try
        {
            foreach (var input in inputs)
            {
                var value = TensorDataInterop.Allocate(input.ElementType, input.Shape);
                values[input.Name] = value;
                input.Data.CopyTo(value.GetTensorMutableRawData());
            }
            using var runOptions = new RunOptions();
            using var outputs = model.Session.Run(runOptions, values, model.Session.OutputNames);
            var result = new NamedTensor[outputs.Count];
            for (var i = 0; i < outputs.Count; i++)
            {
                var output = outputs[i];
                result[i] = new NamedTensor(model.Signature.Outputs[i].Name, output.ElementType(), output.Shape(),
                    output.GetTensorMutableRawData().ToArray());
            }
            return result;
        }
        catch (OnnxRuntimeException ex)
        {
            // The inputs passed every check the signature allows and the model ran on generated inputs at load, so a
            // failure here comes from the values sent (for example spatial sizes a Reshape cannot take).
            throw new BadRequestException($"the model cannot run on this input: {OrtErrors.OneLine(ex.Message)}");
        }
        finally
        {
            foreach (var value in values.Values)
                value.Dispose();
        }
    }
}
