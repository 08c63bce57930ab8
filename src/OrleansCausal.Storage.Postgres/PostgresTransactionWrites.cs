using Npgsql;
using OrleansCausal.Core;
using OrleansCausal.Core.Serialization;

namespace OrleansCausal.Storage.Postgres;

/// <summary>What one write transaction writes: per changed record its new clock and version and the bin rows that
/// differ, the change-feed entries, the inbound position, and the notifications to send after the commit.</summary>
internal sealed class PostgresTransactionWrites
{
    public List<RecordKey> RecordKeys { get; } = [];

    public List<byte[]> RecordClocks { get; } = [];

    /// <summary>Per record: true when it had no row and is created (<see cref="PostgresSql.InsertRecords"/>), false
    /// when its row is updated (<see cref="PostgresSql.UpdateRecords"/>).</summary>
    public List<bool> Created { get; } = [];

    /// <summary>Each record's encoded remembered operations (null: none).</summary>
    public List<byte[]?> RecordOperations { get; } = [];

    /// <summary>The version each record had when the new one was computed from it.</summary>
    public List<long> RecordVersions { get; } = [];

    /// <summary>The version each record gets (one more per change applied to it in this transaction).</summary>
    public List<long> NewVersions { get; } = [];

    /// <summary>The new records, for the cache.</summary>
    public List<CausalRecord> Records { get; } = [];

    public PostgresBinChanges Bins { get; } = new();

    public List<RecordKey> FeedKeys { get; } = [];

    public List<byte[]> FeedBins { get; } = [];

    /// <summary>Sent by <see cref="PostgresNotifier"/> once the transaction committed.</summary>
    public List<string> Notifications { get; } = [];

    public InboundPosition? Position { get; init; }

    /// <summary>Replaces the stored record <paramref name="before"/> (at <paramref name="version"/>) with
    /// <paramref name="after"/> at <paramref name="newVersion"/>, writing only the bins that differ; with
    /// <paramref name="create"/> the record has no row yet (<paramref name="before"/> is empty) and one is inserted.</summary>
    public void AddRecord(RecordKey key, CausalRecord before, CausalRecord after, long version, long newVersion, bool create = false)
    {
        RecordKeys.Add(key);
        Created.Add(create);
        RecordClocks.Add(CausalBinaryCodec.EncodeVector(after.Clock));
        RecordOperations.Add(after.Operations.Count == 0 ? null : CausalBinaryCodec.EncodeOperations(after.Operations));
        RecordVersions.Add(version);
        NewVersions.Add(newVersion);
        Records.Add(after);
        Bins.AddDifference(key, before, after);
    }

    /// <summary>The whole write as the one statement <see cref="PostgresSql.WriteRecords"/>: for puts and conditional
    /// writes, which only update records that have a row and carry no inbound position.</summary>
    public NpgsqlBatchCommand WriteRecordsCommand(PostgresSql sql)
    {
        if (Position is not null || Created.Contains(true))
        {
            throw new InvalidOperationException("WriteRecords neither creates records nor saves an inbound position.");
        }

        var command = new NpgsqlBatchCommand(sql.WriteRecords);
        var parameters = command.Parameters;
        parameters.Add(PostgresParameters.Text([.. RecordKeys.Select(k => k.Namespace)]));
        parameters.Add(PostgresParameters.Text([.. RecordKeys.Select(k => k.Key)]));
        parameters.Add(PostgresParameters.Bytea([.. RecordClocks]));
        parameters.Add(PostgresParameters.Bigint([.. RecordVersions]));
        parameters.Add(PostgresParameters.Bigint([.. NewVersions]));
        parameters.Add(PostgresParameters.Bytea([.. RecordOperations]));
        Bins.AddDeleteParameters(parameters);
        Bins.AddInsertParameters(parameters);
        parameters.Add(PostgresParameters.Text([.. FeedKeys.Select(k => k.Namespace)]));
        parameters.Add(PostgresParameters.Text([.. FeedKeys.Select(k => k.Key)]));
        parameters.Add(PostgresParameters.Bytea([.. FeedBins]));
        return command;
    }

    /// <summary>Appends a bin to the change feed; returns its index among this transaction's feed entries.</summary>
    public int AddToFeed(RecordKey key, Bin bin)
    {
        FeedKeys.Add(key);
        FeedBins.Add(CausalBinaryCodec.EncodeBin(bin));
        return FeedKeys.Count - 1;
    }
}
