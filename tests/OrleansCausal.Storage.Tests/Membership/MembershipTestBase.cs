using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Configuration;
using Orleans.Runtime;
using OrleansCausal.Clustering.Postgres;
using OrleansCausal.Tests.Shared;

namespace OrleansCausal.Storage.Tests.Membership;

/// <summary>A fresh database per test and membership tables on it, one per cluster id asked for.</summary>
public abstract class MembershipTestBase(PostgresServer server) : IAsyncLifetime
{
    protected const string Region = "region-a";
    protected static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly List<PostgresMembershipTable> _tables = [];
    private int _nextPort = 11000;

    protected PostgresServer Server { get; } = server;

    /// <summary>This test's own database.</summary>
    protected string Database { get; private set; } = string.Empty;

    protected static CancellationToken Ct => new CancellationTokenSource(Timeout).Token;

    public async Task InitializeAsync() => Database = await Server.CreateDatabaseAsync(GetType().Name, Ct);

    public async Task DisposeAsync()
    {
        foreach (var table in _tables)
        {
            await table.DisposeAsync();
        }

        await Server.DropDatabaseAsync(Database, CancellationToken.None);
    }

    protected PostgresMembershipTable NewTable(string clusterId = Region)
    {
        var table = new PostgresMembershipTable(
            Options.Create(new PostgresClusteringOptions { ConnectionString = Database }),
            Options.Create(new ClusterOptions { ClusterId = clusterId, ServiceId = "orleanscausal-tests" }),
            NullLogger<PostgresMembershipTable>.Instance);
        _tables.Add(table);
        return table;
    }

    protected async Task<PostgresMembershipTable> InitializedTableAsync(string clusterId = Region)
    {
        var table = NewTable(clusterId);
        await table.InitializeMembershipTableAsync(true, Ct);
        return table;
    }

    /// <summary>An entry for a new silo on loopback; times at microsecond precision, as PostgreSQL keeps them.</summary>
    protected MembershipEntry NewEntry(SiloStatus status = SiloStatus.Joining, DateTime? at = null)
    {
        var time = Microseconds(at ?? DateTime.UtcNow);
        return new MembershipEntry
        {
            SiloAddress = SiloAddress.New(new IPEndPoint(IPAddress.Loopback, Interlocked.Increment(ref _nextPort)), 42),
            SiloName = "silo",
            HostName = "host",
            RoleName = "role",
            Status = status,
            ProxyPort = 30000,
            UpdateZone = 1,
            FaultZone = 2,
            StartTime = time,
            IAmAliveTime = time,
            SuspectTimes = [],
        };
    }

    protected static DateTime Microseconds(DateTime time) =>
        new(time.Ticks - time.Ticks % (TimeSpan.TicksPerMillisecond / 1000), DateTimeKind.Utc);

    /// <summary>The entry with the fields that round-trip, for exact comparison.</summary>
    protected static string Describe(MembershipEntry entry) =>
        $"{entry.SiloAddress.ToParsableString()} {entry.SiloName} {entry.HostName} {entry.RoleName} {entry.Status} {entry.ProxyPort} " +
        $"{entry.UpdateZone} {entry.FaultZone} {entry.StartTime:O} {entry.IAmAliveTime:O} " +
        string.Join(",", (entry.SuspectTimes ?? []).Select(vote => $"{vote.Item1.ToParsableString()}@{vote.Item2:O}"));
}
