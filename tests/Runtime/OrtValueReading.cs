using Microsoft.ML.OnnxRuntime;

namespace OnnxBn.Runtime.Tests;

/// <summary>Short reads of official values for assertions.</summary>
internal static class OrtValueReading
{
    public static T[] ToArray<T>(this OrtValue value) where T : unmanaged =>
        System.Runtime.InteropServices.MemoryMarshal.Cast<byte, T>(value.GetTensorMutableRawData()).ToArray();
}
