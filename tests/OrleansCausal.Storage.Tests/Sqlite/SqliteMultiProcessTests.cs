using OrleansCausal.Core;
using OrleansCausal.Storage.Tests.Processes;
using Xunit.Abstractions;

namespace OrleansCausal.Storage.Tests.Sqlite;

/// <summary>Several OS processes on one SQLite file: the write lock (BEGIN IMMEDIATE + busy timeout) keeps every
/// read-modify-write atomic across processes.</summary>
public sealed class SqliteMultiProcessTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);
    private readonly string _directory = SqliteTestFiles.NewDirectory();

    [Fact]
    public async Task Put_WhenTwoProcessesAndThisOneWriteSameKeys_LosesNoBinAndReusesNoDot()
    {
        const int Keys = 3;
        const int Tasks = 4;
        const int PutsPerTask = 60;
        using var cts = new CancellationTokenSource(Timeout);
        var path = Path.Combine(_directory, "shared.db");
        await using var store = SqliteTestFiles.Create(path, RegionId.Parse("A"));
        await store.OpenAsync(cts.Token);

        var children = new[]
        {
            ChildProcess.Start(ChildWriter.Command, path, "A", $"{Keys}", $"{Tasks}", $"{PutsPerTask}"),
            ChildProcess.Start(ChildWriter.Command, path, "A", $"{Keys}", $"{Tasks}", $"{PutsPerTask}"),
        };
        try
        {
            var local = Task.WhenAll(Enumerable.Range(0, Tasks).Select(t => Task.Run(async () =>
            {
                var acks = new List<(RecordKey, Dot, long)>();
                for (var i = 0; i < PutsPerTask; i++)
                {
                    var key = new RecordKey(ChildWriter.Namespace, $"k{(t + i) % Keys}");
                    var result = await store.PutAsync(new PutRequest(key, $"\"parent-{t}-{i}\"", VersionVector.Empty), cts.Token);
                    acks.Add((key, result.Written.Dot, result.Sequence));
                }

                return acks;
            })));
            var remote = await Task.WhenAll(children.Select(c => CollectAsync(c, cts.Token)));
            var all = (await local).SelectMany(a => a).Concat(remote.SelectMany(a => a)).ToArray();

            for (var i = 0; i < children.Length; i++)
            {
                Assert.Equal(0, await children[i].WaitForExitAsync(Timeout, $"child {i} exit"));
            }

            Assert.Equal(3 * Tasks * PutsPerTask, all.Length);
            Assert.All(all, a => Assert.Equal(store.Replica, a.Item2.Replica));
            await StoreAudit.AssertHoldsAsync(store, all, "three processes on one file", cts.Token);
            Assert.Equal(all.Length, await store.GetLastSequenceAsync(cts.Token));
        }
        finally
        {
            foreach (var child in children)
            {
                await child.DisposeAsync();
            }
        }
    }

    public void Dispose() => SqliteTestFiles.DeleteDirectory(_directory);

    private async Task<List<(RecordKey, Dot, long)>> CollectAsync(ChildProcess child, CancellationToken cancellationToken)
    {
        var acks = new List<(RecordKey, Dot, long)>();
        var done = false;
        try
        {
            await foreach (var line in child.Lines.ReadAllAsync(cancellationToken))
            {
                if (ChildWriter.TryParseAck(line, out var ack))
                {
                    acks.Add(ack);
                }
                else if (line == "done")
                {
                    done = true;
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"child {child.Id}: no end of output within {Timeout} (saw {acks.Count} acks). stderr: {child.Errors}");
        }

        output.WriteLine($"child {child.Id}: {acks.Count} acknowledged writes");
        Assert.True(done, $"child {child.Id} ended without 'done' after {acks.Count} acks. stderr: {child.Errors}");
        return acks;
    }
}
