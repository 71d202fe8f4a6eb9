using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;

namespace OnnxBn.Runtime.Native;

/// <summary>
/// ONNX Runtime's C function table (<c>struct OrtApi</c> of onnxruntime_c_api.h), called slot by slot.
/// </summary>
/// <remarks>
/// The struct is append-only: a function keeps its index in every later release, so an index counted once in the
/// header stays right. Each method is one call through its slot (indices in <see cref="OrtApiSlot"/>), with the C
/// signature above it. Functions returning <c>OrtStatus*</c> return it raw; <see cref="Check"/> turns a non-null
/// status into an <see cref="OrtException"/> and releases it. This is the only type that calls into ONNX Runtime.
/// </remarks>
internal sealed unsafe partial class OrtApi
{
    private readonly void** _table;

    internal OrtApi(void** table) => _table = table;

    /// <summary>The process-wide table, loading the library on first use.</summary>
    public static OrtApi Instance => OrtLibrary.Api;

    /// <summary>Throws the status as an <see cref="OrtException"/> (releasing it) unless it is null (success).</summary>
    public void Check(nint status)
    {
        if (status != 0)
            ThrowStatus(status);
    }

    /// <summary>Releases a status without reading it, for clean-up paths that must not throw.</summary>
    public void IgnoreStatus(nint status)
    {
        if (status != 0)
            ReleaseStatus(status);
    }

    [DoesNotReturn]
    private void ThrowStatus(nint status)
    {
        OrtErrorCode code;
        string message;
        try
        {
            code = (OrtErrorCode)GetErrorCode(status);
            message = Marshal.PtrToStringUTF8((nint)GetErrorMessage(status)) ?? "";
        }
        finally
        {
            ReleaseStatus(status);
        }
        throw new OrtException(code, message);
    }

    // OrtStatus* CreateStatus(OrtErrorCode code, const char* msg)
    public nint CreateStatus(int code, byte* msg) => ((delegate* unmanaged[Cdecl]<int, byte*, nint>)_table[OrtApiSlot.CreateStatus])(code, msg);

    // OrtErrorCode GetErrorCode(const OrtStatus* status)
    public int GetErrorCode(nint status) => ((delegate* unmanaged[Cdecl]<nint, int>)_table[OrtApiSlot.GetErrorCode])(status);

    // const char* GetErrorMessage(const OrtStatus* status)
    public byte* GetErrorMessage(nint status) => ((delegate* unmanaged[Cdecl]<nint, byte*>)_table[OrtApiSlot.GetErrorMessage])(status);

    // void ReleaseStatus(OrtStatus* input)
    public void ReleaseStatus(nint status) => ((delegate* unmanaged[Cdecl]<nint, void>)_table[OrtApiSlot.ReleaseStatus])(status);

    // OrtStatus* CreateEnv(OrtLoggingLevel log_severity_level, const char* logid, OrtEnv** out)
    public nint CreateEnv(int level, byte* logId, nint* env) => ((delegate* unmanaged[Cdecl]<int, byte*, nint*, nint>)_table[OrtApiSlot.CreateEnv])(level, logId, env);

    // void ReleaseEnv(OrtEnv* input)
    public void ReleaseEnv(nint env) => ((delegate* unmanaged[Cdecl]<nint, void>)_table[OrtApiSlot.ReleaseEnv])(env);

    // OrtStatus* CreateSession(const OrtEnv* env, const ORTCHAR_T* model_path, const OrtSessionOptions* options, OrtSession** out)
    public nint CreateSession(nint env, byte* path, nint options, nint* session) => ((delegate* unmanaged[Cdecl]<nint, byte*, nint, nint*, nint>)_table[OrtApiSlot.CreateSession])(env, path, options, session);

    // OrtStatus* CreateSessionFromArray(const OrtEnv* env, const void* model_data, size_t model_data_length, const OrtSessionOptions* options, OrtSession** out)
    public nint CreateSessionFromArray(nint env, void* data, nuint length, nint options, nint* session) => ((delegate* unmanaged[Cdecl]<nint, void*, nuint, nint, nint*, nint>)_table[OrtApiSlot.CreateSessionFromArray])(env, data, length, options, session);

    // void ReleaseSession(OrtSession* input)
    public void ReleaseSession(nint session) => ((delegate* unmanaged[Cdecl]<nint, void>)_table[OrtApiSlot.ReleaseSession])(session);

