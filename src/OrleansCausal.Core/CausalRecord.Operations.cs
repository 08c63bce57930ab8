namespace OrleansCausal.Core;

/// <summary>Which bins a record shows when bins carry operation ids (idempotency, see the class summary): the rule, the
/// lookup of an operation, and the per-record cache of hidden bins.</summary>
public sealed partial class CausalRecord
{
    /// <summary>
    /// Whether <paramref name="bin"/> (one of <see cref="Bins"/>) is shown. A bin without an operation id always is.
    /// A bin with operation id <c>k</c> is shown when (1) no instance of <c>k</c> — a remembered entry or a bin with
    /// that id — is superseded here, i.e. has a dot the clock covers but no bin holds, and (2) its dot is the smallest
    /// of the bins holding <c>k</c>. The other instances stay stored (covered by the clock, dropped by the next write
    /// whose context covers them) but are never shown, counted by resolvers or returned as siblings.
    /// </summary>
    public bool IsShown(Bin bin)
    {
        var index = IndexOf(bin.Dot);
        return index >= 0 && !IsHidden(Hidden(), index);
    }

    /// <summary>The dot under which the record holds operation <paramref name="operationId"/>: the shown bin carrying it,
    /// else the smallest dot of any instance (a hidden bin or a remembered entry); null when the record does not
    /// remember the operation (never seen, or outside the window).</summary>
    public Dot? FindOperation(string operationId)
    {
        Dot? found = null;
        var hidden = Hidden();
        for (var i = 0; i < _bins.Length; i++)
        {
            if (string.Equals(_bins[i].OperationId, operationId, StringComparison.Ordinal))
            {
                if (!IsHidden(hidden, i))
                {
                    return _bins[i].Dot;
                }

                found = Min(found, _bins[i].Dot);
            }
        }

        foreach (var operation in _operations)
        {
            if (string.Equals(operation.Id, operationId, StringComparison.Ordinal))
            {
                found = Min(found, operation.Dot);
            }
        }

        return found;
    }

    private static Dot Min(Dot? a, Dot b) => a is { } x && x.CompareTo(b) < 0 ? x : b;

    private static bool IsHidden(bool[] hidden, int index) => index < hidden.Length && hidden[index];

    /// <summary>Which bins are not shown (see <see cref="IsShown"/>), by index (empty when none is); computed once per
    /// record.</summary>
    private bool[] Hidden()
    {
        if (_hidden is { } known)
        {
            return known;
        }

        Dictionary<string, Dot>? smallest = null;
        foreach (var bin in _bins)
        {
            if (bin.OperationId is { } id && !(smallest ??= new(StringComparer.Ordinal)).ContainsKey(id))
            {
                smallest[id] = bin.Dot; // bins are sorted by dot: the first one seen is the smallest
            }
        }

        // No bin carries an operation id (the common case): nothing is hidden, and nothing is allocated per bin.
        bool[] hidden = [];
        if (smallest is not null)
        {
            hidden = new bool[_bins.Length];
            var superseded = new HashSet<string>(StringComparer.Ordinal);
            foreach (var operation in _operations)
            {
                if (smallest.ContainsKey(operation.Id) && Clock.Covers(operation.Dot) &&
                    IndexOf(operation.Dot) < 0)
                {
                    superseded.Add(operation.Id);
                }
            }

            for (var i = 0; i < _bins.Length; i++)
            {
                if (_bins[i].OperationId is { } id)
                {
                    hidden[i] = superseded.Contains(id) || smallest[id] != _bins[i].Dot;
                }
            }
        }

        _hidden = hidden;
        return hidden;
    }
}
