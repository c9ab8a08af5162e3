using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Decisions;
using CreditScoring.Sdk.Evaluation;
using CreditScoring.Sdk.Features;
using CreditScoring.Sdk.Internal;
using CreditScoring.Sdk.Learners;

namespace CreditScoring.Sdk.Scoring.Serialization;

/// <summary>
/// The model file: one UTF-8 JSON object
/// <c>{"format": "creditscoring-model", "formatVersion": 2, "sdkVersion": ..., "payloadLength": N, "payloadSha256": hex, "payload": {...}}</c>.
/// The checksum covers the payload's exact bytes, so truncation and any edit are detected before the
/// payload is parsed; a file from a newer format version is refused with a message that says so.
/// </summary>
internal static class ModelFile
{
    public const string FormatName = "creditscoring-model";
    public const int FormatVersion = 6;

    private const string PredictorKindField = "kind";

    private const string PredictorFeaturesField = "features";

    public static string SdkVersion { get; } =
        typeof(ModelFile).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    public static byte[] Write(CreditModel model, ModelSigningKey? signer = null)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(ToDto(model), ModelJsonContext.WithModelFileOptions.ModelPayloadDto);
        var signature = signer?.Sign(ModelSigningKey.Message(FormatVersion, payload));
        using var stream = new MemoryStream(payload.Length + 512);
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("format", FormatName);
            writer.WriteNumber("formatVersion", FormatVersion);
            writer.WriteString("sdkVersion", SdkVersion);
            writer.WriteNumber("payloadLength", payload.Length);
            writer.WriteString("payloadSha256", Convert.ToHexStringLower(SHA256.HashData(payload)));
            if (signature is not null)
            {
                writer.WriteStartObject("signature");
                writer.WriteString("algorithm", signer!.Algorithm);
                writer.WriteString("keyId", signer.Id);
                writer.WriteString("value", Convert.ToBase64String(signature));
                writer.WriteEndObject();
            }

