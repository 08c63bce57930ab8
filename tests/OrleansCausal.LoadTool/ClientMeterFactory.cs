using System.Diagnostics.Metrics;

namespace OrleansCausal.LoadTool;

/// <summary>
/// The meters of the load generator's own HttpClient, renamed out of <c>System.Net.Http</c>. The load tool hosts the
/// silo in its process, and the silo's OpenTelemetry pipeline listens to every <c>System.Net.Http</c> meter in the
/// process (for the replicator's calls): without this, the silo would aggregate the load generator's client metrics
/// too — a cost a silo never pays for its clients, which run elsewhere — and the gateway side would be charged for it
/// while the bare endpoints are not.
/// </summary>
internal sealed class ClientMeterFactory : IMeterFactory
{
    public const string Prefix = "OrleansCausal.LoadTool.Client.";

    public static readonly ClientMeterFactory Instance = new();

    private readonly Lock _gate = new();
    private readonly List<Meter> _meters = [];

    public Meter Create(MeterOptions options)
    {
        var meter = new Meter(new MeterOptions(Prefix + options.Name) { Version = options.Version, Tags = options.Tags, Scope = this });
        lock (_gate)
        {
            _meters.Add(meter);
        }

        return meter;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _meters.ForEach(m => m.Dispose());
            _meters.Clear();
        }
    }
}
