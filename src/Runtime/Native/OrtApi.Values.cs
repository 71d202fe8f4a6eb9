namespace OnnxBn.Runtime.Native;

/// <summary>Values (tensors), their type and shape information, memory info and I/O binding.</summary>
internal sealed unsafe partial class OrtApi
{
    // OrtStatus* CreateTensorAsOrtValue(OrtAllocator* allocator, const int64_t* shape, size_t shape_len, ONNXTensorElementDataType type, OrtValue** out)
    public nint CreateTensorAsOrtValue(nint allocator, long* shape, nuint rank, int type, nint* value) => ((delegate* unmanaged[Cdecl]<nint, long*, nuint, int, nint*, nint>)_table[OrtApiSlot.CreateTensorAsOrtValue])(allocator, shape, rank, type, value);

    // OrtStatus* CreateTensorWithDataAsOrtValue(const OrtMemoryInfo* info, void* p_data, size_t p_data_len, const int64_t* shape, size_t shape_len, ONNXTensorElementDataType type, OrtValue** out)
    public nint CreateTensorWithDataAsOrtValue(nint memoryInfo, void* data, nuint byteLength, long* shape, nuint rank, int type, nint* value) => ((delegate* unmanaged[Cdecl]<nint, void*, nuint, long*, nuint, int, nint*, nint>)_table[OrtApiSlot.CreateTensorWithDataAsOrtValue])(memoryInfo, data, byteLength, shape, rank, type, value);

    // void ReleaseValue(OrtValue* input)
    public void ReleaseValue(nint value) => ((delegate* unmanaged[Cdecl]<nint, void>)_table[OrtApiSlot.ReleaseValue])(value);

    // OrtStatus* IsTensor(const OrtValue* value, int* out)
    public nint IsTensor(nint value, int* isTensor) => ((delegate* unmanaged[Cdecl]<nint, int*, nint>)_table[OrtApiSlot.IsTensor])(value, isTensor);

    // OrtStatus* GetValueType(const OrtValue* value, ONNXType* out)
    public nint GetValueType(nint value, int* type) => ((delegate* unmanaged[Cdecl]<nint, int*, nint>)_table[OrtApiSlot.GetValueType])(value, type);

    // OrtStatus* GetTensorMutableData(OrtValue* value, void** out)
    public nint GetTensorMutableData(nint value, void** data) => ((delegate* unmanaged[Cdecl]<nint, void**, nint>)_table[OrtApiSlot.GetTensorMutableData])(value, data);

    // OrtStatus* GetTensorTypeAndShape(const OrtValue* value, OrtTensorTypeAndShapeInfo** out)
    public nint GetTensorTypeAndShape(nint value, nint* info) => ((delegate* unmanaged[Cdecl]<nint, nint*, nint>)_table[OrtApiSlot.GetTensorTypeAndShape])(value, info);

    // void ReleaseTensorTypeAndShapeInfo(OrtTensorTypeAndShapeInfo* input)
    public void ReleaseTensorTypeAndShapeInfo(nint info) => ((delegate* unmanaged[Cdecl]<nint, void>)_table[OrtApiSlot.ReleaseTensorTypeAndShapeInfo])(info);

    // OrtStatus* GetTensorElementType(const OrtTensorTypeAndShapeInfo* info, ONNXTensorElementDataType* out)
    public nint GetTensorElementType(nint info, int* type) => ((delegate* unmanaged[Cdecl]<nint, int*, nint>)_table[OrtApiSlot.GetTensorElementType])(info, type);

    // OrtStatus* GetDimensionsCount(const OrtTensorTypeAndShapeInfo* info, size_t* out)
    public nint GetDimensionsCount(nint info, nuint* count) => ((delegate* unmanaged[Cdecl]<nint, nuint*, nint>)_table[OrtApiSlot.GetDimensionsCount])(info, count);

    // OrtStatus* GetDimensions(const OrtTensorTypeAndShapeInfo* info, int64_t* dim_values, size_t dim_values_length)
    public nint GetDimensions(nint info, long* dims, nuint count) => ((delegate* unmanaged[Cdecl]<nint, long*, nuint, nint>)_table[OrtApiSlot.GetDimensions])(info, dims, count);

    // OrtStatus* GetSymbolicDimensions(const OrtTensorTypeAndShapeInfo* info, const char* dim_params[], size_t dim_params_length)
    public nint GetSymbolicDimensions(nint info, byte** names, nuint count) => ((delegate* unmanaged[Cdecl]<nint, byte**, nuint, nint>)_table[OrtApiSlot.GetSymbolicDimensions])(info, names, count);

