using OrleansCausal.Core;

namespace OrleansCausal.Storage.Sqlite;

/// <summary>Settings of the embedded SQLite store (<c>Store = sqlite:PATH</c>). Validated by <see cref="Validate"/>
/// when the store is created.</summary>
public sealed class SqliteRecordStoreOptions
{
    /// <summary>The database file; created (with its directory) on first use.</summary>
    public string Path { get; set; } = string.Empty;

    /// <summary>The region this store belongs to; a file created for one region is refused for another.</summary>
    public RegionId Region { get; set; }

    /// <summary>At most this many queued writes share one transaction (group commit).</summary>
    public int MaxBatchSize { get; set; } = 256;

    /// <summary>How long a write waits for the file's write lock held by another connection or process.</summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A size limit for the database file in bytes (0 = none). Writes past it fail like a full disk.</summary>
    public long MaxFileSizeBytes { get; set; }

    /// <summary>How many dedicated reader threads (each with its own read connection) serve reads.</summary>
    public int ReaderThreads { get; set; } = Math.Max(2, Environment.ProcessorCount);

    /// <summary>The window of operations a record remembers, applied when merging remote bins; the same in every
    /// region and in the record grains (<c>Idempotency:*</c>).</summary>
    public OperationWindow Operations { get; set; } = OperationWindow.Default;

    /// <summary>
    /// How often a background thread copies committed WAL pages into the database file (a passive checkpoint, only when
    /// something was committed since the last one). The writer's own automatic checkpoint is off, so no commit waits for
    /// one. <see cref="TimeSpan.Zero"/> leaves checkpoints to SQLite's default: on the commit that grows the WAL past
    /// 1,000 pages, on the writer thread. Each checkpoint fsyncs the WAL and the database file, so a short interval
    /// adds fsyncs that compete with the commits' own; one second keeps them fewer than SQLite's own at a few thousand
    /// writes per second, and bounds the WAL to about a second of writes.
    /// </summary>
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Throws <see cref="ArgumentException"/> naming every invalid setting.</summary>
    public void Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Path))
        {
            errors.Add($"{nameof(Path)} is required: the SQLite database file, e.g. ./data/eu-west.db.");
        }

        if (Region == default)
        {
            errors.Add($"{nameof(Region)} is required: the region this store belongs to.");
        }

        if (MaxBatchSize is < 1 or > 10_000)
        {
            errors.Add($"{nameof(MaxBatchSize)} must be between 1 and 10000 (was {MaxBatchSize}).");
        }

        if (BusyTimeout <= TimeSpan.Zero || BusyTimeout > TimeSpan.FromMinutes(10))
        {
            errors.Add($"{nameof(BusyTimeout)} must be positive and at most 10 minutes (was {BusyTimeout}).");
        }

        if (MaxFileSizeBytes < 0)
        {
            errors.Add($"{nameof(MaxFileSizeBytes)} must be 0 (no limit) or a size in bytes (was {MaxFileSizeBytes}).");
        }

        if (ReaderThreads is < 1 or > 256)
        {
            errors.Add($"{nameof(ReaderThreads)} must be between 1 and 256 (was {ReaderThreads}).");
        }

        if (CheckpointInterval < TimeSpan.Zero || CheckpointInterval > TimeSpan.FromMinutes(1))
        {
            errors.Add($"{nameof(CheckpointInterval)} must be 0 (SQLite's automatic checkpoints) or positive up to 1 minute (was {CheckpointInterval}).");
        }

        if (errors.Count > 0)
        {
            throw new ArgumentException($"Invalid {nameof(SqliteRecordStoreOptions)}: {string.Join(" ", errors)}");
        }
    }
}
