using OrleansCausal.Core;

namespace OrleansCausal.Storage.Sqlite;

/// <summary>What changes between two states of a record, bin by bin: the bins only the first holds and the bins only
/// the second holds (compared by dot and content; both lists in dot order). A bin whose content changed under the
/// same dot is in both.</summary>
internal readonly record struct BinDiff(IReadOnlyList<Bin> Removed, IReadOnlyList<Bin> Added)
{
    public static BinDiff Between(CausalRecord from, CausalRecord to)
    {
        var removed = new List<Bin>();
        var added = new List<Bin>();
        var a = from.Bins;
        var b = to.Bins;
        int i = 0, j = 0;
        while (i < a.Count || j < b.Count)
        {
            var order = i == a.Count ? 1 : j == b.Count ? -1 : a[i].Dot.CompareTo(b[j].Dot);
            if (order < 0)
            {
                removed.Add(a[i++]);
            }
            else if (order > 0)
            {
                added.Add(b[j++]);
            }
            else
            {
                if (!a[i].Equals(b[j]))
                {
                    removed.Add(a[i]);
                    added.Add(b[j]);
                }

                i++;
                j++;
            }
        }

        return new BinDiff(removed, added);
    }
}