    // OrtStatus* GetTensorShapeElementCount(const OrtTensorTypeAndShapeInfo* info, size_t* out)
    public nint GetTensorShapeElementCount(nint info, nuint* count) => ((delegate* unmanaged[Cdecl]<nint, nuint*, nint>)_table[OrtApiSlot.GetTensorShapeElementCount])(info, count);

    // void ReleaseTypeInfo(OrtTypeInfo* input)
    public void ReleaseTypeInfo(nint info) => ((delegate* unmanaged[Cdecl]<nint, void>)_table[OrtApiSlot.ReleaseTypeInfo])(info);

    // OrtStatus* GetOnnxTypeFromTypeInfo(const OrtTypeInfo* type_info, ONNXType* out)
    public nint GetOnnxTypeFromTypeInfo(nint typeInfo, int* type) => ((delegate* unmanaged[Cdecl]<nint, int*, nint>)_table[OrtApiSlot.GetOnnxTypeFromTypeInfo])(typeInfo, type);

    // OrtStatus* CastTypeInfoToTensorInfo(const OrtTypeInfo* type_info, const OrtTensorTypeAndShapeInfo** out)   (borrowed; null if not a tensor)
    public nint CastTypeInfoToTensorInfo(nint typeInfo, nint* tensorInfo) => ((delegate* unmanaged[Cdecl]<nint, nint*, nint>)_table[OrtApiSlot.CastTypeInfoToTensorInfo])(typeInfo, tensorInfo);

    // OrtStatus* CreateCpuMemoryInfo(OrtAllocatorType type, OrtMemType mem_type, OrtMemoryInfo** out)
    public nint CreateCpuMemoryInfo(int allocatorType, int memType, nint* info) => ((delegate* unmanaged[Cdecl]<int, int, nint*, nint>)_table[OrtApiSlot.CreateCpuMemoryInfo])(allocatorType, memType, info);

    // void ReleaseMemoryInfo(OrtMemoryInfo* input)
    public void ReleaseMemoryInfo(nint info) => ((delegate* unmanaged[Cdecl]<nint, void>)_table[OrtApiSlot.ReleaseMemoryInfo])(info);

    // OrtStatus* CreateIoBinding(OrtSession* session, OrtIoBinding** out)
    public nint CreateIoBinding(nint session, nint* binding) => ((delegate* unmanaged[Cdecl]<nint, nint*, nint>)_table[OrtApiSlot.CreateIoBinding])(session, binding);

    // void ReleaseIoBinding(OrtIoBinding* input)
    public void ReleaseIoBinding(nint binding) => ((delegate* unmanaged[Cdecl]<nint, void>)_table[OrtApiSlot.ReleaseIoBinding])(binding);

    // OrtStatus* BindInput(OrtIoBinding* binding_ptr, const char* name, const OrtValue* val_ptr)
    public nint BindInput(nint binding, byte* name, nint value) => ((delegate* unmanaged[Cdecl]<nint, byte*, nint, nint>)_table[OrtApiSlot.BindInput])(binding, name, value);

    // OrtStatus* BindOutput(OrtIoBinding* binding_ptr, const char* name, const OrtValue* val_ptr)
    public nint BindOutput(nint binding, byte* name, nint value) => ((delegate* unmanaged[Cdecl]<nint, byte*, nint, nint>)_table[OrtApiSlot.BindOutput])(binding, name, value);

    // OrtStatus* BindOutputToDevice(OrtIoBinding* binding_ptr, const char* name, const OrtMemoryInfo* mem_info_ptr)
    public nint BindOutputToDevice(nint binding, byte* name, nint memoryInfo) => ((delegate* unmanaged[Cdecl]<nint, byte*, nint, nint>)_table[OrtApiSlot.BindOutputToDevice])(binding, name, memoryInfo);

    // OrtStatus* GetBoundOutputValues(const OrtIoBinding* binding_ptr, OrtAllocator* allocator, OrtValue*** output, size_t* output_count)
    public nint GetBoundOutputValues(nint binding, nint allocator, nint** values, nuint* count) => ((delegate* unmanaged[Cdecl]<nint, nint, nint**, nuint*, nint>)_table[OrtApiSlot.GetBoundOutputValues])(binding, allocator, values, count);

    // void ClearBoundInputs(OrtIoBinding* binding_ptr)
    public void ClearBoundInputs(nint binding) => ((delegate* unmanaged[Cdecl]<nint, void>)_table[OrtApiSlot.ClearBoundInputs])(binding);

    // void ClearBoundOutputs(OrtIoBinding* binding_ptr)
    public void ClearBoundOutputs(nint binding) => ((delegate* unmanaged[Cdecl]<nint, void>)_table[OrtApiSlot.ClearBoundOutputs])(binding);
}
