using Npgsql;
using OrleansCausal.Core;

namespace OrleansCausal.Storage.Postgres;

/// <summary>
/// The bin rows one transaction inserts and deletes, as column arrays for two <c>unnest</c> statements. A record is
/// written as the difference between what is stored and what it becomes: bins are immutable and named by their dot,
/// so a dot present on both sides is the same bin and stays untouched.
/// </summary>
internal sealed class PostgresBinChanges
{
    private readonly List<string> _insertNamespaces = [];
    private readonly List<string> _insertKeys = [];
    private readonly List<PostgresBinRow> _inserts = [];
    private readonly List<string> _deleteNamespaces = [];
    private readonly List<string> _deleteKeys = [];
    private readonly List<(string Region, long Epoch, long Counter)> _deletes = [];

    public int InsertCount => _inserts.Count;

    public int DeleteCount => _deletes.Count;

    public void Insert(RecordKey key, Bin bin)
    {
        _insertNamespaces.Add(key.Namespace);
        _insertKeys.Add(key.Key);
        _inserts.Add(PostgresBinRow.From(bin));
    }

    public void Delete(RecordKey key, Dot dot)
    {
        _deleteNamespaces.Add(key.Namespace);
        _deleteKeys.Add(key.Key);
        _deletes.Add(PostgresBinRow.Columns(dot));
    }

    /// <summary>Inserts the bins of <paramref name="after"/> that <paramref name="before"/> lacks and deletes the bins
    /// of <paramref name="before"/> that <paramref name="after"/> lacks (both keep their bins sorted by dot).</summary>
    public void AddDifference(RecordKey key, CausalRecord before, CausalRecord after)
    {
        var (old, @new) = (before.Bins, after.Bins);
        int i = 0, j = 0;
        while (i < old.Count || j < @new.Count)
        {
            var order = i == old.Count ? 1 : j == @new.Count ? -1 : old[i].Dot.CompareTo(@new[j].Dot);
            if (order < 0)
            {
                Delete(key, old[i++].Dot);
            }
            else if (order > 0)
            {
                Insert(key, @new[j++]);
            }
            else
            {
                i++;
                j++;
            }
        }
    }

    /// <summary>The bin parameters of <see cref="PostgresSql.WriteRecords"/> ($7-$19): the removed bins, then the added
    /// ones, each row naming its record by its 1-based position in <paramref name="records"/>.</summary>
    public void AddWriteRecordsParameters(NpgsqlParameterCollection parameters, Dictionary<RecordKey, long> records)
    {
        var deleteRecords = new long[_deletes.Count];
        var deleteRegions = new string[_deletes.Count];
        var deleteEpochs = new long[_deletes.Count];
        var deleteCounters = new long[_deletes.Count];
        for (var i = 0; i < _deletes.Count; i++)
        {
            deleteRecords[i] = records[new RecordKey(_deleteNamespaces[i], _deleteKeys[i])];
            (deleteRegions[i], deleteEpochs[i], deleteCounters[i]) = _deletes[i];
        }

        parameters.Add(PostgresParameters.Bigint(deleteRecords));
        parameters.Add(PostgresParameters.Text(deleteRegions));
        parameters.Add(PostgresParameters.Bigint(deleteEpochs));
        parameters.Add(PostgresParameters.Bigint(deleteCounters));

        var count = _inserts.Count;
        var insertRecords = new long[count];
        var regions = new string[count];
        var epochs = new long[count];
        var counters = new long[count];
        var values = new string?[count];
        var contexts = new byte[count][];
        var writtenAt = new DateTime[count];
        var writers = new string?[count];
        var operations = new string?[count];
        for (var i = 0; i < count; i++)
        {
            var row = _inserts[i];
            insertRecords[i] = records[new RecordKey(_insertNamespaces[i], _insertKeys[i])];
            (regions[i], epochs[i], counters[i], values[i]) = (row.Region, row.Epoch, row.Counter, row.Value);
            (contexts[i], writtenAt[i], writers[i], operations[i]) = (row.Context, row.WrittenAt, row.Writer, row.Operation);
        }

        parameters.Add(PostgresParameters.Bigint(insertRecords));
        parameters.Add(PostgresParameters.Text(regions));
        parameters.Add(PostgresParameters.Bigint(epochs));
        parameters.Add(PostgresParameters.Bigint(counters));
        parameters.Add(PostgresParameters.Text(values));
        parameters.Add(PostgresParameters.Bytea(contexts));
        parameters.Add(PostgresParameters.Timestamptz(writtenAt));
        parameters.Add(PostgresParameters.Text(writers));
        parameters.Add(PostgresParameters.Text(operations));
    }

    /// <summary>The DELETE of the removed bins, or null when there are none.</summary>
    public NpgsqlBatchCommand? DeleteCommand(PostgresSql sql)
    {
        if (_deletes.Count == 0)
        {
            return null;
        }

        var command = new NpgsqlBatchCommand(sql.DeleteBins);
        command.Parameters.Add(PostgresParameters.Text([.. _deleteNamespaces]));
        command.Parameters.Add(PostgresParameters.Text([.. _deleteKeys]));
        command.Parameters.Add(PostgresParameters.Text([.. _deletes.Select(d => d.Region)]));
        command.Parameters.Add(PostgresParameters.Bigint([.. _deletes.Select(d => d.Epoch)]));
        command.Parameters.Add(PostgresParameters.Bigint([.. _deletes.Select(d => d.Counter)]));
        return command;
    }

    /// <summary>The INSERT of the added bins, or null when there are none.</summary>
    /// <param name="withOperations">False only for the schema-2 migration, which runs before the operation column exists.</param>
    public NpgsqlBatchCommand? InsertCommand(PostgresSql sql, bool withOperations = true)
    {
        if (_inserts.Count == 0)
        {
            return null;
        }

        var command = new NpgsqlBatchCommand(withOperations ? sql.InsertBins : sql.InsertBinsWithoutOperations);
        command.Parameters.Add(PostgresParameters.Text([.. _insertNamespaces]));
        command.Parameters.Add(PostgresParameters.Text([.. _insertKeys]));
        command.Parameters.Add(PostgresParameters.Text([.. _inserts.Select(b => b.Region)]));
        command.Parameters.Add(PostgresParameters.Bigint([.. _inserts.Select(b => b.Epoch)]));
        command.Parameters.Add(PostgresParameters.Bigint([.. _inserts.Select(b => b.Counter)]));
        command.Parameters.Add(PostgresParameters.Text([.. _inserts.Select(b => b.Value)]));
        command.Parameters.Add(PostgresParameters.Bytea([.. _inserts.Select(b => b.Context)]));
        command.Parameters.Add(PostgresParameters.Timestamptz([.. _inserts.Select(b => b.WrittenAt)]));
        command.Parameters.Add(PostgresParameters.Text([.. _inserts.Select(b => b.Writer)]));
        if (withOperations)
        {
            command.Parameters.Add(PostgresParameters.Text([.. _inserts.Select(b => b.Operation)]));
        }

        return command;
    }
}
