namespace OrleansCausal.Core.Resolvers;

/// <summary>
/// Chooses the value to display when a record has several siblings. A resolver only chooses: it never removes a
/// bin, and reads always return every sibling as well. It must be deterministic and depend only on the set of
/// siblings (not their order), so that every region displays the same value for the same bins.
/// </summary>
public interface IValueResolver
{
    /// <summary>The name this resolver is configured by (e.g. <c>lww</c>).</summary>
    string Name { get; }

    /// <summary>The chosen sibling, or <c>null</c> when there is none.</summary>
    Bin? Resolve(IReadOnlyList<Bin> siblings);

    /// <summary>
    /// As <see cref="Resolve(IReadOnlyList{Bin})"/>, with a sentence saying why that sibling was chosen (for the
    /// explain API and the explorer page). The choice is always the same as <see cref="Resolve(IReadOnlyList{Bin})"/>'s;
    /// a resolver registered in code that does not override this gets a generic reason.
    /// </summary>
    Bin? Resolve(IReadOnlyList<Bin> siblings, out string reason)
    {
        var chosen = Resolve(siblings);
        reason = ResolverReasons.Generic(Name, siblings, chosen);
        return chosen;
    }
}
