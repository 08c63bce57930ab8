using System.Globalization;
using OrleansCausal.Core;
using OrleansCausal.Storage.Tests.Processes;
using Xunit.Abstractions;

namespace OrleansCausal.Storage.Tests.Sqlite;

/// <summary>
/// Crash safety: a child process writes as fast as it can and prints each acknowledged write; it is killed with
/// SIGKILL at a random point (seeded; the seed is printed, set OC_CRASH_SEED to replay). The file is reopened by the
/// next child, several rounds over; finally every acknowledged write must be there and the change feed gap-free.
/// </summary>
public sealed class SqliteCrashTests(ITestOutputHelper output) : IDisposable
{
    private const int Rounds = 5;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly string _directory = SqliteTestFiles.NewDirectory();

    [Fact]
    public async Task Put_WhenWriterIsKilledAtRandomPoints_KeepsEveryAcknowledgedWriteAndGapFreeFeed()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("OC_CRASH_SEED"), CultureInfo.InvariantCulture, out var fixedSeed)
            ? fixedSeed
            : Random.Shared.Next();
        output.WriteLine($"crash test seed {seed} (set OC_CRASH_SEED={seed} to replay)");
        var random = new Random(seed);
        var path = Path.Combine(_directory, "crash.db");
        var acknowledged = new List<(RecordKey Key, Dot Dot, long Sequence)>();

        for (var round = 0; round < Rounds; round++)
        {
            // 0 kills right after the store opened; otherwise after that many acknowledgements, while the other
            // writer tasks have puts in flight.
            var killAfter = round == 0 ? random.Next(1, 200) : random.Next(0, 200);
            var acks = await RunUntilKilledAsync(path, killAfter, $"seed {seed}, round {round}");
            output.WriteLine($"round {round}: killed after {killAfter} acks, saw {acks.Count}");
            acknowledged.AddRange(acks);
        }

        Assert.True(acknowledged.Count > 0, $"seed {seed}: no write was acknowledged at all");
        await using var store = SqliteTestFiles.Create(path, RegionId.Parse("A"));
        await store.OpenAsync(CancellationToken.None);
        Assert.All(acknowledged, a => Assert.Equal(store.Replica, a.Dot.Replica));
        await StoreAudit.AssertHoldsAsync(store, acknowledged, $"after {Rounds} SIGKILLs (seed {seed})", CancellationToken.None);
    }

    public void Dispose() => SqliteTestFiles.DeleteDirectory(_directory);

    private static async Task<List<(RecordKey, Dot, long)>> RunUntilKilledAsync(string path, int killAfter, string phase)
    {
        using var cts = new CancellationTokenSource(Timeout);
        await using var child = ChildProcess.Start(ChildWriter.Command, path, "A", "4", "4", "0");
        var acks = new List<(RecordKey, Dot, long)>();
        var killed = false;
        try
        {
            // Keep reading after the kill: lines already in the pipe were acknowledged before the process died.
            await foreach (var line in child.Lines.ReadAllAsync(cts.Token))
            {
                if (ChildWriter.TryParseAck(line, out var ack))
                {
                    acks.Add(ack);
                }

                var due = line.StartsWith("open ", StringComparison.Ordinal) ? killAfter == 0 : acks.Count >= killAfter;
                if (!killed && due)
                {
                    child.Kill();
                    killed = true;
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{phase}: the child did not end within {Timeout} (killed: {killed}, {acks.Count} acks). stderr: {child.Errors}");
        }

        Assert.True(killed, $"{phase}: the child ended on its own before the kill point ({acks.Count} acks). stderr: {child.Errors}");
        var exit = await child.WaitForExitAsync(Timeout, phase);
        Assert.NotEqual(0, exit);
        return acks;
    }
}
