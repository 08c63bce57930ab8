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

    /// <summary>The DELETE of the removed bins, or null when there are none.</summary>
    public NpgsqlBatchCommand? DeleteCommand(PostgresSql sql)
    {
        if (_deletes.Count == 0)
        {
            return null;
        }

        var command = new NpgsqlBatchCommand(sql.DeleteBins);
        AddDeleteParameters(command.Parameters);
        return command;
    }

    /// <summary>The removed bins' columns, as <see cref="PostgresSql.DeleteBins"/> takes them: namespaces, keys,
    /// regions, epochs, counters.</summary>
    public void AddDeleteParameters(NpgsqlParameterCollection parameters)
    {
        parameters.Add(PostgresParameters.Text([.. _deleteNamespaces]));
        parameters.Add(PostgresParameters.Text([.. _deleteKeys]));
        parameters.Add(PostgresParameters.Text([.. _deletes.Select(d => d.Region)]));
        parameters.Add(PostgresParameters.Bigint([.. _deletes.Select(d => d.Epoch)]));
        parameters.Add(PostgresParameters.Bigint([.. _deletes.Select(d => d.Counter)]));
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
        AddInsertParameters(command.Parameters, withOperations);
        return command;
    }

    /// <summary>The added bins' columns, as <see cref="PostgresSql.InsertBins"/> takes them (without the operation ids:
    /// as <see cref="PostgresSql.InsertBinsWithoutOperations"/> does).</summary>
    public void AddInsertParameters(NpgsqlParameterCollection parameters, bool withOperations = true)
    {
        parameters.Add(PostgresParameters.Text([.. _insertNamespaces]));
        parameters.Add(PostgresParameters.Text([.. _insertKeys]));
        parameters.Add(PostgresParameters.Text([.. _inserts.Select(b => b.Region)]));
        parameters.Add(PostgresParameters.Bigint([.. _inserts.Select(b => b.Epoch)]));
        parameters.Add(PostgresParameters.Bigint([.. _inserts.Select(b => b.Counter)]));
        parameters.Add(PostgresParameters.Text([.. _inserts.Select(b => b.Value)]));
        parameters.Add(PostgresParameters.Bytea([.. _inserts.Select(b => b.Context)]));
        parameters.Add(PostgresParameters.Timestamptz([.. _inserts.Select(b => b.WrittenAt)]));
        parameters.Add(PostgresParameters.Text([.. _inserts.Select(b => b.Writer)]));
        if (withOperations)
        {
            parameters.Add(PostgresParameters.Text([.. _inserts.Select(b => b.Operation)]));
        }
    }
}
