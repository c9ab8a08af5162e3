using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using CreditScoring.Sdk.Features;

namespace CreditScoring.Sdk.MLNet.LightGbm;

/// <summary>
/// LightGBM's own library (lib_lightgbm, from the LightGBM NuGet package that Microsoft.ML.LightGbm brings), through its
/// C API (c_api.h): train a booster on a dense matrix, save it as text, load text, predict.
/// </summary>
internal sealed partial class LightGbmNative : IDisposable
{
    private const string Library = "lib_lightgbm";
    private const int Float32 = 0;
    private const int Float64 = 1;
    private const int PredictNormal = 0;
    private IntPtr _booster;

    private LightGbmNative(IntPtr booster) => _booster = booster;

    /// <summary>A feature matrix's rows one after another (LightGBM's row-major dense layout), NaN for missing.</summary>
    public static double[] RowMajor(FeatureMatrix features)
    {
        var width = features.ColumnCount;
        var rows = new double[checked(features.RowCount * width)];
        for (var r = 0; r < features.RowCount; r++)
        {
            features.CopyRow(r, rows.AsSpan(r * width, width));
        }

        return rows;
    }

    /// <summary>Loads a model from LightGBM's text format.</summary>
    public static LightGbmNative Load(string modelText)
    {
        Check(LGBM_BoosterLoadModelFromString(modelText, out _, out var booster));
        return new LightGbmNative(booster);
    }

    /// <summary>Trains a binary booster on row-major rows (NaN missing) with LightGBM's parameter string, for <paramref name="rounds"/> rounds.</summary>
    public static unsafe LightGbmNative Train(double[] rows, int rowCount, int columnCount, float[] labels, float[]? weights, string parameters, int rounds, CancellationToken cancellationToken = default)
    {
        IntPtr dataset;
        fixed (double* data = rows)
        {
            Check(LGBM_DatasetCreateFromMat((IntPtr)data, Float64, rowCount, columnCount, 1, parameters, IntPtr.Zero, out dataset));
        }

        try
        {
            fixed (float* label = labels)
            {
                Check(LGBM_DatasetSetField(dataset, "label", (IntPtr)label, labels.Length, Float32));
            }

            if (weights is not null)
            {
                fixed (float* weight = weights)
                {
                    Check(LGBM_DatasetSetField(dataset, "weight", (IntPtr)weight, weights.Length, Float32));
                }
            }

            Check(LGBM_BoosterCreate(dataset, parameters, out var booster));
            var model = new LightGbmNative(booster);
            for (var i = 0; i < rounds; i++)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    model.Dispose();
                    cancellationToken.ThrowIfCancellationRequested();
                }

                Check(LGBM_BoosterUpdateOneIter(booster, out var finished));
                if (finished != 0)
                {
                    break;
                }
            }

            return model;
        }
        finally
        {
            Check(LGBM_DatasetFree(dataset));
        }
    }

    /// <summary>The model in LightGBM's text format.</summary>
    public string SaveToString()
    {
        Check(LGBM_BoosterSaveModelToString(_booster, 0, -1, 0, 0, out var length, null));
        var buffer = new byte[length];
        Check(LGBM_BoosterSaveModelToString(_booster, 0, -1, 0, length, out _, buffer));
        return Encoding.UTF8.GetString(buffer, 0, (int)length - 1);
    }

    /// <summary>The probability of every row (row-major, NaN missing), on <paramref name="threads"/> threads (0: LightGBM's default, all).</summary>
    public unsafe double[] Predict(double[] rows, int rowCount, int columnCount, int threads = 0)
    {
        var parameters = threads > 0 ? "num_threads=" + threads.ToString(CultureInfo.InvariantCulture) : "";
        var result = new double[rowCount];
        fixed (double* data = rows)
        fixed (double* output = result)
        {
            Check(LGBM_BoosterPredictForMat(_booster, (IntPtr)data, Float64, rowCount, columnCount, 1, PredictNormal, 0, -1, parameters, out var length, output));
            if (length != rowCount)
            {
                throw new InvalidOperationException($"LightGBM returned {length.ToString(CultureInfo.InvariantCulture)} predictions for {rowCount.ToString(CultureInfo.InvariantCulture)} rows.");
            }
        }

        return result;
    }

    public void Dispose()
    {
        if (_booster != IntPtr.Zero)
        {
            Check(LGBM_BoosterFree(_booster));
            _booster = IntPtr.Zero;
        }
    }

    private static void Check(int status)
    {
        if (status != 0)
        {
            throw new InvalidOperationException("LightGBM: " + Marshal.PtrToStringUTF8(LGBM_GetLastError()));
        }
    }

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LGBM_BoosterLoadModelFromString(string modelText, out int iterations, out IntPtr booster);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int LGBM_BoosterPredictForMat(IntPtr booster, IntPtr data, int dataType, int rows, int columns, int rowMajor, int predictType, int startIteration, int iterations, string parameters, out long length, double* result);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LGBM_DatasetCreateFromMat(IntPtr data, int dataType, int rows, int columns, int rowMajor, string parameters, IntPtr reference, out IntPtr dataset);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LGBM_DatasetSetField(IntPtr dataset, string field, IntPtr data, int count, int type);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LGBM_BoosterCreate(IntPtr dataset, string parameters, out IntPtr booster);

    [LibraryImport(Library)]
    private static partial int LGBM_BoosterUpdateOneIter(IntPtr booster, out int finished);

    [LibraryImport(Library)]
    private static partial int LGBM_BoosterSaveModelToString(IntPtr booster, int startIteration, int iterations, int importanceType, long bufferLength, out long length, [Out] byte[]? text);

    [LibraryImport(Library)]
    private static partial int LGBM_BoosterFree(IntPtr booster);

    [LibraryImport(Library)]
    private static partial int LGBM_DatasetFree(IntPtr dataset);

    [LibraryImport(Library)]
    private static partial IntPtr LGBM_GetLastError();
}
