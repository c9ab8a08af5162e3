using System.Globalization;
using CreditScoring.Sdk.Batch;
using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Tests.Tracking;
using Npgsql;

namespace CreditScoring.Sdk.Tests.Batch;

/// <summary>
/// Batch jobs on a real PostgreSQL (binary COPY in and out): every row scored as the scorer scores it, once, under its
/// exact id; typed and text columns; hash buckets and text ids; workers sharing a job under leases.
/// </summary>
[Collection(PostgresTests.Name)]
public class BatchPostgresTests(PostgresServer server)
{
    private static BatchJobOptions Options(BatchSource input, BatchSink output, int partitions = 6, int reasons = 0, BatchPartitioning partitioning = BatchPartitioning.IdRanges, RejectHandling rejects = RejectHandling.Fail, string? worker = null, int parallel = 2) => new()
    {
        ParallelPartitions = parallel,
        Model = BatchFixture.Model,
        ModelName = "pd",
        ModelVersion = "7",
        Input = input,
        Output = output,
        Partitions = partitions,
        Partitioning = partitioning,
        Reasons = reasons,
        Rejects = rejects,
        ChunkRows = 700,
        WorkerId = worker,
        Lease = TimeSpan.FromSeconds(2),
    };

    [Fact]
    public async Task Postgres_ToPostgres_WritesEveryRowOnceWithTheScorersProbability()
    {
        var db = BatchFixture.PostgresBook(server);
        await using (var connection = new NpgsqlConnection(db))
        {
            // Analyzed, with a NOT NULL id: the job plans from the catalog and the index, without scanning the table.
            await connection.OpenAsync();
            await using var analyze = connection.CreateCommand();
            analyze.CommandText = "ANALYZE applicants";
            await analyze.ExecuteNonQueryAsync();
        }

        var result = await BatchScoringJob.RunAsync(Options(BatchSource.Database(db, "id", table: "applicants"), BatchSink.Database(db, "scores"), reasons: 1));

        Assert.Equal("succeeded", result.Job.Status);
        Assert.True(result.Job.IntegerIds);
        Assert.Equal(BatchFixture.Data.RowCount, result.Job.Rows);
        Assert.Equal(BatchFixture.Data.RowCount, result.Job.PlannedRows); // ANALYZE read every one of so few rows
        var expected = BatchFixture.Expected();
        await using var read = new NpgsqlConnection(db);
        await read.OpenAsync();
        var rows = BatchFixture.Rows(read, "scores");
        Assert.Equal(BatchFixture.Data.RowCount, rows.Count);
        foreach (var row in rows)
        {
            var id = (long)row["id"]!;
            Assert.Equal(expected[id].Probability, (double)row["probability"]!);
            Assert.Equal(expected[id].Decision == CreditScoring.Sdk.Decisions.CreditDecision.Decline ? "decline" : "approve", row["decision"]);
            Assert.Equal("7", row["model_version"]);
        }

        Assert.Equal(expected.Keys.Order(), rows.Select(r => (long)r["id"]!).Order());
    }

