using System.Diagnostics;
using System.Globalization;
using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Tests.Tracking;
using Npgsql;
using NpgsqlTypes;
using Xunit.Abstractions;

namespace CreditScoring.Samples.Tests;

/// <summary>
/// Issue 19: batch jobs as real processes on a real PostgreSQL. Killed with SIGKILL at 20 random points and started again,
/// a job finishes with every row once, equal row by row to an uninterrupted run's; three workers, one killed mid-job,
/// give the same; Ctrl+C stops at a partition boundary and the same command resumes.
/// </summary>
[Collection(PostgresTests.Name)]
public class BatchJobProcessTests(PostgresServer server, ITestOutputHelper log)
{
    private const int Copies = 50;

    private static readonly string Cli = Path.Combine(AppContext.BaseDirectory, "creditscoring-batch.dll");

    [Fact]
    public void AJobKilledAtTwentyRandomPoints_FinishesWithEveryRowOnce_AsAnUninterruptedRun()
    {
        // The logistic model: its reasons are quick to compute. One partition at a time, and kills spread so that most land
        // before the job is done, anywhere in a run: start-up, planning, reading, scoring, writing, committing.
        var (db, model, rows) = Book("logistic", copies: 150);
        var uri = Uri(db);
        string[] Args(string table, string job) => ["score", "--model", model, "--input", uri + "?table=applicants", "--output", uri + "?table=" + table, "--partitions", "60", "--parallel-partitions", "1", "--reasons", "2", "--job", job, "--lease", "1", "--chunk-rows", "4096"];

        var clock = Stopwatch.StartNew();
        Assert.Equal(0, Start(Args("reference", "reference")).WaitForExitOrKill(TimeSpan.FromMinutes(3)));
        var duration = clock.Elapsed;
        log.WriteLine($"uninterrupted run: {duration.TotalSeconds:F1} s for {rows:N0} rows");

        // Most of a second of start-up, then a fortieth of the work on average per run before its kill.
        var window = 2 * (700 + (duration.TotalMilliseconds / 40));

        var random = new Random(19);
        var states = new List<string>();
        var midJob = 0;
        for (var k = 0; k < 20; k++)
        {
            using var process = Start(Args("scores", "killed"));
            Thread.Sleep(TimeSpan.FromMilliseconds(100 + (random.NextDouble() * window)));
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            var (done, written) = Standing(db, "killed", "scores");
            states.Add($"{done}/{written:N0}");
            midJob += done < 60 ? 1 : 0;

            // What is in the table is exactly the partitions whose checkpoints say done: nothing half-written.
            Assert.Equal(written, Count(db, "scores"));
        }

        log.WriteLine("after each kill, partitions done / rows in the table: " + string.Join(", ", states));
        Assert.True(midJob >= 12, $"only {midJob} of the 20 kills landed before the job was done");
        Assert.Equal(0, Start(Args("scores", "killed")).WaitForExitOrKill(TimeSpan.FromMinutes(3)));

        AssertSameRows(db, "reference", "scores", rows);
        using var connection = Open(db);
        Assert.Equal("succeeded", Scalar(connection, "SELECT status FROM batch_jobs WHERE job_id = 'killed'"));
        Assert.True(Convert.ToInt64(Scalar(connection, "SELECT max(attempts) FROM batch_partitions WHERE job_id = 'killed'"), CultureInfo.InvariantCulture) >= 2, "some partition was taken again after its worker was killed");

        // Run again, the finished job is left as it is.
        Assert.Equal(0, Start(Args("scores", "killed")).WaitForExitOrKill(TimeSpan.FromMinutes(1)));
        Assert.Equal(rows, Count(db, "scores"));
    }

