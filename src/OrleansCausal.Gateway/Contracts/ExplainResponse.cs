using System.Text.Json.Serialization;
using OrleansCausal.Core;
using OrleansCausal.Core.Explain;
using OrleansCausal.Runtime.Records;

namespace OrleansCausal.Gateway.Contracts;

/// <summary>The body of <c>GET /v1/explain/{namespace}/{key}</c>: why the record holds what it holds.</summary>
/// <param name="Clock">The record's version vector.</param>
/// <param name="Context">The record's causal context token (as in <c>/v1/kv</c>), <c>null</c> for a record never written.</param>
/// <param name="Bins">Every bin, tombstones included (marked), sorted by dot.</param>
/// <param name="Pairs">For every pair of bins (at most 256), why both are there: the context entry each lacks.</param>
/// <param name="OmittedPairs">Pairs left out past 256.</param>
/// <param name="Write">What a write here with the request's <c>Causal-Context</c> (or, without one, the record's own) would do.</param>
/// <param name="Choice">The namespace resolver's choice and its reason.</param>
public sealed record ExplainResponse(
    string Namespace,
    string Key,
    string Resolver,
    int MaxSiblings,
    IReadOnlyList<VectorEntryResponse> Clock,
    string? Context,
    IReadOnlyList<BinResponse> Bins,
    IReadOnlyList<PairResponse> Pairs,
    int OmittedPairs,
    WriteResponse Write,
    ChoiceResponse Choice)
{
    public static ExplainResponse From(RecordView view, RecordExplanation explanation, string? context) => new(
        view.Key.Namespace,
        view.Key.Key,
        view.Namespace.ResolverSpecification,
        view.Namespace.MaxSiblings,
        VectorEntryResponse.From(explanation.Clock),
        context,
        [.. explanation.Bins.Select(bin => BinResponse.From(bin, view.Record))],
        [.. explanation.Pairs.Select(PairResponse.From)],
        explanation.OmittedPairs,
        new WriteResponse(
            VectorEntryResponse.From(explanation.WriteContext),
            explanation.NextDot.ToString(),
            [.. explanation.WouldSupersede.Select(d => d.ToString())],
            [.. explanation.WouldPrune.Select(d => d.ToString())],
            [.. explanation.WouldKeep.Select(d => d.ToString())]),
        new ChoiceResponse(
            explanation.Chosen?.Dot.ToString(),
            explanation.Chosen is { Value: { } value } ? new RawJson(value) : null,
            explanation.ChoiceReason));
}

/// <summary>One entry of a version vector: a replica (<c>region.epoch</c>), its region, and the highest counter seen.</summary>
public sealed record VectorEntryResponse(string Replica, string Region, ulong Counter)
{
    public static IReadOnlyList<VectorEntryResponse> From(VersionVector vector)
    {
        var entries = new VectorEntryResponse[vector.Count];
        for (var i = 0; i < entries.Length; i++)
        {
            var entry = vector.Entries[i];
            entries[i] = new VectorEntryResponse(entry.Replica.ToString(), entry.Replica.Region.Value, entry.Counter);
        }

        return entries;
    }
}

/// <summary>One bin: its dot, the value (<c>null</c> and <c>tombstone: true</c> for a delete), when it was accepted, and
/// the causal context its writer carried, and who wrote it (omitted when unknown). With an operation id
/// (<c>Idempotency-Key</c>): the id, and <c>hidden: true</c> when the bin is a copy of an operation shown at a smaller
/// dot, or of one that was overwritten (it is then not among the siblings).</summary>
public sealed record BinResponse(
    string Dot, string Replica, string Region, ulong Counter, RawJson? Value, bool Tombstone, DateTimeOffset WrittenAt,
    IReadOnlyList<VectorEntryResponse> Context,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Writer)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? OperationId { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Hidden { get; init; }

    public static BinResponse From(Bin bin, CausalRecord record) => new(
        bin.Dot.ToString(), bin.Dot.Replica.ToString(), bin.Dot.Region.Value, bin.Dot.Counter,
        bin.Value is null ? null : new RawJson(bin.Value), bin.IsTombstone, bin.WrittenAt, VectorEntryResponse.From(bin.Context), bin.Writer)
    {
        OperationId = bin.OperationId,
        Hidden = !record.IsShown(bin),
    };
}

/// <summary>Why the context of <paramref name="Holder"/> does not cover <paramref name="Unseen"/>: it has only
/// <paramref name="Seen"/> for <paramref name="Replica"/>, and the dot needs <paramref name="Needed"/>.</summary>
public sealed record GapResponse(string Holder, string Unseen, string Replica, ulong Seen, ulong Needed)
{
    public static GapResponse? From(ContextGap? gap) => gap is null
        ? null
        : new(gap.Holder.ToString(), gap.Unseen.ToString(), gap.Unseen.Replica.ToString(), gap.Seen, gap.Unseen.Counter);
}

/// <summary>Two bins and why both are kept (<paramref name="Concurrent"/>: neither's context covers the other's dot).</summary>
public sealed record PairResponse(string First, string Second, bool Concurrent, GapResponse? FirstMissesSecond, GapResponse? SecondMissesFirst, string Reason)
{
    public static PairResponse From(SiblingPair pair) => new(
        pair.First.ToString(), pair.Second.ToString(), pair.Concurrent,
        GapResponse.From(pair.FirstMissesSecond), GapResponse.From(pair.SecondMissesFirst), pair.Reason);
}

/// <summary>What a write with <paramref name="Context"/> would do here: its dot, the bins its context covers
/// (superseded), the bins the sibling cap would prune, and the bins that would stay beside it as siblings.</summary>
public sealed record WriteResponse(
    IReadOnlyList<VectorEntryResponse> Context, string NextDot, IReadOnlyList<string> Supersedes, IReadOnlyList<string> Prunes, IReadOnlyList<string> Keeps);

/// <summary>The resolver's choice for display (<c>null</c> dot and value when there is no live sibling) and why.</summary>
public sealed record ChoiceResponse(string? Dot, RawJson? Value, string Reason);
