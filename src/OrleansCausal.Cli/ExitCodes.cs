namespace OrleansCausal.Cli;

/// <summary>The CLI's exit codes.</summary>
public static class ExitCodes
{
    /// <summary>Found, written or done.</summary>
    public const int Ok = 0;

    /// <summary>The record (or peer) does not exist.</summary>
    public const int NotFound = 1;

    /// <summary>The command line is wrong; nothing was sent.</summary>
    public const int BadUsage = 2;

    /// <summary>The server refused the request or failed, or could not be reached; the problem's message is printed.</summary>
    public const int Refused = 3;
}
