namespace OrleansCausal.Storage.Sqlite;

/// <summary>Compaction, purge and figures (<see cref="IStoreMaintenance"/>): writes through the writer thread like
/// every other change, counts on a reader thread.</summary>
public sealed partial class SqliteRecordStore
{
    private const string CountTombstoneOnly =
        "SELECT COUNT(*) FROM records r WHERE EXISTS (SELECT 1 FROM bins b WHERE b.namespace = r.namespace AND b.key = r.key) " +
        "AND NOT EXISTS (SELECT 1 FROM bins b WHERE b.namespace = r.namespace AND b.key = r.key AND b.value IS NOT NULL)";

    public Task<StorageFigures> GetStorageFiguresAsync(CancellationToken cancellationToken) =>
        ReadWith(cancellationToken, "counting records", null, reader =>
        {
            var records = (long)reader.Command(
                "SELECT COUNT(*) FROM records r WHERE EXISTS (SELECT 1 FROM bins b WHERE b.namespace = r.namespace AND b.key = r.key AND b.value IS NOT NULL)")
                .ExecuteScalar()!;
            var tombstones = (long)reader.Command(CountTombstoneOnly).ExecuteScalar()!;
            var feed = (long)reader.Command("SELECT COUNT(*) FROM changes").ExecuteScalar()!;
            var pages = (long)reader.Command("PRAGMA page_count").ExecuteScalar()!;
            var pageSize = (long)reader.Command("PRAGMA page_size").ExecuteScalar()!;
            return new StorageFigures(records, tombstones, feed, pages * pageSize);
        });

    public Task<IReadOnlyDictionary<string, long>> GetInboundPositionsAsync(CancellationToken cancellationToken) =>
        ReadWith<IReadOnlyDictionary<string, long>>(cancellationToken, "reading inbound positions", null, reader =>
        {
            var positions = new Dictionary<string, long>(StringComparer.Ordinal);
            using var rows = reader.Command("SELECT source, seq FROM inbound_positions").ExecuteReader();
            while (rows.Read())
            {
                positions[rows.GetString(0)] = rows.GetInt64(1);
            }

            return positions;
        });

    public Task<long> CompactFeedAsync(long through, CancellationToken cancellationToken) =>
        Enqueue(new CompactFeedOperation(through, cancellationToken)).Task;

    public Task<IReadOnlyList<RecordKey>> PurgeAsync(IReadOnlyList<PurgeCandidate> candidates, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        return Enqueue(new PurgeOperation(candidates, cancellationToken)).Task;
    }
}
