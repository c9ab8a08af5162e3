using System.Globalization;
using CreditScoring.Sdk.Batch;
using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Decisions;
using CreditScoring.Sdk.Explanations;

namespace CreditScoring.Sdk.Tests.Batch;

/// <summary>
/// Batch jobs on SQLite and files: every row scored exactly as the scorer scores it, once, under its exact id, with the
/// job's history; rejects by id and column; a job resumed after a worker lost its partition.
/// </summary>
public class BatchJobTests
{
    private static BatchJobOptions Options(BatchSource input, BatchSink output, int partitions = 5, int reasons = 0, RejectHandling rejects = RejectHandling.Fail, int chunk = 1000, BatchPartitioning partitioning = BatchPartitioning.IdRanges, double leaseSeconds = 30, int parallel = 2) => new()
    {
        ParallelPartitions = parallel,
        Partitioning = partitioning,
        Lease = TimeSpan.FromSeconds(leaseSeconds),
        Model = BatchFixture.Model,
        ModelName = "pd",
        ModelVersion = "3",
        Input = input,
        Output = output,
        Partitions = partitions,
        Reasons = reasons,
        Rejects = rejects,
        ChunkRows = chunk,
    };

    [Fact]
    public async Task Sqlite_ToSqlite_WritesEveryRowOnceWithTheScorersProbability()
    {
        var db = BatchFixture.SqliteBook();

        var progress = new List<BatchProgress>();
        var result = await BatchScoringJob.RunAsync(Options(BatchSource.Database(db, "id", table: "applicants"), BatchSink.Database(db, "scores"), reasons: 2), new SynchronousProgress<BatchProgress>(progress.Add));

        Assert.Equal("succeeded", result.Job.Status);
        Assert.False(result.Resumed);
        Assert.Equal(BatchFixture.Data.RowCount, result.RowsWritten);
        Assert.Equal(BatchFixture.Data.RowCount, result.Job.Rows);
        Assert.Equal(0, result.Job.Rejected);
        Assert.Equal(BatchFixture.Data.RowCount, result.Job.PlannedRows);
        Assert.True(result.Job.IntegerIds);
        Assert.Equal(BatchFixture.Data.RowCount, progress[^1].RowsDone);
        Assert.Equal(BatchFixture.Data.RowCount, progress[^1].RowsTotal);

        var expected = BatchFixture.Expected();
        var explanations = BatchFixture.Model.CreateExplainer(new CreditScoring.Sdk.Explanations.ExplainerOptions { TopReasons = 2 }).ReasonsBatch(BatchFixture.Data);
        using var read = BatchFixture.Sqlite(db);
        var rows = BatchFixture.Rows(read, "scores");
        Assert.Equal(BatchFixture.Data.RowCount, rows.Count);
        Assert.Equal(rows.Count, rows.Select(r => (long)r["id"]!).Distinct().Count());
        for (var i = 0; i < BatchFixture.Data.RowCount; i++)
        {
            var id = BatchFixture.Id(i);
            var row = rows.Single(r => (long)r["id"]! == id);
            Assert.Equal(expected[id].Probability, (double)row["probability"]!);
            Assert.Equal(expected[id].Decision == CreditDecision.Decline ? "decline" : "approve", row["decision"]);
            Assert.Equal(result.Job.JobId, row["job_id"]);
            Assert.Equal("pd", row["model_name"]);
            Assert.Equal("3", row["model_version"]);
            Assert.Equal(explanations[i].Reasons.ElementAtOrDefault(0)?.Code, row["reason_1_code"]);
            Assert.Equal(explanations[i].Reasons.ElementAtOrDefault(1)?.Text, row["reason_2_text"]);
        }

        var jobs = await BatchScoringJob.ListJobsAsync(db);
        var job = Assert.Single(jobs);
        Assert.Equal(result.Job.JobId, job.JobId);
        Assert.NotNull(job.Ended);
        var shown = (await BatchScoringJob.ShowJobAsync(db, job.JobId))!.Value;
        Assert.Equal(job.Partitions, shown.Partitions.Count);
        Assert.All(shown.Partitions, p => Assert.Equal("done", p.Status));
        Assert.Equal(BatchFixture.Data.RowCount, shown.Partitions.Sum(p => p.Rows));
    }

