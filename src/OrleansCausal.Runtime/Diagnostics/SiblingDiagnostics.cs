using OrleansCausal.Storage;

namespace OrleansCausal.Runtime.Diagnostics;

/// <summary>
/// This silo's view of sibling pile-ups, for <c>GET /v1/diagnostics/siblings</c>: per namespace, the
/// <see cref="TopKeys"/> keys with the most live siblings after their last write on this silo, and the bins pruned by the
/// namespace's sibling cap. Memory is bounded: a fixed-size list per namespace and at most
/// <see cref="MaxNamespaces"/> namespaces. Per silo and since it started; merges from other regions are not counted.
/// </summary>
public sealed class SiblingDiagnostics
{
    public const int TopKeys = 20;

    public const int MaxNamespaces = 256;

    private readonly Dictionary<string, NamespaceEntry> _namespaces = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>A write on this silo left <paramref name="siblings"/> live siblings in <paramref name="key"/>, written
    /// by <paramref name="writers"/> (the distinct known writers of those siblings; empty when none is known).</summary>
    public void Written(RecordKey key, int siblings, DateTimeOffset at, IReadOnlyList<string>? writers = null)
    {
        lock (_lock)
        {
            if (Entry(key.Namespace) is not { } entry)
            {
                return;
            }

            entry.Writes++;
            var keys = entry.Keys;
            var index = keys.FindIndex(k => k.Key == key.Key);
            if (siblings < 2)
            {
                // Resolved (or never concurrent): no longer a key with siblings.
                if (index >= 0)
                {
                    keys.RemoveAt(index);
                }

                return;
            }

            var item = new KeySiblings(key.Key, siblings, at, writers ?? []);
            if (index >= 0)
            {
                keys[index] = item;
            }
            else if (keys.Count < TopKeys)
            {
                keys.Add(item);
            }
            else
            {
                var fewest = 0;
                for (var i = 1; i < keys.Count; i++)
                {
                    if (keys[i].Siblings < keys[fewest].Siblings)
                    {
                        fewest = i;
                    }
                }

                if (siblings > keys[fewest].Siblings)
                {
                    keys[fewest] = item;
                }
            }
        }
    }

    /// <summary>The sibling cap of <paramref name="namespace"/> pruned <paramref name="count"/> bins.</summary>
    public void Pruned(string @namespace, int count)
    {
        lock (_lock)
        {
            Entry(@namespace)?.Pruned += count;
        }
    }

    /// <summary>Every namespace seen, by name, with its keys by sibling count (most first, then by key).</summary>
    public IReadOnlyList<NamespaceSiblings> Snapshot()
    {
        lock (_lock)
        {
            return _namespaces
                .OrderBy(n => n.Key, StringComparer.Ordinal)
                .Select(n => new NamespaceSiblings(
                    n.Key,
                    n.Value.Writes,
                    n.Value.Pruned,
                    [.. n.Value.Keys.OrderByDescending(k => k.Siblings).ThenBy(k => k.Key, StringComparer.Ordinal)]))
                .ToArray();
        }
    }

    private NamespaceEntry? Entry(string @namespace)
    {
        if (_namespaces.TryGetValue(@namespace, out var entry))
        {
            return entry;
        }

        if (_namespaces.Count >= MaxNamespaces)
        {
            return null;
        }

        entry = new NamespaceEntry();
        _namespaces.Add(@namespace, entry);
        return entry;
    }

    private sealed class NamespaceEntry
    {
        public List<KeySiblings> Keys { get; } = new(TopKeys);

        public long Writes { get; set; }

        public long Pruned { get; set; }
    }
}

/// <summary>A key and the number of live siblings its last write on this silo left.</summary>
public sealed record KeySiblings(string Key, int Siblings, DateTimeOffset At, IReadOnlyList<string> Writers);

/// <summary>One namespace's sibling diagnostics on this silo: writes seen, bins pruned by the cap, and the keys with the most siblings.</summary>
public sealed record NamespaceSiblings(string Namespace, long Writes, long Pruned, IReadOnlyList<KeySiblings> Keys);
