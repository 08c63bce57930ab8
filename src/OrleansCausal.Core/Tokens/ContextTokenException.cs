namespace OrleansCausal.Core.Tokens;

/// <summary>A causal context token could not be accepted; <see cref="Error"/> says why.</summary>
public sealed class ContextTokenException : Exception
{
    public ContextTokenException(ContextTokenError error, string message)
        : base(message) => Error = error;

    public ContextTokenError Error { get; }
}
