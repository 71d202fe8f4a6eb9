using OnnxBn.Folding;

namespace OnnxBn.TestUtilities.Random;

/// <summary>What reads the tf2onnx-style affine op's output in a <see cref="BroadcastAffineProblem"/>.</summary>
public enum AffineConsumer
{
    /// <summary>Flatten(axis=1) → Gemm: the forward fold must scale the right rows of B.</summary>
    FlattenGemm,
    /// <summary>Gemm on the rank-2 output (dense producers only).</summary>
    Gemm,
    /// <summary>MatMul over the last axis (the channel axis only for dense producers).</summary>
    MatMul,
    /// <summary>Another BatchNormalization over axis 1: a BN→BN merge candidate.</summary>
    BatchNorm,
    /// <summary>The affine op's output is the graph output: only a backward fold can remove it.</summary>
    Output,
}

/// <summary>
/// One generated tf2onnx-style affine problem: a producer (Conv, Gemm or MatMul[+Add], maybe then Relu) with
/// <see cref="ProducerChannels"/> entries on the affine axis (usually 1, the channels), a Mul(+Add/Sub) by constants
/// with <see cref="ConstantChannels"/> entries on that axis, then a consumer. When the producer has 1 channel and the constant more, the Mul broadcasts
/// its input up ([N,1,H,W]·[C,1,1] is [N,C,H,W]): it is not a per-channel op and must never be folded or merged.
/// <see cref="ToString"/> is the reproduction recipe printed on failure.
/// </summary>
public sealed record BroadcastAffineProblem
{
    public required int Seed { get; init; }

    public required LinearKind Producer { get; init; }

    public OnnxDataType ElementType { get; init; } = OnnxDataType.Float;

    public long Batch { get; init; } = 1;

    /// <summary>Input channels (Conv) or features (Gemm/MatMul) of x.</summary>
    public long InChannels { get; init; }

    /// <summary>Conv only: x's spatial dims (1-D or 2-D; kernel 1 or 2, no pads, so the output is S − k + 1).</summary>
    public long[] Spatial { get; init; } = [];

    public long Kernel { get; init; } = 1;

    /// <summary>Conv bias, Gemm C [P], or MatMul's Add.</summary>
    public bool Bias { get; init; }

    public bool TransB { get; init; }

    /// <summary>Channels (axis 1) of the producer's output.</summary>
    public required long LinearChannels { get; init; }

    /// <summary>
    /// The axis the constants vary along: 1 (channels, as tf2onnx writes them), or 0 (a full-rank [K,1...]
    /// constant: per sample, which no rule may take for a per-channel op).
    /// </summary>
    public int Axis { get; init; } = 1;

    /// <summary>K: entries of the constants along <see cref="Axis"/>: C, or 1 for an all-ones-dims constant (one value).</summary>
    public required long ConstantChannels { get; init; }

    /// <summary>The constants' dims ([K], [1,K], [K,1,1], [1,K,1,1], ... or all ones).</summary>
    public required long[] ConstantDims { get; init; }

    public bool Relu { get; init; }

    /// <summary>Whether value_info declares the producer's (and Relu's) output shape.</summary>
    public bool DeclareProducer { get; init; }

    /// <summary>Whether value_info declares the affine op's (possibly broadcast) output shape.</summary>
    public bool DeclareAffineOutput { get; init; }

    /// <summary>Mul(s, x) instead of Mul(x, s).</summary>
    public bool ConstantFirst { get; init; }

    /// <summary>Whether an Add of a shift constant (same dims) follows the Mul.</summary>
    public bool Shift { get; init; }

    /// <summary>The shift is Sub(m, t) rather than Add.</summary>
    public bool Subtract { get; init; }

    public required AffineConsumer Consumer { get; init; }

    /// <summary>The producer output's shape ([N, P] or [N, P, S'...]).</summary>
    public long[] ProducerShape => Producer == LinearKind.Conv
        ? [Batch, LinearChannels, .. Spatial.Select(s => s - Kernel + 1)]
        : [Batch, LinearChannels];

    /// <summary>P: entries of the producer's output along <see cref="Axis"/> (C or 1).</summary>
    public long ProducerChannels => ProducerShape[Axis];

