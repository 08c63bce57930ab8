using Microsoft.Extensions.DependencyInjection;
using OrleansCausal.Runtime.Client;
using OrleansCausal.Runtime.Examples.Compliance;
using OrleansCausal.Runtime.Tests.Support;

namespace OrleansCausal.Runtime.Tests.Client;

/// <summary>The compliance-status example through the typed in-process API of a running silo.</summary>
public sealed class ComplianceStatusTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ConcurrentDecisions_ShowFailedWhateverTheOrder(bool failFirst)
    {
        await using var silo = await TestSilo.StartAsync();
        var service = silo.Services.GetRequiredService<ComplianceStatusService>();

        var opened = await service.OpenAsync("subject-1");
        Assert.Equal(ComplianceStatus.Pending, opened.Current!.Status);

        // Two workers (say, in two regions cut off from each other) decided on the same pending state: each writes
        // its decision with the context of that read, so neither supersedes the other.
        var client = silo.Services.GetRequiredService<ICausalClient>();
        var failed = new ComplianceStatus(ComplianceStatus.Failed, "sanctions hit", DateTimeOffset.UnixEpoch);
        var completed = new ComplianceStatus(ComplianceStatus.Completed, null, DateTimeOffset.UnixEpoch.AddHours(1));
        foreach (var decision in failFirst ? new[] { failed, completed } : [completed, failed])
        {
            await client.PutAsync(ComplianceStatusService.Namespace, "subject-1", decision, opened.Context);
        }

        var view = await service.GetAsync("subject-1");
        Assert.Equal(ComplianceStatus.Failed, view.Current!.Status);
        Assert.Equal("sanctions hit", view.Current.Reason);
        Assert.Equal([ComplianceStatus.Completed, ComplianceStatus.Failed], view.Concurrent.Select(s => s.Status).Order().ToArray());
    }

    [Fact]
    public async Task Advance_Downwards_IsRefusedAndWritesNothing()
    {
        await using var silo = await TestSilo.StartAsync();
        var service = silo.Services.GetRequiredService<ComplianceStatusService>();
        var opened = await service.OpenAsync("subject-2");
        var failed = await service.FailAsync("subject-2", "expired passport", opened.Context);

        var after = await service.CompleteAsync("subject-2", failed.Context);

        Assert.Equal(ComplianceStatus.Failed, after.Current!.Status);
        Assert.Single(after.Concurrent);
        Assert.Equal(failed.Context.ToString(), after.Context.ToString());
    }

    [Fact]
    public async Task Complete_WithContextOfFullRead_LeavesOneStatus()
    {
        await using var silo = await TestSilo.StartAsync();
        var service = silo.Services.GetRequiredService<ComplianceStatusService>();
        var opened = await service.OpenAsync("subject-3");

        var completed = await service.CompleteAsync("subject-3", opened.Context);

        Assert.Equal(ComplianceStatus.Completed, Assert.Single(completed.Concurrent).Status);
    }

    [Fact]
    public async Task CausalClient_RefusesContextOfAnotherRecord()
    {
        await using var silo = await TestSilo.StartAsync();
        var client = silo.Services.GetRequiredService<ICausalClient>();
        var a = await client.PutAsync("default", "a", new { n = 1 });

        await Assert.ThrowsAsync<ArgumentException>(() => client.PutAsync("default", "b", new { n = 2 }, a.Context));
        var b = await client.GetAsync<Dictionary<string, int>>("default", "b");

        Assert.False(b.Found);
        Assert.True(b.Context.IsEmpty);
    }

    [Fact]
    public async Task CausalClient_TypedRoundTripAndDelete()
    {
        await using var silo = await TestSilo.StartAsync();
        var client = silo.Services.GetRequiredService<ICausalClient>();

        var written = await client.PutAsync("default", "typed", new ComplianceStatus("pending", null, DateTimeOffset.UnixEpoch));
        var read = await client.GetAsync<ComplianceStatus>("default", "typed", written.Context);
        var afterDelete = await client.DeleteAsync("default", "typed", read.Context);
        var gone = await client.GetAsync<ComplianceStatus>("default", "typed");

        Assert.Equal(new ComplianceStatus("pending", null, DateTimeOffset.UnixEpoch), read.Value);
        Assert.Single(read.Siblings);
        Assert.False(gone.Found);
        Assert.False(afterDelete.IsEmpty);
        Assert.Empty(gone.Siblings);
    }
}
