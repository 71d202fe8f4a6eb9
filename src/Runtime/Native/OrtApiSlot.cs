namespace OnnxBn.Runtime.Native;

/// <summary>
/// Indices of the functions onnxbn uses in <c>struct OrtApi</c>, counted from the first member (<c>CreateStatus</c> = 0)
/// in include/onnxruntime/core/session/onnxruntime_c_api.h. The struct only ever grows at the end, so these hold for
/// every release at or above the API version in the comment. Tests call through them and check behaviour.
/// </summary>
internal static class OrtApiSlot
{
    // Version 1
    public const int CreateStatus = 0;
    public const int GetErrorCode = 1;
    public const int GetErrorMessage = 2;
    public const int CreateEnv = 3;
    public const int CreateSession = 7;
    public const int CreateSessionFromArray = 8;
    public const int Run = 9;
    public const int CreateSessionOptions = 10;
    public const int SetOptimizedModelFilePath = 11;
    public const int SetSessionExecutionMode = 13;
    public const int EnableMemPattern = 16;
    public const int DisableMemPattern = 17;
    public const int EnableCpuMemArena = 18;
    public const int DisableCpuMemArena = 19;
    public const int SetSessionLogId = 20;
    public const int SetSessionLogSeverityLevel = 22;
    public const int SetSessionGraphOptimizationLevel = 23;
    public const int SetIntraOpNumThreads = 24;
    public const int SetInterOpNumThreads = 25;
    public const int SessionGetInputCount = 30;
    public const int SessionGetOutputCount = 31;
    public const int SessionGetInputTypeInfo = 33;
    public const int SessionGetOutputTypeInfo = 34;
    public const int SessionGetInputName = 36;
    public const int SessionGetOutputName = 37;
    public const int CreateRunOptions = 39;
    public const int RunOptionsSetRunLogSeverityLevel = 41;
    public const int RunOptionsSetRunTag = 42;
    public const int RunOptionsGetRunTag = 45;
    public const int RunOptionsSetTerminate = 46;
    public const int RunOptionsUnsetTerminate = 47;
    public const int CreateTensorAsOrtValue = 48;
    public const int CreateTensorWithDataAsOrtValue = 49;
    public const int IsTensor = 50;
    public const int GetTensorMutableData = 51;
    public const int CastTypeInfoToTensorInfo = 55;
    public const int GetOnnxTypeFromTypeInfo = 56;
    public const int GetTensorElementType = 60;
    public const int GetDimensionsCount = 61;
    public const int GetDimensions = 62;
    public const int GetSymbolicDimensions = 63;
    public const int GetTensorShapeElementCount = 64;
    public const int GetTensorTypeAndShape = 65;
    public const int GetValueType = 67;
    public const int CreateCpuMemoryInfo = 69;
    public const int AllocatorFree = 76;
    public const int GetAllocatorWithDefaultOptions = 78;
    public const int ReleaseEnv = 92;
    public const int ReleaseStatus = 93;
    public const int ReleaseMemoryInfo = 94;
    public const int ReleaseSession = 95;
    public const int ReleaseValue = 96;
    public const int ReleaseRunOptions = 97;
    public const int ReleaseTypeInfo = 98;
    public const int ReleaseTensorTypeAndShapeInfo = 99;
    public const int ReleaseSessionOptions = 100;

    // Version 2 and later
    public const int CreateEnvWithGlobalThreadPools = 119;
    public const int DisablePerSessionThreads = 120;
    public const int CreateThreadingOptions = 121;
    public const int ReleaseThreadingOptions = 122;
    public const int GetAvailableProviders = 125;
    public const int ReleaseAvailableProviders = 126;
    public const int AddSessionConfigEntry = 130;
    public const int RunWithBinding = 133;
    public const int CreateIoBinding = 134;
    public const int ReleaseIoBinding = 135;
    public const int BindInput = 136;
    public const int BindOutput = 137;
    public const int BindOutputToDevice = 138;
    public const int GetBoundOutputValues = 140;
    public const int ClearBoundInputs = 141;
    public const int ClearBoundOutputs = 142;
    public const int SetGlobalIntraOpNumThreads = 147;
    public const int SetGlobalInterOpNumThreads = 148;
    public const int SetGlobalSpinControl = 149;

    // Version 11 (ONNX Runtime 1.11)
    public const int SessionOptionsAppendExecutionProvider_CUDA_V2 = 204;
    public const int CreateCUDAProviderOptions = 205;
    public const int UpdateCUDAProviderOptions = 206;
    public const int ReleaseCUDAProviderOptions = 208;
}
