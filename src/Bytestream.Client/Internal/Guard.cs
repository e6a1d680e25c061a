namespace Bytestream.Client.Internal;

/// <summary>Argument checks that run before any call is made.</summary>
internal static class Guard
{
    public static T InRange<T>(T value, T min, T max, string name)
        where T : IComparable<T>
    {
        if (value.CompareTo(min) < 0 || value.CompareTo(max) > 0)
        {
            throw new ArgumentOutOfRangeException(name, value, $"Must be between {min} and {max}.");
        }

        return value;
    }

    public static void ResourceName(string resourceName, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(resourceName))] string? name = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(resourceName, name);
    }

    public static void NotNegative(long value, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(value))] string? name = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value, name);
    }
}
