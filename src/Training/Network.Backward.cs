using System.Numerics.Tensors;

namespace OnnxBn.Training;

/// <summary>Loss, its gradient, and back-propagation through the trainable layers.</summary>
public sealed partial class Network
{
    /// <summary>
    /// Runs the batch forward and returns the summed loss and the number of correct predictions. The per-example
    /// gradient of the loss with respect to the logits is left in the last layer's δ buffer (not yet averaged).
    /// </summary>
    internal (double LossSum, int Correct) ForwardLoss(ReadOnlySpan<float> features, ReadOnlySpan<int> labels, int batch)
    {
        ForwardPass(features, batch);
        var k = OutputSize;
        var logits = _a[^1].AsSpan(0, batch * k);
        var delta = _delta[^1].AsSpan(0, batch * k);
        double loss = 0;
        var correct = 0;
        if (Loss == HeadLoss.BinaryCrossEntropy)
        {
            for (var b = 0; b < batch; b++)
            {
                var z = logits[b];
                var t = labels[b];
                if ((uint)t > 1)
                    throw new ArgumentException($"Binary cross-entropy needs labels 0 or 1, not {t}.", nameof(labels));
                // log(1 + e^z) − t·z, written so that neither exponential overflows.
                loss += Math.Max(z, 0f) - z * t + Math.Log(1.0 + Math.Exp(-Math.Abs((double)z)));
                delta[b] = 1f / (1f + MathF.Exp(-z)) - t;
                if ((z >= 0 ? 1 : 0) == t)
                    correct++;
            }
            return (loss, correct);
        }

        for (var b = 0; b < batch; b++)
        {
            var row = logits.Slice(b * k, k);
            var t = labels[b];
            if ((uint)t >= (uint)k)
                throw new ArgumentException($"Label {t} is outside the {k} classes.", nameof(labels));
            var max = TensorPrimitives.Max(row);
            var deltaRow = delta.Slice(b * k, k);
            TensorPrimitives.Subtract(row, max, deltaRow);
            TensorPrimitives.Exp(deltaRow, deltaRow);
            var sum = TensorPrimitives.Sum(deltaRow);
            loss += Math.Log(sum) + max - row[t];
            TensorPrimitives.Divide(deltaRow, sum, deltaRow);
            deltaRow[t] -= 1f;
            if (TensorPrimitives.IndexOfMax(row) == t)
                correct++;
        }
        return (loss, correct);
    }

    /// <summary>
    /// Forward, loss and back-propagation for one mini-batch: fills the trainable layers' gradients with the
    /// gradient of the mean loss. Returns the summed loss and the number of correct predictions.
    /// </summary>
    public (double LossSum, int Correct) ComputeGradients(ReadOnlySpan<float> features, ReadOnlySpan<int> labels, int batch)
    {
        var result = ForwardLoss(features, labels, batch);
        var firstTrainable = FirstTrainableLayer();
        foreach (var layer in Layers)
            layer.ZeroGradients();
        if (firstTrainable < 0)
            return result;

        var scale = 1f / batch;
        TensorPrimitives.Multiply(_delta[^1].AsSpan(0, batch * OutputSize), scale, _delta[^1].AsSpan(0, batch * OutputSize));
        for (var l = Layers.Count - 1; l >= firstTrainable; l--)
        {
            var layer = Layers[l];
            var delta = _delta[l].AsSpan(0, batch * layer.Outputs);
            var input = l == 0 ? features : _a[l - 1].AsSpan(0, batch * layer.Inputs);
            layer.AccumulateGradients(input, delta, batch);
            if (l == firstTrainable)
                break;
            var previous = Layers[l - 1];
            var previousDelta = _delta[l - 1].AsSpan(0, batch * previous.Outputs);
            layer.InputGradient(delta, batch, previousDelta);
            previous.Activation.Backward(_z[l - 1].AsSpan(0, batch * previous.Outputs), _a[l - 1].AsSpan(0, batch * previous.Outputs), previousDelta);
        }
        return result;
    }

    private int FirstTrainableLayer()
    {
        for (var l = 0; l < Layers.Count; l++)
            if (Layers[l].Trainable)
                return l;
        return -1;
    }
}
