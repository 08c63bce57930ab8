using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using OrleansCausal.Core;
using OrleansCausal.Storage.Postgres;
using OrleansCausal.Tests.Shared;

namespace OrleansCausal.Storage.Tests.Postgres;

/// <summary>Bad conditions give clear errors: unreachable server, wrong credentials, corrupt rows, foreign or newer
/// schemas, invalid options. Nothing leaks the password.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresErrorTests(PostgresServer server) : PostgresTestBase(server)
{
    private const string WrongPassword = "not-the-password-4711";

    [Fact]
    public async Task Open_WithWrongPassword_ThrowsRecordStoreExceptionNamingTheCredentials()
    {
        var store = NewStore(Server.With(b => { b.Database = new Npgsql.NpgsqlConnectionStringBuilder(Database).Database; b.Password = WrongPassword; }));

        var error = await Assert.ThrowsAsync<RecordStoreException>(() => store.OpenAsync(Ct));

        Assert.Contains("refused the credentials", error.Message, StringComparison.Ordinal);
        Assert.Contains("wrong user name or password", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(WrongPassword, error.Message, StringComparison.Ordinal);
        Assert.Contains("Password=***", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_WhenServerIsUnreachable_ThrowsRecordStoreExceptionSayingItCannotReachIt()
    {
        // A loopback port that nothing listens on: bind one, then let it go.
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var store = NewStore(Server.With(b => { b.Host = "127.0.0.1"; b.Port = port; b.Timeout = 5; }));

        var error = await Assert.ThrowsAsync<RecordStoreException>(() => store.OpenAsync(Ct));

        Assert.Contains($"Cannot reach the PostgreSQL server at 127.0.0.1:{port}", error.Message, StringComparison.Ordinal);
        Assert.Contains("ConnectionRefused", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Read_WhenRowIsCorrupt_ThrowsWithTheKeyAndOtherKeysKeepWorking()
    {
        var store = await OpenStoreAsync();
        await PutAsync(store, Key("broken"), "1");
        var healthy = await PutAsync(store, Key("healthy"), "2");
        await ExecuteAsync("UPDATE orleanscausal.records SET clock = '\\x01ff02'::bytea WHERE key = 'broken'");

        var readError = await Assert.ThrowsAsync<RecordStoreException>(() => store.ReadAsync(Key("broken"), Ct));
        var putError = await Assert.ThrowsAsync<RecordStoreException>(() => PutAsync(store, Key("broken"), "3"));

        Assert.Equal(Key("broken"), readError.Key);
        Assert.Equal(Key("broken"), putError.Key);
        Assert.Contains("pg/broken", readError.Message, StringComparison.Ordinal);
        Assert.Contains("corrupt", readError.Message, StringComparison.Ordinal);
        Assert.Equal(healthy.Record, await store.ReadAsync(Key("healthy"), Ct));
        var next = await PutAsync(store, Key("healthy"), "4", healthy.Record.Context);
        Assert.Equal(healthy.Sequence + 1, next.Sequence);
        Assert.Equal("4", Assert.Single((await store.ReadAsync(Key("healthy"), Ct)).Siblings).Value);
    }

    [Fact]
    public async Task Put_WhenOneRowOfAGroupCommitIsCorrupt_OnlyThatWriteFails()
    {
        var store = await OpenStoreAsync(configure: o => o.WriterCount = 1);
        for (var i = 0; i < 10; i++)
        {
            await PutAsync(store, Key($"k{i}"), "0");
        }

        // Garbage written by something else (it bumps the row version, so no cached copy is trusted).
        await ExecuteAsync("UPDATE orleanscausal.records SET clock = '\\x02'::bytea, version = version + 1 WHERE key = 'k3'");

        var puts = Enumerable.Range(0, 10).Select(i => PutAsync(store, Key($"k{i}"), "1")).ToArray();
        var failure = await Assert.ThrowsAsync<RecordStoreException>(() => puts[3]);

        Assert.Equal(Key("k3"), failure.Key);
        foreach (var put in puts.Where((_, i) => i != 3))
        {
            Assert.Equal(2, (await put).Record.Siblings.Count);
        }

        var feed = await store.ReadChangesAsync(0, 100, Ct);
        Assert.Equal(Enumerable.Range(1, 19).Select(i => (long)i), feed.Select(c => c.Sequence));
    }

    [Fact]
    public async Task Open_WhenSchemaIsNewerThanThisBuild_RefusesAndChangesNothing()
    {
        var store = await OpenStoreAsync();
        await PutAsync(store, Key("k"), "1");
        await store.DisposeAsync();
        await ExecuteAsync("INSERT INTO orleanscausal.schema_version (version) VALUES (99)");

        var error = await Assert.ThrowsAsync<RecordStoreException>(() => NewStore().OpenAsync(Ct));

        Assert.Contains($"schema version 99, newer than this build supports ({PostgresSchema.CurrentVersion})", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_WhenSchemaIsForAnotherRegion_RefusesNamingBoth()
    {
        await OpenStoreAsync(region: RegionId.Parse("eu"));

        var error = await Assert.ThrowsAsync<RecordStoreException>(() => NewStore(region: RegionId.Parse("us")).OpenAsync(Ct));

        Assert.Contains("belongs to region 'eu'", error.Message, StringComparison.Ordinal);
        Assert.Contains("configured for region 'us'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_WhenTwoRegionsUseTwoSchemasOfOneDatabase_EachKeepsItsOwnReplicaAndNotifications()
    {
        var eu = await OpenStoreAsync(region: RegionId.Parse("eu"), configure: o => o.Schema = "region_eu");
        var us = await OpenStoreAsync(region: RegionId.Parse("us"), configure: o => o.Schema = "region_us");
        var euTwin = await OpenStoreAsync(region: RegionId.Parse("eu"), configure: o => o.Schema = "region_eu");
        var usEvents = new List<RecordKey>();
        us.RecordChanged += (_, e) => { lock (usEvents) { usEvents.Add(e.Key); } };
        var twinSaw = new TaskCompletionSource<RecordKey>(TaskCreationOptions.RunContinuationsAsynchronously);
        euTwin.RecordChanged += (_, e) => twinSaw.TrySetResult(e.Key);

        await PutAsync(eu, Key("k"), "1");
        await twinSaw.Task.WaitAsync(Timeout);

        Assert.NotEqual(eu.Replica, us.Replica);
        Assert.Equal(eu.Replica, euTwin.Replica);
        Assert.Equal(CausalRecord.Empty, await us.ReadAsync(Key("k"), Ct));
        lock (usEvents)
        {
            Assert.Empty(usEvents);
        }
    }

    [Fact]
    public void Description_RedactsThePasswordAndNamesTheServer()
    {
        var store = NewStore(Server.With(b => b.Password = "secret-sauce"));

        Assert.StartsWith("postgres:", store.Description, StringComparison.Ordinal);
        Assert.Contains("Password=***", store.Description, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-sauce", store.Description, StringComparison.Ordinal);
        Assert.Contains("Host=127.0.0.1", store.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_WhenOptionsAreInvalid_ThrowsListingEveryProblem()
    {
        var error = Assert.Throws<OptionsValidationException>(() => new PostgresRecordStore(
            new PostgresRecordStoreOptions { ConnectionString = "", Schema = "Bad-Name", WriterCount = 0 }));

        Assert.Contains("PostgresRecordStoreOptions.ConnectionString is required", error.Message, StringComparison.Ordinal);
        Assert.Contains("PostgresRecordStoreOptions.Region is required", error.Message, StringComparison.Ordinal);
        Assert.Contains("PostgresRecordStoreOptions.Schema 'Bad-Name'", error.Message, StringComparison.Ordinal);
        Assert.Contains("PostgresRecordStoreOptions.WriterCount must be between 1 and 64", error.Message, StringComparison.Ordinal);
    }
}
