using System.Numerics.Tensors;

namespace OnnxBn.Training;

/// <summary>Loss, its gradient, and back-propagation through the trainable layers.</summary>
public sealed partial class Network
{
    /// <summary>
    /// Runs the batch forward and returns the summed loss and the number of correct predictions. The per-example
    /// gradient of the loss with respect to the logits is left in the last layer's δ buffer (not yet averaged). With
    /// <paramref name="classWeights"/> each example's loss and gradient are multiplied by its class's weight (Keras'
    /// <c>class_weight</c>); accuracy is not weighted.
    /// </summary>
    internal (double LossSum, int Correct) ForwardLoss(ReadOnlySpan<float> features, ReadOnlySpan<int> labels, int batch,
        bool training = false, ReadOnlySpan<float> classWeights = default)
    {
        ForwardPass(features, batch, training);
        var k = OutputSize;
        var logits = _a[^1].AsSpan(0, batch * k);
        var delta = _delta[^1].AsSpan(0, batch * k);
        double loss = 0;
        var correct = 0;
        var weighted = !classWeights.IsEmpty;
        if (Loss == HeadLoss.BinaryCrossEntropy)
        {
            for (var b = 0; b < batch; b++)
            {
                var z = logits[b];
                var t = labels[b];
                if ((uint)t > 1)
                    throw new ArgumentException($"Binary cross-entropy needs labels 0 or 1, not {t}.", nameof(labels));
                var w = weighted ? classWeights[t] : 1f;
                // log(1 + e^z) − t·z, written so that neither exponential overflows.
                loss += w * (Math.Max(z, 0f) - z * t + Math.Log(1.0 + Math.Exp(-Math.Abs((double)z))));
                delta[b] = w * (1f / (1f + MathF.Exp(-z)) - t);
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
            var w = weighted ? classWeights[t] : 1f;
            var max = TensorPrimitives.Max(row);
            var deltaRow = delta.Slice(b * k, k);
            TensorPrimitives.Subtract(row, max, deltaRow);
            TensorPrimitives.Exp(deltaRow, deltaRow);
            var sum = TensorPrimitives.Sum(deltaRow);
            loss += w * (Math.Log(sum) + max - row[t]);
            TensorPrimitives.Divide(deltaRow, sum, deltaRow);
            deltaRow[t] -= 1f;
            if (weighted)
                TensorPrimitives.Multiply(deltaRow, w, deltaRow);
            if (TensorPrimitives.IndexOfMax(row) == t)
                correct++;
        }
        return (loss, correct);
    }

    /// <summary>
    /// Forward in training mode (dropout active, batch statistics), loss and back-propagation for one mini-batch:
    /// fills the trainable layers' gradients with the gradient of the mean loss plus the regularization terms.
    /// Returns the summed (class-weighted) data loss and the number of correct predictions.
    /// </summary>
    public (double LossSum, int Correct) ComputeGradients(ReadOnlySpan<float> features, ReadOnlySpan<int> labels, int batch,
        ReadOnlySpan<float> classWeights = default)
    {
        var result = ForwardLoss(features, labels, batch, training: true, classWeights);
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
            var input = l == 0 ? features : _a[l - 1].AsSpan(0, batch * layer.Inputs);
            var inputGradient = l == firstTrainable ? Span<float>.Empty : _delta[l - 1].AsSpan(0, batch * layer.Inputs);
            layer.Backward(input, _a[l].AsSpan(0, batch * layer.Outputs), _delta[l].AsSpan(0, batch * layer.Outputs), batch, inputGradient);
        }
        foreach (var layer in Layers)
            if (layer.Trainable)
                layer.AddPenaltyGradient();
        return result;
    }

    private int FirstTrainableLayer()
    {
        for (var l = 0; l < Layers.Count; l++)
            if (Layers[l].Trainable && Layers[l].Parameters.Count > 0)
                return l;
        return -1;
    }
}
