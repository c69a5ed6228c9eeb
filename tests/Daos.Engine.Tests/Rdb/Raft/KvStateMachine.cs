using System.Text;
using Daos.Engine.Rdb.Raft;

namespace Daos.Engine.Tests.Rdb.Raft;

/// <summary>
/// The state machine the test clusters replicate: a string map driven by text commands ("put op key value",
/// "del op key"); any other payload is applied as an opaque entry. Snapshots are the map as text.
/// </summary>
internal sealed class KvStateMachine
{
    private readonly SortedDictionary<string, string> _map = new(StringComparer.Ordinal);

    public ulong AppliedIndex { get; private set; }

    public IReadOnlyDictionary<string, string> Map => _map;

    public List<string> AppliedPayloads { get; } = [];

    public string? Get(string key) => _map.TryGetValue(key, out string? value) ? value : null;

    public void Apply(LogEntry entry)
    {
        if (entry.Index != AppliedIndex + 1)
        {
            throw new InvalidOperationException($"applied index {entry.Index} after {AppliedIndex}: not contiguous");
        }

        AppliedIndex = entry.Index;
        if (entry.Kind != LogEntryKind.Normal || entry.Data.IsEmpty)
        {
            return;
        }

        string text = Encoding.UTF8.GetString(entry.Data.Span);
        AppliedPayloads.Add(text);
        string[] parts = text.Split(' ');
        if (parts.Length == 4 && parts[0] == "put")
        {
            _map[parts[2]] = parts[3];
        }
        else if (parts.Length == 3 && parts[0] == "del")
        {
            _map.Remove(parts[2]);
        }
    }

    public byte[] Serialize()
    {
        var text = new StringBuilder();
        text.Append(AppliedIndex).Append('\n');
        foreach (KeyValuePair<string, string> pair in _map)
        {
            text.Append(pair.Key).Append('\t').Append(pair.Value).Append('\n');
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    public void Restore(RaftSnapshot snapshot)
    {
        _map.Clear();
        AppliedPayloads.Clear();
        AppliedIndex = snapshot.Index;
        if (snapshot.Data.IsEmpty)
        {
            return;
        }

        string[] lines = Encoding.UTF8.GetString(snapshot.Data.Span).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        for (int i = 1; i < lines.Length; i++)
        {
            string[] pair = lines[i].Split('\t');
            _map[pair[0]] = pair[1];
        }
    }

    public string Digest() => string.Join(",", _map.Select(p => $"{p.Key}={p.Value}"));
}
