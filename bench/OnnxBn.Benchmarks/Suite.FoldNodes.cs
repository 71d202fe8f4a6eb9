using System.Diagnostics;
using OnnxBn.Folding;
using OnnxBn.Runtime.Benchmarking;
using OnnxBn.TestUtilities;

namespace OnnxBn.Benchmarks;

internal sealed partial class Suite
{
    /// <summary>
    /// Nodes of the two Conv→BN chains: 4x apart, so a linear fold takes 4x the time on the large one and a fold that
    /// walks every node per rewrite (O(nodes × folds)) 16x.
    /// </summary>
    public const int SmallChainNodes = 4_000, LargeChainNodes = 16_000;

    /// <summary>
    /// Fold time over graph size: <see cref="FoldPass.Run"/> in process on a Conv→BN chain of
    /// <see cref="SmallChainNodes"/> and one of <see cref="LargeChainNodes"/> nodes (every BN folds backward), in
    /// pairs whose order alternates, each model parsed outside the timing. The target reads the ratio large / small;
    /// FoldDriverTests guards the same linearity by counting node visits, which no machine load changes.
    /// </summary>
    private void RunFoldNodes(SuiteResults results)
    {
        Section($"fold time vs graph size: Conv→BN chains of {SmallChainNodes} and {LargeChainNodes} nodes");
        byte[] small = ChainModels.ConvBnChain(SmallChainNodes / 2), large = ChainModels.ConvBnChain(LargeChainNodes / 2);
        // Untimed: the first folds run tier-0 code, and the JIT recompiles the hot paths over the next several.
        for (var i = 0; i < FoldNodesWarmup; i++)
        {
            FoldMilliseconds(small);
            FoldMilliseconds(large);
        }
        var pairs = settings.Quick ? 3 : FoldNodesPairs;
        var smallRuns = new (double Ms, double GcPauseMs)[pairs];
        var largeRuns = new (double Ms, double GcPauseMs)[pairs];
        for (var pair = 0; pair < pairs; pair++)
        {
            if (pair % 2 == 0)
            {
                smallRuns[pair] = FoldMilliseconds(small);
                largeRuns[pair] = FoldMilliseconds(large);
            }
            else
            {
                largeRuns[pair] = FoldMilliseconds(large);
                smallRuns[pair] = FoldMilliseconds(small);
            }
        }
        double[] smallMs = smallRuns.Select(r => r.Ms).ToArray(), largeMs = largeRuns.Select(r => r.Ms).ToArray();
        results.FoldNodes = new FoldNodesResult(SmallChainNodes, LargeChainNodes, LatencyStatistics.Of(smallMs), LatencyStatistics.Of(largeMs),
            LatencyStatistics.Of(smallRuns.Select(r => r.GcPauseMs).ToArray()), LatencyStatistics.Of(largeRuns.Select(r => r.GcPauseMs).ToArray()),
            RatioStatistics.OfPairs(smallMs, largeMs));
    }

    private const int FoldNodesWarmup = 3;

    /// <summary>Pairs of the full run: a fold of the large chain takes about 0.2 s, so the section takes about 10 s.</summary>
    private const int FoldNodesPairs = 21;

    /// <summary>
    /// One <see cref="FoldPass.Run"/> of the model in <paramref name="bytes"/>, timed alone: parsing comes before the
    /// clock, and a full collection before it too, so the previous fold's garbage is not collected on this one's time.
    /// The GC pauses within the fold are returned as well: collections of a larger heap cost more each, so they are
    /// what can push the ratio above 4 while the driver's own work stays linear.
    /// </summary>
    private static (double Ms, double GcPauseMs) FoldMilliseconds(byte[] bytes)
    {
        var model = OnnxModel.FromBytes(bytes);
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        var paused = GC.GetTotalPauseDuration();
        var start = Stopwatch.GetTimestamp();
        FoldPass.Run(model);
        var ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        return (ms, (GC.GetTotalPauseDuration() - paused).TotalMilliseconds);
    }
}
