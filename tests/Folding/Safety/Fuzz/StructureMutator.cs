using System.Globalization;
using Google.Protobuf;
using OnnxBn.Folding.Onnx.Proto;
using OnnxBn.TestUtilities.Random;

namespace OnnxBn.Folding.Tests.Safety.Fuzz;

/// <summary>
/// Mutations that keep the protobuf well-formed and aim at what the loader, the fold and the writer must check:
/// dims, data types, raw_data lengths, external-data keys and files, nesting depth, huge names and counts, graph
/// wiring, opsets and unknown fields.
/// </summary>
internal static class StructureMutator
{
    private static readonly string[] Locations =
    [
        "w.bin", "../outside/secret", "/etc/passwd", "a\0b", "fifo", "link_out", "link_in", "dir", "", ".", "m.onnx",
        "../in/w.bin", "sub/../w.bin", "missing.bin", "folded.onnx", "folded.onnx.data", "x\ny", "C:\\w.bin",
        "link_dir/secret", new string('n', 300), new string('n', 5000),
    ];

    public static void Apply(ModelProto model, FuzzCase fuzz, SeededRandom random, List<string> recipe)
    {
        var graph = model.Graph;
        int kind = random.Int(0, 13);
        switch (kind)
        {
            case 0 when graph.Initializer.Count > 0:
            {
                var t = Pick(graph.Initializer, random);
                long dim = random.Pick(-1L, 0L, 1L, 3L, 1L << 40, long.MaxValue, (long)int.MaxValue + 1);
                if (t.Dims.Count > 0 && random.Chance(0.7)) t.Dims[random.Int(0, t.Dims.Count - 1)] = dim;
                else t.Dims.Add(dim);
                recipe.Add($"dims of '{Short(t.Name)}' → [{string.Join(",", t.Dims)}]");
                break;
            }
            case 1 when graph.Initializer.Count > 0:
            {
                var t = Pick(graph.Initializer, random);
                t.DataType = random.Int(-2, 30);
                recipe.Add($"data_type of '{Short(t.Name)}' → {t.DataType}");
                break;
            }
            case 2 when graph.Initializer.Count > 0:
            {
                var t = Pick(graph.Initializer, random);
                var raw = t.RawData.ToByteArray();
                int length = random.Pick(0, Math.Max(0, raw.Length - 1), raw.Length + 1, raw.Length / 2, raw.Length * 2 + 3);
                var changed = new byte[length];
                Array.Copy(raw, changed, Math.Min(raw.Length, length));
                t.RawData = ByteString.CopyFrom(changed);
                if (random.Chance(0.3)) t.FloatData.Add(1f);
                recipe.Add($"raw_data of '{Short(t.Name)}' {raw.Length} → {length} bytes");
                break;
            }
            case 3 or 4 when graph.Initializer.Count > 0:
                Externalize(graph, fuzz, random, recipe);
                break;
            case 5:
            {
                int depth = random.Pick(2, 20, 99, 101, 150);
                NestInIf(model, depth);
                recipe.Add($"main graph nested {depth} If levels deep");
                break;
            }
            case 6 when graph.Node.Count > 0:
            {
                string huge = new('h', random.Pick(1000, 100_000, 300_000));
                var node = Pick(graph.Node, random);
                if (random.Chance(0.5)) node.Name = huge;
                else if (node.Output.Count > 0) Rename(graph, node.Output[0], huge);
                recipe.Add($"huge name ({huge.Length} chars) on node '{Short(node.Name)}'");
                break;
            }
            case 7:
            {
                int count = random.Pick(1000, 5_000);
                // A chain from the first input (never a huge name, or the model would grow by count × name).
                string last = graph.Input.Count > 0 && graph.Input[0].Name.Length < 100 ? graph.Input[0].Name : "";
                for (int i = 0; i < count; i++)
                {
                    if (random.Chance(0.5)) graph.ValueInfo.Add(new ValueInfoProto { Name = $"vi_{i}" });
                    else
                    {
                        graph.Node.Add(new NodeProto { OpType = "Identity", Name = $"id_{i}", Input = { last }, Output = { $"id_out_{i}" } });
                        last = $"id_out_{i}";
                    }
                }
                recipe.Add($"{count} extra value_info entries or Identity nodes");
                break;
            }
            case 8 when graph.Node.Count > 1:
            {
                var node = Pick(graph.Node, random);
                var other = Pick(graph.Node, random);
                int edit = random.Int(0, 4);
                if (edit == 0 && node.Input.Count > 0 && node.Output.Count > 0) node.Input[0] = node.Output[0]; // a self loop
                else if (edit == 1 && other.Output.Count > 0 && node.Output.Count > 0) node.Output[0] = other.Output[0]; // produced twice
                else if (edit == 2) graph.Node.Remove(node);
                else if (edit == 3) graph.Node.Add(node.Clone());
                else if (node.Input.Count > 0) node.Input[0] = "ghost";
                recipe.Add($"wiring edit {edit} on '{Short(node.Name)}'");
                break;
            }
            case 9 when graph.Node.Count > 0:
            {
                var node = Pick(graph.Node, random);
                if (node.Attribute.Count > 0 && random.Chance(0.7))
                {
                    var a = Pick(node.Attribute, random);
                    a.I = random.Pick(0L, -1L, long.MaxValue, 1L << 33);
                    a.Ints.Add(random.Pick(0L, -5L, 1L << 40));
                    a.F = random.Pick(float.NaN, 0f, -1f, float.PositiveInfinity);
                    recipe.Add($"attribute '{a.Name}' of '{Short(node.Name)}' scrambled");
                }
                else
                {
                    node.OpType = random.Pick("BatchNormalization", "Conv", "Gemm", "MatMul", "Mul", "Add", "If", "Unknown", "");
                    node.Domain = random.Pick("", "ai.onnx", "com.microsoft");
                    recipe.Add($"op of '{Short(node.Name)}' → {node.Domain}:{node.OpType}");
                }
                break;
            }
            case 10:
            {
                foreach (var o in model.OpsetImport) o.Version = random.Pick(0L, 1L, 6L, 7L, 1000L, -1L);
                recipe.Add("opset versions scrambled");
                break;
            }
            case 11:
            {
                var names = graph.Node.Select(n => n.Name).Where(n => n.Length > 0).ToList();
                if (names.Count > 1)
                {
                    var bn = graph.Node.FirstOrDefault(n => n.OpType == "BatchNormalization");
                    if (bn is not null) bn.Name = names[random.Int(0, names.Count - 1)];
                }
                recipe.Add("a BN renamed after another node");
                break;
            }
            default:
            {
                int field = random.Pick(26, 99, 1000, 536_870_911);
                recipe.Add($"unknown field {field} appended");
                model.MergeFrom(UnknownField(field, random));
                break;
            }
        }
    }

