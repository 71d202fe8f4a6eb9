using OnnxBn.Runtime.Native;

namespace OnnxBn.Runtime.Session;

/// <summary>Builds a native <c>OrtSessionOptions</c> from <see cref="SessionOptions"/>, optionally with CUDA appended.</summary>
internal static unsafe class NativeSessionOptions
{
    /// <summary>Where the CUDA provider libraries come from; part of every CUDA error message.</summary>
    public static string CudaRemedy =>
        "To enable CUDA: copy libonnxruntime_providers_cuda.so and libonnxruntime_providers_shared.so from the npm " +
        "package com.github.asus4.onnxruntime.linux-x64-gpu@0.4.9 (ONNX Runtime 1.29, CUDA 13, cuDNN 9) next to " +
        $"{OrtLibrary.LoadedPath}, and install the CUDA 13 and cuDNN 9 runtime libraries; or use --device cpu.";

    public static SessionOptionsHandle Create(SessionOptions options, int? cudaDevice)
    {
        var api = OrtApi.Instance;
        nint raw;
        api.Check(api.CreateSessionOptions(&raw));
        var handle = new SessionOptionsHandle(raw);
        try
        {
            Configure(api, raw, options);
            if (cudaDevice is { } device)
                AppendCuda(api, raw, device);
            return handle;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    private static void Configure(OrtApi api, nint raw, SessionOptions options)
    {
        if (options.UseGlobalThreadPools)
        {
            if (OrtEnvironment.Instance.ThreadPools is null)
                throw new InvalidOperationException(
                    "The session asks for the global thread pools, but ONNX Runtime's environment was created without them: " +
                    "call OrtEnvironment.Initialize(threadPools: ...) before the first session.");
            api.Check(api.DisablePerSessionThreads(raw));
        }
        else
        {
            api.Check(api.SetIntraOpNumThreads(raw, options.IntraOpNumThreads));
            api.Check(api.SetInterOpNumThreads(raw, options.InterOpNumThreads));
        }
        api.Check(api.SetSessionGraphOptimizationLevel(raw, (int)options.GraphOptimizationLevel));
        api.Check(api.SetSessionExecutionMode(raw, (int)options.ExecutionMode));
        api.Check(options.EnableMemoryPattern ? api.EnableMemPattern(raw) : api.DisableMemPattern(raw));
        api.Check(options.EnableCpuMemArena ? api.EnableCpuMemArena(raw) : api.DisableCpuMemArena(raw));
        if (options.OptimizedModelFilePath is { } optimized)
        {
            fixed (byte* path = OrtEnvironment.Utf8(Path.GetFullPath(optimized)))
                api.Check(api.SetOptimizedModelFilePath(raw, path));
        }
        if (options.LogLevel is { } level)
            api.Check(api.SetSessionLogSeverityLevel(raw, (int)level));
        if (options.LogId is { } logId)
        {
            fixed (byte* id = OrtEnvironment.Utf8(logId))
                api.Check(api.SetSessionLogId(raw, id));
        }
        foreach (var (key, value) in options.ConfigEntries)
        {
            fixed (byte* k = OrtEnvironment.Utf8(key))
            fixed (byte* v = OrtEnvironment.Utf8(value))
                api.Check(api.AddSessionConfigEntry(raw, k, v));
        }
    }

    /// <summary>Appends the CUDA provider; any failure becomes <see cref="ExecutionProviderUnavailableException"/>.</summary>
    private static void AppendCuda(OrtApi api, nint raw, int device)
    {
        var provider = ExecutionProvider.Cuda(device);
        try
        {
            nint cuda;
            api.Check(api.CreateCUDAProviderOptions(&cuda));
            using var cudaHandle = new CudaProviderOptionsHandle(cuda);
            fixed (byte* key = "device_id\0"u8)
            fixed (byte* value = OrtEnvironment.Utf8(device.ToString(System.Globalization.CultureInfo.InvariantCulture)))
            {
                var keys = stackalloc byte*[] { key };
                var values = stackalloc byte*[] { value };
                api.Check(api.UpdateCUDAProviderOptions(cuda, keys, values, 1));
            }
            api.Check(api.SessionOptionsAppendExecutionProvider_CUDA_V2(raw, cuda));
        }
        catch (OrtException ex)
        {
            throw new ExecutionProviderUnavailableException(provider, OneLine(ex.OrtMessage), CudaRemedy);
        }
    }

    /// <summary>
    /// ONNX Runtime's messages can span lines and start with its source location
    /// (<c>/onnxruntime_src/...cc:1988 Func() [ONNXRuntimeError] : 1 : FAIL : </c>); keep the reason, on one line.
    /// </summary>
    public static string OneLine(string message)
    {
        const string marker = "[ONNXRuntimeError] : ";
        var at = message.IndexOf(marker, StringComparison.Ordinal);
        if (at >= 0)
        {
            // After the marker: "<code> : <NAME> : <reason>".
            var rest = message[(at + marker.Length)..];
            var parts = rest.Split(" : ", 3);
            message = parts.Length == 3 ? parts[2] : rest;
        }
        var line = string.Join(" ", message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return line.EndsWith('.') ? line : line + ".";
    }
}