    [Fact]
    public async Task ASecondRun_OfASucceededJob_IsANewJobBesideTheFirst()
    {
        var db = BatchFixture.SqliteBook();

        var first = await BatchScoringJob.RunAsync(Options(BatchSource.Database(db, "id", table: "applicants"), BatchSink.Database(db, "scores")));
        var second = await BatchScoringJob.RunAsync(Options(BatchSource.Database(db, "id", table: "applicants"), BatchSink.Database(db, "scores")));

        Assert.NotEqual(first.Job.JobId, second.Job.JobId);
        using var read = BatchFixture.Sqlite(db);
        var rows = BatchFixture.Rows(read, "scores");
        Assert.Equal(2 * BatchFixture.Data.RowCount, rows.Count);
        Assert.Equal(BatchFixture.Data.RowCount, rows.Count(r => (string)r["job_id"]! == second.Job.JobId));
        Assert.Equal(2, (await BatchScoringJob.ListJobsAsync(db)).Count);
    }

    [Fact]
    public async Task AQuery_HashBuckets_AndTextIds_ScoreEveryRowOnce()
    {
        var db = BatchFixture.SqliteBook();

        var source = BatchSource.Database(db, "ref", query: "SELECT 'A-' || id AS ref, * FROM applicants WHERE \"Age\" >= 30");
        var result = await BatchScoringJob.RunAsync(Options(source, BatchSink.Database(db, "scores"), partitions: 4, chunk: 300, partitioning: BatchPartitioning.HashBuckets));

        var ages = (NumericColumn)BatchFixture.Data["Age"];
        var expected = BatchFixture.Expected();
        var wanted = Enumerable.Range(0, BatchFixture.Data.RowCount).Where(i => ages[i] >= 30).ToArray();
        using var read = BatchFixture.Sqlite(db);
        var rows = BatchFixture.Rows(read, "scores");
        Assert.False(result.Job.IntegerIds);
        Assert.Equal(4, result.Job.Partitions);
        Assert.Equal(wanted.Length, rows.Count);
        foreach (var i in wanted)
        {
            var id = BatchFixture.Id(i);
            var row = rows.Single(r => (string)r["id"]! == "A-" + id.ToString(CultureInfo.InvariantCulture));
            Assert.Equal(expected[id].Probability, (double)row["probability"]!);
        }

        var shown = (await BatchScoringJob.ShowJobAsync(db, result.Job.JobId))!.Value;
        Assert.All(shown.Partitions, p => Assert.InRange(p.Rows, wanted.Length / 8, wanted.Length / 2));
    }

    [Fact]
    public async Task ABadValue_FailsTheJobNamingIdAndColumn_OrGoesToTheRejectsTable()
    {
        var badRow = 1234;
        var db = BatchFixture.SqliteBook((i, column, value) => i == badRow && column == "Income" ? "n/a (self-employed)" : value);

        var source = BatchSource.Database(db, "id", table: "applicants");
        var failure = await Assert.ThrowsAsync<BatchJobException>(() => BatchScoringJob.RunAsync(Options(source, BatchSink.Database(db, "scores"))));
        var badId = BatchFixture.Id(badRow).ToString(CultureInfo.InvariantCulture);
        Assert.Contains($"row with id {badId}, column Income: 'n/a (self-employed)' is not a number", failure.Message, StringComparison.Ordinal);
        var failed = Assert.Single(await BatchScoringJob.ListJobsAsync(db));
        Assert.Equal("failed", failed.Status);
        Assert.Contains($"row with id {badId}, column Income", failed.Error, StringComparison.Ordinal);
        Assert.Matches("^partition [0-9]+ failed: ", failed.Error);

        var result = await BatchScoringJob.RunAsync(Options(source, BatchSink.Database(db, "scores_with_rejects"), rejects: RejectHandling.Table));
        Assert.Equal("succeeded", result.Job.Status);
        Assert.Equal(BatchFixture.Data.RowCount - 1, result.Job.Rows);
        Assert.Equal(1, result.Job.Rejected);
        var reject = Assert.Single((await BatchScoringJob.ShowJobAsync(db, result.Job.JobId))!.Value.Rejects);
        Assert.Equal(new BatchReject(badId, "Income", "'n/a (self-employed)' is not a number"), reject);
        using var read = BatchFixture.Sqlite(db);
        Assert.DoesNotContain(BatchFixture.Rows(read, "scores_with_rejects"), r => (long)r["id"]! == BatchFixture.Id(badRow));
    }

    [Fact]
    public async Task AMissingColumn_StopsTheJobBeforeItStarts()
    {
        var db = BatchFixture.SqliteBook();
        using (var connection = BatchFixture.Sqlite(db))
        {
            using var drop = connection.CreateCommand();
            drop.CommandText = "ALTER TABLE applicants DROP COLUMN \"Assets\"";
            drop.ExecuteNonQuery();
        }

        var e = await Assert.ThrowsAsync<BatchJobException>(() => BatchScoringJob.RunAsync(Options(BatchSource.Database(db, "id", table: "applicants"), BatchSink.Database(db, "scores"))));
        Assert.Contains("the model's input 'Assets' is not a column of the source", e.Message, StringComparison.Ordinal);
        Assert.Empty(await BatchScoringJob.ListJobsAsync(db));
    }

