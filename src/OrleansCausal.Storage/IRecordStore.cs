using OrleansCausal.Core;

namespace OrleansCausal.Storage;

/// <summary>
/// A region's store: one incarnation (<see cref="Replica"/>) with its records (<see cref="IRecordOperations"/>), its
/// change feed, its replication checkpoints, a key-ordered scan and its maintenance (compaction, purge, figures). Providers: SQLite (embedded default) and
/// PostgreSQL (a region of several silos); the record grains reach it through the dotted-bins grain storage.
/// </summary>
public interface IRecordStore : IRecordOperations, IChangeFeed, ICheckpointStore, IRecordScanner, IStoreMaintenance, IAsyncDisposable
{
    /// <summary>The replica (region + store incarnation) this store issues dots under. Valid after <see cref="OpenAsync"/>.</summary>
    ReplicaId Replica { get; }

    /// <summary>A description safe to show and log (no passwords), e.g. <c>sqlite:/var/lib/oc/eu.db</c>.</summary>
    string Description { get; }

    /// <summary>Raised after a change to a record commits (here or, where the provider can tell, in another silo),
    /// with the record's new version.</summary>
    event EventHandler<RecordChangedEventArgs>? RecordChanged;

    /// <summary>Creates or migrates the schema and loads (or creates) the store incarnation.</summary>
    Task OpenAsync(CancellationToken cancellationToken);
}
