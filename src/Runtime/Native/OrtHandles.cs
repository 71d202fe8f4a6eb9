using System.Buffers;
using System.Runtime.InteropServices;

namespace OnnxBn.Runtime.Native;

/// <summary>
/// Owns one ONNX Runtime object and releases it exactly once. A handle created with a parent (a session's
/// environment, a binding's session) holds a reference on that parent until it is itself released, so the parent can
/// never be freed first, whatever order the caller disposes in.
/// </summary>
internal abstract class OrtHandle : SafeHandle
{
    private readonly SafeHandle? _parent;

    protected OrtHandle(nint handle, SafeHandle? parent)
        : base(0, ownsHandle: true)
    {
        if (parent is not null)
        {
            var added = false;
            parent.DangerousAddRef(ref added);
            _parent = parent;
        }
        SetHandle(handle);
    }

    public override bool IsInvalid => handle == 0;

    protected sealed override bool ReleaseHandle()
    {
        try
        {
            Release(OrtApi.Instance, handle);
        }
        finally
        {
            AfterRelease();
            _parent?.DangerousRelease();
        }
        return true;
    }

    protected abstract void Release(OrtApi api, nint value);

    /// <summary>Runs after the native object is gone (and before the parent reference is dropped).</summary>
    protected virtual void AfterRelease()
    {
    }
}

internal sealed class EnvHandle(nint handle) : OrtHandle(handle, null)
{
    protected override void Release(OrtApi api, nint value) => api.ReleaseEnv(value);
}

internal sealed class SessionOptionsHandle(nint handle) : OrtHandle(handle, null)
{
    protected override void Release(OrtApi api, nint value) => api.ReleaseSessionOptions(value);
}

internal sealed class SessionHandle(nint handle, EnvHandle env) : OrtHandle(handle, env)
{
    protected override void Release(OrtApi api, nint value) => api.ReleaseSession(value);
}

internal sealed class RunOptionsHandle(nint handle) : OrtHandle(handle, null)
{
    protected override void Release(OrtApi api, nint value) => api.ReleaseRunOptions(value);
}

internal sealed class MemoryInfoHandle(nint handle) : OrtHandle(handle, null)
{
    protected override void Release(OrtApi api, nint value) => api.ReleaseMemoryInfo(value);
}

internal sealed class IoBindingHandle(nint handle, SessionHandle session) : OrtHandle(handle, session)
{
    protected override void Release(OrtApi api, nint value) => api.ReleaseIoBinding(value);
}

internal sealed class CudaProviderOptionsHandle(nint handle) : OrtHandle(handle, null)
{
    protected override void Release(OrtApi api, nint value) => api.ReleaseCUDAProviderOptions(value);
}

internal sealed class TypeInfoHandle(nint handle) : OrtHandle(handle, null)
{
    protected override void Release(OrtApi api, nint value) => api.ReleaseTypeInfo(value);
}

internal sealed class TensorTypeAndShapeInfoHandle(nint handle) : OrtHandle(handle, null)
{
    protected override void Release(OrtApi api, nint value) => api.ReleaseTensorTypeAndShapeInfo(value);
}

/// <summary>
/// An OrtValue. When it wraps caller memory, the pin on that memory is owned here and dropped only after ONNX Runtime
/// has released the value, so the buffer cannot move while native code may still read or write it.
/// </summary>
internal sealed class ValueHandle(nint handle, MemoryHandle pin = default) : OrtHandle(handle, null)
{
    private MemoryHandle _pin = pin;

    protected override void Release(OrtApi api, nint value) => api.ReleaseValue(value);

    protected override void AfterRelease() => _pin.Dispose();
}

/// <summary>A UTF-8 string that ONNX Runtime allocated with its default allocator, freed with that allocator.</summary>
internal sealed unsafe class AllocatorStringHandle(nint handle) : OrtHandle(handle, null)
{
    public string Value => Marshal.PtrToStringUTF8(handle) ?? "";

    protected override void Release(OrtApi api, nint value) => api.IgnoreStatus(api.AllocatorFree(api.DefaultAllocator, (void*)value));
}

internal sealed class ThreadingOptionsHandle(nint handle) : OrtHandle(handle, null)
{
    protected override void Release(OrtApi api, nint value) => api.ReleaseThreadingOptions(value);
}
