using System.Globalization;
using OrleansCausal.Core;
using OrleansCausal.Storage.Sqlite;

namespace OrleansCausal.Storage.Tests.Processes;

/// <summary>
/// A child process that writes blind puts to a SQLite store from several tasks and prints one line per
/// acknowledged write — <c>ack NAMESPACE KEY DOT SEQUENCE</c> — only after the put returned (so it is durable),
/// then <c>done</c>. With a count of 0 it writes until it is killed.
/// </summary>
public static class ChildWriter
{
    public const string Command = "child-writer";
    public const string Usage = "child-writer PATH REGION KEYS TASKS PUTS_PER_TASK (0 = until killed)";
    public const string Namespace = "child";

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length != 5)
        {
            Console.Error.WriteLine($"usage: {Usage}");
            return 2;
        }

        var path = args[0];
        var region = RegionId.Parse(args[1]);
        var keys = int.Parse(args[2], CultureInfo.InvariantCulture);
        var tasks = int.Parse(args[3], CultureInfo.InvariantCulture);
        var puts = int.Parse(args[4], CultureInfo.InvariantCulture);
        var output = Console.Out;
        var pid = Environment.ProcessId;

        await using var store = new SqliteRecordStore(new SqliteRecordStoreOptions { Path = path, Region = region });
        await store.OpenAsync(CancellationToken.None);
        output.WriteLine($"open {store.Replica}");

        await Task.WhenAll(Enumerable.Range(0, tasks).Select(t => Task.Run(async () =>
        {
            for (var i = 0; puts == 0 || i < puts; i++)
            {
                var key = new RecordKey(Namespace, $"k{(t + i) % keys}");
                var result = await store.PutAsync(new PutRequest(key, $"\"{pid}-{t}-{i}\"", VersionVector.Empty), CancellationToken.None);
                lock (output)
                {
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ack {key.Namespace} {key.Key} {result.Written.Dot} {result.Sequence}"));
                }
            }
        })));

        output.WriteLine("done");
        return 0;
    }

    /// <summary>Parses an <c>ack</c> line; false for other lines.</summary>
    public static bool TryParseAck(string line, out (RecordKey Key, Dot Dot, long Sequence) ack)
    {
        ack = default;
        var parts = line.Split(' ');
        if (parts is not ["ack", var ns, var key, var dot, var seq] || !Dot.TryParse(dot, out var parsed))
        {
            return false;
        }

        ack = (new RecordKey(ns, key), parsed, long.Parse(seq, CultureInfo.InvariantCulture));
        return true;
    }
}
