using System.Text.Json;

namespace OrleansCausal.Cli;

/// <summary>
/// The context tokens of the last read or write of each record, kept in <c>session.json</c> in the session
/// directory (<c>~/.orleans-causal</c> by default), keyed by server URL, namespace and key. A later <c>put</c> or
/// <c>delete</c> of that record sends the kept token, so it is causal by default. Written atomically (temp file and
/// rename); concurrent CLI processes may lose each other's latest entry, never corrupt the file.
/// </summary>
internal sealed class SessionStore(string directory)
{
    private string FilePath => Path.Combine(directory, "session.json");

    public static string KeyOf(Uri url, string @namespace, string key) => $"{url.ToString().TrimEnd('/')}|{@namespace}|{key}";

    public string? Get(string entry) => Load().TryGetValue(entry, out var token) ? token : null;

    public void Set(string entry, string? token)
    {
        var entries = Load();
        if (token is null)
        {
            if (!entries.Remove(entry))
            {
                return;
            }
        }
        else
        {
            entries[entry] = token;
        }

        Directory.CreateDirectory(directory);
        var temp = FilePath + "." + Environment.ProcessId + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(entries, SessionJson.Default.DictionaryStringString));
        File.Move(temp, FilePath, overwrite: true);
    }

    private Dictionary<string, string> Load()
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(FilePath), SessionJson.Default.DictionaryStringString) ?? [];
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or JsonException)
        {
            return [];
        }
    }
}

[System.Text.Json.Serialization.JsonSourceGenerationOptions(WriteIndented = true)]
[System.Text.Json.Serialization.JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class SessionJson : System.Text.Json.Serialization.JsonSerializerContext;
