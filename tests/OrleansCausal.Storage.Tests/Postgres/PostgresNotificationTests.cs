using System.Text;
using OrleansCausal.Storage.Postgres;

namespace OrleansCausal.Storage.Tests.Postgres;

/// <summary>Change notifications packed several to a payload: every change arrives, none is lost or duplicated, and no
/// payload exceeds PostgreSQL's NOTIFY limit.</summary>
public sealed class PostgresNotificationTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Pack_ThenDecodeAll_GivesBackEveryChangeWithinThePayloadLimit(int seed)
    {
        var random = new Random(seed);
        var sources = new[] { Guid.NewGuid(), Guid.NewGuid() };
        var changes = Enumerable.Range(0, random.Next(1, 1200))
            .Select(i => (Source: sources[random.Next(2)], Key: new RecordKey("ns" + random.Next(3), RandomKey(random, i)), Version: random.NextInt64(1, long.MaxValue)))
            .ToList();
        var encoded = changes.Select(c => PostgresNotification.Encode(c.Source, c.Key, c.Version)).ToList();

        var payloads = PostgresNotification.Pack(encoded);

        Assert.All(payloads, p => Assert.True(Encoding.UTF8.GetByteCount(p) <= PostgresNotification.MaxPayloadBytes, $"{Encoding.UTF8.GetByteCount(p)} bytes"));
        Assert.Equal(changes, payloads.SelectMany(PostgresNotification.DecodeAll).ToList());
        // Greedy: a payload is closed only when the next change would not have fitted in it.
        for (var i = 0; i + 1 < payloads.Count; i++)
        {
            var (source, key, version) = PostgresNotification.DecodeAll(payloads[i + 1])[0];
            var next = PostgresNotification.Encode(source, key, version);
            Assert.True(Encoding.UTF8.GetByteCount(payloads[i]) + Encoding.UTF8.GetByteCount(next) + 3 > PostgresNotification.MaxPayloadBytes, $"payload {i} closed early");
        }
    }

    [Fact]
    public void A_merged_batch_of_500_records_goes_out_in_a_handful_of_notifications()
    {
        var source = Guid.NewGuid();
        var changes = Enumerable.Range(0, 500).Select(i => PostgresNotification.Encode(source, new RecordKey("default", $"backlog-{i}"), i + 1)).ToList();

        var payloads = PostgresNotification.Pack(changes);

        Assert.InRange(payloads.Count, 2, 8);
        Assert.Equal(500, payloads.Sum(p => PostgresNotification.DecodeAll(p).Count));
    }

    [Fact]
    public void A_lone_change_is_sent_as_a_single_object_and_both_forms_decode()
    {
        var source = Guid.NewGuid();
        var single = PostgresNotification.Encode(source, new RecordKey("default", "flight-42"), 7);

        var payload = Assert.Single(PostgresNotification.Pack([single]));

        Assert.Equal(single, payload);
        Assert.Equal([(source, new RecordKey("default", "flight-42"), 7L)], PostgresNotification.DecodeAll(payload));
    }

    [Fact]
    public void A_change_as_long_as_the_limit_allows_goes_out_alone()
    {
        var source = Guid.NewGuid();
        var longKey = new string('k', PostgresNotification.MaxPayloadBytes - 80);
        var changes = new[]
        {
            PostgresNotification.Encode(source, new RecordKey("a", "short"), 1),
            PostgresNotification.Encode(source, new RecordKey("a", longKey), 2),
            PostgresNotification.Encode(source, new RecordKey("a", "short2"), 3),
        };
        Assert.True(Encoding.UTF8.GetByteCount(changes[1]) <= PostgresNotification.MaxPayloadBytes);

        var payloads = PostgresNotification.Pack(changes);

        Assert.Equal(3, payloads.Count);
        Assert.Equal(changes[1], payloads[1]);
        Assert.Equal([1L, 2L, 3L], payloads.SelectMany(PostgresNotification.DecodeAll).Select(c => c.Version));
    }

    /// <summary>Keys of 1 to ~300 characters, some non-ASCII (multi-byte in UTF-8), some needing JSON escapes.</summary>
    private static string RandomKey(Random random, int i)
    {
        const string alphabet = "abcdefghij-_/ \"\\éß中😀";
        var length = random.Next(1, random.Next(2) == 0 ? 20 : 300);
        var key = new StringBuilder().Append(i).Append('-');
        for (var c = 0; c < length; c++)
        {
            var pick = alphabet[random.Next(alphabet.Length)];
            key.Append(char.IsSurrogate(pick) ? "😀" : pick.ToString());
        }

        return key.ToString();
    }
}
