using System.Diagnostics.Metrics;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OrleansCausal.Runtime.Diagnostics;
using OrleansCausal.Runtime.Tests.Support;
using static OrleansCausal.Runtime.Tests.Support.KvApi;

namespace OrleansCausal.Runtime.Tests.Gateway;

/// <summary>Actor lifecycle in a running silo: the idle sweeper really deactivates actors on its timer.</summary>
public sealed class ActorLifecycleTests
{
    [Fact]
    public async Task IdleActor_IsDeactivatedBySweeper()
    {
        await using var silo = await TestSilo.StartAsync(new Dictionary<string, string?> { ["Actors:IdleTimeout"] = "00:00:00.200" });
        var meter = silo.Services.GetRequiredService<RuntimeMetrics>().Meter;
        var deactivated = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter == meter && instrument.Name == "orleans_causal.actors.deactivated")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, _, _, _) => deactivated.TrySetResult());
        listener.Start();

        await silo.Client.SendForRecordAsync(Put("/v1/kv/default/idle", "1"));
        await deactivated.Task.WaitAsync(TimeSpan.FromSeconds(15));
        var status = JsonDocument.Parse(await silo.Client.GetStringAsync("/v1/status")).RootElement;

        Assert.Equal(0, status.GetProperty("actors").GetInt32());
        var read = await silo.Client.SendForRecordAsync(Get("/v1/kv/default/idle"));
        Assert.Equal(["1"], read.SiblingValues);
    }
}
