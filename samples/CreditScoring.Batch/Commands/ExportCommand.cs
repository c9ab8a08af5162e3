using System.CommandLine;
using System.Globalization;
using CreditScoring.Sdk.Interop;
using CreditScoring.Sdk.Learners.GradientBoosting;

namespace CreditScoring.Batch.Commands;

/// <summary><c>export</c>: a saved model in another runtime's format (ONNX, XGBoost JSON, LightGBM text).</summary>
internal static class ExportCommand
{
    public static Command Create(SharedOptions shared)
    {
        var modelOption = new Option<string>("--model") { Description = "The model file, or a registry model: models:/NAME@ALIAS, models:/NAME/VERSION (from --store).", Required = true };
        var formatOption = new Option<string>("--format") { Description = "onnx (the whole model: preprocessing, predictor, calibration and decision), xgboost or lightgbm (a tree model's trees only, over its preprocessed features).", DefaultValueFactory = _ => "onnx" };
        var outOption = new Option<string>("--out") { Description = "The file to write (written whole or not at all).", Required = true };
        var command = new Command("export", "Export a saved model for another runtime: ONNX for ONNX Runtime (Java, Python, Spark, databases), or a tree model's trees as XGBoost JSON or LightGBM text.") { modelOption, formatOption, outOption, shared.VerifyKey, shared.Store };
        command.SetAction(p => BatchCli.Guarded(shared.Error, () =>
        {
            var log = new ProgressLog(shared.Error);
            var model = CommandSupport.LoadModel(p.GetValue(modelOption)!, log, p.GetValue(shared.VerifyKey), p.GetValue(shared.Store));
            var path = p.GetValue(outOption)!;
            var format = p.GetValue(formatOption)!.ToLowerInvariant();
            switch (format)
            {
                case "onnx":
                    var problems = OnnxModel.Unsupported(model);
                    if (problems.Count > 0)
                    {
                        throw new CliException($"The model cannot be exported to ONNX: {string.Join("; ", problems)}.");
                    }

                    model.ExportOnnx(path);
                    shared.Output.WriteLine($"Wrote {path}: ONNX (IR {OnnxModel.IrVersion}, ai.onnx {OnnxModel.OpsetVersion}, ai.onnx.ml {OnnxModel.MLOpsetVersion}).");
                    shared.Output.WriteLine($"  inputs  [N,1]: {string.Join(", ", model.Input.Columns.Select(c => $"{c.Name} ({(c.Kind == CreditScoring.Sdk.Data.ColumnKind.Numeric ? "double, NaN missing" : "string, \"\" missing")})"))}");
                    shared.Output.WriteLine($"  outputs [N,1]: {OnnxModel.ProbabilityOutput} (double), {OnnxModel.DecisionOutput} (approve below {model.Decision.Threshold.ToString("0.######", CultureInfo.InvariantCulture)}, else decline), {OnnxModel.MarginOutput} (double)");
                    break;
                case "xgboost" or "lightgbm":
                    if (model.Predictor is not GradientBoostingPredictor trees)
                    {
                        throw new CliException($"--format {format} writes gradient-boosted trees; this model's predictor is {model.Predictor.Kind}. Use --format onnx for the whole model.");
                    }

                    if (format == "xgboost")
                    {
                        XGBoostModel.Export(trees, path);
                    }
                    else
                    {
                        LightGbmModel.Export(trees, path);
                    }

                    shared.Output.WriteLine($"Wrote {path}: {trees.Trees.Count} trees as {(format == "xgboost" ? "XGBoost JSON" : "LightGBM text")}, over the model's {trees.Features.Count} preprocessed features ({string.Join(", ", trees.Features.Take(8).Select(f => f.Name))}{(trees.Features.Count > 8 ? ", ..." : "")}). The preprocessing and the decision are not in this file; --format onnx carries them.");
                    break;
                default:
                    throw new CliException($"--format '{format}' is not onnx, xgboost or lightgbm.");
            }

            return 0;
        }));
        return command;
    }
}
