namespace Bytestream.Client.Internal;

/// <summary>Argument checks that run before any call is made.</summary>
internal static class Guard
{
    private static readonly System.Buffers.SearchValues<char> ControlCharacters =
        System.Buffers.SearchValues.Create(Enumerable.Range(0, 0xA0).Where(c => char.IsControl((char)c)).Select(c => (char)c).ToArray());

    public static T InRange<T>(T value, T min, T max, string name)
        where T : IComparable<T>
    {
        if (value.CompareTo(min) < 0 || value.CompareTo(max) > 0)
        {
            throw new ArgumentOutOfRangeException(name, value, $"Must be between {min} and {max}.");
        }

        return value;
    }

    /// <summary>
    /// A resource name must hold something besides white space, and no control character (NUL, a line
    /// break, DEL...): servers would reject or, worse, store such a name, and logs would show it garbled.
    /// </summary>
    public static void ResourceName(string resourceName, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(resourceName))] string? name = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(resourceName, name);
        var index = resourceName.AsSpan().IndexOfAny(ControlCharacters);
        if (index >= 0)
        {
            throw new ArgumentException(
                $"The resource name contains the control character U+{(int)resourceName[index]:X4} at index {index}; resource names are printable text such as 'instance/blobs/{{hash}}/{{size}}'.",
                name);
        }
    }

    public static void NotNegative(long value, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(value))] string? name = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value, name);
    }
}