    [Fact]
    public async Task TextColumns_HashBuckets_AndTextIds_ScoreEveryRowOnce_AndBadTextIsRejectedByIdAndColumn()
    {
        var db = BatchFixture.PostgresBook(server);
        var badRow = 77;
        await using (var connection = new NpgsqlConnection(db))
        {
            await connection.OpenAsync();
            await using var alter = connection.CreateCommand();

            // Numbers kept as text, as some warehouses do: parsed row by row, a bad one rejected by id and column.
            alter.CommandText = $"ALTER TABLE applicants ALTER COLUMN \"Income\" TYPE text USING \"Income\"::text; UPDATE applicants SET \"Income\" = 'unknown' WHERE id = {BatchFixture.Id(badRow)}";
            await alter.ExecuteNonQueryAsync();
        }

        var source = BatchSource.Database(db, "ref", query: "SELECT 'A-' || id AS ref, * FROM applicants");
        var result = await BatchScoringJob.RunAsync(Options(source, BatchSink.Database(db, "scores"), partitions: 4, partitioning: BatchPartitioning.HashBuckets, rejects: RejectHandling.Table));

        Assert.False(result.Job.IntegerIds);
        Assert.Equal(BatchFixture.Data.RowCount - 1, result.Job.Rows);
        var reject = Assert.Single((await BatchScoringJob.ShowJobAsync(db, result.Job.JobId))!.Value.Rejects);
        Assert.Equal(new BatchReject("A-" + BatchFixture.Id(badRow).ToString(CultureInfo.InvariantCulture), "Income", "'unknown' is not a number"), reject);
        var expected = BatchFixture.Expected();
        await using var read = new NpgsqlConnection(db);
        await read.OpenAsync();
        var rows = BatchFixture.Rows(read, "scores");
        Assert.Equal(BatchFixture.Data.RowCount - 1, rows.Select(r => (string)r["id"]!).Distinct().Count());
        foreach (var row in rows)
        {
            Assert.Equal(expected[long.Parse(((string)row["id"]!)[2..], CultureInfo.InvariantCulture)].Probability, (double)row["probability"]!);
        }

        var partitions = (await BatchScoringJob.ShowJobAsync(db, result.Job.JobId))!.Value.Partitions;
        Assert.All(partitions, p => Assert.InRange(p.Rows, BatchFixture.Data.RowCount / 8, BatchFixture.Data.RowCount / 2));

        // Text ids cut into ranges of equal row counts by the database's own order.
        var ranges = await BatchScoringJob.RunAsync(Options(source, BatchSink.Database(db, "scores_by_range"), partitions: 3, rejects: RejectHandling.Table));
        Assert.Equal(BatchFixture.Data.RowCount - 1, ranges.Job.Rows);
        Assert.All((await BatchScoringJob.ShowJobAsync(db, ranges.Job.JobId))!.Value.Partitions, p => Assert.InRange(p.Rows + p.Rejected, 1480, 1490));
    }

    [Fact]
    public async Task NumericIds_AreCutInTextOrder_SoEveryRowFallsInOnePartition()
    {
        // numeric ids travel as text; 9 < 10 as numbers but "10" < "9" as text: the bounds must follow the text order the
        // partitions compare with, or ranges would overlap.
        var db = BatchFixture.PostgresBook(server);
        await using (var connection = new NpgsqlConnection(db))
        {
            await connection.OpenAsync();
            await using var copy = connection.CreateCommand();
            copy.CommandText = "CREATE TABLE numeric_ids AS SELECT (row_number() OVER (ORDER BY id))::numeric AS id, \"Seniority\", \"Home\", \"Time\", \"Age\", \"Marital\", \"Records\", \"Job\", \"Expenses\", \"Income\", \"Assets\", \"Debt\", \"Amount\", \"Price\" FROM applicants";
            await copy.ExecuteNonQueryAsync();
        }

        var result = await BatchScoringJob.RunAsync(Options(BatchSource.Database(db, "id", table: "numeric_ids"), BatchSink.Database(db, "scores"), partitions: 7));

        Assert.False(result.Job.IntegerIds);
        Assert.Equal(BatchFixture.Data.RowCount, result.Job.Rows);
        var partitions = (await BatchScoringJob.ShowJobAsync(db, result.Job.JobId))!.Value.Partitions;
        Assert.Equal(7, partitions.Count);
        Assert.All(partitions, p => Assert.InRange(p.Rows, 600, 700));
        await using var read = new NpgsqlConnection(db);
        await read.OpenAsync();
        Assert.Equal(BatchFixture.Data.RowCount, BatchFixture.Rows(read, "scores").Select(r => (string)r["id"]!).Distinct().Count());
    }

