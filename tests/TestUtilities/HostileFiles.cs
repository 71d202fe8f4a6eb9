using System.Runtime.InteropServices;
using Google.Protobuf;
using OnnxBn.Folding.Onnx.Proto;

namespace OnnxBn.TestUtilities;

/// <summary>Files a hostile model points at: FIFOs, symbolic links, crafted locations.</summary>
public static partial class HostileFiles
{
    /// <summary>Creates a FIFO at <paramref name="path"/> (Linux and macOS).</summary>
    public static void MakeFifo(string path)
    {
        if (MkFifo(path, Convert.ToInt32("644", 8)) != 0)
            throw new IOException($"mkfifo {path}: errno {Marshal.GetLastPInvokeError()}");
    }

    /// <summary>
    /// Writes <paramref name="folder"/>/m.onnx (the <see cref="ExternalDataModel"/> y = x·W + B) whose tensors both
    /// point at <paramref name="location"/>, W at offset 0 and B at 64; the data file itself is the caller's business.
    /// </summary>
    public static string ModelPointingAt(string folder, string location, string modelName = "m.onnx")
    {
        var proto = ModelProto.Parser.ParseFrom(File.ReadAllBytes(ExternalDataModel.Write(folder)));
        File.Delete(Path.Combine(folder, "weights.bin"));
        proto.Graph.Initializer.Clear();
        proto.Graph.Initializer.Add(ExternalDataModel.External("W", [2, 2], location, 0, 16));
        proto.Graph.Initializer.Add(ExternalDataModel.External("B", [2], location, 64, 8));
        string path = Path.Combine(folder, modelName);
        if (modelName != "m.onnx")
            File.Delete(Path.Combine(folder, "m.onnx"));
        File.WriteAllBytes(path, proto.ToByteArray());
        return path;
    }

    /// <summary>The 72 bytes of ExternalDataModel's weights.bin (W at 0, B at 64).</summary>
    public static byte[] WeightBytes()
    {
        var bin = new byte[72];
        Buffer.BlockCopy(ExternalDataModel.W, 0, bin, 0, 16);
        Buffer.BlockCopy(ExternalDataModel.B, 0, bin, 64, 8);
        return bin;
    }

    [LibraryImport("libc", EntryPoint = "mkfifo", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MkFifo(string path, int mode);
}
