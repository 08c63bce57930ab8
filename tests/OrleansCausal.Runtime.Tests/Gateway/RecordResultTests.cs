using System.Buffers;
using System.Text;
using System.Text.Json;
using OrleansCausal.Core;
using OrleansCausal.Core.Resolvers;
using OrleansCausal.Gateway.Contracts;
using OrleansCausal.Runtime.Namespaces;
using OrleansCausal.Runtime.Records;
using OrleansCausal.Storage;

namespace OrleansCausal.Runtime.Tests.Gateway;

/// <summary>
/// The hand-written record body (<see cref="RecordResult"/>) is byte for byte what serializing
/// <see cref="RecordResponse"/> with the web defaults gives — the documented contract — on random records: 0 to 32
/// siblings from several regions, tombstones, values and keys with characters the encoder escapes, with and without
/// writers. A field added to <see cref="RecordResponse"/> and not to the writer fails here.
/// </summary>
public sealed class RecordResultTests
{
    private static readonly string[] Values =
    [
        "1", "null", "true", "\"12F\"", "{\"seat\":\"12F\"}", "[1,2,{\"a\":[]}]", "{\"name\":\"Zoë <b> & 'x' + 😀\"}", "-0.5e10", "{ \"spaced\" : [ 1 , 2 ] }",
    ];

    [Fact]
    public void Writes_exactly_the_serialized_RecordResponse_for_random_records()
    {
        var random = new Random(20261202);
        var regions = new[] { "A", "eu-west", "us-east", "ap-south" }.Select((r, i) => new ReplicaId(RegionId.Parse(r), (uint)(0x1000 + i))).ToArray();
        var counters = new Dictionary<ReplicaId, ulong>();
        for (var trial = 0; trial < 300; trial++)
        {
            var record = CausalRecord.Empty;
            var bins = random.Next(0, 33);
            for (var i = 0; i < bins; i++)
            {
                var replica = regions[random.Next(regions.Length)];
                counters[replica] = counters.GetValueOrDefault(replica) + 1;
                var value = random.Next(6) == 0 ? null : Values[random.Next(Values.Length)];
                var writer = random.Next(3) switch { 0 => null, 1 => "load-tool", _ => "agënt<" + i + ">" };
                var writtenAt = new DateTimeOffset(2026, 12, 2, 1, 0, 0, TimeSpan.FromHours(random.Next(-2, 3))).AddTicks(random.NextInt64(0, TimeSpan.TicksPerDay));
                record = record.Merge([new Bin(new Dot(replica, counters[replica]), value, VersionVector.Empty, writtenAt, writer)]).Record;
            }

            var key = new RecordKey("ns-" + trial % 3, random.Next(2) == 0 ? "k/" + trial : "ключ+" + trial);
            var view = new RecordView(key, record, LwwResolver.Instance.Resolve(record.Siblings), new NamespaceSettings(key.Namespace, LwwResolver.Instance, "lww", 32));
            var token = random.Next(2) == 0 ? "AQEF-_" + trial : "AQ+/=" + trial;

            var expected = JsonSerializer.Serialize(RecordResponse.From(view, token), JsonSerializerOptions.Web);
            var buffer = new ArrayBufferWriter<byte>();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                RecordResult.Write(writer, view, token);
            }

            Assert.Equal(expected, Encoding.UTF8.GetString(buffer.WrittenSpan));
        }
    }
}
