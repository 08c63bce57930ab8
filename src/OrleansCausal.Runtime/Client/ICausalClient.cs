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

    /// <param name="operationId">An operation id (1-128 printable ASCII characters; e.g. the id of the queue message
    /// being handled): when the record already holds it — here, or replicated from another region — nothing is written
    /// and the answer is the record as it stands (<see cref="CausalValue{T}.Replayed"/>).</param>
    Task<CausalValue<T>> PutAsync<T>(string @namespace, string key, T value, CausalContext? context = null, CancellationToken cancellationToken = default,
        string? operationId = null);

    /// <summary>This client writing as <paramref name="writer"/>: the name kept with every bin it writes (shown as the
    /// bin's writer in reads, explanations and diagnostics, and replicated with it), 1-128 characters.</summary>
    ICausalClient As(string writer);

    /// <summary>Deletes (writes a tombstone); returns the context after the delete.</summary>
    /// <param name="operationId">As for <see cref="PutAsync{T}"/>: a delete of an operation the record holds is not applied again.</param>
    Task<CausalContext> DeleteAsync(string @namespace, string key, CausalContext? context = null, CancellationToken cancellationToken = default,
        string? operationId = null);
}
