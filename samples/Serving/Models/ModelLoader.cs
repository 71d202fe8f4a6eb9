using System.Security.Cryptography;
using Microsoft.ML.OnnxRuntime;
using OnnxBn.Folding;
using OnnxBn.Runtime.Data;
using OnnxBn.Runtime.Inputs;
using OnnxBn.Runtime.Loading;
using OnnxBn.Runtime.Sessions;
using OnnxBn.Runtime.Verification;

namespace OnnxBn.Serving.Models;

/// <summary>
/// Turns model bytes into a <see cref="ServedModel"/> through OnnxBn.Runtime's <see cref="FoldOnLoad"/> (parse, fold
/// in memory, check the folded model against the original through ONNX Runtime, open it), then warms it up. Any step
/// that fails refuses the model with a <see cref="ModelRejectedException"/>; nothing is written to disk.
/// </summary>
public sealed class ModelLoader(ServingOptions options)
{
    /// <summary>Folds, verifies, opens and warms up the model in <paramref name="bytes"/>.</summary>
    /// <exception cref="ModelRejectedException">The bytes are not a model that can be served, with the reason.</exception>
    public ServedModel Load(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes));
        var folded = Open(bytes);
        try
        {
            var model = new ServedModel(folded, new ModelSignature(folded.Session), sha256,
                $"{folded.Fold.Folded} folded, {folded.Fold.Kept} kept");
            WarmUp(folded.Session, model.Signature);
            return model;
        }
        catch
        {
            folded.Dispose();
            throw;
        }
    }

    private FoldedSession Open(byte[] bytes)
    {
        using var sessionOptions = new SessionSettings { IntraOpThreads = options.IntraOpThreads }.ToSessionOptions();
        var foldOptions = new FoldOnLoadOptions
        {
            Verification = new EquivalenceOptions
            {
                Inputs = new RandomInputSource(options.VerificationSamples),
                IntraOpThreads = options.IntraOpThreads,
            },
            SessionOptions = sessionOptions,
            // No base directory: a model that points at external data files is refused, so nothing a model says can
            // make the service read other files.
            BaseDirectory = null,
        };
        try
        {
            using var stream = new MemoryStream(bytes, writable: false);
            return FoldOnLoad.Open(stream, foldOptions, "candidate");
        }
        catch (OnnxModelException ex)
        {
            throw new ModelRejectedException($"not a readable ONNX model: {ex.Message}", ex);
        }
        catch (FoldVerificationException ex)
        {
            throw new ModelRejectedException("the folded model does not match the original: " +
                OneLine(ex.Verification.FailureMessage), ex);
        }
        catch (Exception ex) when (ex is ModelLoadException or InputMismatchException or OnnxRuntimeException)
        {
            throw new ModelRejectedException($"ONNX Runtime cannot run the model: {OrtErrors.OneLine(ex.Message)}", ex);
        }
    }

    // The first runs allocate ONNX Runtime's arena and memory plan; a request should not pay for them.
    private void WarmUp(InferenceSession session, ModelSignature signature)
    {
        var inputs = signature.Inputs.Where(i => i.IsTensor).Select(InputSignature.From).ToArray();
        var source = new RandomInputSource(Math.Max(1, options.WarmupRuns), seed: 1, batchSize: 1);
        try
        {
            using var runOptions = new RunOptions();
            foreach (var feed in source.Feeds(inputs).Take(options.WarmupRuns))
            {
                var values = feed.Tensors.ToDictionary(t => t.Name, TensorDataInterop.ToOrtValue);
                try
                {
                    using var outputs = session.Run(runOptions, values, session.OutputNames);
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
