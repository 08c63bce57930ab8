namespace OrleansCausal.Core.Tokens;

/// <summary>Why a causal context token was refused.</summary>
public enum ContextTokenError
{
    None,
    Empty,
    Oversized,
    NotBase64Url,
    Truncated,
    UnsupportedVersion,
    Malformed,
    BadSignature,
}
