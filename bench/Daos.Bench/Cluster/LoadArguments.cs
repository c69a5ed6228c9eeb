using System.Globalization;

namespace Daos.Bench.Cluster;

/// <summary>
/// The command line of the cluster load modes: <c>--name value</c> pairs, IOR-style short options (<c>-b 64m</c>) and
/// bare flags (<c>--shared</c>). Sizes take k, m and g suffixes (binary), as IOR and mdtest read them.
/// </summary>
internal sealed class LoadArguments
{
    private readonly Dictionary<string, string?> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    public LoadArguments(IReadOnlyList<string> args)
    {
        for (int i = 0; i < args.Count; i++)
        {
            string name = args[i];
            if (!name.StartsWith('-'))
            {
                throw new ArgumentException($"unexpected argument '{name}' (options look like --name value)");
            }

            string? value = i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal) && !IsShortOption(args[i + 1]) ? args[++i] : null;
            _values[name] = value;
        }
    }

    public bool Flag(string name)
    {
        _used.Add(name);
        return _values.ContainsKey(name);
    }

    public string Text(string name, string fallback)
    {
        _used.Add(name);
        return _values.TryGetValue(name, out string? value) ? value ?? throw new ArgumentException($"{name} needs a value") : fallback;
    }

    public string? OptionalText(string name)
    {
        _used.Add(name);
        return _values.TryGetValue(name, out string? value) ? value ?? throw new ArgumentException($"{name} needs a value") : null;
    }

    public int Int(string name, int fallback, int min = 1, int max = int.MaxValue)
    {
        string? text = OptionalText(name);
        if (text is null)
        {
            return fallback;
        }

        int value = int.Parse(text, NumberStyles.Integer, CultureInfo.InvariantCulture);
        return value >= min && value <= max ? value : throw new ArgumentException($"{name} must be in {min}..{max}, not {value}");
    }

    public long Size(string name, long fallback)
    {
        string? text = OptionalText(name);
        return text is null ? fallback : ParseSize(text, name);
    }

    /// <summary>Fails on any option no mode asked for, so a mistyped option is not silently ignored.</summary>
    public void RejectUnknown()
    {
        foreach (string name in _values.Keys)
        {
            if (!_used.Contains(name))
            {
                throw new ArgumentException($"unknown option '{name}'");
            }
        }
    }

    public static long ParseSize(string text, string what)
    {
        ArgumentException.ThrowIfNullOrEmpty(text);
        char last = char.ToLowerInvariant(text[^1]);
        int shift = last switch { 'k' => 10, 'm' => 20, 'g' => 30, _ => 0 };
        string digits = shift == 0 ? text : text[..^1];
        long value = long.Parse(digits, NumberStyles.Integer, CultureInfo.InvariantCulture);
        return value > 0 && value <= long.MaxValue >> shift ? value << shift : throw new ArgumentException($"{what} must be a positive size, not '{text}'");
    }

    private static bool IsShortOption(string text) => text.Length == 2 && text[0] == '-' && char.IsLetter(text[1]);
}