    [Fact]
    public async Task APartitionWhoseWorkerDied_GoesToTheNextWorkerWhenItsLeaseRunsOut()
    {
        var db = BatchFixture.SqliteBook();

        // A first worker is stopped after its first partition; a second takes a partition and "dies" holding its lease.
        using var stop = new CancellationTokenSource();
        var options = Options(BatchSource.Database(db, "id", table: "applicants"), BatchSink.Database(db, "scores"), partitions: 3, parallel: 1);
        var first = await BatchScoringJob.RunAsync(options, new SynchronousProgress<BatchProgress>(_ => stop.Cancel()), stop.Token);
        Assert.Equal("stopped", first.Job.Status);
        Assert.Equal(1, first.PartitionsWritten);
        using (var store = new BatchJobStore(db))
        {
            await store.ReopenAsync(first.Job.JobId, CancellationToken.None);
            Assert.NotNull(await store.ClaimAsync(first.Job.JobId, "dead-worker", TimeSpan.FromSeconds(2), CancellationToken.None));
        }

        var second = await BatchScoringJob.RunAsync(Options(options.Input, options.Output, partitions: 3, leaseSeconds: 2));

        Assert.True(second.Resumed);
        Assert.Equal(first.Job.JobId, second.Job.JobId);
        Assert.Equal("succeeded", second.Job.Status);
        Assert.Equal(2, second.PartitionsWritten);
        using var read = BatchFixture.Sqlite(db);
        var rows = BatchFixture.Rows(read, "scores");
        Assert.Equal(BatchFixture.Data.RowCount, rows.Count);
        Assert.Equal(BatchFixture.Data.RowCount, rows.Select(r => (long)r["id"]!).Distinct().Count());
        var shown = (await BatchScoringJob.ShowJobAsync(db, second.Job.JobId))!.Value;
        Assert.Equal(2, shown.Partitions.Max(p => p.Attempts));
    }

    [Fact]
    public async Task ACsvOutput_WritesAFormulaLikeTextIdWithALeadingApostrophe()
    {
        var dir = TestPaths.NewTempDirectory();
        var input = Path.Combine(dir, "book.csv");
        var lines = File.ReadAllLines(TestPaths.CreditData);
        File.WriteAllLines(input, lines.Take(4).Select((l, i) => (i == 0 ? "ref," : i == 1 ? "\"=HYPERLINK(\"\"http://x\"\")\"," : "A" + i.ToString(CultureInfo.InvariantCulture) + ",") + l));
        var output = Path.Combine(dir, "scores.csv");

        await BatchScoringJob.RunAsync(Options(BatchSource.File(input, "ref"), BatchSink.File(output), partitions: 1));

        var written = File.ReadAllLines(output);
        Assert.StartsWith("job_id,id,probability", written[0], StringComparison.Ordinal);
        Assert.Contains(",\"'=HYPERLINK(\"\"http://x\"\")\",", written[1], StringComparison.Ordinal);
        Assert.Contains(",A2,", written[2], StringComparison.Ordinal);
    }

