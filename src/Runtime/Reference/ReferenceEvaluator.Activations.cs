using OnnxBn.Folding;

namespace OnnxBn.Runtime.Reference;

// BatchNormalization (inference form), activations, Clip and Softmax.
public sealed partial class ReferenceEvaluator
{
    /// <summary>y = γ·(x − mean)/√(var + ε) + β along axis 1; statistics of shape [C, D...] (BN-7 spatial=0) apply per element.</summary>
    private static RefTensor BatchNorm(Node node, RefTensor x, RefTensor gamma, RefTensor beta, RefTensor mean, RefTensor variance)
    {
        double eps = node.GetFloat("epsilon", 1e-5f);
        long n = x.Shape[0];
        int perSample = x.Size / (int)Math.Max(n, 1);
        int c = x.Rank > 1 ? (int)x.Shape[1] : 1;
        // Per channel: a statistic covers perSample / c consecutive elements; per element (spatial=0): one each.
        int block = gamma.Size == c ? perSample / c : gamma.Size == perSample ? 1
            : throw new ArgumentException($"BatchNormalization '{node.DisplayName}': {gamma.Size} statistics fit neither {c} channels nor {perSample} elements.");
        var y = new double[x.Size];
        for (int i = 0; i < x.Size; i++)
        {
            int s = i % perSample / block;
            y[i] = gamma.Data[s] * (x.Data[i] - mean.Data[s]) / Math.Sqrt(variance.Data[s] + eps) + beta.Data[s];
        }
        return RefTensor.Of(x.Shape, y);
    }

    private static RefTensor LeakyRelu(Node node, RefTensor x)
    {
        double alpha = node.GetFloat("alpha", 0.01f);
        return Map(x, v => v >= 0 ? v : alpha * v);
    }

    /// <summary>HardSigmoid: max(0, min(1, α·x + β)), α = 0.2 and β = 0.5 by default.</summary>
    private static RefTensor HardSigmoid(Node node, RefTensor x)
    {
        double alpha = node.GetFloat("alpha", 0.2f), beta = node.GetFloat("beta", 0.5f);
        return Map(x, v => Math.Clamp(alpha * v + beta, 0, 1));
    }

    private static RefTensor Elu(Node node, RefTensor x)
    {
        double alpha = node.GetFloat("alpha", 1f);
        return Map(x, v => v >= 0 ? v : alpha * (Math.Exp(v) - 1));
    }

    private static RefTensor Selu(Node node, RefTensor x)
    {
        double alpha = node.GetFloat("alpha", 1.67326319217681884765625f), gamma = node.GetFloat("gamma", 1.05070102214813232421875f);
        return Map(x, v => gamma * (v > 0 ? v : alpha * (Math.Exp(v) - 1)));
    }

    /// <summary>Clip: bounds are attributes before opset 11 and optional inputs from 11 on.</summary>
    private RefTensor Clip(Node node, RefTensor x, RefTensor? min, RefTensor? max)
    {
        double lo = _opset < 11 ? node.GetFloat("min", float.MinValue) : min?.Data[0] ?? double.NegativeInfinity;
        double hi = _opset < 11 ? node.GetFloat("max", float.MaxValue) : max?.Data[0] ?? double.PositiveInfinity;
        return Map(x, v => Math.Min(Math.Max(v, lo), hi));
    }

    /// <summary>
    /// Softmax: from opset 13 over the single axis (default −1); before 13 over all dims from axis on (default 1),
    /// the input coerced to 2-D.
    /// </summary>
    private RefTensor Softmax(Node node, RefTensor x)
    {
        int axis = Axis(node.GetInt("axis", _opset >= 13 ? -1 : 1), x.Rank);
        long outer = 1, len = 1, inner = 1;
        for (int i = 0; i < x.Rank; i++)
        {
            if (i < axis) outer *= x.Shape[i];
            else if (i == axis || _opset < 13) len *= x.Shape[i];
            else inner *= x.Shape[i];
        }
        var y = new double[x.Size];
        for (long o = 0; o < outer; o++)
            for (long j = 0; j < inner; j++)
            {
                long Index(long t) => (o * len + t) * inner + j;
                double max = double.NegativeInfinity, sum = 0;
                for (long t = 0; t < len; t++) max = Math.Max(max, x.Data[Index(t)]);
                for (long t = 0; t < len; t++) sum += y[Index(t)] = Math.Exp(x.Data[Index(t)] - max);
                for (long t = 0; t < len; t++) y[Index(t)] /= sum;
            }
        return RefTensor.Of(x.Shape, y);
    }
}
