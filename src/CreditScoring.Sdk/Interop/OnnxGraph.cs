using System.Buffers;
using System.Text;

namespace CreditScoring.Sdk.Interop;

/// <summary>
/// Writes Protocol Buffers' wire format (varints, length-delimited fields, packed repeated numbers), the subset ONNX's
/// <c>onnx.proto</c> messages need. Field numbers are those of <c>onnx/onnx.proto3</c>.
/// </summary>
internal sealed class ProtoWriter
{
    private readonly ArrayBufferWriter<byte> _buffer = new();

    public byte[] ToArray() => _buffer.WrittenSpan.ToArray();

    public ProtoWriter Varint(int field, long value)
    {
        Tag(field, 0);
        WriteVarint((ulong)value);
        return this;
    }

    public ProtoWriter Text(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    public ProtoWriter Bytes(int field, ReadOnlySpan<byte> value)
    {
        Tag(field, 2);
        WriteVarint((ulong)value.Length);
        _buffer.Write(value);
        return this;
    }

    public ProtoWriter Message(int field, Action<ProtoWriter> write)
    {
        var inner = new ProtoWriter();
        write(inner);
        return Bytes(field, inner.ToArray());
    }

    public ProtoWriter Float(int field, float value)
    {
        Tag(field, 5);
        Span<byte> bytes = stackalloc byte[4];
        BitConverter.TryWriteBytes(bytes, value);
        _buffer.Write(bytes);
        return this;
    }

    public ProtoWriter PackedDoubles(int field, ReadOnlySpan<double> values)
    {
        var bytes = new byte[values.Length * 8];
        for (var i = 0; i < values.Length; i++)
        {
            BitConverter.TryWriteBytes(bytes.AsSpan(i * 8), values[i]);
        }

        return Bytes(field, bytes);
    }

    public ProtoWriter PackedFloats(int field, ReadOnlySpan<float> values)
    {
        var bytes = new byte[values.Length * 4];
        for (var i = 0; i < values.Length; i++)
        {
            BitConverter.TryWriteBytes(bytes.AsSpan(i * 4), values[i]);
        }

        return Bytes(field, bytes);
    }

    public ProtoWriter PackedVarints(int field, ReadOnlySpan<long> values)
    {
        var inner = new ProtoWriter();
        foreach (var v in values)
        {
            inner.WriteVarint((ulong)v);
        }

        return Bytes(field, inner.ToArray());
    }

    private void Tag(int field, int wireType) => WriteVarint((ulong)((field << 3) | wireType));

    private void WriteVarint(ulong value)
    {
        while (value >= 0x80)
        {
            _buffer.Write([(byte)(value | 0x80)]);
            value >>= 7;
        }

        _buffer.Write([(byte)value]);
    }
}

/// <summary>ONNX's tensor element types (<c>TensorProto.DataType</c>) that the export uses.</summary>
internal enum OnnxType
{
    Float = 1,
    Int64 = 7,
    Text = 8,
    Boolean = 9,
    Double = 11,
}

/// <summary>One attribute of a node: a name and one value of ONNX's attribute types.</summary>
internal sealed record OnnxAttribute(string Name, object Value)
{
    /// <summary>Writes <c>AttributeProto</c>: name 1, f 2, i 3, s 4, t 5, floats 7, ints 8, strings 9, type 20.</summary>
    public void Write(ProtoWriter w)
    {
        w.Text(1, Name);
        switch (Value)
        {
            case float f:
                w.Float(2, f).Varint(20, 1);
                break;
            case long i:
                w.Varint(3, i).Varint(20, 2);
                break;
            case string s:
                w.Text(4, s).Varint(20, 3);
                break;
            case OnnxTensor t:
                w.Message(5, t.Write).Varint(20, 4);
                break;
            case float[] fs:
                w.PackedFloats(7, fs).Varint(20, 6);
                break;
            case long[] ints:
                w.PackedVarints(8, ints).Varint(20, 7);
                break;
            case string[] strings:
                foreach (var s in strings)
                {
                    w.Text(9, s);
                }

                w.Varint(20, 8);
                break;
            default:
                throw new InvalidOperationException($"An ONNX attribute cannot hold a {Value.GetType().Name}.");
        }
    }
}

/// <summary>A constant tensor (an initializer or a tensor attribute): doubles, int64s or strings.</summary>
internal sealed record OnnxTensor(string Name, long[] Dimensions, OnnxType Type, double[]? Doubles = null, long[]? Integers = null, string[]? Texts = null)
{
    /// <summary>Writes <c>TensorProto</c>: dims 1, data_type 2, string_data 6, int64_data 7, name 8, double_data 10.</summary>
    public void Write(ProtoWriter w)
    {
        if (Dimensions.Length > 0)
        {
            w.PackedVarints(1, Dimensions);
        }

        w.Varint(2, (long)Type);
        if (Texts is not null)
        {
            foreach (var s in Texts)
            {
                w.Text(6, s);
            }
        }

        if (Integers is not null)
        {
            w.PackedVarints(7, Integers);
        }

        if (Name.Length > 0)
        {
            w.Text(8, Name);
        }

        if (Doubles is not null)
        {
            w.PackedDoubles(10, Doubles);
        }
    }
}

/// <summary>
/// Builds one ONNX graph node by node: every operation returns the name of the value it computes, so a transform is
/// written as expressions over value names. Constants become initializers, shared when equal. Values are
/// <c>[N, 1]</c> double columns unless an operation says otherwise.
/// </summary>
internal sealed class OnnxGraph
{
    /// <summary>The domain of ONNX's traditional machine-learning operators.</summary>
    public const string MLDomain = "ai.onnx.ml";

