using OrleansCausal.Core;

namespace OrleansCausal.Storage.Postgres;

/// <summary>
/// Settings of a <see cref="PostgresRecordStore"/>: <c>Store = postgres:CONNECTION-STRING</c> plus the region.
/// Validated by <see cref="PostgresRecordStoreOptionsValidator"/> when the store is created.
/// </summary>
public sealed class PostgresRecordStoreOptions
{
    public const string DefaultSchema = "orleanscausal";

    /// <summary>An Npgsql connection string (<c>Host=…;Port=…;Username=…;Password=…;Database=…</c>). Never logged as is:
    /// see <see cref="PostgresRecordStore.Description"/>.</summary>
    public string ConnectionString { get; set; } = string.Empty;

    /// <summary>The region this store belongs to. The database remembers it and refuses to open for another region.</summary>
    public RegionId Region { get; set; }

    /// <summary>The schema holding the store's tables (created when missing). One region per schema; several silos of
    /// that region share it.</summary>
    public string Schema { get; set; } = DefaultSchema;

    /// <summary>How many group commits of puts may be in preparation at once (each holds one connection while
    /// writing). Put commits are serialized by the change-feed counter anyway, so one writer that takes every waiting
    /// put into the next commit is best (measured: see the storage benchmarks); more writers only split the waiting
    /// puts into more, smaller commits. Merges have their own loop.</summary>
    public int WriterCount { get; set; } = 1;

    /// <summary>The most puts one group-commit transaction takes from the queue.</summary>
    public int MaxBatchSize { get; set; } = 256;

    /// <summary>The longest wait between two attempts to re-establish the LISTEN connection after it was lost.</summary>
    public TimeSpan ListenReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The window of operations a record remembers, applied when merging remote bins; the same in every
    /// region and in the record grains (<c>Idempotency:*</c>).</summary>
    public OperationWindow Operations { get; set; } = OperationWindow.Default;
}
