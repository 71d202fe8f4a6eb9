using OnnxBn.Folding;
using System.Runtime.InteropServices;
using OnnxBn.Runtime.Native;

namespace OnnxBn.Runtime.Values;

/// <summary>Reads an <c>OrtTensorTypeAndShapeInfo</c> (borrowed; the caller owns and releases it).</summary>
internal static unsafe class TensorInfo
{
    /// <summary>Element type, dimensions (-1 where unknown) and symbolic dimension names ("" where none).</summary>
    public static (TensorElementType Type, long[] Shape, string[] SymbolicDims) Read(OrtApi api, nint info)
    {
        int type;
        api.Check(api.GetTensorElementType(info, &type));
        nuint rank;
        api.Check(api.GetDimensionsCount(info, &rank));
        var shape = new long[(int)rank];
        var symbolic = new string[(int)rank];
        if (rank > 0)
        {
            fixed (long* dims = shape)
                api.Check(api.GetDimensions(info, dims, rank));
            var names = stackalloc byte*[(int)rank];
            api.Check(api.GetSymbolicDimensions(info, names, rank));
            for (var i = 0; i < (int)rank; i++)
                symbolic[i] = names[i] == null ? "" : Marshal.PtrToStringUTF8((nint)names[i]) ?? "";
        }
        return ((TensorElementType)type, shape, symbolic);
    }
}