    private readonly List<Action<ProtoWriter>> _nodes = [];
    private readonly List<OnnxTensor> _initializers = [];
    private readonly Dictionary<string, string> _constants = new(StringComparer.Ordinal);
    private readonly List<(string Name, OnnxType Type, string Doc)> _inputs = [];
    private readonly List<(string Name, OnnxType Type, string Doc)> _outputs = [];
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private int _next;

    /// <summary>Declares a graph input of shape <c>[N, 1]</c>.</summary>
    public string Input(string name, OnnxType type, string doc)
    {
        Reserve(name);
        _inputs.Add((name, type, doc));
        return name;
    }

    /// <summary>Declares a graph output of shape <c>[N, 1]</c>, copied from <paramref name="value"/>.</summary>
    public void Output(string name, string value, OnnxType type, string doc)
    {
        Reserve(name);
        Node("Identity", [value], [name]);
        _outputs.Add((name, type, doc));
    }

    private void Reserve(string name)
    {
        if (!_names.Add(name))
        {
            throw new NotSupportedException($"The ONNX graph would have two values named '{name}' (an input named like an output: probability, decision and margin are the outputs' names); rename the input to export the model.");
        }
    }

    /// <summary>Adds a node; returns its first output.</summary>
    public string Node(string op, string[] inputs, string[]? outputs = null, string domain = "", params OnnxAttribute[] attributes)
    {
        outputs ??= [Fresh(op)];
        var name = $"n{_nodes.Count}_{op}";
        _nodes.Add(w =>
        {
            foreach (var i in inputs)
            {
                w.Text(1, i);
            }

            foreach (var o in outputs)
            {
                w.Text(2, o);
            }

            w.Text(3, name).Text(4, op);
            foreach (var a in attributes)
            {
                w.Message(5, a.Write);
            }

            if (domain.Length > 0)
            {
                w.Text(7, domain);
            }
        });
        return outputs[0];
    }

    private string Fresh(string hint)
    {
        string name;
        do
        {
            name = $"_{hint.ToLowerInvariant()}{_next++}";
        }
        while (!_names.Add(name));
        return name;
    }

    /// <summary>A double scalar constant (broadcast against columns).</summary>
    public string Const(double value) => Constant(new OnnxTensor("", [], OnnxType.Double, Doubles: [value]));

    /// <summary>A double vector constant of shape <c>[n]</c>.</summary>
    public string Const(double[] values) => Constant(new OnnxTensor("", [values.Length], OnnxType.Double, Doubles: values));

    /// <summary>A double matrix constant of shape <c>[rows, columns]</c> (row-major values).</summary>
    public string Const(double[] values, long rows, long columns) => Constant(new OnnxTensor("", [rows, columns], OnnxType.Double, Doubles: values));

    /// <summary>An int64 vector constant.</summary>
    public string Const(long[] values) => Constant(new OnnxTensor("", [values.Length], OnnxType.Int64, Integers: values));

    /// <summary>A string scalar constant.</summary>
    public string Const(string value) => Constant(new OnnxTensor("", [], OnnxType.Text, Texts: [value]));

    private string Constant(OnnxTensor tensor)
    {
        var key = $"{tensor.Type}|{string.Join(",", tensor.Dimensions)}|"
            + (tensor.Doubles is { } d ? string.Join(",", d.Select(v => BitConverter.DoubleToInt64Bits(v))) : "")
            + (tensor.Integers is { } i ? string.Join(",", i) : "")
            + (tensor.Texts is { } t ? string.Join("\u0001", t) : "");
        if (_constants.TryGetValue(key, out var existing))
        {
            return existing;
        }

        var name = Fresh("c");
        _initializers.Add(tensor with { Name = name });
        _constants[key] = name;
        return name;
    }

    public string Add(string a, string b) => Node("Add", [a, b]);