    private static byte[] UnknownField(int field, SeededRandom random)
    {
        var output = new MemoryStream();
        var writer = new CodedOutputStream(output);
        switch (random.Int(0, 3))
        {
            case 0: writer.WriteTag(field, WireFormat.WireType.Varint); writer.WriteUInt64(42); break;
            case 1: writer.WriteTag(field, WireFormat.WireType.Fixed32); writer.WriteFixed32(7); break;
            case 2: writer.WriteTag(field, WireFormat.WireType.StartGroup); writer.WriteTag(field, WireFormat.WireType.EndGroup); break;
            default: writer.WriteTag(field, WireFormat.WireType.LengthDelimited); writer.WriteBytes(ByteString.CopyFromUtf8("future")); break;
        }
        writer.Flush();
        return output.ToArray();
    }

    /// <summary>Moves an initializer's bytes to an external file and points it at a (possibly hostile) location.</summary>
    private static void Externalize(GraphProto graph, FuzzCase fuzz, SeededRandom random, List<string> recipe)
    {
        var t = Pick(graph.Initializer, random);
        byte[] payload = t.RawData.ToByteArray();
        if (!fuzz.Files.TryGetValue("w.bin", out var existing)) existing = [];
        long offset = existing.Length;
        fuzz.Files["w.bin"] = [.. existing, .. payload];
        t.ClearRawData();
        t.DataLocation = TensorProto.Types.DataLocation.External;
        t.ExternalData.Clear();
        string location = random.Chance(0.5) ? "w.bin" : random.Pick(Locations);
        string offsetText = random.Chance(0.7) ? offset.ToString(CultureInfo.InvariantCulture) : random.Pick("-1", "abc", "99999999999", "0", "");
        string lengthText = random.Chance(0.7) ? payload.Length.ToString(CultureInfo.InvariantCulture) : random.Pick("-4", "0", "1", "18446744073709551615");
        t.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = location });
        if (random.Chance(0.9)) t.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = offsetText });
        if (random.Chance(0.9)) t.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = lengthText });
        if (random.Chance(0.1)) t.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = random.Pick(Locations) });
        if (random.Chance(0.1)) t.ExternalData.Add(new StringStringEntryProto { Key = random.Pick("checksum", "", "\0"), Value = "x" });
        AddSpecials(fuzz);
        recipe.Add($"'{Short(t.Name)}' external at '{Short(location)}' offset '{offsetText}' length '{lengthText}'");
    }

    /// <summary>The hostile neighbours an external location may name.</summary>
    public static void AddSpecials(FuzzCase fuzz)
    {
        if (fuzz.Specials.Count > 0) return;
        fuzz.Specials.Add(("fifo", SpecialKind.Fifo, null));
        fuzz.Specials.Add(("dir", SpecialKind.Folder, null));
        fuzz.Specials.Add(("link_out", SpecialKind.Link, "outside/secret"));
        fuzz.Specials.Add(("link_dir", SpecialKind.Link, "outside"));
        fuzz.Specials.Add(("link_in", SpecialKind.Link, "in/w.bin"));
    }

    private static void NestInIf(ModelProto model, int depth)
    {
        var body = model.Graph.Clone();
        for (int i = 0; i < depth; i++)
        {
            var wrapper = new GraphProto { Name = $"nest_{i}" };
            wrapper.Output.AddRange(body.Output.Select(o => o.Clone()));
            var node = new NodeProto { OpType = "If", Name = $"if_{i}", Input = { "cond" } };
            node.Output.AddRange(body.Output.Select(o => o.Name));
            node.Attribute.Add(new AttributeProto { Name = "then_branch", Type = AttributeProto.Types.AttributeType.Graph, G = body });
            // The else branch is small: the same body in both branches would double the model at every level.
            var other = new GraphProto { Name = $"else_{i}" };
            other.Output.AddRange(body.Output.Select(o => o.Clone()));
            node.Attribute.Add(new AttributeProto { Name = "else_branch", Type = AttributeProto.Types.AttributeType.Graph, G = other });
            wrapper.Node.Add(node);
            body = wrapper;
        }
        body.Input.AddRange(model.Graph.Input);
        body.Input.Add(new ValueInfoProto { Name = "cond" });
        model.Graph = body;
    }

    private static void Rename(GraphProto graph, string from, string to)
    {
        foreach (var node in graph.Node)
        {
            for (int i = 0; i < node.Input.Count; i++) if (node.Input[i] == from) node.Input[i] = to;
            for (int i = 0; i < node.Output.Count; i++) if (node.Output[i] == from) node.Output[i] = to;
        }
        foreach (var v in graph.Output.Concat(graph.ValueInfo)) if (v.Name == from) v.Name = to;
    }

    private static T Pick<T>(IList<T> list, SeededRandom random) => list[random.Int(0, list.Count - 1)];

    private static string Short(string? text) => text is null ? "" : text.Length > 40 ? text[..40] + "..." : text.Replace("\0", "\\0").Replace("\n", "\\n");
}
