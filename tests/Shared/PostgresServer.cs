using System.Diagnostics;
using System.Text.RegularExpressions;
using Npgsql;

namespace OrleansCausal.Tests.Shared;

/// <summary>
/// A real PostgreSQL server for tests, shared by a test collection (xunit collection fixture).
/// <list type="bullet">
/// <item>When <c>ORLEANSCAUSAL_TEST_POSTGRES</c> holds a connection string, that server is used (its role needs CREATEDB).</item>
/// <item>Otherwise <c>tests/postgres/start.sh</c> starts a throw-away server (installing PostgreSQL with apt-get when
/// missing) and <c>tests/postgres/stop.sh</c> removes it when the collection is done.</item>
/// </list>
/// When neither works the fixture throws, so every test of the collection FAILS with the reason: the PostgreSQL tests
/// are never silently skipped. Each test takes a fresh database from <see cref="CreateDatabaseAsync"/>.
/// <para>To use it in a test project: <c>&lt;Compile Include="..\Shared\PostgresServer.cs" Link="Shared\PostgresServer.cs" /&gt;</c>
/// plus a reference to Npgsql (e.g. through OrleansCausal.Storage.Postgres), then
/// <c>[Collection(PostgresCollection.Name)]</c> on the test class and a <see cref="PostgresServer"/> constructor parameter.</para>
/// </summary>
public sealed partial class PostgresServer : IAsyncLifetime
{
    public const string ConnectionStringVariable = "ORLEANSCAUSAL_TEST_POSTGRES";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(10);
    private readonly List<string> _databases = [];
    private string? _ownedDirectory;
    private string? _scriptsDirectory;

    /// <summary>A connection string to the server's main test database, as the test role.</summary>
    public string ConnectionString { get; private set; } = string.Empty;

    /// <summary>True when this fixture started the server (and stops it at the end).</summary>
    public bool IsOwned => _ownedDirectory is not null;

    public async Task InitializeAsync()
    {
        var configured = Environment.GetEnvironmentVariable(ConnectionStringVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            ConnectionString = configured;
        }
        else
        {
            _scriptsDirectory = FindScriptsDirectory();
            (ConnectionString, _ownedDirectory) = await StartServerAsync(_scriptsDirectory).ConfigureAwait(false);
        }

        try
        {
            await using var connection = new NpgsqlConnection(ConnectionString);
            await connection.OpenAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            throw new InvalidOperationException(
                $"The test PostgreSQL server ({(IsOwned ? "started by tests/postgres/start.sh" : ConnectionStringVariable)}) does not accept connections: {e.Message}", e);
        }
    }

    /// <summary>Creates a new, empty database and returns a connection string to it (same server, same role).</summary>
    public async Task<string> CreateDatabaseAsync(string label = "t", CancellationToken cancellationToken = default)
    {
        var name = $"oc_{SafeLabel().Replace(label.ToLowerInvariant(), "_")}_{Guid.NewGuid():N}";
        if (name.Length > 63)
        {
            name = name[..63];
        }

        await using (var connection = new NpgsqlConnection(ConnectionString))
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        lock (_databases)
        {
            _databases.Add(name);
        }

        return new NpgsqlConnectionStringBuilder(ConnectionString) { Database = name }.ConnectionString;
    }

    /// <summary>Drops a database made by <see cref="CreateDatabaseAsync"/> (its connections are ended first).</summary>
    public async Task DropDatabaseAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database
            ?? throw new ArgumentException("The connection string names no database.", nameof(connectionString));
        await using (var probe = new NpgsqlConnection(connectionString))
        {
            NpgsqlConnection.ClearPool(probe);
        }

        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        lock (_databases)
        {
            _databases.Remove(name);
        }
    }

    /// <summary>Drops a database made by <see cref="CreateDatabaseAsync"/> and creates it again, empty, under the same
    /// name: the database was lost and rebuilt.</summary>
    public async Task RecreateDatabaseAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        await DropDatabaseAsync(connectionString, cancellationToken).ConfigureAwait(false);
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        lock (_databases)
        {
            _databases.Add(name);
        }
    }

    /// <summary>The server's connection string with other settings (e.g. a wrong password).</summary>
    public string With(Action<NpgsqlConnectionStringBuilder> change)
    {
        var builder = new NpgsqlConnectionStringBuilder(ConnectionString);
        change(builder);
        return builder.ConnectionString;
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_ownedDirectory is not null)
        {
            // The whole server goes away with its directory.
            await RunScriptAsync(Path.Combine(_scriptsDirectory!, "stop.sh"), [_ownedDirectory], TimeSpan.FromMinutes(2)).ConfigureAwait(false);
            return;
        }

        // A server we did not start: drop the databases we made.
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync().ConfigureAwait(false);
        foreach (var name in _databases)
        {
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync().ConfigureAwait(false);
        }
    }

    private static async Task<(string ConnectionString, string Directory)> StartServerAsync(string scripts)
    {
        var start = Path.Combine(scripts, "start.sh");
        var (exitCode, output, errors) = await RunScriptAsync(start, ["--parent-pid", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)], StartTimeout).ConfigureAwait(false);
        if (exitCode != 0)
        {
            throw new InvalidOperationException(
                $"No PostgreSQL server for the tests: {ConnectionStringVariable} is not set and {start} failed with exit code {exitCode}.\n{errors}");
        }

        var connection = ExportedValue(output, ConnectionStringVariable);
        var directory = ExportedValue(output, "ORLEANSCAUSAL_TEST_POSTGRES_DIR");
        if (connection is null || directory is null)
        {
            throw new InvalidOperationException($"{start} succeeded but printed no connection string. Its output:\n{output}\n{errors}");
        }

        return (connection, directory);
    }

    private static async Task<(int ExitCode, string Output, string Errors)> RunScriptAsync(string script, string[] arguments, TimeSpan timeout)
    {
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(script);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not run bash {script}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{script} did not finish within {timeout}. Its output so far:\n{await errors.ConfigureAwait(false)}");
        }

        return (process.ExitCode, await output.ConfigureAwait(false), await errors.ConfigureAwait(false));
    }

    /// <summary>Reads <c>export NAME=value</c> (bash printf %q quoting) from start.sh's output.</summary>
    private static string? ExportedValue(string output, string name)
    {
        foreach (var line in output.Split('\n'))
        {
            var prefix = $"export {name}=";
            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                return Unquote(line[prefix.Length..].Trim());
            }
        }

        return null;
    }

    private static string Unquote(string value)
    {
        if (value.Length >= 2 && value[0] == '\'' && value[^1] == '\'')
        {
            return value[1..^1];
        }

        // printf %q escapes shell metacharacters with a backslash (e.g. '\;').
        return Regex.Replace(value, @"\\(.)", "$1");
    }

    private static string FindScriptsDirectory()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "tests", "postgres");
            if (File.Exists(Path.Combine(candidate, "start.sh")))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException(
            $"{ConnectionStringVariable} is not set and tests/postgres/start.sh was not found above {AppContext.BaseDirectory}: no PostgreSQL server for the tests.");
    }

    [GeneratedRegex("[^a-z0-9]+")]
    private static partial Regex SafeLabel();
}

/// <summary>The test collection that shares one <see cref="PostgresServer"/>.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "PostgreSQL";
}
