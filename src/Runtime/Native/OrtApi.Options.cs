namespace OnnxBn.Runtime.Native;

/// <summary>Session options, run options and the CUDA execution provider's options.</summary>
internal sealed unsafe partial class OrtApi
{
    // OrtStatus* CreateSessionOptions(OrtSessionOptions** options)
    public nint CreateSessionOptions(nint* options) => ((delegate* unmanaged[Cdecl]<nint*, nint>)_table[OrtApiSlot.CreateSessionOptions])(options);

    // void ReleaseSessionOptions(OrtSessionOptions* input)
    public void ReleaseSessionOptions(nint options) => ((delegate* unmanaged[Cdecl]<nint, void>)_table[OrtApiSlot.ReleaseSessionOptions])(options);

    // OrtStatus* SetOptimizedModelFilePath(OrtSessionOptions* options, const ORTCHAR_T* optimized_model_filepath)
    public nint SetOptimizedModelFilePath(nint options, byte* path) => ((delegate* unmanaged[Cdecl]<nint, byte*, nint>)_table[OrtApiSlot.SetOptimizedModelFilePath])(options, path);

    // OrtStatus* SetSessionExecutionMode(OrtSessionOptions* options, ExecutionMode execution_mode)
    public nint SetSessionExecutionMode(nint options, int mode) => ((delegate* unmanaged[Cdecl]<nint, int, nint>)_table[OrtApiSlot.SetSessionExecutionMode])(options, mode);

    // OrtStatus* EnableMemPattern(OrtSessionOptions* options)
    public nint EnableMemPattern(nint options) => ((delegate* unmanaged[Cdecl]<nint, nint>)_table[OrtApiSlot.EnableMemPattern])(options);

    // OrtStatus* DisableMemPattern(OrtSessionOptions* options)
    public nint DisableMemPattern(nint options) => ((delegate* unmanaged[Cdecl]<nint, nint>)_table[OrtApiSlot.DisableMemPattern])(options);

    // OrtStatus* EnableCpuMemArena(OrtSessionOptions* options)
    public nint EnableCpuMemArena(nint options) => ((delegate* unmanaged[Cdecl]<nint, nint>)_table[OrtApiSlot.EnableCpuMemArena])(options);

    // OrtStatus* DisableCpuMemArena(OrtSessionOptions* options)
    public nint DisableCpuMemArena(nint options) => ((delegate* unmanaged[Cdecl]<nint, nint>)_table[OrtApiSlot.DisableCpuMemArena])(options);

    // OrtStatus* SetSessionLogId(OrtSessionOptions* options, const char* logid)
    public nint SetSessionLogId(nint options, byte* logId) => ((delegate* unmanaged[Cdecl]<nint, byte*, nint>)_table[OrtApiSlot.SetSessionLogId])(options, logId);

    // OrtStatus* SetSessionLogSeverityLevel(OrtSessionOptions* options, int session_log_severity_level)
    public nint SetSessionLogSeverityLevel(nint options, int level) => ((delegate* unmanaged[Cdecl]<nint, int, nint>)_table[OrtApiSlot.SetSessionLogSeverityLevel])(options, level);

    // OrtStatus* SetSessionGraphOptimizationLevel(OrtSessionOptions* options, GraphOptimizationLevel graph_optimization_level)
    public nint SetSessionGraphOptimizationLevel(nint options, int level) => ((delegate* unmanaged[Cdecl]<nint, int, nint>)_table[OrtApiSlot.SetSessionGraphOptimizationLevel])(options, level);

    // OrtStatus* SetIntraOpNumThreads(OrtSessionOptions* options, int intra_op_num_threads)
    public nint SetIntraOpNumThreads(nint options, int threads) => ((delegate* unmanaged[Cdecl]<nint, int, nint>)_table[OrtApiSlot.SetIntraOpNumThreads])(options, threads);

    // OrtStatus* SetInterOpNumThreads(OrtSessionOptions* options, int inter_op_num_threads)
    public nint SetInterOpNumThreads(nint options, int threads) => ((delegate* unmanaged[Cdecl]<nint, int, nint>)_table[OrtApiSlot.SetInterOpNumThreads])(options, threads);

