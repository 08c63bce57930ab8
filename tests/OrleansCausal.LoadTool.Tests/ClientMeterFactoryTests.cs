using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Xunit;

namespace OrleansCausal.LoadTool.Tests;

/// <summary>The load generator's HttpClient reports under its own meter names, so a silo hosted in the same process
/// (whose OpenTelemetry pipeline listens to <c>System.Net.Http</c>) does not aggregate the client's metrics.</summary>
public sealed class ClientMeterFactoryTests
{
    [Fact]
    public async Task LoadClient_RequestDuration_IsReportedUnderTheLoadToolsMeter_NotSystemNetHttp()
    {
        await using var endpoint = await BareKestrelEndpoint.StartAsync(Path.Combine(Path.GetTempPath(), $"oc-meters-{Guid.NewGuid():N}.db"));
        var port = endpoint.Address.Port;
        var durations = new ConcurrentBag<string>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Name == "http.client.request.duration")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<double>((instrument, _, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "server.port" && Equals(tag.Value, port))
                {
                    durations.Add(instrument.Meter.Name);
                }
            }
        });
        listener.Start();

        using var client = LoadDriver.NewClient(endpoint.Address, connections: 1);
        using (var response = await client.GetAsync("/raw/absent"))
        {
            Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
        }

        Assert.Contains(ClientMeterFactory.Prefix + "System.Net.Http", durations);
        Assert.DoesNotContain("System.Net.Http", durations);
    }
}
