using System.Security.Cryptography;
using Microsoft.ML.OnnxRuntime;
using OnnxBn.Folding;
using OnnxBn.Runtime.Data;
using OnnxBn.Runtime.Inputs;
using OnnxBn.Runtime.Sessions;
using OnnxBn.Runtime.Verification;

namespace OnnxBn.Serving.Models;

/// <summary>
/// Turns model bytes into a <see cref="ServedModel"/>: parse, fold in memory, check the folded model against the
/// original through ONNX Runtime, open the folded one and warm it up. Any step that fails refuses the model with a
/// <see cref="ModelRejectedException"/>; nothing is written to disk. (The one place to swap for OnnxBn.Runtime's own
/// fold-on-load API once it exists.)
/// </summary>
public sealed class ModelLoader(ServingOptions options)
{
    /// <summary>Folds, verifies, opens and warms up the model in <paramref name="bytes"/>.</summary>
    /// <exception cref="ModelRejectedException">The bytes are not a model that can be served, with the reason.</exception>
    public ServedModel Load(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes));
        var original = Parse(bytes);
        var folded = original.Clone();
        FoldReport report;
        try
        {
            report = FoldPass.Run(folded);
        }
        catch (OnnxModelException ex)
        {
            throw new ModelRejectedException($"cannot fold the model: {ex.Message}", ex);
        }
        Verify(original, folded);
        var session = Open(folded);
        try
        {
            var model = new ServedModel(session, new ModelSignature(session), sha256,
                $"{report.Folded} folded, {report.Kept} kept");
            WarmUp(session);
            return model;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    private static OnnxModel Parse(byte[] bytes)
    {
        try
        {
            // No base directory: a model that points at external data files is refused, so nothing a model says can
            // make the service read other files.
            return OnnxModel.FromBytes(bytes, baseDirectory: null);
        }
        catch (OnnxModelException ex)
        {
            throw new ModelRejectedException($"not a readable ONNX model: {ex.Message}", ex);
        }
    }

    private void Verify(OnnxModel original, OnnxModel folded)
    {
        EquivalenceReport report;
        try
        {
            report = EquivalenceChecker.Compare(original, folded, new EquivalenceOptions
            {
                Inputs = new RandomInputSource(options.VerificationSamples),
                IntraOpThreads = options.IntraOpThreads,
            });
        }
        catch (Exception ex) when (ex is ModelLoadException or InputMismatchException or OnnxRuntimeException)
        {
            throw new ModelRejectedException($"ONNX Runtime cannot run the model: {OrtErrors.OneLine(ex.Message)}", ex);
        }
        if (!report.IsEquivalent)
            throw new ModelRejectedException("the folded model does not match the original: " +
                OneLine(report.FailureMessage));
    }

    private ModelSession Open(OnnxModel folded)
    {
        try
        {
            return ModelSession.Open(folded, new SessionSettings { IntraOpThreads = options.IntraOpThreads });
        }
        catch (OnnxRuntimeException ex)
        {
            throw new ModelRejectedException($"ONNX Runtime cannot load the folded model: {OrtErrors.OneLine(ex.Message)}", ex);
        }
    }

    // The first runs allocate ONNX Runtime's arena and memory plan; a request should not pay for them.
    private void WarmUp(ModelSession session)
    {
        var signatures = session.Inputs.Where(i => i.IsTensor).Select(InputSignature.From).ToArray();
        var source = new RandomInputSource(Math.Max(1, options.WarmupRuns), seed: 1, batchSize: 1);
        try
        {
            foreach (var feed in source.Feeds(signatures).Take(options.WarmupRuns))
            {
                var values = feed.Tensors.ToDictionary(t => t.Name, TensorDataInterop.ToOrtValue);
                try
                {
                    using var outputs = session.Run(values);
                }
                finally
                {
                    foreach (var value in values.Values)
                        value.Dispose();
                }
            }
        }
        catch (Exception ex) when (ex is OnnxRuntimeException or InputMismatchException)
        {
            throw new ModelRejectedException($"the folded model fails its warm-up run: {OrtErrors.OneLine(ex.Message)}", ex);
        }
    }

    private static string OneLine(string text) =>
        string.Join(" ", text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}

/// <summary>A model was refused (unreadable, unfoldable, not equivalent after folding, or not runnable).</summary>
public sealed class ModelRejectedException(string reason, Exception? inner = null) : Exception(reason, inner);
