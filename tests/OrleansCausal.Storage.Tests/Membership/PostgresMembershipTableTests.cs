using Orleans;
using Orleans.Runtime;
using OrleansCausal.Clustering.Postgres;
using OrleansCausal.Tests.Shared;

namespace OrleansCausal.Storage.Tests.Membership;

/// <summary>The <see cref="IMembershipTable"/> contract against a real PostgreSQL, one fresh database per test.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresMembershipTableTests(PostgresServer server) : MembershipTestBase(server)
{
    [Fact]
    public async Task ReadAll_WhenJustInitialized_IsEmptyAtVersionZero()
    {
        var table = await InitializedTableAsync();

        var data = await table.ReadAllAsync(Ct);

        Assert.Empty(data.Members);
        Assert.Equal(0, data.Version.Version);
        Assert.True(Guid.TryParse(data.Version.VersionEtag, out _), $"version etag '{data.Version.VersionEtag}' is not a uuid");
    }

    [Fact]
    public async Task InsertRow_WhenVersionEtagCurrent_RowIsReadBackByReadRowAndReadAll()
    {
        var table = await InitializedTableAsync();
        var entry = NewEntry();
        entry.SuspectTimes = [Tuple.Create(NewEntry().SiloAddress, Microseconds(DateTime.UtcNow))];
        var before = await table.ReadAllAsync(Ct);

        Assert.True(await table.InsertRowAsync(entry, before.Version.Next(), Ct));

        var all = await table.ReadAllAsync(Ct);
        var one = await table.ReadRowAsync(entry.SiloAddress, Ct);
        Assert.Equal(1, all.Version.Version);
        Assert.NotEqual(before.Version.VersionEtag, all.Version.VersionEtag);
        Assert.Equal(Describe(entry), Describe(Assert.Single(all.Members).Item1));
        Assert.Equal(Describe(entry), Describe(Assert.Single(one.Members).Item1));
        Assert.Equal(all.Version, one.Version);
        Assert.Equal(all.Members[0].Item2, one.Members[0].Item2);
    }

    [Fact]
    public async Task ReadRow_WhenSiloAbsent_ReturnsNoMemberAndTheTableVersion()
    {
        var table = await InitializedTableAsync();
        Assert.True(await table.InsertRowAsync(NewEntry(), (await table.ReadAllAsync(Ct)).Version.Next(), Ct));

        var data = await table.ReadRowAsync(NewEntry().SiloAddress, Ct);

        Assert.Empty(data.Members);
        Assert.Equal(1, data.Version.Version);
    }

    [Fact]
    public async Task InsertRow_WhenVersionEtagStale_IsRefusedAndTableUnchanged()
    {
        var table = await InitializedTableAsync();
        var stale = (await table.ReadAllAsync(Ct)).Version;
        Assert.True(await table.InsertRowAsync(NewEntry(), stale.Next(), Ct));
        var current = await table.ReadAllAsync(Ct);

        Assert.False(await table.InsertRowAsync(NewEntry(), stale.Next(), Ct));
        Assert.False(await table.InsertRowAsync(NewEntry(), stale.Next().Next(), Ct));

        var after = await table.ReadAllAsync(Ct);
        Assert.Equal(current.Version, after.Version);
        Assert.Single(after.Members);
    }

    [Fact]
    public async Task InsertRow_WhenVersionDoesNotGrow_IsRefused()
    {
        var table = await InitializedTableAsync();
        var version = (await table.ReadAllAsync(Ct)).Version;

        Assert.False(await table.InsertRowAsync(NewEntry(), version, Ct));

        Assert.Empty((await table.ReadAllAsync(Ct)).Members);
    }

    [Fact]
    public async Task InsertRow_WhenSiloAlreadyPresent_IsRefusedAndVersionUnchanged()
    {
        var table = await InitializedTableAsync();
        var entry = NewEntry();
        Assert.True(await table.InsertRowAsync(entry, (await table.ReadAllAsync(Ct)).Version.Next(), Ct));
        var current = await table.ReadAllAsync(Ct);

        Assert.False(await table.InsertRowAsync(entry, current.Version.Next(), Ct));

        Assert.Equal(current.Version, (await table.ReadAllAsync(Ct)).Version);
    }

    [Fact]
    public async Task InsertRow_WhenTwoSilosRaceOnOneVersion_ExactlyOneWins()
    {
        var table = await InitializedTableAsync();
        var other = NewTable();
        var version = (await table.ReadAllAsync(Ct)).Version.Next();

        var results = await Task.WhenAll(
            Enumerable.Range(0, 8).Select(i => (i % 2 == 0 ? table : other).InsertRowAsync(NewEntry(), version, Ct)));

        Assert.Equal(1, results.Count(won => won));
        var after = await table.ReadAllAsync(Ct);
        Assert.Single(after.Members);
        Assert.Equal(1, after.Version.Version);
    }

    [Fact]
    public async Task UpdateRow_WhenBothEtagsCurrent_ReplacesEntryAndMovesBothEtags()
    {
        var table = await InitializedTableAsync();
        var entry = NewEntry();
        Assert.True(await table.InsertRowAsync(entry, (await table.ReadAllAsync(Ct)).Version.Next(), Ct));
        var read = await table.ReadRowAsync(entry.SiloAddress, Ct);
        var (_, rowEtag) = read.Members[0];
        entry.Status = SiloStatus.Active;
        entry.AddOrUpdateSuspector(NewEntry().SiloAddress, Microseconds(DateTime.UtcNow), 10);

        Assert.True(await table.UpdateRowAsync(entry, rowEtag, read.Version.Next(), Ct));

        var after = await table.ReadRowAsync(entry.SiloAddress, Ct);
        Assert.Equal(Describe(entry), Describe(after.Members[0].Item1));
        Assert.NotEqual(rowEtag, after.Members[0].Item2);
        Assert.Equal(2, after.Version.Version);
        Assert.NotEqual(read.Version.VersionEtag, after.Version.VersionEtag);
    }

    [Fact]
    public async Task UpdateRow_WhenRowEtagStale_IsRefusedAndTableUnchanged()
    {
        var table = await InitializedTableAsync();
        var entry = NewEntry();
        Assert.True(await table.InsertRowAsync(entry, (await table.ReadAllAsync(Ct)).Version.Next(), Ct));
        var first = await table.ReadRowAsync(entry.SiloAddress, Ct);
        entry.Status = SiloStatus.Active;
        Assert.True(await table.UpdateRowAsync(entry, first.Members[0].Item2, first.Version.Next(), Ct));
        var current = await table.ReadRowAsync(entry.SiloAddress, Ct);
        entry.Status = SiloStatus.Dead;

        Assert.False(await table.UpdateRowAsync(entry, first.Members[0].Item2, current.Version.Next(), Ct));

        var after = await table.ReadRowAsync(entry.SiloAddress, Ct);
        Assert.Equal(SiloStatus.Active, after.Members[0].Item1.Status);
        Assert.Equal(current.Version, after.Version);
        Assert.Equal(current.Members[0].Item2, after.Members[0].Item2);
    }

    [Fact]
    public async Task UpdateRow_WhenVersionEtagStale_IsRefusedAndTableUnchanged()
    {
        var table = await InitializedTableAsync();
        var entry = NewEntry();
        Assert.True(await table.InsertRowAsync(entry, (await table.ReadAllAsync(Ct)).Version.Next(), Ct));
        var read = await table.ReadRowAsync(entry.SiloAddress, Ct);
        Assert.True(await table.InsertRowAsync(NewEntry(), read.Version.Next(), Ct)); // someone else moved the version
        entry.Status = SiloStatus.Active;

        Assert.False(await table.UpdateRowAsync(entry, read.Members[0].Item2, read.Version.Next(), Ct));

        var after = await table.ReadRowAsync(entry.SiloAddress, Ct);
        Assert.Equal(SiloStatus.Joining, after.Members[0].Item1.Status);
        Assert.Equal(2, after.Version.Version);
    }

    [Fact]
    public async Task UpdateRow_WhenSiloMissing_IsRefusedAndVersionUnchanged()
    {
        var table = await InitializedTableAsync();
        var version = (await table.ReadAllAsync(Ct)).Version;

        Assert.False(await table.UpdateRowAsync(NewEntry(), Guid.NewGuid().ToString(), version.Next(), Ct));
        Assert.False(await table.UpdateRowAsync(NewEntry(), "not-an-etag", version.Next(), Ct));

        Assert.Equal(version, (await table.ReadAllAsync(Ct)).Version);
    }

    [Fact]
    public async Task UpdateIAmAlive_WhenRowExists_ChangesOnlyTheHeartbeatAndKeepsEtagsUsable()
    {
        var table = await InitializedTableAsync();
        var entry = NewEntry();
        Assert.True(await table.InsertRowAsync(entry, (await table.ReadAllAsync(Ct)).Version.Next(), Ct));
        var read = await table.ReadRowAsync(entry.SiloAddress, Ct);
        var heartbeat = NewEntry();
        heartbeat.SiloAddress = entry.SiloAddress;
        heartbeat.Status = SiloStatus.Dead; // ignored: a heartbeat writes only its time
        heartbeat.IAmAliveTime = Microseconds(entry.IAmAliveTime.AddMinutes(1));

        await table.UpdateIAmAliveAsync(heartbeat, Ct);

        var after = await table.ReadRowAsync(entry.SiloAddress, Ct);
        entry.IAmAliveTime = heartbeat.IAmAliveTime;
        Assert.Equal(Describe(entry), Describe(after.Members[0].Item1));
        Assert.Equal(read.Version, after.Version);
        Assert.Equal(read.Members[0].Item2, after.Members[0].Item2);
        entry.Status = SiloStatus.Active;
        Assert.True(await table.UpdateRowAsync(entry, read.Members[0].Item2, read.Version.Next(), Ct));
    }

    [Fact]
    public async Task UpdateIAmAlive_WhenRowMissing_ThrowsNamingTheSilo()
    {
        var table = await InitializedTableAsync();
        var entry = NewEntry();

        var error = await Assert.ThrowsAsync<PostgresClusteringException>(() => table.UpdateIAmAliveAsync(entry, Ct));

        Assert.Contains(entry.SiloAddress.ToString(), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CleanupDefunctSiloEntries_WhenDeadAndOlderThanTheDate_RemovesOnlyThose()
    {
        var table = await InitializedTableAsync();
        var cutoff = DateTime.UtcNow.AddHours(-1);
        var deadOld = NewEntry(SiloStatus.Dead, cutoff.AddHours(-1));
        var deadRecent = NewEntry(SiloStatus.Dead, cutoff.AddMinutes(1));
        var activeOld = NewEntry(SiloStatus.Active, cutoff.AddHours(-1));
        var deadOldRecentVote = NewEntry(SiloStatus.Dead, cutoff.AddHours(-1));
        deadOldRecentVote.SuspectTimes = [Tuple.Create(activeOld.SiloAddress, Microseconds(cutoff.AddMinutes(1)))];
        foreach (var entry in new[] { deadOld, deadRecent, activeOld, deadOldRecentVote })
        {
            Assert.True(await table.InsertRowAsync(entry, (await table.ReadAllAsync(Ct)).Version.Next(), Ct));
        }

        await table.CleanupDefunctSiloEntriesAsync(new DateTimeOffset(cutoff), Ct);

        var left = (await table.ReadAllAsync(Ct)).Members.Select(row => row.Item1.SiloAddress).ToHashSet();
        Assert.Equal(new[] { deadRecent, activeOld, deadOldRecentVote }.Select(e => e.SiloAddress).ToHashSet(), left);
    }

    [Fact]
    public async Task DeleteMembershipTableEntries_WhenCalled_RemovesOnlyThatClusterIdsRows()
    {
        var regionA = await InitializedTableAsync("region-a");
        var regionB = await InitializedTableAsync("region-b");
        Assert.True(await regionA.InsertRowAsync(NewEntry(), (await regionA.ReadAllAsync(Ct)).Version.Next(), Ct));
        Assert.True(await regionB.InsertRowAsync(NewEntry(), (await regionB.ReadAllAsync(Ct)).Version.Next(), Ct));

        await regionA.DeleteMembershipTableEntriesAsync("region-a", Ct);

        Assert.Empty((await regionA.ReadAllAsync(Ct)).Members);
        Assert.Single((await regionB.ReadAllAsync(Ct)).Members);
        await regionA.InitializeMembershipTableAsync(true, Ct);
        Assert.Equal(0, (await regionA.ReadAllAsync(Ct)).Version.Version);
    }

    [Fact]
    public async Task DeleteMembershipTableEntries_WhenNeverInitialized_DoesNothing()
    {
        var table = NewTable();

        await table.DeleteMembershipTableEntriesAsync(Region, Ct);
    }

    [Fact]
    public async Task ReadAll_WhenTwoClusterIdsShareTheDatabase_EachSeesOnlyItsOwnRowsAndVersion()
    {
        var regionA = await InitializedTableAsync("region-a");
        var regionB = await InitializedTableAsync("region-b");
        var inA = NewEntry();
        Assert.True(await regionA.InsertRowAsync(inA, (await regionA.ReadAllAsync(Ct)).Version.Next(), Ct));
        Assert.True(await regionA.InsertRowAsync(NewEntry(), (await regionA.ReadAllAsync(Ct)).Version.Next(), Ct));
        var inB = NewEntry();
        Assert.True(await regionB.InsertRowAsync(inB, (await regionB.ReadAllAsync(Ct)).Version.Next(), Ct));

        var a = await regionA.ReadAllAsync(Ct);
        var b = await regionB.ReadAllAsync(Ct);

        Assert.Equal(2, a.Members.Count);
        Assert.Equal(2, a.Version.Version);
        Assert.Equal(inB.SiloAddress, Assert.Single(b.Members).Item1.SiloAddress);
        Assert.Equal(1, b.Version.Version);
        Assert.Empty((await regionB.ReadRowAsync(inA.SiloAddress, Ct)).Members);
    }

    [Fact]
    public async Task InitializeMembershipTable_WhenManyInstancesStartAtOnce_AllSucceedWithOneVersionRow()
    {
        var tables = Enumerable.Range(0, 6).Select(_ => NewTable()).ToList();

        await Task.WhenAll(tables.Select(table => table.InitializeMembershipTableAsync(true, Ct)));

        var data = await tables[0].ReadAllAsync(Ct);
        Assert.Equal(0, data.Version.Version);
        Assert.Equal(data.Version, (await tables[^1].ReadAllAsync(Ct)).Version);
        Assert.True(await tables[^1].InsertRowAsync(NewEntry(), data.Version.Next(), Ct));
    }

    [Fact]
    public async Task InitializeMembershipTable_WhenVersionExists_KeepsVersionAndRows()
    {
        var table = await InitializedTableAsync();
        Assert.True(await table.InsertRowAsync(NewEntry(), (await table.ReadAllAsync(Ct)).Version.Next(), Ct));
        var before = await table.ReadAllAsync(Ct);

        await NewTable().InitializeMembershipTableAsync(true, Ct);

        var after = await table.ReadAllAsync(Ct);
        Assert.Equal(before.Version, after.Version);
        Assert.Single(after.Members);
    }
}