    [Fact]
    public async Task AJobResumedOnAChangedInputFile_IsRefused()
    {
        var dir = TestPaths.NewTempDirectory();
        var input = Path.Combine(dir, "book.csv");
        var lines = File.ReadAllLines(TestPaths.CreditData);
        File.WriteAllLines(input, lines.Select((l, i) => (i == 0 ? "id," : i.ToString(CultureInfo.InvariantCulture) + ",") + l));
        BatchJobOptions Nightly() => new()
        {
            Model = BatchFixture.Model, ModelName = "pd", ModelVersion = "3", Input = BatchSource.File(input, "id"), Output = BatchSink.File(Path.Combine(dir, "scores.csv")),
            Partitions = 4, ParallelPartitions = 1, JobId = "nightly",
        };
        using var stop = new CancellationTokenSource();
        var first = await BatchScoringJob.RunAsync(Nightly(), new SynchronousProgress<BatchProgress>(_ => stop.Cancel()), stop.Token);
        Assert.Equal("stopped", first.Job.Status);

        File.AppendAllText(input, "99999," + lines[1] + "\n");
        var e = await Assert.ThrowsAsync<BatchJobException>(() => BatchScoringJob.RunAsync(Nightly()));

        Assert.Contains("changed since job nightly started on it", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("postgres://scorer:s3cret@db.example:5433/bank?table=applicants", "postgres://scorer:***@db.example:5433/bank table applicants")]
    [InlineData("Host=db.example;Port=5433;Username=scorer;Password=s3cret;Database=bank", "postgresql://scorer@db.example:5433/bank table applicants")]
    public void TheJobHistory_NamesADatabase_WithoutItsPassword(string location, string description)
    {
        var source = location.Contains("://", StringComparison.Ordinal) ? BatchSource.Parse(location, "id") : BatchSource.Database(location, "id", table: "applicants");
        var sink = location.Contains("://", StringComparison.Ordinal) ? BatchSink.Parse(location) : BatchSink.Database(location, "applicants");

        Assert.Equal(description, source.Description);
        Assert.Equal(description, sink.Description);
        Assert.DoesNotContain("s3cret", source.Description, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(".csv", ".parquet")]
    [InlineData(".jsonl", ".csv")]
    [InlineData(".parquet", ".parquet")]
    public async Task Files_InAndOut_ScoreEveryRowAsTheScorer(string inputExtension, string outputExtension)
    {
        var dir = TestPaths.NewTempDirectory();
        var data = BatchFixture.Data;
        var input = Path.Combine(dir, "book" + inputExtension);
        var ids = Enumerable.Range(0, data.RowCount).Select(i => BatchFixture.Id(i).ToString(CultureInfo.InvariantCulture)).ToArray();
        var withIds = CreditData.FromColumns([new CategoricalColumn("id", ids), .. data.Columns]);
        switch (inputExtension)
        {
            case ".csv":
                File.WriteAllLines(input, Enumerable.Range(-1, data.RowCount + 1).Select(i => i < 0
                    ? string.Join(',', withIds.Columns.Select(c => c.Name))
                    : string.Join(',', withIds.Columns.Select(c => c.FormatValue(i) ?? ""))));
                break;
            case ".jsonl":
                File.WriteAllLines(input, Enumerable.Range(0, data.RowCount).Select(i => "{" + string.Join(", ", withIds.Columns.Select(c =>
                    $"\"{c.Name}\": {(c.FormatValue(i) is not { } v ? "null" : c.Kind == ColumnKind.Numeric && c.Name != "id" ? v : "\"" + v + "\"")}")) + "}"));
                break;
            default:
                await withIds.WriteParquetAsync(input);
                break;
        }

        var output = Path.Combine(dir, "scores" + outputExtension);
        var result = await BatchScoringJob.RunAsync(Options(BatchSource.File(input, "id"), BatchSink.File(output), partitions: 3, reasons: 1));

        Assert.Equal("succeeded", result.Job.Status);
        Assert.True(File.Exists(Path.Combine(dir, "creditscoring-jobs.db")));
        Assert.False(Directory.Exists(output + ".parts-" + result.Job.JobId));
        var (names, scores) = outputExtension == ".csv" ? ReadCsv(output) : await ReadParquet(output);
        Assert.Equal(["job_id", "id", "probability", "decision", "model_name", "model_version", "warnings", "reason_1_code", "reason_1_text"], names);
        var expected = BatchFixture.Expected();
        Assert.Equal(data.RowCount, scores.Count);
        Assert.Equal(expected.OrderBy(e => e.Key).Select(e => (e.Key, e.Value.Probability)), scores.OrderBy(s => s.Id));
    }

    private static (string[] Names, List<(long Id, double Probability)> Scores) ReadCsv(string path)
    {
        var lines = File.ReadAllLines(path);
        return (lines[0].Split(','), [.. lines.Skip(1).Select(l => l.Split(',')).Select(f => (long.Parse(f[1], CultureInfo.InvariantCulture), double.Parse(f[2], CultureInfo.InvariantCulture)))]);
    }

    private static async Task<(string[] Names, List<(long Id, double Probability)> Scores)> ReadParquet(string path)
    {
        await using var reader = await Parquet.ParquetReader.CreateAsync(path);
        var fields = reader.Schema.GetDataFields();
        var scores = new List<(long, double)>();
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            var probabilities = new double?[group.RowCount];
            await group.ReadAsync(fields[2], probabilities.AsMemory());
            long[] ids;
            if (fields[1].ClrType == typeof(long))
            {
                ids = new long[group.RowCount];
                await group.ReadAsync(fields[1], ids.AsMemory());
            }
            else
            {
                var texts = new string?[group.RowCount];
                await group.ReadAsync(fields[1], texts.AsMemory());
                ids = [.. texts.Select(t => long.Parse(t!, CultureInfo.InvariantCulture))];
            }

            scores.AddRange(ids.Zip(probabilities, (i, p) => (i, p!.Value)));
        }

        return ([.. fields.Select(f => f.Name)], scores);
    }

    /// <summary>An <see cref="IProgress{T}"/> that reports on the caller's thread.</summary>
    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