    // OrtStatus* Run(OrtSession* session, const OrtRunOptions* run_options, const char* const* input_names, const OrtValue* const* inputs, size_t input_len, const char* const* output_names, size_t output_names_len, OrtValue** outputs)
    public nint Run(nint session, nint runOptions, byte** inputNames, nint* inputs, nuint inputCount, byte** outputNames, nuint outputCount, nint* outputs) => ((delegate* unmanaged[Cdecl]<nint, nint, byte**, nint*, nuint, byte**, nuint, nint*, nint>)_table[OrtApiSlot.Run])(session, runOptions, inputNames, inputs, inputCount, outputNames, outputCount, outputs);

    // OrtStatus* RunWithBinding(OrtSession* sess, const OrtRunOptions* run_options, const OrtIoBinding* binding_ptr)
    public nint RunWithBinding(nint session, nint runOptions, nint binding) => ((delegate* unmanaged[Cdecl]<nint, nint, nint, nint>)_table[OrtApiSlot.RunWithBinding])(session, runOptions, binding);

    // OrtStatus* SessionGetInputCount(const OrtSession* sess, size_t* out)
    public nint SessionGetInputCount(nint session, nuint* count) => ((delegate* unmanaged[Cdecl]<nint, nuint*, nint>)_table[OrtApiSlot.SessionGetInputCount])(session, count);

    // OrtStatus* SessionGetOutputCount(const OrtSession* sess, size_t* out)
    public nint SessionGetOutputCount(nint session, nuint* count) => ((delegate* unmanaged[Cdecl]<nint, nuint*, nint>)_table[OrtApiSlot.SessionGetOutputCount])(session, count);

    // OrtStatus* SessionGetInputTypeInfo(const OrtSession* sess, size_t index, OrtTypeInfo** type_info)
    public nint SessionGetInputTypeInfo(nint session, nuint index, nint* typeInfo) => ((delegate* unmanaged[Cdecl]<nint, nuint, nint*, nint>)_table[OrtApiSlot.SessionGetInputTypeInfo])(session, index, typeInfo);

    // OrtStatus* SessionGetOutputTypeInfo(const OrtSession* sess, size_t index, OrtTypeInfo** type_info)
    public nint SessionGetOutputTypeInfo(nint session, nuint index, nint* typeInfo) => ((delegate* unmanaged[Cdecl]<nint, nuint, nint*, nint>)_table[OrtApiSlot.SessionGetOutputTypeInfo])(session, index, typeInfo);

    // OrtStatus* SessionGetInputName(const OrtSession* sess, size_t index, OrtAllocator* allocator, char** value)
    public nint SessionGetInputName(nint session, nuint index, nint allocator, byte** name) => ((delegate* unmanaged[Cdecl]<nint, nuint, nint, byte**, nint>)_table[OrtApiSlot.SessionGetInputName])(session, index, allocator, name);

    // OrtStatus* SessionGetOutputName(const OrtSession* sess, size_t index, OrtAllocator* allocator, char** value)
    public nint SessionGetOutputName(nint session, nuint index, nint allocator, byte** name) => ((delegate* unmanaged[Cdecl]<nint, nuint, nint, byte**, nint>)_table[OrtApiSlot.SessionGetOutputName])(session, index, allocator, name);

    // OrtStatus* GetAllocatorWithDefaultOptions(OrtAllocator** out)   (process-wide; never freed)
    public nint GetAllocatorWithDefaultOptions(nint* allocator) => ((delegate* unmanaged[Cdecl]<nint*, nint>)_table[OrtApiSlot.GetAllocatorWithDefaultOptions])(allocator);

    // OrtStatus* AllocatorFree(OrtAllocator* ort_allocator, void* p)
    public nint AllocatorFree(nint allocator, void* p) => ((delegate* unmanaged[Cdecl]<nint, void*, nint>)_table[OrtApiSlot.AllocatorFree])(allocator, p);

    // OrtStatus* GetAvailableProviders(char*** out_ptr, int* provider_length)
    public nint GetAvailableProviders(byte*** providers, int* count) => ((delegate* unmanaged[Cdecl]<byte***, int*, nint>)_table[OrtApiSlot.GetAvailableProviders])(providers, count);

    // OrtStatus* ReleaseAvailableProviders(char** ptr, int providers_length)
    public nint ReleaseAvailableProviders(byte** providers, int count) => ((delegate* unmanaged[Cdecl]<byte**, int, nint>)_table[OrtApiSlot.ReleaseAvailableProviders])(providers, count);

    /// <summary>The default CPU allocator (owned by ONNX Runtime, valid for the life of the process).</summary>
    public nint DefaultAllocator
    {
        get
        {
            nint allocator;
            Check(GetAllocatorWithDefaultOptions(&allocator));
            return allocator;
        }
    }
}