    // OrtStatus* AddSessionConfigEntry(OrtSessionOptions* options, const char* config_key, const char* config_value)
    public nint AddSessionConfigEntry(nint options, byte* key, byte* value) => ((delegate* unmanaged[Cdecl]<nint, byte*, byte*, nint>)_table[OrtApiSlot.AddSessionConfigEntry])(options, key, value);

    // OrtStatus* CreateRunOptions(OrtRunOptions** out)
    public nint CreateRunOptions(nint* options) => ((delegate* unmanaged[Cdecl]<nint*, nint>)_table[OrtApiSlot.CreateRunOptions])(options);

    // void ReleaseRunOptions(OrtRunOptions* input)
    public void ReleaseRunOptions(nint options) => ((delegate* unmanaged[Cdecl]<nint, void>)_table[OrtApiSlot.ReleaseRunOptions])(options);

    // OrtStatus* RunOptionsSetRunLogSeverityLevel(OrtRunOptions* options, int log_severity_level)
    public nint RunOptionsSetRunLogSeverityLevel(nint options, int level) => ((delegate* unmanaged[Cdecl]<nint, int, nint>)_table[OrtApiSlot.RunOptionsSetRunLogSeverityLevel])(options, level);

    // OrtStatus* RunOptionsSetRunTag(OrtRunOptions* options, const char* run_tag)
    public nint RunOptionsSetRunTag(nint options, byte* tag) => ((delegate* unmanaged[Cdecl]<nint, byte*, nint>)_table[OrtApiSlot.RunOptionsSetRunTag])(options, tag);

    // OrtStatus* RunOptionsGetRunTag(const OrtRunOptions* options, const char** run_tag)   (not owned by the caller)
    public nint RunOptionsGetRunTag(nint options, byte** tag) => ((delegate* unmanaged[Cdecl]<nint, byte**, nint>)_table[OrtApiSlot.RunOptionsGetRunTag])(options, tag);

    // OrtStatus* RunOptionsSetTerminate(OrtRunOptions* options)
    public nint RunOptionsSetTerminate(nint options) => ((delegate* unmanaged[Cdecl]<nint, nint>)_table[OrtApiSlot.RunOptionsSetTerminate])(options);

    // OrtStatus* RunOptionsUnsetTerminate(OrtRunOptions* options)
    public nint RunOptionsUnsetTerminate(nint options) => ((delegate* unmanaged[Cdecl]<nint, nint>)_table[OrtApiSlot.RunOptionsUnsetTerminate])(options);

    // OrtStatus* CreateCUDAProviderOptions(OrtCUDAProviderOptionsV2** out)
    public nint CreateCUDAProviderOptions(nint* options) => ((delegate* unmanaged[Cdecl]<nint*, nint>)_table[OrtApiSlot.CreateCUDAProviderOptions])(options);

    // OrtStatus* UpdateCUDAProviderOptions(OrtCUDAProviderOptionsV2* cuda_options, const char* const* provider_options_keys, const char* const* provider_options_values, size_t num_keys)
    public nint UpdateCUDAProviderOptions(nint options, byte** keys, byte** values, nuint count) => ((delegate* unmanaged[Cdecl]<nint, byte**, byte**, nuint, nint>)_table[OrtApiSlot.UpdateCUDAProviderOptions])(options, keys, values, count);

    // void ReleaseCUDAProviderOptions(OrtCUDAProviderOptionsV2* input)
    public void ReleaseCUDAProviderOptions(nint options) => ((delegate* unmanaged[Cdecl]<nint, void>)_table[OrtApiSlot.ReleaseCUDAProviderOptions])(options);

    // OrtStatus* SessionOptionsAppendExecutionProvider_CUDA_V2(OrtSessionOptions* options, const OrtCUDAProviderOptionsV2* cuda_options)
    public nint SessionOptionsAppendExecutionProvider_CUDA_V2(nint options, nint cudaOptions) => ((delegate* unmanaged[Cdecl]<nint, nint, nint>)_table[OrtApiSlot.SessionOptionsAppendExecutionProvider_CUDA_V2])(options, cudaOptions);
}