    /// <summary>The affine op's output shape: P broadcast with K along <see cref="Axis"/>.</summary>
    public long[] AffineShape
    {
        get
        {
            var shape = ProducerShape;
            shape[Axis] = Math.Max(ProducerChannels, ConstantChannels);
            return shape;
        }
    }

    /// <summary>True when the Mul broadcasts its 1-channel input up to the constant's channels.</summary>
    public bool Broadcasts => ProducerChannels == 1 && ConstantChannels > 1;

    public override string ToString() =>
        $"seed={Seed}; BroadcastingChannelAffine; {Producer}{(Relu ? "→Relu" : "")} {ElementType} batch={Batch} in={InChannels}"
        + (Producer == LinearKind.Conv ? $" spatial=[{string.Join(",", Spatial)}] kernel={Kernel}" : $" transB={TransB}")
        + $" bias={Bias}; producer [{string.Join(",", ProducerShape)}]; axis {Axis}; Mul{(Shift ? Subtract ? "+Sub" : "+Add" : "")} constant [{string.Join(",", ConstantDims)}]"
        + $"{(ConstantFirst ? " (constant first)" : "")}; declared producer={DeclareProducer} affine output={DeclareAffineOutput}"
        + $"; consumer={Consumer}; broadcasts={Broadcasts}";
}

public static partial class FoldProblems
{
    /// <summary>
    /// Conv / Gemm / MatMul[+Add] [→ Relu] with C or 1 channels → Mul(+Add) by [C]-like or all-ones constants →
    /// Flatten→Gemm, Gemm, MatMul, BN or the graph output, with or without value_info for the dims.
    /// </summary>
    public static BroadcastAffineProblem BroadcastingChannelAffine(int seed)
    {
        var r = new SeededRandom(seed);
        var producer = r.Pick(LinearKind.Conv, LinearKind.Gemm, LinearKind.MatMul, LinearKind.MatMulAdd);
        bool conv = producer == LinearKind.Conv;
        long c = r.Int(2, 4);
        long p = r.Chance(0.5) ? c : 1;
        long k = r.Chance(0.8) ? c : 1;
        long[] spatial = conv ? Enumerable.Range(0, r.Int(1, 2)).Select(_ => (long)r.Int(2, 4)).ToArray() : [];
        int rank = conv ? 2 + spatial.Length : 2;
        int axis = r.Chance(0.15) ? 0 : 1;
        // The constant varies along axis 1 of the producer's rank: [K, 1...] of rank R−1 or [1, K, 1...] of rank R
        // (for R = 2 that is tf2onnx's [K] and [1, K]); along axis 0 it is [K, 1...] of rank R. An all-ones
        // constant may also be [1].
        long[] dims = axis == 0 ? [k, .. Enumerable.Repeat(1L, rank - 1)]
            : r.Chance(0.5) ? [k, .. Enumerable.Repeat(1L, rank - 2)]
            : [1, k, .. Enumerable.Repeat(1L, rank - 2)];
        if (k == 1 && r.Chance(0.3)) dims = [1];
        long other = r.Int(1, 3);
        var consumers = conv
            ? new[] { AffineConsumer.FlattenGemm, AffineConsumer.MatMul, AffineConsumer.BatchNorm, AffineConsumer.Output }
            : [AffineConsumer.FlattenGemm, AffineConsumer.Gemm, AffineConsumer.MatMul, AffineConsumer.BatchNorm, AffineConsumer.Output];
        return new BroadcastAffineProblem
        {
            Seed = seed, Producer = producer, ElementType = ElementType(r), Axis = axis,
            Batch = axis == 0 ? p : other, LinearChannels = axis == 0 ? other : p, InChannels = r.Int(1, 3),
            Spatial = spatial, Kernel = conv ? r.Int(1, 2) : 1, Bias = r.Chance(0.5), TransB = !conv && r.Chance(0.5),
            ConstantChannels = k, ConstantDims = dims, Relu = r.Chance(0.4),
            DeclareProducer = r.Chance(0.5), DeclareAffineOutput = r.Chance(0.3), ConstantFirst = r.Chance(0.2),
            Shift = r.Chance(0.75), Subtract = r.Chance(0.2), Consumer = r.Pick(consumers),
        };
    }
}