    public string Sub(string a, string b) => Node("Sub", [a, b]);

    public string Mul(string a, string b) => Node("Mul", [a, b]);

    public string Div(string a, string b) => Node("Div", [a, b]);

    public string Neg(string a) => Node("Neg", [a]);

    public string Where(string condition, string whenTrue, string whenFalse) => Node("Where", [condition, whenTrue, whenFalse]);

    public string IsNaN(string a) => Node("IsNaN", [a]);

    public string Equal(string a, string b) => Node("Equal", [a, b]);

    public string Less(string a, string b) => Node("Less", [a, b]);

    public string GreaterOrEqual(string a, string b) => Node("GreaterOrEqual", [a, b]);

    public string Greater(string a, string b) => Node("Greater", [a, b]);

    public string Or(string a, string b) => Node("Or", [a, b]);

    public string And(string a, string b) => Node("And", [a, b]);

    public string Cast(string a, OnnxType to) => Node("Cast", [a], attributes: new OnnxAttribute("to", (long)to));

    /// <summary>1.0 where a Boolean column is true, else 0.0.</summary>
    public string Indicator(string condition) => Cast(condition, OnnxType.Double);

    public string Gather(string table, string indices) => Node("Gather", [table, indices], attributes: new OnnxAttribute("axis", 0L));

    /// <summary>Columns side by side: <c>[N, k]</c>.</summary>
    public string Concat(IReadOnlyList<string> columns) => columns.Count == 1 ? columns[0] : Node("Concat", [.. columns], attributes: new OnnxAttribute("axis", 1L));

    /// <summary>The sum of a matrix's columns, kept as a column: <c>[N, 1]</c>.</summary>
    public string RowSum(string matrix) => Node("ReduceSum", [matrix, Const([1L])], attributes: new OnnxAttribute("keepdims", 1L));

    /// <summary>
    /// A table lookup by category code, as the fitted steps do it: <paramref name="table"/>[code] for a code in
    /// [0, table length) (a fraction truncated), <paramref name="missing"/> for NaN and <paramref name="outside"/> for
    /// every other code (−1 is an unknown category).
    /// </summary>
    public string Lookup(string code, IReadOnlyList<double> table, double missing, double outside)
    {
        string value;
        if (table.Count == 0)
        {
            value = Where(IsNaN(code), Const(outside), Const(outside));
        }
        else
        {
            var valid = And(GreaterOrEqual(code, Const(0.0)), Less(code, Const((double)table.Count)));
            var index = Cast(Where(valid, code, Const(0.0)), OnnxType.Int64);
            value = Where(valid, Gather(Const([.. table]), index), Const(outside));
        }

        return Where(IsNaN(code), Const(missing), value);
    }

    /// <summary>Writes the model: <c>ModelProto</c> with its graph, opsets and metadata.</summary>
    public byte[] ToModel(string graphName, string producerVersion, IReadOnlyList<(string Domain, long Version)> opsets, long irVersion, string doc, IReadOnlyDictionary<string, string> metadata)
    {
        var model = new ProtoWriter()
            .Varint(1, irVersion)
            .Text(2, "CreditScoring.Sdk")
            .Text(3, producerVersion)
            .Text(4, "creditscoring.sdk")
            .Varint(5, 1)
            .Text(6, doc)
            .Message(7, WriteGraph(graphName));
        foreach (var (domain, version) in opsets)
        {
            model.Message(8, w => w.Text(1, domain).Varint(2, version));
        }

        foreach (var (key, value) in metadata)
        {
            model.Message(14, w => w.Text(1, key).Text(2, value));
        }

        return model.ToArray();
    }

    private Action<ProtoWriter> WriteGraph(string name) => g =>
    {
        foreach (var node in _nodes)
        {
            g.Message(1, node);
        }

        g.Text(2, name);
        foreach (var t in _initializers)
        {
            g.Message(5, t.Write);
        }

        foreach (var (value, type, doc) in _inputs)
        {
            g.Message(11, ValueInfo(value, type, doc));
        }

        foreach (var (value, type, doc) in _outputs)
        {
            g.Message(12, ValueInfo(value, type, doc));
        }
    };

    /// <summary><c>ValueInfoProto</c> of a <c>[N, 1]</c> tensor: name 1, type 2 (tensor_type 1: elem_type 1, shape 2), doc 3.</summary>
    private static Action<ProtoWriter> ValueInfo(string name, OnnxType type, string doc) => v => v
        .Text(1, name)
        .Message(2, t => t.Message(1, tensor => tensor
            .Varint(1, (long)type)
            .Message(2, shape => shape
                .Message(1, d => d.Text(2, "N"))
                .Message(1, d => d.Varint(1, 1)))))
        .Text(3, doc);
}
