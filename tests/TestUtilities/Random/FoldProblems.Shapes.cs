using OnnxBn.Folding;

namespace OnnxBn.TestUtilities.Random;

public static partial class FoldProblems
{
    /// <summary>BN → BN (→ BN) after (or before) a Conv, Gemm or MatMul: every one of them must fold.</summary>
    public static FoldProblem Chain(int seed)
    {
        var r = new SeededRandom(seed);
        int count = r.Int(2, 3);
        var position = r.Chance(0.7) ? BnPosition.After : BnPosition.Before;
        if (r.Chance(0.4))
        {
            var conv = ConvGeometry(r, allowAutoPad: false, padded: false);
            return conv with
            {
                Seed = seed,
                Family = nameof(Chain),
                Kind = LinearKind.Conv,
                Position = position,
                ElementType = ElementType(r),
                Bias = r.Chance(0.5),
                AffineCount = count,
                MustFold = count,
            };
        }
        var kind = r.Pick(LinearKind.Gemm, LinearKind.MatMul, LinearKind.MatMulAdd);
        return Dense(r, seed, nameof(Chain), kind, position) with { AffineCount = count, MustFold = count };
    }

    /// <summary>tf2onnx's Keras Dense then BN: MatMul → Add → Mul → Add (or MatMul → Mul → Add) must end as one linear op.</summary>
    public static FoldProblem Tf2OnnxDenseThenBn(int seed)
    {
        var r = new SeededRandom(seed);
        var kind = r.Chance(0.8) ? LinearKind.MatMulAdd : LinearKind.MatMul;
        return Dense(r, seed, nameof(Tf2OnnxDenseThenBn), kind, BnPosition.After) with
        {
            Affine = AffineForm.MulAdd,
            ElementType = OnnxDataType.Float,
            MustFold = 1,
        };
    }

    /// <summary>A Gemm or MatMul problem on [M, K] → [M, N] (MustFold left 0 for the caller to set).</summary>
    private static FoldProblem Dense(SeededRandom r, int seed, string family, LinearKind kind, BnPosition position)
    {
        long m = r.Int(1, 4);
        bool gemm = kind == LinearKind.Gemm;
        return new FoldProblem
        {
            Seed = seed, Family = family, Kind = kind, Position = position, ElementType = ElementType(r),
            Batch = m, InChannels = r.Int(1, 6), OutChannels = r.Int(1, 6),
            TransB = gemm && r.Chance(0.5),
            Alpha = gemm && r.Chance(0.4) ? (float)r.Uniform(0.5, 2) : 1f,
            Beta = gemm && r.Chance(0.4) ? (float)r.Uniform(0.5, 2) : 1f,
            C = gemm ? r.Pick(GemmC.None, GemmC.Scalar, GemmC.Vector, GemmC.Row, GemmC.Full) : GemmC.None,
            Activation = MaybeActivation(r, 0.4),
            MustFold = 0,
        };
    }

    /// <summary>
    /// Channels, groups (incl. depthwise), spatial rank 1–3, kernel, strides, dilations and pads of a Conv whose
    /// output has at least one element. <paramref name="padded"/> draws nonzero pads (or SAME auto_pad).
    /// </summary>
    private static FoldProblem ConvGeometry(SeededRandom r, bool allowAutoPad, bool padded)
    {
        int k = r.Int(1, 3);
        long group, cin, cout;
        if (r.Chance(0.25))
        {
            cin = group = r.Int(1, 4);
            cout = cin * r.Int(1, 2);
        }
        else
        {
            group = r.Pick(1, 1, 2, 3);
            cin = group * r.Int(1, 3);
            cout = group * r.Int(1, 3);
        }
        long maxSide = k switch { 1 => 9, 2 => 6, _ => 4 };
        var spatial = Enumerable.Range(0, k).Select(_ => (long)r.Int(k == 3 ? 2 : 3, (int)maxSide)).ToArray();
        var kernel = Enumerable.Range(0, k).Select(_ => (long)r.Int(1, 3)).ToArray();
        var strides = Enumerable.Range(0, k).Select(_ => r.Chance(0.4) ? (long)r.Int(2, 3) : 1L).ToArray();
        var dilations = Enumerable.Range(0, k).Select(_ => r.Chance(0.3) ? 2L : 1L).ToArray();
        string autoPad = "NOTSET";
        long[] pads = new long[2 * k];
        if (padded && allowAutoPad && r.Chance(0.3))
            autoPad = r.Pick("SAME_UPPER", "SAME_LOWER", "VALID");
        else if (padded)
            pads = Enumerable.Range(0, 2 * k).Select(_ => (long)r.Int(0, 2)).ToArray();
        for (int i = 0; i < k; i++)
        {
            // The dilated kernel must fit in the padded input.
            long effective = (kernel[i] - 1) * dilations[i] + 1;
            spatial[i] = Math.Max(spatial[i], effective - pads[i] - pads[k + i]);
            spatial[i] = Math.Max(spatial[i], 1);
        }
        return new FoldProblem
        {
            Seed = 0, Family = "", Kind = LinearKind.Conv, Position = BnPosition.After, MustFold = 0,
            Batch = r.Int(1, 2), InChannels = cin, OutChannels = cout, Group = group, Spatial = spatial, Kernel = kernel,
            Strides = strides, Dilations = dilations, AutoPad = autoPad, Pads = pads,
        };
    }
}
