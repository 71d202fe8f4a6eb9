using OnnxBn.TestUtilities.Random;

namespace OnnxBn.Folding.Tests.Safety.Fuzz;

/// <summary>Mutations of the serialized bytes: flips, truncation, insertion, duplication, 0xFF runs.</summary>
internal static class ByteMutator
{
    public static byte[] Apply(byte[] bytes, SeededRandom random, List<string> recipe)
    {
        if (bytes.Length == 0) return bytes;
        int at = random.Int(0, bytes.Length - 1);
        switch (random.Int(0, 4))
        {
            case 0:
            {
                var copy = (byte[])bytes.Clone();
                int flips = random.Int(1, 10);
                for (int i = 0; i < flips; i++) copy[random.Int(0, copy.Length - 1)] ^= (byte)(1 << random.Int(0, 7));
                recipe.Add($"{flips} bit flips");
                return copy;
            }
            case 1:
                recipe.Add($"truncated at {at} of {bytes.Length}");
                return bytes[..at];
            case 2:
            {
                var insert = new byte[random.Int(1, 16)];
                for (int i = 0; i < insert.Length; i++) insert[i] = (byte)random.Int(0, 255);
                recipe.Add($"{insert.Length} random bytes inserted at {at}");
                return [.. bytes[..at], .. insert, .. bytes[at..]];
            }
            case 3:
            {
                int length = Math.Min(random.Int(1, 4096), bytes.Length - at);
                recipe.Add($"{length} bytes at {at} duplicated");
                return [.. bytes[..(at + length)], .. bytes[at..(at + length)], .. bytes[(at + length)..]];
            }
            default:
            {
                var copy = (byte[])bytes.Clone();
                int length = Math.Min(random.Int(1, 10), copy.Length - at);
                copy.AsSpan(at, length).Fill(0xFF);
                recipe.Add($"{length} bytes at {at} set to 0xFF");
                return copy;
            }
        }
    }
}
