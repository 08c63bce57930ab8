namespace OrleansCausal.Runtime.Client;

/// <summary>
/// The typed in-process API for business code hosted in the silo (what a co-hosted grain calls): values are JSON
/// via System.Text.Json (web defaults: camelCase). A write without a context is a blind write (it can create a
/// sibling); a write with the context of an earlier read supersedes what that read saw.
/// </summary>
public interface ICausalClient
{
    /// <param name="context">When given, the answer reflects at least this context (read your writes).</param>
    Task<CausalValue<T>> GetAsync<T>(string @namespace, string key, CausalContext? context = null, CancellationToken cancellationToken = default);

    Task<CausalValue<T>> PutAsync<T>(string @namespace, string key, T value, CausalContext? context = null, CancellationToken cancellationToken = default);

    /// <summary>This client writing as <paramref name="writer"/>: the name kept with every bin it writes (shown as the
    /// bin's writer in reads, explanations and diagnostics, and replicated with it), 1-128 characters.</summary>
    ICausalClient As(string writer);

    /// <summary>Deletes (writes a tombstone); returns the context after the delete.</summary>
    Task<CausalContext> DeleteAsync(string @namespace, string key, CausalContext? context = null, CancellationToken cancellationToken = default);
}
