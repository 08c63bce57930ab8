using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using OrleansCausal.Core.Tokens;
using OrleansCausal.Gateway.Diagnostics;

namespace OrleansCausal.Gateway.Hosting;

/// <summary>
/// Finds the context signing key: <c>Context:SigningKey</c> when set; otherwise, for an SQLite store, a key kept in
/// <c>{data file}.signing-key</c> (generated on first start), and for a memory store a key for this process only.
/// Every generated key is logged as a warning: all regions must share one key, so production sets it explicitly.
/// A PostgreSQL store requires the setting (its silos must share the key).
/// </summary>
internal static class SigningKeyResolver
{
    public static async Task<string> ResolveAsync(SiloSettings settings, ILogger logger, CancellationToken cancellationToken)
    {
        if (settings.SigningKey is { } configured)
        {
            return configured;
        }

        switch (settings.Store.Kind)
        {
            case StoreSpecification.Sqlite:
                var path = settings.Store.Target + ".signing-key";
                if (File.Exists(path))
                {
                    var stored = (await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false)).Trim();
                    if (stored.Length >= ContextTokenCodec.MinimumKeyLength)
                    {
                        GatewayLog.LogWarningSigningKeyFromFile(logger, path);
                        return stored;
                    }
                }

                var generated = Generate();
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                await File.WriteAllTextAsync(path, generated, cancellationToken).ConfigureAwait(false);
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                }

                GatewayLog.LogWarningSigningKeyGenerated(logger, path);
                return generated;
            case StoreSpecification.Memory:
                GatewayLog.LogWarningSigningKeyEphemeral(logger);
                return Generate();
            default:
                throw new InvalidOperationException(
                    "Context:SigningKey is required with a PostgreSQL store: set the same key (at least 32 characters) on every silo of every region.");
        }
    }

    private static string Generate() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(36)).Replace('+', '-').Replace('/', '_');
}
