using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.Extensions.Logging;
using OrleansCausal.Replication.Hosting;
using OrleansCausal.Replication.Wire;

namespace OrleansCausal.Replication.Outbound;

/// <summary>
/// Sends signed replication requests to one peer region, trying its base URLs in turn and sticking to the one
/// that last answered. Maps answers to <see cref="ShipOutcome"/>: 200 acknowledged, 409 gap, other 4xx refused,
/// network errors, timeouts, 401 and 5xx failed (worth retrying).
/// </summary>
public sealed class PeerClient(PeerConfiguration peer, HttpClient http, RequestSigner? signer, TimeProvider time, ILogger logger)
{
    private int _preferred;

    public Uri CurrentEndpoint => peer.Endpoints[_preferred % peer.Endpoints.Count];

    public Task<ShipOutcome> SendAsync(ReplicationBatch batch, CancellationToken cancellationToken) =>
        SendAsync(ReplicationPaths.Batches, BatchCodec.Encode(batch), batch.Bins.Count, cancellationToken);

    public Task<ShipOutcome> SendAsync(ResendBatch batch, CancellationToken cancellationToken) =>
        SendAsync(ReplicationPaths.Resend, BatchCodec.Encode(batch), batch.Bins.Count, cancellationToken);

    private async Task<ShipOutcome> SendAsync(string path, byte[] body, int bins, CancellationToken cancellationToken)
    {
        // The batch's span; the HTTP request below is its child and carries its W3C trace context to the peer.
        using var activity = ReplicationTracing.StartSend(peer.Region.Value, path, bins);
        var outcome = await SendToAnyAsync(path, body, cancellationToken);
        ReplicationTracing.SetOutcome(activity, outcome);
        return outcome;
    }

    private async Task<ShipOutcome> SendToAnyAsync(string path, byte[] body, CancellationToken cancellationToken)
    {
        string? lastFailure = null;
        for (var i = 0; i < peer.Endpoints.Count; i++)
        {
            var index = (_preferred + i) % peer.Endpoints.Count;
            var endpoint = peer.Endpoints[index];
            try
            {
                using var request = BuildRequest(endpoint, path, body);
                using var response = await http.SendAsync(request, cancellationToken);
                var outcome = await InterpretAsync(response, cancellationToken);
                if (outcome is not ShipOutcome.Failed failed)
                {
                    _preferred = index;
                    return outcome;
                }

                lastFailure = $"{endpoint}: {failed.Detail}";
            }
            catch (HttpRequestException e)
            {
                lastFailure = $"{endpoint}: {e.Message}";
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                lastFailure = $"{endpoint}: no answer within {http.Timeout.TotalSeconds:F0}s";
            }

            Log.LogDebugEndpointFailed(logger, peer.Region.Value, endpoint.ToString(), lastFailure);
        }

        return new ShipOutcome.Failed(lastFailure ?? "no endpoint configured");
    }

    private HttpRequestMessage BuildRequest(Uri endpoint, string path, byte[] body)
    {
        var baseText = endpoint.ToString();
        var target = new Uri(baseText.TrimEnd('/') + path);
        var request = new HttpRequestMessage(HttpMethod.Post, target) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(BatchCodec.ContentType);
        if (signer is not null)
        {
            var timestamp = time.GetUtcNow().ToUnixTimeMilliseconds();
            request.Headers.Add(RequestSigner.TimestampHeader, timestamp.ToString(CultureInfo.InvariantCulture));
            request.Headers.Add(RequestSigner.SignatureHeader, signer.Sign("POST", path, timestamp, body));
        }

        return request;
    }

    private static async Task<ShipOutcome> InterpretAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return new ShipOutcome.Acknowledged(await ReadAcknowledgementAsync(response, cancellationToken));
        }

        var detail = await ReadDetailAsync(response, cancellationToken);
        if (response.StatusCode == HttpStatusCode.Conflict &&
            response.Headers.TryGetValues(ReplicationPaths.ExpectedAfterHeader, out var values) &&
            long.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var expected))
        {
            return new ShipOutcome.Gap(expected);
        }

        var status = (int)response.StatusCode;
        return status is >= 400 and < 500 and not 401 and not 404 and not 408 and not 429
            ? new ShipOutcome.Refused(status, detail)
            : new ShipOutcome.Failed($"HTTP {status}: {detail}");
    }

    private static async Task<string> ReadDetailAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var problem = await response.Content.ReadFromJsonAsync<ProblemBody>(cancellationToken);
            return problem?.Detail ?? problem?.Title ?? response.ReasonPhrase ?? "no detail";
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or NotSupportedException or HttpRequestException or InvalidOperationException)
        {
            return response.ReasonPhrase ?? "no detail";
        }
    }

    private static async Task<BatchAcknowledgement?> ReadAcknowledgementAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadFromJsonAsync<BatchAcknowledgement>(cancellationToken);
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or NotSupportedException or HttpRequestException or InvalidOperationException)
        {
            return null;
        }
    }

    private sealed record ProblemBody(string? Title, string? Detail);
}