            writer.WritePropertyName("payload");
            writer.WriteRawValue(payload, skipInputValidation: true);
            writer.WriteEndObject();
        }

        stream.WriteByte((byte)'\n');
        return stream.ToArray();
    }

    public static CreditModel Read(byte[] bytes, string source, ModelSigningKey? verifier = null)
    {
        if (bytes.Length == 0)
        {
            throw new ModelFormatException($"{source}: the file is empty; it is not a CreditScoring model file.");
        }

        if (bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) || bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]) || (bytes.Length > 1 && (bytes[0] == 0 || bytes[1] == 0)))
        {
            throw new ModelFormatException($"{source}: the file is UTF-16 text or binary data; a CreditScoring model file is UTF-8 JSON. Was it re-saved by an editor? Save it as UTF-8, or restore the original.");
        }

        // A UTF-8 byte-order mark (some editors add one) is not part of the JSON.
        var offset = bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? 3 : 0;

        string? format = null, checksum = null, writer = null, signatureAlgorithm = null, signatureKey = null, signatureValue = null;
        var signed = false;
        int? version = null;
        long? length = null;
        var payloadStart = -1L;
        try
        {
            var reader = new Utf8JsonReader(bytes.AsSpan(offset));
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw NotAModel(source);
            }

            while (payloadStart < 0 && reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString();
                if (!reader.Read())
                {
                    throw Truncated(source, "in its header");
                }

                switch (name)
                {
                    case "format": format = HeaderString(ref reader, source, name); break;
                    case "formatVersion": version = (int)HeaderInteger(ref reader, source, name, int.MaxValue); break;
                    case "sdkVersion": writer = HeaderString(ref reader, source, name); break;
                    case "payloadLength": length = HeaderInteger(ref reader, source, name, int.MaxValue); break;
                    case "payloadSha256": checksum = HeaderString(ref reader, source, name); break;
                    case "signature":
                        signed = true;
                        if (reader.TokenType != JsonTokenType.StartObject)
                        {
                            throw new ModelFormatException($"{source}: the model file's signature is not an object with algorithm, keyId and value.");
                        }

                        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                        {
                            var field = reader.GetString();
                            reader.Read();
                            switch (field)
                            {
                                case "algorithm": signatureAlgorithm = HeaderString(ref reader, source, "signature.algorithm"); break;
                                case "keyId": signatureKey = HeaderString(ref reader, source, "signature.keyId"); break;
                                case "value": signatureValue = HeaderString(ref reader, source, "signature.value"); break;
                                default: reader.Skip(); break;
                            }
                        }

                        break;
                    case "payload": payloadStart = offset + reader.TokenStartIndex; break;
                    default: reader.Skip(); break;
                }
            }
        }
        catch (JsonException e)
        {
            throw format == FormatName
                ? new ModelFormatException($"{source}: the model file's header is damaged or truncated ({e.Message}).", e)
                : new ModelFormatException($"{source}: this is not a CreditScoring model file (it is not a JSON object with a \"format\": \"{FormatName}\" header).", e);
        }
        catch (InvalidOperationException e)
        {
            throw new ModelFormatException($"{source}: the model file's header has a value of the wrong type ({e.Message}).", e);
        }

        if (format != FormatName)
        {
            throw NotAModel(source);
        }

        if (version is null)
        {
            throw new ModelFormatException($"{source}: the model file has no formatVersion.");
        }

        if (version > FormatVersion)
        {
            throw new ModelFormatException(
                $"{source}: the model file has format version {version} (written by CreditScoring.Sdk {writer ?? "?"}), newer than this SDK ({SdkVersion}) reads (up to {FormatVersion}). Upgrade CreditScoring.Sdk to load it.");
        }

        if (version == 1)
        {
            throw new ModelFormatException($"{source}: the model file has format version 1, written by a pre-release of CreditScoring.Sdk ({writer ?? "?"}) whose feature steps this version no longer reads. Retrain the model with this SDK.");
        }

        if (version < 1)
        {
            throw new ModelFormatException($"{source}: the model file has format version {version}, which no CreditScoring.Sdk release wrote.");
        }

        if (payloadStart < 0 || length is null || checksum is null)
        {
            throw payloadStart < 0 && length is not null && checksum is not null
                ? Truncated(source, "before its payload")
                : new ModelFormatException($"{source}: the model file's header lacks {(length is null ? "payloadLength" : checksum is null ? "payloadSha256" : "payload")}.");
        }

        var available = bytes.Length - payloadStart;
        if (available < length)
        {
            throw Truncated(source, $"(its payload should be {length} bytes, but only {available} remain)");
        }

        var payload = bytes.AsSpan((int)payloadStart, (int)length.Value);
        var actual = Convert.ToHexStringLower(SHA256.HashData(payload));
        if (!string.Equals(actual, checksum, StringComparison.OrdinalIgnoreCase))
        {
            throw new ModelFormatException(
                $"{source}: checksum mismatch: the model file was edited or damaged after it was written (payload SHA-256 {actual}, recorded {checksum}). Restore the original file or retrain.");
        }

        if (verifier is not null)
        {
            Verify(source, verifier, version.Value, payload, signed, signatureAlgorithm, signatureKey, signatureValue);
        }

        var tail = Encoding.UTF8.GetString(bytes.AsSpan((int)(payloadStart + length.Value))).Trim();
        if (tail != "}")
        {
            throw tail.Length == 0 ? Truncated(source, "after its payload") : new ModelFormatException($"{source}: unexpected content after the model file's payload.");
        }

        ModelPayloadDto dto;
        try
        {
            dto = JsonSerializer.Deserialize(payload, ModelJsonContext.WithModelFileOptions.ModelPayloadDto)
                ?? throw new ModelFormatException($"{source}: the model file's payload is null.");
        }
        catch (JsonException e)
        {
            throw new ModelFormatException($"{source}: the model file's payload does not match format version {version}: {e.Message}", e);
        }

        if (PredictorKind(dto.Predictor) is { } kind && !PredictorSerializers.TryGet(kind, out _))
        {
            throw new ModelFormatException($"{source}: the model's predictor is of kind '{kind}', which no serializer registered in this process reads (registered: {string.Join(", ", PredictorSerializers.Kinds)}). If a learner from another assembly made it, reference that assembly and register its serializer with PredictorSerializers.Register before loading.");
        }

        try
        {
            return FromDto(dto);
        }
        catch (JsonException e)
        {
            throw new ModelFormatException($"{source}: the model file's payload does not match format version {version}: {e.Message}", e);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IndexOutOfRangeException or FormatException or ConfigurationException)
        {
            // An argument exception's message ends with .NET's "(Parameter 'x')" and "Actual value was ..."; the text before is ours.
            var cut = e is ArgumentException ? e.Message.IndexOf(" (Parameter '", StringComparison.Ordinal) : -1;
            var given = e is ArgumentOutOfRangeException { ActualValue: { } value } ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $" (it is {value})") : "";
            throw new ModelFormatException($"{source}: the model file's payload is inconsistent: {(cut > 0 ? e.Message[..cut].TrimEnd('.') + given + "." : e.Message)}", e);
        }
    }

    /// <summary>Checks a model file's signature against the verifying key: present, by this key, over these very bytes.</summary>
    private static void Verify(string source, ModelSigningKey verifier, int version, ReadOnlySpan<byte> payload, bool signed, string? algorithm, string? keyId, string? value)
    {
        if (!signed)
        {
            throw new ModelSignatureException($"{source}: the model file is not signed, but a signature by key {verifier.Id} ({verifier.Algorithm}) is required. Sign it when saving: model.Save(path, key), or the CLI's train --sign-key.");
        }

        if (algorithm is null || keyId is null || value is null)
        {
            throw new ModelSignatureException($"{source}: the model file's signature lacks its {(algorithm is null ? "algorithm" : keyId is null ? "keyId" : "value")}.");
        }

        if (!string.Equals(algorithm, verifier.Algorithm, StringComparison.Ordinal) || !string.Equals(keyId, verifier.Id, StringComparison.Ordinal))
        {
            throw new ModelSignatureException($"{source}: the model file is signed by key {keyId} ({algorithm}), but the verifying key is {verifier.Id} ({verifier.Algorithm}): it was not signed by this key.");
        }

        var bytes = new byte[(value.Length * 3 / 4) + 3];
        if (!Convert.TryFromBase64String(value, bytes, out var written) || !verifier.Verify(ModelSigningKey.Message(version, payload), bytes.AsSpan(0, written)))
        {
            throw new ModelSignatureException($"{source}: the model file's signature by key {keyId} does not match its contents: the file was changed after it was signed. Restore the signed file or sign the model again.");
        }
    }

    /// <summary>A header field that must be a string (or null).</summary>
    private static string? HeaderString(ref Utf8JsonReader reader, string source, string name) => reader.TokenType switch
    {
        JsonTokenType.String => reader.GetString(),
        JsonTokenType.Null => null,
        _ => throw WrongHeaderType(source, name, reader.TokenType, "a string"),
    };

    /// <summary>A header field that must be a whole number in [0, <paramref name="maximum"/>].</summary>
    private static long HeaderInteger(ref Utf8JsonReader reader, string source, string name, long maximum)
    {
        if (reader.TokenType != JsonTokenType.Number)
        {
            throw WrongHeaderType(source, name, reader.TokenType, "a whole number");
        }

        if (!reader.TryGetInt64(out var value) || value < 0 || value > maximum)
        {
            var text = Encoding.UTF8.GetString(reader.HasValueSequence ? System.Buffers.BuffersExtensions.ToArray(reader.ValueSequence) : reader.ValueSpan);
            throw new ModelFormatException($"{source}: the model file's header field '{name}' is {(text.Length > 40 ? text[..40] + "..." : text)}; expected a whole number from 0 to {maximum}. The header was edited or damaged.");
        }

        return value;
    }

    private static ModelFormatException WrongHeaderType(string source, string name, JsonTokenType token, string expected) =>
        new($"{source}: the model file's header field '{name}' is {token switch { JsonTokenType.StartArray => "an array", JsonTokenType.StartObject => "an object", JsonTokenType.Null => "null", JsonTokenType.True or JsonTokenType.False => "a boolean", JsonTokenType.Number => "a number", _ => "a string" }}; expected {expected}. The header was edited or damaged.");

    private static ModelFormatException NotAModel(string source) =>
        new($"{source}: this is not a CreditScoring model file (it is not a JSON object with a \"format\": \"{FormatName}\" header).");

    private static ModelFormatException Truncated(string source, string where) =>
        new($"{source}: the model file is truncated {where}; it was not written completely. Restore the original file or retrain.");

    private static ModelPayloadDto ToDto(CreditModel model)
    {
        var m = model.Metadata;
        return new ModelPayloadDto
        {
            Metadata = new MetadataDto
            {
                SdkVersion = m.SdkVersion,
                TrainedAt = m.TrainedAt,
                TrainingSeconds = m.TrainingSeconds,
                Seed = m.Seed,
                DataFingerprint = m.DataFingerprint,
                TrainingRows = m.TrainingRows,
                TrainingDefaultRate = m.TrainingDefaultRate,
                TargetColumn = m.TargetColumn,
                IdColumn = m.IdColumn,
                Learner = m.Learner,
                LearnerParameters = new Dictionary<string, string>(m.LearnerParameters),
                Diagnostics = m.Diagnostics.Select(d => new DiagnosticDto { Code = d.Code, Message = d.Message }).ToArray(),
            },
            Inputs = model.Input.Columns.Select(c => new InputColumnDto
            {
                Name = c.Name,
                Kind = c.Kind == ColumnKind.Numeric ? "numeric" : "categorical",
                Categories = [.. c.Categories],
            }).ToArray(),
            Aggregations = model.Features.Aggregations.Select(a => new AggregationDto
            {
                Table = a.Table,
                Key = a.Key,
                Prefix = a.Prefix,
                Numeric = a.Numerics.Select(n => new AggregatedNumericDto { Column = n.Column, Functions = n.Functions.ToString() }).ToArray(),
                Categorical = a.Categoricals.Select(c => new AggregatedCategoricalDto { Column = c.Column, Categories = c.Categories }).ToArray(),
                FilterColumn = a.FilterColumn,
                FilterValues = a.FilterValues,
            }).ToArray(),
            Steps = model.Features.StepList.Select(ToDto).ToArray(),
            Selection = [.. model.Features.Selection],
            Predictor = ToDto(model.Predictor),
            Decision = new DecisionDto
            {
                Threshold = model.Decision.Threshold,
                Method = model.Decision.Method,
                Costs = model.Decision.Costs is { } c ? new CostMatrixDto { FalseNegative = ToDto(c.FalseNegative), FalsePositive = ToDto(c.FalsePositive), TruePositive = ToDto(c.TruePositive), TrueNegative = ToDto(c.TrueNegative) } : null,
                Choice = model.Decision.Choice is { } choice ? ToDto(choice) : null,
                Alternatives = model.Decision.Choice is null ? null : model.Decision.Alternatives.Select(ToDto).ToArray(),
            },
            Calibration = model.Calibration is { } cal ? new CalibratorDto { Kind = cal.Kind, Numbers = cal.Save() } : null,
            Profile = model.Profile is { } profile ? new ProfileDto
            {
                Rows = profile.Rows,
                Columns = profile.Columns.Select(ToDto).ToArray(),
                Scores = profile.Scores is { } sc ? ToDto(sc) : null,
                Bands = profile.ScoreBands.Count == 0 ? null : [.. profile.ScoreBands.Select(b => new ScoreBandDto { Low = b.Low, High = b.High, Rows = b.Rows, Columns = [.. b.Columns.Select(ToDto)] })],
            } : null,
            Background = model.Background is { } b ? new BackgroundDto { Rows = b.Rows, Means = [.. b.Means], Sample = Enumerable.Range(0, b.SampleCount).Select(i => b.SampleRow(i).ToArray()).ToArray() } : null,
            ReasonCodes = model.ReasonCodes is { } r ? new ReasonCodesDto
            {
                Reasons = [.. r.Entries.Select(e => new ReasonCodeEntryDto { Input = e.Input, Code = e.Code, Text = e.Text, TextWhenHigh = e.TextWhenHigh, TextWhenLow = e.TextWhenLow, TextWhenMissing = e.TextWhenMissing })],
                Exclude = [.. r.Excluded],
            } : null,
        };
    }

    private static ProfiledColumnDto ToDto(ProfiledColumn c) => new()
    {
        Name = c.Name,
        Kind = c.Kind == ColumnKind.Numeric ? "numeric" : "categorical",
        Rows = c.Rows,
        Missing = c.Missing,
        Mean = c.Mean,
        Std = c.StandardDeviation,
        Quantiles = [.. c.Quantiles],
        DecileEdges = [.. c.DecileEdges],
        DecileCounts = [.. c.DecileCounts],
        Categories = [.. c.Categories],
        CategoryCounts = [.. c.CategoryCounts],
    };

    private static ProfiledColumn FromDto(ProfiledColumnDto c)
    {
        if (c.Categories.Length != c.CategoryCounts.Length || (c.DecileCounts.Length != 0 && c.DecileCounts.Length != c.DecileEdges.Length + 1))
        {
            throw new ArgumentException($"the profile of column '{c.Name}' has mismatched bins or categories");
        }

        var kind = c.Kind switch
        {
            "numeric" => ColumnKind.Numeric,
            "categorical" => ColumnKind.Categorical,
            _ => throw new ArgumentException($"the profile of column '{c.Name}' has unknown kind '{c.Kind}'"),
        };
        var what = $"the profile of column '{c.Name}': ";
        ParameterCheck.FiniteAscending(c.Quantiles, what + "quantiles", strictly: false);
        ParameterCheck.FiniteAscending(c.DecileEdges, what + "decile edges", strictly: true);
        if (c.Rows < 0 || c.Missing < 0 || c.Missing > c.Rows || c.DecileCounts.Any(n => n < 0) || c.CategoryCounts.Any(n => n < 0))
        {
            throw new ArgumentException($"{what}counts must be non-negative and at most its {c.Rows} rows");
        }

        if (c.Quantiles.Length > 0)
        {
            ParameterCheck.Finite(c.Mean, what + "mean");
            ParameterCheck.Finite(c.Std, what + "standard deviation");
        }

        return new ProfiledColumn
        {
            Name = c.Name,
            Kind = kind,
            Rows = c.Rows,
            Missing = c.Missing,
            Mean = c.Mean,
            StandardDeviation = c.Std,
            Quantiles = c.Quantiles,
            DecileEdges = c.DecileEdges,
            DecileCounts = c.DecileCounts,
            Categories = c.Categories,
            CategoryCounts = c.CategoryCounts,
        };
    }

    private static CostTermDto ToDto(CostMatrix.Term t) => new() { Column = t.Column, Factor = t.Factor, Constant = t.Constant };

    private static CostMatrix.Term FromDto(CostTermDto t) => new(t.Column, t.Factor, t.Constant);

    private static ThresholdChoiceDto ToDto(ThresholdChoice c) => new()
    {
        Objective = c.Objective.Kind.ToString(),
        Limit = c.Objective.Limit,
        Threshold = c.Threshold,
        NextLowerScore = c.NextLowerScore,
        Cost = c.Cost,
        CostPerApplicant = c.CostPerApplicant,
        ApprovalRate = c.ApprovalRate,
        BadRate = c.BadRate,
        F1 = c.F1,
        Youden = c.Youden,
        BusinessScore = c.BusinessScore,
        Confusion = [c.Confusion.TruePositives, c.Confusion.FalsePositives, c.Confusion.TrueNegatives, c.Confusion.FalseNegatives],
        Interval = c.Interval is { } i ? [i.Level, i.Lower, i.Upper, i.Samples] : null,
    };

    private static ThresholdChoice FromDto(ThresholdChoiceDto c)
    {
        if (c.Confusion.Length != 4 || c.Interval is { Length: not 4 })
        {
            throw new ArgumentException("a threshold choice needs 4 confusion counts (tp, fp, tn, fn) and an interval of 4 numbers (level, lower, upper, samples)");
        }

        return new ThresholdChoice
        {
            Objective = new ThresholdObjective(Enum.Parse<ThresholdObjectiveKind>(c.Objective), c.Limit),
            Threshold = c.Threshold,
            NextLowerScore = c.NextLowerScore,
            Cost = c.Cost,
            CostPerApplicant = c.CostPerApplicant,
            ApprovalRate = c.ApprovalRate,
            BadRate = c.BadRate,
            F1 = c.F1,
            Youden = c.Youden,
            BusinessScore = c.BusinessScore,
            Confusion = new ConfusionMatrix(c.Threshold, c.Confusion[0], c.Confusion[1], c.Confusion[2], c.Confusion[3]),
            Interval = c.Interval is { } i ? new ThresholdInterval(i[0], i[1], i[2], (int)i[3]) : null,
        };
    }

    private static DecisionPolicy FromDto(DecisionDto d)
    {
        var costs = d.Costs is { } c ? CostMatrix.FromColumns(FromDto(c.FalseNegative), FromDto(c.FalsePositive), FromDto(c.TruePositive), FromDto(c.TrueNegative)) : null;
        if (d.Choice is not { } choice)
        {
            return new DecisionPolicy(d.Threshold, d.Method);
        }

        var policy = new DecisionPolicy(FromDto(choice), costs, (d.Alternatives ?? []).Select(FromDto).ToArray());
        if (!d.Threshold.Equals(policy.Threshold) && !d.Threshold.Equals(choice.Threshold))
        {
            throw new ArgumentException($"the decision threshold {d.Threshold} is not the threshold of the choice it records ({choice.Threshold})");
        }

        return policy;
    }

    private static FeatureStepDto ToDto(FeatureStep step)
    {
        var state = new StepState();
        step.Save(state);
        return new FeatureStepDto { Type = step.Type, Sources = step.Sources, Outputs = step.Outputs.Select(ToDto).ToArray(), Numbers = state.Numbers, Texts = state.Texts };
    }

    /// <summary>The predictor object: its kind, its serializer's fields, its features.</summary>
    private static JsonObject ToDto(ICreditPredictor predictor)
    {
        if (!PredictorSerializers.TryGet(predictor.Kind, out var serializer))
        {
            throw new ModelFormatException($"the model cannot be saved: its predictor is of kind '{predictor.Kind}' ({predictor.GetType().FullName}), and no serializer is registered for that kind (registered: {string.Join(", ", PredictorSerializers.Kinds)}). Register one with PredictorSerializers.Register.");
        }

        var fields = serializer.Save(predictor);
        var node = new JsonObject { [PredictorKindField] = predictor.Kind };
        foreach (var name in fields.Select(p => p.Key).ToList())
        {
            if (name is PredictorKindField or PredictorFeaturesField)
            {
                throw new InvalidOperationException($"the serializer of predictor kind '{predictor.Kind}' wrote a field '{name}', which the model file writes itself.");
            }

            var value = fields[name];
            fields.Remove(name);
            node[name] = value;
        }

        node[PredictorFeaturesField] = JsonSerializer.SerializeToNode(predictor.Features.Select(ToDto).ToArray(), ModelJsonContext.WithModelFileOptions.FeatureInfoDtoArray);
        return node;
    }

    /// <summary>The predictor object's <c>kind</c> text, or <see langword="null"/> when it has none.</summary>
    private static string? PredictorKind(JsonObject predictor) =>
        predictor[PredictorKindField] is JsonValue value && value.TryGetValue<string>(out var kind) ? kind : null;

    private static ICreditPredictor FromDto(JsonObject predictor)
    {
        var kind = PredictorKind(predictor) ?? throw new ArgumentException($"the predictor has no \"{PredictorKindField}\" text");
        var serializer = PredictorSerializers.TryGet(kind, out var s) ? s : throw new ArgumentException($"no serializer reads predictor kind '{kind}'");
        var features = predictor[PredictorFeaturesField]?.Deserialize(ModelJsonContext.WithModelFileOptions.FeatureInfoDtoArray)
            ?? throw new ArgumentException($"the predictor has no \"{PredictorFeaturesField}\"");
        var fields = new JsonObject(predictor
            .Where(p => p.Key is not PredictorKindField and not PredictorFeaturesField)
            .Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone())));
        return serializer.Load(fields, features.Select(FromDto).ToArray());
    }

    private static FeatureInfoDto ToDto(FeatureInfo f) => new()
    {
        Name = f.Name,
        Kind = f.Kind switch { FeatureKind.Continuous => "continuous", FeatureKind.Indicator => "indicator", _ => "categorical" },
        CategoryCount = f.CategoryCount,
        Categories = f.Categories?.ToArray(),
    };

    private static CreditModel FromDto(ModelPayloadDto dto)
    {
        var inputs = new InputSchema(dto.Inputs.Select(c => new InputColumn(
            c.Name,
            c.Kind switch
            {
                "numeric" => ColumnKind.Numeric,
                "categorical" => ColumnKind.Categorical,
                _ => throw new ArgumentException($"input '{c.Name}' has unknown kind '{c.Kind}'"),
            },
            c.Categories)).ToArray());
        var aggregations = dto.Aggregations.Select(a => new FittedAggregation(
            a.Table,
            a.Key,
            a.Prefix,
            a.Numeric.Select(n => (n.Column, Enum.Parse<AggregateFunctions>(n.Functions))).ToArray(),
            a.Categorical.Select(c => (c.Column, c.Categories)).ToArray(),
            a.FilterColumn,
            a.FilterValues)).ToArray();
        var steps = dto.Steps.Select(FromDto).ToArray();
        var features = new FittedFeatures(inputs, aggregations, steps, dto.Selection);
        var predictor = FromDto(dto.Predictor);
        var m = dto.Metadata;
        var metadata = new ModelMetadata
        {
            SdkVersion = m.SdkVersion,
            TrainedAt = m.TrainedAt,
            TrainingSeconds = m.TrainingSeconds,
            Seed = m.Seed,
            DataFingerprint = m.DataFingerprint,
            TrainingRows = m.TrainingRows,
            TrainingDefaultRate = m.TrainingDefaultRate,
            TargetColumn = m.TargetColumn,
            IdColumn = m.IdColumn,
            Learner = m.Learner,
            LearnerParameters = m.LearnerParameters,
            Diagnostics = (m.Diagnostics ?? []).Select(d => new ModelDiagnostic(d.Code, d.Message)).ToArray(),
        };
        var calibration = dto.Calibration is { } cal ? ProbabilityCalibrator.Load(cal.Kind, cal.Numbers) : null;
        var profile = dto.Profile is { } p
            ? new PopulationProfile(p.Rows, p.Columns.Select(FromDto).ToArray(), p.Scores is { } sc ? FromDto(sc) : null, [.. (p.Bands ?? []).Select(b => new ScoreBand(b.Low, b.High, b.Rows, [.. b.Columns.Select(FromDto)]))])
            : null;
        var background = dto.Background is { } b ? new FeatureBackground(b.Rows, b.Means, b.Sample) : null;
        var reasons = dto.ReasonCodes is { } r
            ? new ReasonCodeTable(r.Reasons.Select(e => new ReasonCodeEntry { Input = e.Input, Code = e.Code, Text = e.Text, TextWhenHigh = e.TextWhenHigh, TextWhenLow = e.TextWhenLow, TextWhenMissing = e.TextWhenMissing }), r.Exclude)
            : null;
        return new CreditModel(features, predictor, FromDto(dto.Decision), metadata, calibration, profile, background, reasons);
    }

    private static FeatureStep FromDto(FeatureStepDto dto, int index)
    {
        try
        {
            return FeatureStep.Load(dto.Type, dto.Sources, dto.Outputs.Select(FromDto).ToArray(), StepState.Of(dto.Numbers, dto.Texts));
        }
        catch (Exception e) when (e is ArgumentException or IndexOutOfRangeException or OverflowException)
        {
            throw new ArgumentException($"feature step {index} ('{dto.Type}'): {e.Message}", e);
        }
    }

    private static FeatureInfo FromDto(FeatureInfoDto f) => new(
        f.Name,
        f.Kind switch
        {
            "continuous" => FeatureKind.Continuous,
            "indicator" => FeatureKind.Indicator,
            "categorical" => FeatureKind.Categorical,
            _ => throw new ArgumentException($"feature '{f.Name}' has unknown kind '{f.Kind}'"),
        },
        f.CategoryCount,
        f.Categories);
}
