using System.Diagnostics;

namespace OrleansCausal.Runtime.Diagnostics;

/// <summary>
/// The project's spans, on the <see cref="ActivitySource"/> <c>OrleansCausal</c>: <c>record.read</c> and
/// <c>record.write</c> in the record grain, <c>dotted_bins.write</c> in the grain storage, and replication's
/// <c>replication.send</c> / <c>replication.apply</c>. Activities are created only while a listener (OpenTelemetry
/// tracing) samples them, so the cost without tracing is one check per call.
/// </summary>
public static class CausalTracing
{
    public const string SourceName = "OrleansCausal";

    public static readonly ActivitySource Source = new(SourceName);
}