    [Fact]
    public void ThreeWorkers_OneKilledMidJob_WriteEveryRowOnce_AsOneWorker()
    {
        var (db, model, rows) = Book();
        var uri = Uri(db);
        string[] Args(string table, string job, string worker) => ["score", "--model", model, "--input", uri + "?table=applicants", "--output", uri + "?table=" + table, "--partitions", "30", "--parallel-partitions", "1", "--job", job, "--worker", worker, "--lease", "2", "--chunk-rows", "4096"];

        Assert.Equal(0, Start(Args("reference", "one", "solo")).WaitForExitOrKill(TimeSpan.FromMinutes(3)));

        var workers = new[] { Start(Args("scores", "three", "w1")), Start(Args("scores", "three", "w2")), Start(Args("scores", "three", "w3")) };

        // w2 is killed while it holds a partition, after it wrote at least one.
        var waited = Stopwatch.StartNew();
        int[] held = [];
        while (waited.Elapsed < TimeSpan.FromMinutes(1) && (held.Length == 0 || Done(db, "three", "w2") == 0))
        {
            Thread.Sleep(10);
            held = Held(db, "three", "w2");
        }

        workers[1].Kill(entireProcessTree: true);
        workers[1].WaitForExit();

        // What w2 held when it died, read now that it is dead (its lease runs 2 s more): the poll above can be a
        // partition behind, when w2 committed the one it saw and took the next before the kill landed.
        held = Held(db, "three", "w2");
        log.WriteLine($"w2 killed holding partition(s) {string.Join(", ", held)}");
        Assert.NotEmpty(held);
        Assert.Equal(0, workers[0].WaitForExitOrKill(TimeSpan.FromMinutes(3)));
        Assert.Equal(0, workers[2].WaitForExitOrKill(TimeSpan.FromMinutes(3)));
        workers[1].Dispose();

        AssertSameRows(db, "reference", "scores", rows);
        using var connection = Open(db);
        Assert.Equal("succeeded", Scalar(connection, "SELECT status FROM batch_jobs WHERE job_id = 'three'"));
        foreach (var partition in held)
        {
            Assert.Equal(2, (int)Scalar(connection, $"SELECT attempts FROM batch_partitions WHERE job_id = 'three' AND partition_no = {partition}")!);
        }
    }

    [Fact]
    public void CtrlC_StopsAtAPartitionBoundary_AndTheSameCommandResumes()
    {
        var (db, model, rows) = Book();
        var uri = Uri(db);
        string[] args = ["score", "--model", model, "--input", uri + "?table=applicants", "--output", uri + "?table=scores", "--partitions", "8", "--job", "interrupted", "--chunk-rows", "4096"];

        var output = new System.Text.StringBuilder();
        using (var process = Start(args, output))
        {
            // Once the job exists and a partition is under way, SIGINT (what Ctrl+C sends).
            var waited = Stopwatch.StartNew();
            while (Held(db, "interrupted", null).Length == 0 && waited.Elapsed < TimeSpan.FromSeconds(60))
            {
                Thread.Sleep(20);
            }

            using (var kill = Process.Start("kill", ["-INT", process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                kill.WaitForExit();
            }

            Assert.Equal(0, process.WaitForExitOrKill(TimeSpan.FromMinutes(2)));
        }

        var (done, written) = Standing(db, "interrupted", "scores");
        log.WriteLine(output.ToString());
        Assert.Contains("stopping at the end of the partition in progress", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("stopped with", output.ToString(), StringComparison.Ordinal);
        Assert.InRange(done, 1, 7);
        Assert.Equal(written, Count(db, "scores"));
        using (var connection = Open(db))
        {
            Assert.Equal("stopped", Scalar(connection, "SELECT status FROM batch_jobs WHERE job_id = 'interrupted'"));
        }

        Assert.Equal(0, Start(args).WaitForExitOrKill(TimeSpan.FromMinutes(3)));
        Assert.Equal(rows, Count(db, "scores"));
        using var after = Open(db);
        Assert.Equal("succeeded", Scalar(after, "SELECT status FROM batch_jobs WHERE job_id = 'interrupted'"));
    }

    /// <summary>A new database holding <see cref="Copies"/> copies of the bundled data as table <c>applicants</c> (bigint ids), and a model trained on it.</summary>
    private (string Db, string Model, long Rows) Book(string learner = "gbdt", int copies = Copies)
    {
        var dir = TestPaths.NewTempDirectory();
        var model = Path.Combine(dir, "pd.json");
        Assert.Equal(0, CliRunner.Run("train", "--data", TestPaths.CreditData, "--target", "default", "--learner", learner, "--model", model).Exit);
        var data = CreditData.ReadCsv(TestPaths.CreditData, o => o.Target("default"));
        var db = server.NewDatabase();
        using var connection = Open(db);
        var columns = data.Columns.Where(c => c.Name != "default").ToArray();
        using (var create = new NpgsqlCommand($"CREATE TABLE applicants (id bigint PRIMARY KEY, {string.Join(", ", columns.Select(c => $"\"{c.Name}\" {(c.Kind == ColumnKind.Numeric ? "double precision" : "text")}"))})", connection))
        {
            create.ExecuteNonQuery();
        }

        using (var import = connection.BeginBinaryImport($"COPY applicants (id, {string.Join(", ", columns.Select(c => $"\"{c.Name}\""))}) FROM STDIN (FORMAT BINARY)"))
        {
            for (var copy = 0; copy < copies; copy++)
            {
                for (var i = 0; i < data.RowCount; i++)
                {
                    import.StartRow();
                    import.Write(((long)copy * 1_000_000) + i + 1, NpgsqlDbType.Bigint);
                    foreach (var column in columns)
                    {
                        switch (column)
                        {
                            case NumericColumn n when !n.IsMissing(i):
                                import.Write(n[i], NpgsqlDbType.Double);
                                break;
                            case CategoricalColumn c when c[i] is { } text:
                                import.Write(text, NpgsqlDbType.Text);
                                break;
                            default:
                                import.WriteNull();
                                break;
                        }
                    }
                }
            }

            import.Complete();
        }