    [Fact]
    public async Task Postgres_ToParquet_KeepsTheIdsExact()
    {
        var db = BatchFixture.PostgresBook(server);

        var dir = TestPaths.NewTempDirectory();
        var output = Path.Combine(dir, "scores.parquet");
        var result = await BatchScoringJob.RunAsync(Options(BatchSource.Database(db, "id", table: "applicants"), BatchSink.File(output)));

        Assert.Equal("succeeded", result.Job.Status);
        var expected = BatchFixture.Expected();
        await using var reader = await Parquet.ParquetReader.CreateAsync(output);
        var fields = reader.Schema.GetDataFields();
        Assert.Equal(typeof(long), fields[1].ClrType);
        var seen = new List<long>();
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            var ids = new long[group.RowCount];
            var probabilities = new double?[group.RowCount];
            await group.ReadAsync(fields[1], ids.AsMemory());
            await group.ReadAsync(fields[2], probabilities.AsMemory());
            for (var i = 0; i < ids.Length; i++)
            {
                Assert.Equal(expected[ids[i]].Probability, probabilities[i]);
            }

            seen.AddRange(ids);
        }

        Assert.Equal(expected.Keys.Order(), seen.Order());
        Assert.Contains(9_007_199_254_740_993L + 4000, seen);
    }

    [Fact]
    public async Task TwoWorkers_ShareTheJob_AndAPartitionLeftByADeadWorkerIsTakenOver()
    {
        var db = BatchFixture.PostgresBook(server);

        var source = BatchSource.Database(db, "ref", query: "SELECT 'A-' || id AS ref, * FROM applicants");
        var sink = BatchSink.Database(db, "scores");

        // A worker takes the first partition and dies holding it (its lease runs out after 2 s).
        using var stop = new CancellationTokenSource();
        var starter = await BatchScoringJob.RunAsync(Options(source, sink, partitions: 8, worker: "starter", parallel: 1), new Progress(_ => stop.Cancel()), stop.Token);
        Assert.Equal(1, starter.PartitionsWritten);
        using (var store = new BatchJobStore(db))
        {
            await store.ReopenAsync(starter.Job.JobId, CancellationToken.None);
            Assert.NotNull(await store.ClaimAsync(starter.Job.JobId, "dead", TimeSpan.FromSeconds(2), CancellationToken.None));
        }

        var workers = await Task.WhenAll(
            Task.Run(() => BatchScoringJob.RunAsync(Options(source, sink, partitions: 8, worker: "a"))),
            Task.Run(() => BatchScoringJob.RunAsync(Options(source, sink, partitions: 8, worker: "b"))));

        Assert.All(workers, w => Assert.Equal(starter.Job.JobId, w.Job.JobId));
        Assert.Equal(7, workers.Sum(w => w.PartitionsWritten));
        Assert.Equal("succeeded", workers[0].Job.Status);
        await using var read = new NpgsqlConnection(db);
        await read.OpenAsync();
        var rows = BatchFixture.Rows(read, "scores");
        Assert.Equal(BatchFixture.Data.RowCount, rows.Count);
        Assert.Equal(BatchFixture.Data.RowCount, rows.Select(r => (string)r["id"]!).Distinct().Count());
        var partitions = (await BatchScoringJob.ShowJobAsync(db, starter.Job.JobId))!.Value.Partitions;
        Assert.Contains(partitions, p => p.Attempts == 2);
        Assert.All(partitions, p => Assert.Equal("done", p.Status));
    }

    [Fact]
    public async Task AScoresTableTheJobCreates_GetsItsKeyWhenTheJobEnds_AndADoubledRowThenFailsTheJobLoudly()
    {
        var db = BatchFixture.PostgresBook(server);
        var source = BatchSource.Database(db, "id", table: "applicants");
        var sink = BatchSink.Database(db, "scores");
        await using var sql = new NpgsqlConnection(db);
        await sql.OpenAsync();

        // Stopped after its first partition: the table the job created has no key yet, and its comment says why.
        using var stop = new CancellationTokenSource();
        var first = await BatchScoringJob.RunAsync(Options(source, sink, partitions: 4, parallel: 1), new Progress(_ => stop.Cancel()), stop.Token);
        Assert.Equal("stopped", first.Job.Status);
        Assert.Equal(0L, Scalar(sql, "SELECT count(*) FROM pg_indexes WHERE tablename = 'scores'"));
        Assert.StartsWith("CreditScoring batch scores: the primary key (id, job_id) is added when a job", (string)Scalar(sql, "SELECT obj_description('scores'::regclass, 'pg_class')")!, StringComparison.Ordinal);

        // A row written twice (by hand here; the job's checkpoints never do it) fails the job when the key is built.
        Scalar(sql, "INSERT INTO scores SELECT * FROM scores ORDER BY id LIMIT 1");
        var doubled = (long)Scalar(sql, "SELECT min(id) FROM scores")!;
        var failure = await Assert.ThrowsAsync<BatchJobException>(() => BatchScoringJob.RunAsync(Options(source, sink, partitions: 4)));
        Assert.Contains("table scores holds two rows for one id of one job, so its primary key (id, job_id) cannot be added", failure.Message, StringComparison.Ordinal);
        Assert.Contains($"cannot be added; for example (id, job_id) = ({doubled.ToString(CultureInfo.InvariantCulture)}, {first.Job.JobId}) 2 times. Remove the extra rows", failure.Message, StringComparison.Ordinal);
        Assert.Equal(0L, Scalar(sql, "SELECT count(*) FROM pg_indexes WHERE tablename = 'scores'"));
        var failed = (await BatchScoringJob.ShowJobAsync(db, first.Job.JobId))!.Value.Job;
        Assert.Equal("failed", failed.Status);
        Assert.StartsWith("finishing the output failed: ", failed.Error, StringComparison.Ordinal);
        Assert.Contains("cannot be added", failed.Error, StringComparison.Ordinal);

        // Without the double, the job ends with every row once and the key in place; the comment is gone.
        Scalar(sql, $"DELETE FROM scores WHERE ctid = (SELECT max(ctid) FROM scores WHERE id = {doubled.ToString(CultureInfo.InvariantCulture)})");
        var resumed = await BatchScoringJob.RunAsync(Options(source, sink, partitions: 4));
        Assert.Equal(first.Job.JobId, resumed.Job.JobId);
        Assert.Equal("succeeded", resumed.Job.Status);
        Assert.Equal("scores_pkey", Scalar(sql, "SELECT indexname FROM pg_indexes WHERE tablename = 'scores'"));
        Assert.Equal("PRIMARY KEY (id, job_id)", Scalar(sql, "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'scores'::regclass AND contype = 'p'"));
        Assert.Null(Scalar(sql, "SELECT obj_description('scores'::regclass, 'pg_class')"));
        Assert.Equal((long)BatchFixture.Data.RowCount, Scalar(sql, "SELECT count(*) FROM scores"));

        // A table that was there before the job is left as it was: no key added.
        Scalar(sql, "CREATE TABLE own_scores (job_id text, id bigint, probability double precision, decision text, model_name text, model_version text, warnings text)");
        var own = await BatchScoringJob.RunAsync(Options(source, BatchSink.Database(db, "own_scores"), partitions: 4));
        Assert.Equal("succeeded", own.Job.Status);
        Assert.Equal(0L, Scalar(sql, "SELECT count(*) FROM pg_indexes WHERE tablename = 'own_scores'"));
        Assert.Equal((long)BatchFixture.Data.RowCount, Scalar(sql, "SELECT count(*) FROM own_scores"));
    }

    private static object? Scalar(NpgsqlConnection connection, string sql)
    {
        using var command = new NpgsqlCommand(sql, connection);
        var value = command.ExecuteScalar();
        return value is DBNull ? null : value;
    }

    private sealed class Progress(Action<BatchProgress> report) : IProgress<BatchProgress>
    {
        public void Report(BatchProgress value) => report(value);
    }
}
