using OrleansCausal.Core;

namespace OrleansCausal.Storage.Tests.Conformance;

/// <summary>
/// The one conformance suite of <see cref="IRecordStore"/> (DESIGN.md §1–§2). A provider subclasses it and says how
/// to make a fresh storage location and a store on it; every test starts from fresh locations and asserts the
/// dotted-bins semantics, the change feed, checkpoints, incarnations and atomicity under concurrency.
/// </summary>
public abstract partial class RecordStoreConformanceTests : IAsyncLifetime
{
    protected static readonly RegionId RegionA = RegionId.Parse("A");
    protected static readonly RegionId RegionB = RegionId.Parse("B");
    protected static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private readonly List<IRecordStore> _stores = [];
    private readonly List<string> _locations = [];

    /// <summary>A new, empty storage location (a file path, a database or schema name) owned by this test.</summary>
    protected abstract Task<string> CreateLocationAsync(CancellationToken cancellationToken);

    /// <summary>A store on <paramref name="location"/> for <paramref name="region"/>, not yet opened.</summary>
    protected abstract IRecordStore CreateStore(string location, RegionId region);

    /// <summary>Deletes everything stored at <paramref name="location"/> (the file is lost, the database dropped),
    /// so that the next store created there starts from nothing. Also used for cleanup after each test.</summary>
    protected abstract Task DestroyLocationAsync(string location, CancellationToken cancellationToken);

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual async Task DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }

        foreach (var location in _locations)
        {
            await DestroyLocationAsync(location, CancellationToken.None);
        }
    }

    protected static CancellationToken Ct => new CancellationTokenSource(Timeout).Token;

    protected static RecordKey Key(string key, string ns = "flights") => new(ns, key);

    /// <summary>A fresh location with an opened store on it.</summary>
    protected async Task<(IRecordStore Store, string Location)> NewStoreAsync(RegionId region)
    {
        var location = await CreateLocationAsync(Ct);
        _locations.Add(location);
        return (await OpenStoreAsync(location, region), location);
    }

    /// <summary>Opens a (new instance of a) store on an existing location: a restart.</summary>
    protected async Task<IRecordStore> OpenStoreAsync(string location, RegionId region)
    {
        var store = CreateStore(location, region);
        _stores.Add(store);
        await store.OpenAsync(Ct);
        return store;
    }

    /// <summary>Closes a store before the test ends (a clean shutdown; it is not disposed twice).</summary>
    protected async Task CloseAsync(IRecordStore store)
    {
        _stores.Remove(store);
        await store.DisposeAsync();
    }

    protected static Task<StoreWriteResult> PutAsync(IRecordStore store, RecordKey key, string? value, VersionVector? context = null, int maxBins = int.MaxValue, bool overrideAll = false) =>
        store.PutAsync(new PutRequest(key, value, context ?? VersionVector.Empty, maxBins, overrideAll), Ct);

    /// <summary>Ships every change of <paramref name="from"/> after <paramref name="after"/> to <paramref name="to"/>
    /// by merge, the way the replicator does, and returns the new position.</summary>
    protected static async Task<long> ReplicateAsync(IRecordStore from, IRecordStore to, long after = 0)
    {
        var changes = await from.ReadChangesAsync(after, int.MaxValue, Ct);
        if (changes.Count == 0)
        {
            return after;
        }

        var position = changes[^1].Sequence;
        await to.MergeAsync([.. changes.Select(c => new KeyedBin(c.Key, c.Bin))], new InboundPosition(from.Replica.ToString(), position), Ct);
        return position;
    }

    protected static VersionVector Vector(params (ReplicaId Replica, ulong Counter)[] entries) =>
        VersionVector.From(entries.Select(e => new VectorEntry(e.Replica, e.Counter)));

    protected static string Describe(CausalRecord record) => record.ToString();

    /// <summary>Asserts the exact bins of a record: (dot, value) pairs in dot order.</summary>
    protected static void AssertBins(CausalRecord record, params (Dot Dot, string? Value)[] expected)
    {
        var actual = record.Bins.Select(b => (b.Dot, b.Value)).ToArray();
        Assert.True(
            expected.SequenceEqual(actual),
            $"Expected bins [{string.Join(", ", expected.Select(e => $"{e.Dot}={e.Value ?? "⊥"}"))}] but the record is {Describe(record)}.");
    }
}
