using Orleans.Concurrency;

namespace OrleansCausal.Runtime.Grains;

/// <inheritdoc cref="IRecordNoticeGrain"/>
[SiloKeyedPlacement, Reentrant]
internal sealed class RecordNoticeGrain(RecordChangeNotices notices) : Grain, IRecordNoticeGrain
{
    public Task NoticeAsync(RecordVersions changes)
    {
        for (var i = 0; i < changes.Keys.Length; i++)
        {
            notices.Observe(RecordGrainKey.Parse(changes.Keys[i]), changes.Versions[i]);
        }

        return Task.CompletedTask;
    }
}