        return (db, model, (long)copies * data.RowCount);
    }

    private static string Uri(string connectionString)
    {
        var b = new NpgsqlConnectionStringBuilder(connectionString);
        return $"postgres://{b.Username}@{b.Host}:{b.Port}/{b.Database}";
    }

    private static NpgsqlConnection Open(string db)
    {
        var connection = new NpgsqlConnection(db);
        connection.Open();
        return connection;
    }

    private static object? Scalar(NpgsqlConnection connection, string sql)
    {
        using var command = new NpgsqlCommand(sql, connection);
        return command.ExecuteScalar();
    }

    private static long Count(string db, string table)
    {
        using var connection = Open(db);
        return Convert.ToInt64(Scalar(connection, $"SELECT count(*) FROM pg_class WHERE relname = '{table}'"), CultureInfo.InvariantCulture) == 0 ? 0 : (long)Scalar(connection, $"SELECT count(*) FROM {table}")!;
    }

    /// <summary>Partitions done and the rows their checkpoints count (none before the job exists).</summary>
    private static (long Done, long Rows) Standing(string db, string job, string table)
    {
        using var connection = Open(db);
        if ((bool)Scalar(connection, "SELECT to_regclass('batch_partitions') IS NULL")!)
        {
            return (0, 0);
        }

        using var command = new NpgsqlCommand($"SELECT count(*), coalesce(sum(row_count), 0) FROM batch_partitions WHERE job_id = '{job}' AND status = 'done'", connection);
        using var reader = command.ExecuteReader();
        reader.Read();
        return (reader.GetInt64(0), Convert.ToInt64(reader.GetValue(1), CultureInfo.InvariantCulture));
    }

    /// <summary>The partitions a worker wrote.</summary>
    private static long Done(string db, string job, string worker)
    {
        using var connection = Open(db);
        return (bool)Scalar(connection, "SELECT to_regclass('batch_partitions') IS NULL")! ? 0 : (long)Scalar(connection, $"SELECT count(*) FROM batch_partitions WHERE job_id = '{job}' AND status = 'done' AND owner = '{worker}'")!;
    }

    /// <summary>The partitions a worker (any, when null) holds a live lease on.</summary>
    private static int[] Held(string db, string job, string? worker)
    {
        using var connection = Open(db);
        if ((bool)Scalar(connection, "SELECT to_regclass('batch_partitions') IS NULL")!)
        {
            return [];
        }

        using var command = new NpgsqlCommand($"SELECT partition_no FROM batch_partitions WHERE job_id = '{job}' AND status = 'pending' AND owner IS NOT NULL {(worker is null ? "" : $"AND owner = '{worker}'")} AND lease_until_ms > (extract(epoch from clock_timestamp()) * 1000)::bigint", connection);
        using var reader = command.ExecuteReader();
        var held = new List<int>();
        while (reader.Read())
        {
            held.Add(reader.GetInt32(0));
        }

        return [.. held];
    }

    /// <summary>Both tables hold every row once, with the same probability, decision and reasons.</summary>
    private static void AssertSameRows(string db, string expected, string actual, long rows)
    {
        using var connection = Open(db);
        var columns = "id, probability, decision, model_name, model_version, warnings";
        using (var command = new NpgsqlCommand($"SELECT column_name FROM information_schema.columns WHERE table_name = '{actual}' AND column_name LIKE 'reason%' ORDER BY column_name", connection))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                columns += ", " + reader.GetString(0);
            }
        }

        Assert.Equal(rows, Count(db, actual));
        Assert.Equal(rows, Count(db, expected));
        Assert.Equal(rows, (long)Scalar(connection, $"SELECT count(DISTINCT id) FROM {actual}")!);
        Assert.Equal(1L, (long)Scalar(connection, $"SELECT count(DISTINCT job_id) FROM {actual}")!);
        Assert.Equal(0L, (long)Scalar(connection, $"SELECT count(*) FROM ((SELECT {columns} FROM {expected} EXCEPT ALL SELECT {columns} FROM {actual}) UNION ALL (SELECT {columns} FROM {actual} EXCEPT ALL SELECT {columns} FROM {expected})) AS differences")!);
    }

    private static Process Start(string[] args, System.Text.StringBuilder? output = null)
    {
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Cli);
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static void Append(System.Text.StringBuilder? output, string? line)
    {
        if (output is not null && line is not null)
        {
            lock (output)
            {
                output.AppendLine(line);
            }
        }
    }
}
