namespace OnnxBn.Runtime.Native;

/// <summary>Process-wide thread pools: an environment created with them, and sessions that use them.</summary>
internal sealed unsafe partial class OrtApi
{
    // OrtStatus* CreateThreadingOptions(OrtThreadingOptions** out)
    public nint CreateThreadingOptions(nint* options) => ((delegate* unmanaged[Cdecl]<nint*, nint>)_table[OrtApiSlot.CreateThreadingOptions])(options);

    // void ReleaseThreadingOptions(OrtThreadingOptions* input)
    public void ReleaseThreadingOptions(nint options) => ((delegate* unmanaged[Cdecl]<nint, void>)_table[OrtApiSlot.ReleaseThreadingOptions])(options);

    // OrtStatus* SetGlobalIntraOpNumThreads(OrtThreadingOptions* tp_options, int intra_op_num_threads)
    public nint SetGlobalIntraOpNumThreads(nint options, int threads) => ((delegate* unmanaged[Cdecl]<nint, int, nint>)_table[OrtApiSlot.SetGlobalIntraOpNumThreads])(options, threads);

    // OrtStatus* SetGlobalInterOpNumThreads(OrtThreadingOptions* tp_options, int inter_op_num_threads)
    public nint SetGlobalInterOpNumThreads(nint options, int threads) => ((delegate* unmanaged[Cdecl]<nint, int, nint>)_table[OrtApiSlot.SetGlobalInterOpNumThreads])(options, threads);

    // OrtStatus* SetGlobalSpinControl(OrtThreadingOptions* tp_options, int allow_spinning)
    public nint SetGlobalSpinControl(nint options, int allowSpinning) => ((delegate* unmanaged[Cdecl]<nint, int, nint>)_table[OrtApiSlot.SetGlobalSpinControl])(options, allowSpinning);

    // OrtStatus* CreateEnvWithGlobalThreadPools(OrtLoggingLevel log_severity_level, const char* logid,
    //                                           const OrtThreadingOptions* tp_options, OrtEnv** out)
    public nint CreateEnvWithGlobalThreadPools(int level, byte* logId, nint threadingOptions, nint* env) =>
        ((delegate* unmanaged[Cdecl]<int, byte*, nint, nint*, nint>)_table[OrtApiSlot.CreateEnvWithGlobalThreadPools])(level, logId, threadingOptions, env);

    // OrtStatus* DisablePerSessionThreads(OrtSessionOptions* options)
    public nint DisablePerSessionThreads(nint options) => ((delegate* unmanaged[Cdecl]<nint, nint>)_table[OrtApiSlot.DisablePerSessionThreads])(options);
}
